"""The item catalogue against its two sources: definitions.md (the contract) and the framework text.

The expected ids, units and markings are parsed from the shared files, not
copied from the catalogue, so a change to definitions.md that the catalogue
has not followed fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from munro.indicators import catalogue
from munro.indicators.catalogue import CATALOGUE, SECTIONS, by_section, item, question_of
from munro.indicators.docs import REGENERATE, render_markdown

REPO = Path(__file__).resolve().parents[2]
FRAMEWORK_DIR = REPO.parent / "shared" / "framework"
DEFINITIONS = (FRAMEWORK_DIR / "definitions.md").read_text()
FRAMEWORK = (FRAMEWORK_DIR / "child-protection-performance-information.txt").read_text()


def _norm(text: str) -> str:
    return " ".join(text.split())


FRAMEWORK_NORM = _norm(FRAMEWORK)


def _between(text: str, start: str, end: str | None) -> str:
    body = text.split(start, 1)[1]
    return body.split(end, 1)[0] if end else body


# munro's items beyond definitions.md (an Annex A's contacts and early help, which the framework's local
# questions ask about), defined as definitions.md defines its items, in docs/annex-a.md: held to the same tests.
ADDITIONS = _between((REPO / "docs" / "annex-a.md").read_text(), "## Contacts and early help", "\n## ")
SECTION_2 = _between(DEFINITIONS, "## 2. Items computed from the CIN census", "## 3.") + "\n\n" + ADDITIONS
SECTION_3 = _between(DEFINITIONS, "## 3. Items from other sources", None)

# An item paragraph of section 2 opens with its id(s) and "(unit X[; remark])".
_ITEM_HEAD = re.compile(r"^((?:`[a-z0-9_]+`(?:, )?)+) \(unit (\w+)(?:; ([^)]*))?\)")


def _section_2_items() -> dict[str, dict]:
    found = {}
    for paragraph in re.split(r"\n\s*\n", SECTION_2):
        paragraph = _norm(paragraph)
        m = _ITEM_HEAD.match(paragraph)
        if not m:
            continue
        for item_id in re.findall(r"`([a-z0-9_]+)`", m.group(1)):
            found[item_id] = {"unit": m.group(2), "remark": m.group(3) or "", "text": paragraph}
    return found


SECTION_2_ITEMS = _section_2_items()
SECTION_3_IDS = re.findall(r"`([a-z0-9_]+)`", SECTION_3)
DEFINITIONS_ORDER = list(SECTION_2_ITEMS) + SECTION_3_IDS


def test_the_shared_files_parse_as_expected():
    # Guards the parsing below: if definitions.md changes shape, say so rather than pass vacuously.
    assert len(SECTION_2_ITEMS) >= 20 and len(SECTION_3_IDS) >= 10
    assert "assessment_timeliness" in SECTION_2_ITEMS and "court_applications_rate" in SECTION_3_IDS


def test_docs_indicators_md_is_generated_from_the_catalogue():
    doc = REPO / "docs" / "indicators.md"
    assert doc.exists(), f"docs/indicators.md is missing: run `PYTHONPATH=src {REGENERATE}`"
    assert doc.read_text() == render_markdown(), (
        f"docs/indicators.md differs from the catalogue: regenerate it with `PYTHONPATH=src {REGENERATE}` "
        f"(from the repository root) and commit the result"
    )


def test_every_item_of_definitions_md_is_in_the_catalogue_and_nothing_else():
    ids = [i.id for i in CATALOGUE]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert sorted(ids) == sorted(DEFINITIONS_ORDER), (
        f"missing from the catalogue: {sorted(set(DEFINITIONS_ORDER) - set(ids))}; "
        f"not in definitions.md: {sorted(set(ids) - set(DEFINITIONS_ORDER))}"
    )


def test_catalogue_order_is_framework_section_then_definitions_order():
    section_order = [s.id for s in SECTIONS]
    keys = [(section_order.index(i.section), DEFINITIONS_ORDER.index(i.id)) for i in CATALOGUE]
    assert keys == sorted(keys)


@pytest.mark.parametrize("item_id", sorted(SECTION_2_ITEMS))
def test_units_match_definitions_md(item_id):
    assert item(item_id).unit == SECTION_2_ITEMS[item_id]["unit"]


def test_units_polarities_and_comparability_are_known_values():
    for i in CATALOGUE:
        assert i.unit in catalogue.UNITS, i.id
        assert i.polarity in catalogue.POLARITIES, i.id
        assert i.comparability in catalogue.COMPARABILITY, i.id
        assert i.polarity_reason.strip(), i.id


@pytest.mark.parametrize("item_id", sorted(SECTION_2_ITEMS))
def test_comparability_follows_definitions_md(item_id):
    spec, it = SECTION_2_ITEMS[item_id], item(item_id)
    if "this project's definition" in spec["remark"] or "local item" in spec["remark"]:
        assert it.comparability == "munro"
    elif "this project's definition" in spec["text"]:
        # Only some figures are the project's own (cpp_repeat's within_2y): they must be named.
        assert it.comparability == "dfe" and it.munro_figures
        for figure in it.munro_figures:
            assert f"`{figure}`" in spec["text"]
    if "(DfE-comparable)" in spec["text"]:
        assert it.comparability == "dfe"


def test_section_3_items_are_imported_as_published():
    for item_id in SECTION_3_IDS:
        assert item(item_id).comparability == "published", item_id
        assert item(item_id).needs, item_id


# Figures every result may carry (definitions.md section 1) besides those an item names.
_GENERIC_FIGURES = {"numerator", "denominator", "count", "excluded", "bands", "groups", "p25", "median", "p75"}
# Backticked words in an item's paragraph that are not its figures (single letters are date variables).
_NOT_FIGURES = {"value", "reason"}


@pytest.mark.parametrize("item_id", sorted(SECTION_2_ITEMS))
def test_figures_are_those_definitions_md_names(item_id):
    spec, it = SECTION_2_ITEMS[item_id], item(item_id)
    named = {w for w in re.findall(r"`([^`]+)`", spec["text"]) if re.fullmatch(r"[a-z0-9_]{2,}|[A-Z]{3}", w)}
    named -= set(SECTION_2_ITEMS) | _NOT_FIGURES
    breakdown = set(it.breakdown[1]) if it.breakdown else set()
    mine = set(it.figures) | breakdown
    assert named <= mine, f"definitions.md names figures the catalogue lacks: {sorted(named - mine)}"
    assert mine - _GENERIC_FIGURES <= named, (
        f"figures not named in definitions.md: {sorted(mine - _GENERIC_FIGURES - named)}")


def test_ids_are_unique_snake_case():
    for i in CATALOGUE:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", i.id), i.id


def test_sections_are_the_framework_five_in_order():
    assert [s.id for s in SECTIONS] == ["outcomes", "workforce", "timeliness", "plans", "activity"]
    assert list(by_section()) == [s.id for s in SECTIONS]
    assert sum(len(v) for v in by_section().values()) == len(CATALOGUE)
    assert all(by_section().values()), "a section with no items"


def _in_framework(text: str) -> bool:
    return _norm(text) in FRAMEWORK_NORM


def test_quoted_rationales_and_item_wording_appear_in_the_framework():
    for i in CATALOGUE:
        if i.rationale_quoted:
            assert _in_framework(i.rationale), f"{i.id}: rationale is not the framework's text"
        else:
            assert not _in_framework(i.rationale), f"{i.id}: rationale is the framework's text but not marked quoted"
        if i.framework_item is not None:
            assert _in_framework(i.framework_item), f"{i.id}: framework_item is not the framework's text"
            assert _in_framework(i.framework_source), f"{i.id}: framework_source is not the framework's text"
        else:
            assert i.framework_source is None and not i.rationale_quoted, i.id


def test_section_purposes_and_key_questions_appear_in_the_framework():
    for s in SECTIONS:
        for paragraph in s.purpose:
            assert _in_framework(paragraph), f"{s.id}: purpose paragraph not in the framework: {paragraph[:60]}"
        for q in s.questions:
            for text in (q.text, *q.parts, *q.then):
                assert _in_framework(text), f"{s.id}: question not in the framework: {text[:60]}"
        assert s.purpose or s.note, f"{s.id}: no purpose and no note saying why"


def test_items_key_questions_are_local_questions_of_the_framework():
    for i in CATALOGUE:
        for quote in i.key_questions:
            question_of(quote)  # KeyError when it is not


def test_munro_text_quotes_only_the_framework():
    # In munro's own text, double quotes mark the framework's words; check each one.
    for i in CATALOGUE:
        texts = [i.polarity_reason, i.definition, i.framework_differences, i.rationale_note,
                 i.comparability_note, i.headline, i.title]
        if not i.rationale_quoted:
            texts.append(i.rationale)
        for text in texts:
            for quote in re.findall(r'"([^"]+)"', text):
                assert _in_framework(quote), f"{i.id}: {quote!r} is quoted but not in the framework"
    for s in SECTIONS:
        for quote in re.findall(r'"([^"]+)"', s.note):
            assert _in_framework(quote), f"{s.id}: {quote!r} is quoted but not in the framework"


def test_items_without_a_framework_item_say_where_they_come_from():
    for i in CATALOGUE:
        if i.framework_item is None:
            assert "definitions.md" in i.rationale or "framework" in i.rationale, i.id


def test_unknown_id_raises_a_helpful_key_error():
    with pytest.raises(KeyError, match="cpp_rate"):
        item("cpp_rat")
    assert item("cpp_rate").section == "plans"


def test_items_are_frozen():
    with pytest.raises(AttributeError):
        item("cpp_rate").unit = "count"  # type: ignore[misc]
