"""Reports rendered as a table, CSV, XLSX, JSON and HTML, from a report written out by hand."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from lxml import etree, html

import munro
from munro.validate.findings import Finding, Report, RuleFailure
from munro.validate.output import render
from munro.validate.registry import Rule

YEARS = range(2023, 2028)
RULES = [
    Rule("1103", "error", "Assessments", ("AssessmentActualStartDate", "CINreferralDate"),
         "The assessment start date cannot be before the referral date", YEARS, lambda v: ""),
    Rule("2887Q", "query", "Disabilities", ("Disability",), "Less than 8 disability codes have been used",
         YEARS, lambda v: "", "return", "Codes used: the distinct valid codes other than NONE."),
    Rule("8794", "error", "Disabilities", ("Disability",), "Child has two or more disabilities with the same code",
         YEARS, lambda v: ""),
]
RETURN = Finding("2887Q", "query", None, "Disabilities", "Disability", "3",
                 "Less than 8 disability codes have been used", None, "return")
EARLY = Finding("1103", "error", "A", "Assessments", "AssessmentActualStartDate, CINreferralDate", "2023-05-31",
                "The assessment start date cannot be before the referral date", 32)
REPEAT = Finding("8794", "error", "C<1>", "Disabilities", "Disability", "MOB",
                 "Child has two or more disabilities with the same code", 80)


def _report(**kw) -> Report:
    base = dict(source="r.xml", la_code="201", collection_year=2024, ruleset=2024, children=3,
                child_ids=["A", "B", "C<1>"], rules=RULES, findings=[RETURN, EARLY, REPEAT])
    return Report(**{**base, **kw})


def test_csv_holds_every_finding():
    rows = list(csv.reader(io.StringIO(render([_report()], "csv"))))
    assert rows == [
        ["file", "rule", "type", "LAchildID", "table", "fields", "value", "message", "line"],
        ["r.xml", "2887Q", "query", "", "Disabilities", "Disability", "3",
         "Less than 8 disability codes have been used", ""],
        ["r.xml", "1103", "error", "A", "Assessments", "AssessmentActualStartDate, CINreferralDate", "2023-05-31",
         "The assessment start date cannot be before the referral date", "32"],
        ["r.xml", "8794", "error", "C<1>", "Disabilities", "Disability", "MOB",
         "Child has two or more disabilities with the same code", "80"],
    ]


def test_json_separates_return_findings_and_summarises_by_rule():
    whole = json.loads(render([_report(failures=[RuleFailure("9999", "boom")])], "json"))
    assert whole["munro_version"] == munro.__version__
    out = whole["returns"][0]
    assert out["errors"] == 2 and out["queries"] == 1 and out["children"] == 3 and out["rules_run"] == 3
    assert out["complete"] is False and out["failures"] == [{"rule": "9999", "error": "boom"}]
    assert out["summary"] == [
        {"rule": "1103", "type": "error", "findings": 1, "message": EARLY.message},
        {"rule": "2887Q", "type": "query", "findings": 1, "message": RETURN.message},
        {"rule": "8794", "type": "error", "findings": 1, "message": REPEAT.message}]
    assert [f["rule"] for f in out["return_findings"]] == ["2887Q"]
    assert out["findings"][0] == {"rule": "1103", "type": "error", "LAchildID": "A", "table": "Assessments",
                                  "fields": "AssessmentActualStartDate, CINreferralDate", "value": "2023-05-31",
                                  "message": EARLY.message, "line": 32}


def test_table_on_screen():
    text = render([_report(failures=[RuleFailure("9999", "boom")])], "table")
    lines = text.splitlines()
    assert lines[0] == ("r.xml: LA 201, 2023-24 return, 2023-24 rules (3), 3 children: 2 errors, 1 queries; "
                        "1 rule(s) FAILED to run: 9999")
    assert lines[1] == "  rule 9999 FAILED: boom"
    assert "  1103    error         1  The assessment start date cannot be before the referral date" in lines
    assert "  2887Q   (return)                     Disability = 3" in lines
    assert "  8794    C<1>                     80  Disability = MOB" in lines


def _xlsx(path) -> dict[str, list[list[str]]]:
    """Sheet name -> rows of cell text, read from the workbook's XML (shared strings resolved)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        strings = ["".join(si.itertext()) for si in etree.fromstring(z.read("xl/sharedStrings.xml"))]
        book = etree.fromstring(z.read("xl/workbook.xml"))
        names = [s.get("name") for s in book.find("m:sheets", ns)]
        out = {}
        for i, name in enumerate(names, start=1):
            sheet = etree.fromstring(z.read(f"xl/worksheets/sheet{i}.xml"))
            rows = []
            for row in sheet.iterfind(".//m:sheetData/m:row", ns):
                cells = []
                for c in row.iterfind("m:c", ns):
                    v = c.findtext("m:v", namespaces=ns)
                    cells.append(strings[int(v)] if c.get("t") == "s" else v)
                rows.append(cells)
            out[name] = rows
            out[name + ":filter"] = sheet.find("m:autoFilter", ns).get("ref")
    return out


def test_xlsx_has_findings_and_rules_sheets_with_filters(tmp_path):
    path = tmp_path / "v.xlsx"
    assert render([_report()], "xlsx", path) is None
    book = _xlsx(path)
    assert book["Findings"][0] == ["file", "rule", "type", "LAchildID", "table", "fields", "value", "message", "line"]
    assert book["Findings"][2] == ["r.xml", "1103", "error", "A", "Assessments",
                                   "AssessmentActualStartDate, CINreferralDate", "2023-05-31", EARLY.message, "32"]
    assert len(book["Findings"]) == 4 and book["Findings:filter"] == "A1:I4"
    assert book["Rules"][2] == ["2887Q", "query", "Disabilities", "Disability", RETURN.message, "return",
                                "2022-23 to 2026-27", "Codes used: the distinct valid codes other than NONE."]
    assert book["Rules:filter"] == "A1:H4"
    assert book["Summary"][1] == ["r.xml", "1103", "error", "1", EARLY.message]
    assert book["About"] == [["made by", "files"], [f"munro {munro.__version__}", "r.xml"]]


def test_xlsx_needs_a_file():
    with pytest.raises(ValueError, match="--out"):
        render([_report()], "xlsx")


def test_html_is_self_contained_accessible_and_filters_without_script(tmp_path):
    page = render([_report()], "html")
    doc = html.fromstring(page)
    assert doc.get("lang") == "en" and doc.findtext(".//title").startswith("CIN census validation")
    assert not doc.xpath("//script") and not re.search(r"(src|href)=\"https?:", page)
    # Every child is listed: B, with no findings, as a "clean" row that the checkbox hides.
    rows = doc.xpath("//table[starts-with(@id, 'findings-')]/tbody/tr")
    assert [(r.get("class"), r.findtext("th")) for r in rows] == [
        ("rule-1103", "A"), ("clean", "B"), ("rule-8794", "C<1>")]
    assert "body:has(#hide-clean:checked) tr.clean { display: none; }" in page
    # One radio button per rule found, each with its CSS line hiding the other rules' rows.
    radios = doc.xpath("//input[@type='radio']")
    assert [r.get("id") for r in radios] == ["show-all", "show-1103", "show-2887Q", "show-8794"]
    assert all(r.getparent().tag == "label" for r in radios + doc.xpath("//input[@type='checkbox']"))
    assert ("body:has(#show-2887Q:checked) table.findings tbody tr:not(.rule-2887Q) { display: none; }"
            in page)
    # Return-level findings have their own table; every table has a caption and column headers.
    assert doc.xpath("//table[caption='Findings about the whole return']//td/text()")[:3] == ["2887Q", "query", "3"]
    assert all(t.find("caption") is not None and t.xpath(".//th[@scope='col']") for t in doc.xpath("//table"))
    assert doc.findtext(".//footer/p").startswith(f"Checked by munro {munro.__version__} ")
    # Text is escaped, not markup.
    assert "C&lt;1&gt;" in page and "<1>" not in page.replace("C&lt;1&gt;", "")
