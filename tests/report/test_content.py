"""The page and the workbook hold every catalogue item exactly once, with its headline: the published
figure for the year where there is one, else munro's computed value.

Expected values come from ``munro.indicators.compute`` (not the report) and
are formatted here as definitions.md section 1 says figures are shown: one
decimal place for percentages and rates, whole numbers for counts.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from report_helpers import read_xlsx, xlsx_charts

from munro.benchmark.compare import compare
from munro.indicators.catalogue import CATALOGUE, SECTIONS
from munro.indicators.compute import compute

LA, YEAR = "330", 2025


@pytest.fixture(scope="module")
def page(internal_report) -> str:
    return internal_report.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def computed(report_store):
    return compute(report_store, LA, YEAR)["items"]


def _shown(value: float, unit: str) -> str:
    if unit == "percent":
        return f"{value:,.1f}%"
    if unit == "per_10k":
        return f"{value:,.1f} per 10,000 children"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.0f} {unit.replace('_', ' ')}"


def test_every_catalogue_item_exactly_once(page):
    found = Counter(re.findall(r'<article class="munro-item" id="item-([a-z0-9_]+)"', page))
    assert found == Counter(i.id for i in CATALOGUE)


def test_sections_in_the_framework_order_with_their_items(page):
    order = re.findall(r'<h2 class="govuk-heading-l" id="section-([a-z]+)"', page)
    assert order == ["outcomes", "workforce", "timeliness", "plans", "activity"]
    for s, nxt in zip(SECTIONS, list(SECTIONS[1:]) + [None]):
        body = page.split(f'id="section-{s.id}"', 1)[1]
        if nxt:
            body = body.split(f'id="section-{nxt.id}"', 1)[0]
        opening = (s.purpose or (s.note,))[0]  # Plans and Activity have no purpose: munro's note says so
        assert opening in body.replace("&#39;", "'").replace("&#34;", '"')
        for i in CATALOGUE:
            assert (f'id="item-{i.id}"' in body) == (i.section == s.id)


@pytest.fixture(scope="module")
def published(report_store) -> dict[str, float]:
    """The LA's published figure of each item for the report's year (benchmark.compare reads the table)."""
    return {c.item_id: c.published.value for c in compare(report_store, LA, YEAR) if c.published.value is not None}


def _expected_headlines(computed, published) -> dict[str, float]:
    """The rule of benchmark.compare.HEADLINE_RULE: the published figure for the year, else munro's own."""
    own = {k: r.value for k, r in computed.items() if r.value is not None}
    return {**own, **published}


def test_headline_is_the_published_figure_else_the_computed_one(page, computed, published):
    # A 2%-scale synthetic Birmingham: its rates are far from Birmingham's published ones, so the rule shows.
    assert computed["cpp_rate"].value < published["cpp_rate"] / 10
    expected = _expected_headlines(computed, published)
    assert len(expected) >= 25
    for item_id, value in expected.items():
        m = re.search(rf'<span class="munro-value" data-headline="{item_id}">([^<]*)</span>', page)
        assert m, item_id
        assert m.group(1) == _shown(value, computed[item_id].unit if item_id in computed else
                                    next(i.unit for i in CATALOGUE if i.id == item_id)), item_id


def test_items_without_a_figure_for_the_year_say_why(page, computed, published, report_store):
    no_value = [i for i in CATALOGUE if (i.id not in computed or computed[i.id].value is None)
                and i.id not in published]
    assert {"child_seen_per_cpp"} <= {i.id for i in no_value}
    earlier = {}  # the LA's latest published figure of an earlier year
    for c in compare(report_store, LA, YEAR):
        found = [t for t in c.trend if t["published"] is not None]
        if found:
            earlier[c.item_id] = found[-1]["published"]
    for i in no_value:
        if i.id in computed and computed[i.id].reason is None:  # a breakdown, null by design
            assert f'data-breakdown="{i.id}"' in page, i.id
            continue
        if i.id in earlier:  # an earlier year's published figure stands in, said to be not compared
            m = re.search(rf'data-published="{i.id}">([^<]*)</span>', page)
            assert m and m.group(1) == _shown(earlier[i.id], i.unit), i.id
            assert "so it is not compared" in page.split(f'data-published="{i.id}"', 1)[1][:900], i.id
            m = re.search(rf'data-novalue="{i.id}">(.*?)</p>', page, re.S)
            assert m and "no figure of its own" in m.group(1), i.id
        else:
            m = re.search(rf'data-novalue="{i.id}">(.*?)</div>', page, re.S)
            assert m and "cannot be computed" in m.group(1), i.id
        if i.id in computed:
            reason = computed[i.id].reason.replace("'", "&#39;")
            assert reason in m.group(1), i.id


def test_each_item_is_labelled_by_its_comparability(page):
    for i in CATALOGUE:
        article = page.split(f'id="item-{i.id}"', 1)[1].split("</article>", 1)[0]
        label = {"dfe": "DfE-comparable", "munro": "munro&#39;s own definition",
                 "published": "imported as published by its source"}[i.comparability]
        assert label in article, i.id


def test_key_questions_show_the_missing_local_evidence(page):
    n_questions = sum(len(s.questions) for s in SECTIONS)
    assert page.count("Local evidence missing") == n_questions


def test_the_internal_report_is_marked(page):
    assert "Internal: contains unsuppressed small numbers" in page


def test_the_page_fetches_nothing(page):
    # Every url() and src/href points inside the page: no CDN, font or image request.
    assert not re.search(r"url\((?!data:)", page)
    assert not re.search(r'\s(?:src|href)="(?!#|data:)', page)
    assert "<script" not in page


def test_charts_have_a_title_a_text_alternative_and_a_table(page):
    figures = re.findall(r'<figure class="munro-chart".*?</figure>', page, re.S)
    assert len(figures) >= 10
    for f in figures:
        assert "<figcaption" in f and '<svg role="img" aria-labelledby=' in f
        assert re.search(r"<desc id=\"[^\"]+\">[^<]{20,}</desc>", f)
        assert '<table class="govuk-table munro-chart__table">' in f


def test_assessment_bands_are_charted_with_their_counts(page, computed):
    bands = computed["assessment_timeliness"].bands
    f = page.split('id="assessment_timeliness-bands-caption"', 1)[1].split("</figure>", 1)[0]
    cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>', f)
    assert cells == [f"{n:,}" for n in bands.values()]


def test_workbook_has_a_sheet_per_section_a_data_sheet_and_native_charts(internal_report, computed, published):
    book = read_xlsx(internal_report.xlsx)
    sections = [f"{n} {s.short_name}" for n, s in enumerate(SECTIONS, start=1)]
    assert list(book) == ["Summary", *sections, "Data quality", "Data"]
    assert xlsx_charts(internal_report.xlsx) >= 10
    headlines = {}
    for row in book["Data"][1:]:
        (_, section), (_, item), _, _, _, (_, figure), *value = row
        if figure == "headline" and value and value[0][1] is not None:
            headlines[item] = value[0]
    for item_id, value in _expected_headlines(computed, published).items():
        kind, text = headlines[item_id]
        assert kind == "n" and float(text) == pytest.approx(value), item_id  # a number, not text
