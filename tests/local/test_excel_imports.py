"""Survey exports and audit spreadsheets kept in Excel: a workbook imports as its CSV does (real date cells,
numbers typed as numbers, the right sheet of several), and bad ones are refused naming the sheet, row and
column, or saying what to do, with nothing stored."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from munro.errors import RejectedFile
from munro.local import schema as t
from munro.local.audit_import import import_audits, read_audits
from munro.local.results import survey_answers
from munro.local.survey_import import import_responses
from workbook_support import workbook

DATA = Path(__file__).with_name("data")
SRC = Path(__file__).resolve().parents[2] / "src"
SAVE = "open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV UTF-8"
SAFER = "My work in the last six months has made the children I work with safer."


def _count(app, table):
    with app.connect() as con:
        return con.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def _typed(text: str):
    """A CSV cell as Excel keeps it: a number as a number, a date or date and time as a date cell."""
    if text.isdigit() and not text.startswith("0"):
        return int(text)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    return text or None


def _csv_rows(path, typed=True):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return [rows[0]] + [[_typed(c) for c in r] for r in rows[1:]] if typed else rows


def test_a_forms_workbook_of_several_sheets_imports_as_its_csv_does(app, make_survey, tmp_path):
    rows = _csv_rows(DATA / "msforms_staff.csv")
    assert isinstance(rows[1][0], int) and isinstance(rows[1][1], dt.datetime) and rows[1][9] == 18
    path = workbook(tmp_path / "forms.xlsx", {"Summary": [["Responses", 6], ["Exported", dt.datetime(2026, 3, 4)]],
                                               "Form1": rows})
    from_csv, from_xlsx = make_survey("staff"), make_survey("staff")
    import_responses(app, from_csv.id, DATA / "msforms_staff.csv", "msforms")
    summary = import_responses(app, from_xlsx.id, path, "msforms")
    assert (summary.rows, summary.loaded, summary.blank) == (6, 5, 1)
    assert survey_answers(app, from_xlsx.id) == survey_answers(app, from_csv.id)


def test_a_bad_cell_in_a_workbook_names_the_sheet_row_and_column(app, make_survey, tmp_path):
    s = make_survey("staff")
    rows = _csv_rows(DATA / "msforms_staff.csv")
    rows[2][8] = "Strongly agreed"
    path = workbook(tmp_path / "forms.xlsx", {"Form1": rows})
    with pytest.raises(RejectedFile) as e:
        import_responses(app, s.id, path, "msforms")
    assert str(e.value) == (
        f"{path}: 1 problem(s) in sheet Form1, nothing was loaded:\n"
        f"  row 3, column '{SAFER}': improved_safety: 'Strongly agreed' is not one of: Strongly agree, Agree, "
        "Neither agree nor disagree, Disagree, Strongly disagree, Don't know")
    assert _count(app, t.responses) == 0 and _count(app, t.imports) == 0


@pytest.mark.parametrize("name, content, message", [
    ("forms.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
     f"an old Excel workbook (.xls), which munro does not read: {SAVE}"),
    ("forms.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
     "a password-protected (encrypted) workbook, or an old .xls workbook renamed, which munro cannot read: "
     f"remove the password and {SAVE}"),
    ("forms.xlsx", b"PK\x03\x04" + bytes(100),
     f"not a readable XLSX workbook: it is a zip file (perhaps an Excel workbook) that cannot be opened; {SAVE}"),
    ("forms.ods", b"PK\x03\x04", f"an OpenDocument spreadsheet (.ods), which munro does not read: {SAVE}"),
    ("forms.csv", b"%PDF-1.7\n", f"not a CSV file: it is a PDF document; {SAVE}"),
])
def test_spreadsheets_munro_cannot_read_say_what_to_do(app, make_survey, tmp_path, name, content, message):
    s = make_survey("staff")
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RejectedFile) as e:
        import_responses(app, s.id, path, "msforms")
    assert str(e.value) == f"{path}: {message}"
    with pytest.raises(RejectedFile) as e:
        import_audits(app, path, "201", 2025)
    assert str(e.value) == f"{path}: {message}"
    assert _count(app, t.responses) == 0 and _count(app, t.audits) == 0


def test_a_csv_saved_as_a_workbook_is_told_to_be_named_xlsx(app, make_survey, tmp_path):
    path = workbook(tmp_path / "audits.csv", {"Audits": _csv_rows(DATA / "audits.csv")})
    with pytest.raises(RejectedFile) as e:
        import_audits(app, path, "201", 2025)
    assert str(e.value) == f"{path}: not a CSV file: it is an Excel workbook (.xlsx); name it .xlsx to import it"


def test_an_audit_workbook_with_numeric_ids_and_date_cells_reads_as_its_csv_does(tmp_path):
    text = (DATA / "audits.csv").read_text().replace("A1001", "1001").replace("A1002", "1002")
    (tmp_path / "audits.csv").write_text(text)
    rows = _csv_rows(tmp_path / "audits.csv")
    assert rows[1][0] == 1001 and rows[2][1] == dt.datetime(2024, 6, 14)  # 14/06/2024 as a date cell
    path = workbook(tmp_path / "audits.xlsx", {"Guidance": [["Grade each domain", None, "see the form"]],
                                                "Audits": rows})
    from_xlsx, from_csv = read_audits(path, "201", 2025), read_audits(tmp_path / "audits.csv", "201", 2025)
    assert from_xlsx == from_csv
    assert [(r.la_child_id, r.referral_date, r.audited_on) for r in from_xlsx[:2]] == [
        ("1001", dt.date(2024, 5, 2), dt.date(2025, 2, 10)), ("1002", dt.date(2024, 6, 14), dt.date(2025, 2, 11))]


def test_a_bad_audit_workbook_is_one_message_exit_1_and_stores_nothing(munro, tmp_path):
    rows = _csv_rows(DATA / "audits.csv")
    rows[2][4] = "31/02/2025"  # row 3, Audited on: typed as text
    path = workbook(tmp_path / "audits.xlsx", {"Audits": rows})
    app_db = tmp_path / "app.sqlite"
    env = {"PYTHONPATH": str(SRC), "MUNRO_APP_DB": str(app_db), "PATH": "/usr/bin:/bin"}
    out = munro("audit", "import", path, "--la", "201", "--year", "2025", "--no-store-check", env=env, cwd=tmp_path)
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr == (f"munro: {path}: 1 problem(s) in sheet Audits, nothing was loaded:\n"
                          "  row 3, column 'Audited on': '31/02/2025' is not a date in the calendar: "
                          "there is no 31 February 2025\n")
    out = munro("audit", "results", "--la", "201", "--year", "2025", "--format", "json", env=env, cwd=tmp_path)
    assert '"audits": 0' in out.stdout, out.stdout + out.stderr
