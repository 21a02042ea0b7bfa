"""Every output names the munro that made it, and where it shows published statistics their sources
and the Open Government Licence attribution (issue 20, deliverable 5).

The version expected is the installed distribution's, read here from its metadata; the sources are
the publications the packaged benchmark files come from (src/munro/data/*/SOURCES.md), written out by
hand (tests/provenance_expected.py), so none of it is taken from munro.provenance.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from lxml import html as lxml_html
from report_helpers import read_xlsx

from provenance_expected import OGL, OGL_URL, SOURCES, VERSION

LA, YEAR = "330", 2025


def _words(text: str) -> str:
    # NFKC: a PDF's text comes back with the font's ligatures ("ﬁ" in "profiles").
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _footer(path) -> tuple[str, str]:
    page = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    made = page.xpath("//footer//*[@data-made-by]")[0].text_content()
    attribution = page.xpath("//footer//*[@data-attribution]")[0]
    assert not attribution.xpath(".//a")  # the report links to nothing (tests/report/test_content.py)
    return _words(made), _words(attribution.text_content())


@pytest.mark.parametrize("variant", ["internal_report", "published_report"])
def test_the_page_names_its_munro_sources_and_licence(variant, request):
    written = request.getfixturevalue(variant)
    made, attribution = _footer(written.html)
    marking = "Disclosure control applied." if variant == "published_report" else \
        "Internal: contains unsuppressed small numbers."
    assert re.fullmatch(rf"Made with munro {re.escape(VERSION)} on \d\d \w+ \d{{4}}, \d\d:\d\d UTC\. "
                        + re.escape(marking), made), made
    assert attribution == f"{SOURCES} {OGL} The licence: {OGL_URL}"


def test_the_pdfs_last_page_carries_the_colophon(internal_report):
    from pypdf import PdfReader

    last = _words(PdfReader(internal_report.pdf).pages[-1].extract_text())
    assert f"Made with munro {VERSION} on " in last
    assert last.endswith(f"{SOURCES} {OGL} The licence: {OGL_URL}"), last[-400:]


def test_the_workbook_names_its_munro_sources_and_licence(internal_report):
    book = read_xlsx(internal_report.xlsx)
    summary = [row[0][1] for row in book["Summary"] if row]
    assert summary[2].startswith(f"Produced by munro {VERSION} on ")
    assert summary[3] == f"{SOURCES} {OGL}"
    quality = [row[0][1] for row in book["Data quality"] if row]
    assert quality[-1] == f"Made with munro {VERSION}. {SOURCES} {OGL}"


def test_the_child_lists_name_their_munro_and_no_published_statistics(report_store, tmp_path):
    from munro.report.child_lists import write_child_lists

    about = read_xlsx(write_child_lists(report_store, LA, YEAR, tmp_path / "lists.xlsx"))["About"]
    assert about[1][0][1] == ("LA 330, reporting year 2024-25: the children behind the report's actionable items. "
                              f"Made with munro {VERSION} from the authority's own returns.")
    assert not any("Open Government Licence" in (c[1] or "") for row in about for c in row)


def test_the_benchmarks_json_names_its_munro_and_licence(report_store, internal_report):
    from munro.benchmark import compare
    from munro.benchmark.output import as_json, render_all

    compared = compare(report_store, LA, YEAR, items=["referral_rate"])
    got = json.loads(as_json(LA, YEAR, compared))
    assert (got["munro_version"], got["licence"], list(got["items"])) == (VERSION, OGL, ["referral_rate"])
    every = json.loads(render_all("json", YEAR, {LA: compared}))
    assert (every["munro_version"], every["licence"], list(every["las"])) == (VERSION, OGL, [LA])


def test_the_indicators_json_names_its_munro_and_the_csv_keeps_its_columns(report_store):
    from munro.indicators.compute import compute
    from munro.indicators.output import render, to_csv, to_json

    result = compute(report_store, LA, YEAR, items=["referral_rate"])
    assert json.loads(to_json(result))["munro_version"] == VERSION
    assert [r["munro_version"] for r in json.loads(render("json", [result]))] == [VERSION]
    assert to_csv(result).splitlines()[0] == \
        "la,year,item,value,unit,numerator,denominator,count,excluded,reason"


def test_an_exports_manifest_names_its_munro_sources_and_licence(report_store, internal_report, tmp_path):
    from munro.store.export import export_store

    export_store(report_store, tmp_path / "export")
    manifest = json.loads((tmp_path / "export" / "munro_export.json").read_text())
    assert manifest["munro_version"] == VERSION
    assert manifest["published_statistics"] == {
        "sources": ["DfE Children in need statistics", "DfE Outcomes for children in need",
                    "DfE Children's social work workforce", "DfE Local Authority Interactive Tool (LAIT)",
                    "OHID Fingertips (public health profiles)", "the DfE statistical neighbour model"],
        "licence": OGL}
