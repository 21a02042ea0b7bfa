"""Annex A workbooks: written in the template's layout, read back the same, read tolerantly as LAs
write them, and every problem one line naming the file, sheet, row and column."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile

import pytest
from openpyxl import load_workbook

from munro.annexa.layout import LISTS
from munro.annexa.read import read_annex_a
from munro.annexa.write import write_annex_a
from munro.errors import RejectedFile
from workbook_support import workbook

D = dt.date
T = dt.datetime

# The template's headers, copied by hand from the shared reference's FORMAT.md (lists 1 to 7).
TEMPLATE = {
    1: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Date of Contact", "Contact Source"],
    2: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Assessment start date",
        "Assessment completion date", "Organisation completing assessment"],
    3: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Date of Referral", "Referral Source",
        "Referral NFA?", "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker"],
    4: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability",
        "Continuous Assessment Start Date", "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?", "Allocated Team",
        "Allocated Worker"],
    5: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months", "Number of ICPCs in the last 12 months",
        "Allocated Team", "Allocated Worker"],
    6: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability",
        "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen", "CIN Closure Date", "Reason for Closure",
        "Case Status", "Allocated Team", "Allocated Worker"],
    7: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability",
        "Child Protection Plan Start Date", "Initial Category of Abuse", "Latest Category of Abuse",
        "Date of the Last Statutory Visit", "Was the Child Seen Alone?", "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker"],
}
ETHNICITIES = ["WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
               "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"]
SOURCES = ["1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C", "5D", "6",
           "7", "8", "9", "10"]
CHILD = {"child_id": "A1", "gender": "2", "ethnicity": "WBRI", "birth_date": D(2014, 2, 28)}


def _lists():
    """Every list, every code of every code list, blanks and whole numbers: rows as munro holds them."""
    return {
        1: [{"child_id": f"C{i}", "gender": "1209"[i % 4], "ethnicity": ETHNICITIES[i % 20],
             "birth_date": D(2010, 1, 1) + dt.timedelta(days=i * 40), "contact_date": D(2025, 1, 2),
             "contact_source": s} for i, s in enumerate(SOURCES)],
        2: [{**CHILD, "start_date": D(2025, 1, 6), "completion_date": None, "organisation": "School"}],
        3: [{**CHILD, "referral_date": D(2025, 1, 6), "referral_source": "6", "referral_nfa": False,
             "referrals_12m": 2, "team": "Assessment Team North", "worker": "=SUM(A1:A9)"},
            {**CHILD, "gender": None, "ethnicity": None, "birth_date": None, "referral_date": D(2025, 2, 1),
             "referral_source": None, "referral_nfa": None, "referrals_12m": None, "team": None, "worker": None}],
        4: [{**CHILD, "disabled": True, "start_date": D(2025, 1, 7), "seen": True,
             "authorisation_date": D(2025, 2, 20), "needs_support": False, "team": "T", "worker": "W"}],
        5: [{**CHILD, "disabled": False, "s47_date": D(2025, 1, 8), "icpc_not_required": False,
             "icpc_date": D(2025, 1, 29), "icpc_plan": True, "s47_12m": 1, "icpc_12m": 1, "team": "T", "worker": "W"}],
        6: [{**CHILD, "disabled": None, "cin_start_date": D(2024, 4, 1), "primary_need": need,
             "last_seen_date": D(2025, 3, 3), "cin_closure_date": D(2025, 3, 1) if reason else None,
             "closure_reason": reason, "case_status": status, "team": "T", "worker": "W"}
            for need, reason, status in zip([f"N{i}" for i in range(10)], [None] + [f"RC{i}" for i in range(1, 10)],
                                            ["looked_after", "cp_plan", "cin_plan", "open_assessment", "closed"] * 2)],
        7: [{**CHILD, "disabled": True, "cpp_start_date": D(2024, 6, 3), "initial_category": cat,
             "latest_category": "MUL", "last_visit_date": D(2025, 3, 20), "seen_alone": None,
             "review_date": D(2024, 8, 29), "cpp_end_date": None, "epo_or_police_6m": False,
             "previous_plans": 0, "team": "T", "worker": "W"} for cat in ("NEG", "PHY", "SAB", "EMO", "MUL")],
    }


def test_what_is_written_reads_back_the_same(tmp_path):
    lists = _lists()
    path = write_annex_a(tmp_path / "annex_a.xlsx", lists, as_at=D(2025, 3, 31))
    got = read_annex_a(path)
    assert (got.findings, got.not_found, got.ignored_sheets, got.ignored_columns) == ([], [], [], {})
    assert got.sheets == {n: f"List {n}" for n in range(1, 8)}
    for n, rows in lists.items():
        table = got.tables[n]
        assert table.column("row").to_pylist() == list(range(2, len(rows) + 2))
        assert table.drop_columns(["row"]).to_pylist() == [
            {c.name: row.get(c.name) for c in LISTS[n].read_columns} for row in rows]


def test_the_template_layout_codes_and_dates(tmp_path):
    path = write_annex_a(tmp_path / "annex_a.xlsx", _lists(), as_at=D(2025, 3, 31))
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # it names children
    wb = load_workbook(path)
    assert wb.sheetnames == [f"List {n}" for n in range(1, 8)]
    for n, headers in TEMPLATE.items():
        assert [c.value for c in wb[f"List {n}"][1]] == headers
    assert [c.value for c in wb["List 3"][2]] == [
        "A1", "b) Female", "a) WBRI", T(2014, 2, 28), 11, T(2025, 1, 6), "q) 6: Police", "b) No", 2,
        "Assessment Team North", "=SUM(A1:A9)"]
    assert wb["List 3"]["K2"].data_type == "s"  # text that looks like a formula stays text
    assert wb["List 3"]["D2"].number_format == "dd/mm/yyyy"
    assert [c.value for c in wb["List 3"][3]] == ["A1"] + [None] * 4 + [T(2025, 2, 1)] + [None] * 5
    assert [wb["List 1"].cell(r, 7).value for r in (2, 6, 14, 18, 19, 23)] == [
        "a) 1A: Individual", "e) 2A: Schools", "m) 4: Housing", "p1) 5D: LA services", "q) 6: Police",
        "u) 10: Unknown"]
    assert [wb["List 1"].cell(r, 2).value for r in (2, 3, 4, 5)] == [
        "a) Male", "b) Female", "c) Not stated/recorded", "d) Neither"]
    assert [wb["List 6"].cell(r, 8).value for r in (2, 11)] == ["N0 - Not stated",
                                                                 "N9 - Cases other than children in need"]
    assert [wb["List 6"].cell(r, 11).value for r in (2, 10)] == [
        None, "RC8 - Case closed after assessment, no further action"]
    assert [wb["List 6"].cell(r, 12).value for r in range(2, 7)] == [
        "a) Looked after child", "b) Child Protection plan", "c) Child in need plan", "d) Open assessment",
        "e) Closed episode"]
    assert [wb["List 7"].cell(r, 8).value for r in range(2, 7)] == [
        "a) Neglect", "b) Physical abuse", "c) Sexual abuse", "d) Emotional abuse", "e) Multiple/not recommended"]
    assert [c.value for c in wb["List 7"][2]][9:15] == [T(2025, 3, 20), None, T(2024, 8, 29), None, "b) No", 0]


def _tolerant(path):
    """A workbook as an LA might keep it: sheets and headers named loosely, columns in another order,
    codes with and without their letters, labels, dates typed as text, a formula for Age."""
    return workbook(path, {
        "Notes": [["Annex A, produced by the performance team"]],
        "list 3 - Referrals": [
            ["child unique id", "GENDER", " Ethnicity ", "Date of birth", "Age of Child (Years)", "Referral Date",
             "referral  source", "Referral NFA", "Number of referrals in the last 12 months", "Allocated team",
             "allocated worker", "Comments"],
            ["C1", "b) Female", "a) WBRI", T(2015, 6, 1), "=DATEDIF(D2,TODAY(),\"y\")", T(2025, 1, 6),
             "q) 6: Police", "b) No", 1, "Assessment Team North", "Jo Bloggs", "seen at school"],
            ["C2", "Male", "wbri", "2016-02-29", None, "06/01/2025", "Police", "Y", 2.0, None, None],
            [123456, "M", "White British", None, 9, "2025-01-07", "6", "yes", None],
            ["C4", "A)MALE", "A) WBRI", None, None, "7.1.2025", "10: Unknown", "N", 3],
            ["C5", "d) Neither", "REFU", None, None, T(2025, 1, 8), "Schools", "a) Yes"],
            ["C6", "not stated", "Martian", None, None, T(2025, 1, 9), "Health: GP", "c) Unknown"],
            [],
            ["C7", "F", "WBRI", None, None, "31/02/2025", "6", "N"],
            [None, "F", "WBRI", None, None, T(2025, 1, 10), "Health services", "maybe", "two"],
        ],
        "Contacts": [
            ["Child ID", "Sex", "Ethnicity", "DOB", "Age", "Date of contact", "Contact source"],
            [42, "F", "White and Asian", T(2012, 3, 4), 12, T(2025, 2, 3), "a) 1A: Individual"],
        ],
        "LIST7": [
            ["Child Protection Plan Start Date", "child unique id", "Initial category of abuse",
             "Latest Category Of Abuse", "Was the child seen alone",
             "subject to emergency protection order or protected under police powers in last six months",
             "Number of previous child protection plans"],
            [T(2024, 11, 1), "E1", "a) Neglect", "Emotional abuse", "Y", "N", 1],
            [T(2024, 12, 1), "E2", "NEG", "e) Multiple/not recommended", None, "b) No", 0],
        ],
        "List 8": [["Child Unique ID"]],
    })


def test_the_tolerant_variants_read_to_the_rows_worked_by_hand(tmp_path):
    got = read_annex_a(_tolerant(tmp_path / "annex.xlsx"))
    assert got.sheets == {1: "Contacts", 3: "list 3 - Referrals", 7: "LIST7"}
    assert (got.not_found, got.not_read, got.ignored_sheets) == ([2, 4, 5, 6], {8: "List 8"}, ["Notes"])
    assert got.ignored_columns == {3: ["Comments"]}
    assert got.absent_columns[7] == ["Gender", "Ethnicity", "Date of Birth", "Does the Child have a Disability",
                                     "Date of the Last Statutory Visit", "Date of latest review conference",
                                     "Child Protection Plan End Date", "Allocated Team", "Allocated Worker"]
    rows = got.tables[3].to_pylist()
    keys = ("row", "child_id", "gender", "ethnicity", "birth_date", "referral_date", "referral_source",
            "referral_nfa", "referrals_12m", "team", "worker")
    assert [tuple(r[k] for k in keys) for r in rows] == [
        (2, "C1", "2", "WBRI", D(2015, 6, 1), D(2025, 1, 6), "6", False, 1, "Assessment Team North", "Jo Bloggs"),
        (3, "C2", "1", "WBRI", D(2016, 2, 29), D(2025, 1, 6), "6", True, 2, None, None),
        (4, "123456", "1", "WBRI", None, D(2025, 1, 7), "6", True, None, None, None),
        (5, "C4", "1", "WBRI", None, D(2025, 1, 7), "10", False, 3, None, None),
        (6, "C5", "9", "REFU", None, D(2025, 1, 8), "2A", True, None, None, None),
        (7, "C6", "0", None, None, D(2025, 1, 9), "3A", None, None, None, None),
    ]
    assert got.tables[1].drop_columns(["row"]).to_pylist() == [
        {"child_id": "42", "gender": "2", "ethnicity": "MWAS", "birth_date": D(2012, 3, 4),
         "contact_date": D(2025, 2, 3), "contact_source": "1A"}]
    assert [(r["child_id"], r["cpp_start_date"], r["initial_category"], r["latest_category"], r["seen_alone"],
             r["epo_or_police_6m"], r["previous_plans"], r["gender"]) for r in got.tables[7].to_pylist()] == [
        ("E1", D(2024, 11, 1), "NEG", "EMO", True, False, 1, None),
        ("E2", D(2024, 12, 1), "NEG", "MUL", None, False, 0, None)]


def test_every_unreadable_value_is_one_line_without_a_childs_identifier(tmp_path):
    got = read_annex_a(_tolerant(tmp_path / "annex.xlsx"))
    where = 'annex.xlsx, sheet "list 3 - Referrals"'
    assert [str(f) for f in got.findings] == [
        f'{where}, row 7, column "Ethnicity": "Martian" is not a code of the Annex A list ethnicity',
        f'{where}, row 9, column "Referral Date": "31/02/2025" is not a date in the calendar: there is '
        "no 31 February 2025; the row is not read",
        f'{where}, row 10, column "child unique id": no child identifier; the row is not read',
        f'{where}, row 10, column "referral  source": "Health services" is not a code of the Annex A list referral '
        "source; the row is not read",
        f'{where}, row 10, column "Referral NFA": "maybe" is not yes or no (a) Yes, b) No, Y, N or Unknown); the '
        "row is not read",
        f'{where}, row 10, column "Number of referrals in the last 12 months": "two" is not a whole number; the '
        "row is not read",
    ]
    assert [(f.row, f.skipped) for f in got.findings] == [(7, False), (9, True)] + [(10, True)] * 4


def test_an_identifier_is_never_shown(tmp_path):
    path = workbook(tmp_path / "annex.xlsx", {"List 3": [["Child Unique ID", "Date of Referral"],
                                                         ["X" * 101, T(2025, 1, 6)]]})
    got = read_annex_a(path)
    assert got.tables[3].num_rows == 0
    assert [str(f) for f in got.findings] == [
        'annex.xlsx, sheet "List 3", row 2, column "Child Unique ID": the child\'s identifier is longer than 100 '
        "characters; the row is not read"]


SAVE = "open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV UTF-8"


def _bomb(path):
    """A workbook whose shared strings say they unpack to 300 MB: what a zip bomb's directory says (zipfile
    stops each part at its stated size, so the stated sizes are what a bomb can do)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/sharedStrings.xml", " " * 1024)
    data = bytearray(path.read_bytes())
    entry = data.rindex(b"PK\x01\x02")  # the central directory's record of the last part
    data[entry + 24:entry + 28] = struct.pack("<I", 300 * 1024 * 1024)  # its uncompressed size
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("name,make,reason", [
    ("missing_column.xlsx", lambda p: workbook(p, {"List 3": [["Child Unique ID", "Referral Source"]]}),
     'sheet "List 3", row 1: no column "Date of Referral", which list 3 (Referrals) requires (docs/annex-a.md '
     "lists the headers read)"),
    ("no_list.xlsx", lambda p: workbook(p, {"Sheet1": [["a"]], "List 9": [["b"]]}),
     'no sheet holds any of Annex A\'s lists 1 to 7 (sheets: "Sheet1", "List 9"); name each list\'s sheet '
     '"List N" or by its title (docs/annex-a.md)'),
    ("two_sheets.xlsx", lambda p: workbook(p, {"List 3": [["Child Unique ID", "Date of Referral"]],
                                               "Referrals": [["Child Unique ID", "Date of Referral"]]}),
     'sheets "List 3" and "Referrals" both hold list 3 (Referrals): keep one of them'),
    ("two_columns.xlsx", lambda p: workbook(p, {"List 3": [["Child Unique ID", "Date of Referral",
                                                            "Referral date"]]}),
     'sheet "List 3", row 1: columns "Date of Referral" and "Referral date" are both "Date of Referral" of list 3 '
     "(Referrals): keep one of them"),
    ("report.xlsx", lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(100)),
     f"not a readable XLSX workbook: it is a PDF document; {SAVE}"),
    ("old.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
     f"an old Excel workbook (.xls), which munro does not read: {SAVE}"),
    ("bomb.xlsx", _bomb,
     "the workbook would unpack to 0.3 GB, its text to 300 MB: more than munro reads (at most 4 GB, text 256 MB); "
     "save the sheet as CSV UTF-8"),
])
def test_what_makes_a_workbook_unreadable_is_one_line(tmp_path, name, make, reason):
    path = tmp_path / name
    make(path)
    with pytest.raises(RejectedFile) as e:
        read_annex_a(path)
    assert str(e.value) == f"{path}: {reason}"


def test_a_required_list_without_a_sheet(tmp_path):
    path = workbook(tmp_path / "annex.xlsx", {"List 1": [["Child Unique ID", "Date of Contact"]],
                                              "Notes": [["x"]]})
    assert read_annex_a(path).not_found == [2, 3, 4, 5, 6, 7]
    with pytest.raises(RejectedFile) as e:
        read_annex_a(path, required=(3,))
    assert str(e.value) == (f'{path}: no sheet holds list 3 (Referrals) (sheets: "List 1", "Notes"); name each '
                            'list\'s sheet "List N" or by its title (docs/annex-a.md)')
