"""``munro ingest`` of an Annex A workbook: told from its sheets, loaded in one transaction into the store
through the local loads' register, read tolerantly, refused in one line naming the sheet, row and column,
and merged over several workbooks with the later as-at date winning over its months.

The workbooks are the seven children of ``annex_a_children`` (their table is there), written with
``munro.annexa.write`` or, as an LA might write them, with openpyxl."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from annex_a_children import AS_AT, LA, lists

from conftest import snapshot
from munro.annexa.write import write_annex_a
from munro.loading import load_file
from munro.store.annexa import as_at_in_name, covers_from, is_annex_a_file
from munro.store.database import Store
from workbook_support import workbook

D = dt.date
CHILD_IDS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7")


def _rows(db, sql):
    with Store(db) as store:
        return store.rows(sql)


def test_an_annex_a_is_told_from_its_sheets_or_its_kind(tmp_path):
    aa = write_annex_a(tmp_path / "annex_a.xlsx", lists(), as_at=AS_AT)
    other = tmp_path / "visits.xlsx"
    workbook(other, {"Sheet1": [["Child ID", "Visit date"], ["A1", D(2023, 1, 1)]]})
    assert is_annex_a_file(aa)
    assert not is_annex_a_file(other)
    assert not is_annex_a_file(tmp_path / "cin_201_2023.xml")
    assert is_annex_a_file(other, "annex-a") and not is_annex_a_file(aa, "cp-visits")


def test_the_as_at_date_is_given_or_in_the_name():
    assert as_at_in_name("annex_a_201_2023-03-31.xlsx") == D(2023, 3, 31)
    assert as_at_in_name("Annex A 31-03-2023.xlsx") == D(2023, 3, 31)
    assert as_at_in_name("annex_a.xlsx") is None
    # The months' first day, as a reporting year's: 12 months to 31 March from 1 April; 6 to 30 June from 1 January.
    assert covers_from(D(2023, 3, 31), 12) == D(2022, 4, 1)
    assert covers_from(D(2023, 6, 30), 6) == D(2023, 1, 1)
    assert covers_from(D(2023, 6, 15), 6) == D(2022, 12, 16)


def test_a_workbook_loads_every_list_in_one_load_of_the_register(tmp_path, db):
    path = write_annex_a(tmp_path / "annex_a.xlsx", lists(), as_at=AS_AT)
    out = load_file(db, path, la=LA, as_at=AS_AT)
    assert out.error is None and out.status == "loaded"
    # Rows per list as annex_a_children's table has them; children: A1-A7.
    assert out.lists == {1: 6, 2: 2, 3: 4, 4: 3, 5: 1, 6: 4, 7: 2}
    assert out.months == 12 and out.covers_from == D(2022, 4, 1) and out.children == 7
    assert _rows(db, "SELECT load_id, kind, la_code, year, status, rows, children, as_at, months, covers_from "
                     "FROM local_loads") == [(1, "annex-a", LA, 2023, "current", 22, 7, AS_AT, 12, D(2022, 4, 1))]
    assert _rows(db, "SELECT la_child_id, referral_date, referral_source, referral_nfa, team, worker_id, sheet_row "
                     "FROM annex_a_referrals ORDER BY sheet_row")[1] == (
        "A2", D(2022, 6, 1), "3A", 1, "Team North", "Worker One", 3)
    summary = out.summary()
    assert summary.endswith("(Annex A, LA 201, 12 months to 31 Mar 2023): list 1 6, list 2 2, list 3 4, list 4 3, "
                            "list 5 1, list 6 4, list 7 2; 7 children")
    assert not any(c in summary for c in CHILD_IDS)
    again = load_file(db, path, la=LA, as_at=AS_AT)
    assert again.status == "unchanged (already loaded)"
    assert _rows(db, "SELECT count(*) FROM local_loads") == [(1,)]


def test_the_months_are_six_when_every_dated_record_is_in_the_last_six(tmp_path, db):
    six = {n: [r for r in rows if n > 5 or min(v for k, v in r.items() if isinstance(v, dt.date)
                                              and k != "birth_date") >= D(2022, 10, 1)]
           for n, rows in lists().items()}
    out = load_file(db, write_annex_a(tmp_path / "annex_a_2023-03-31.xlsx", six), la=LA)
    assert (out.error, out.as_at, out.months, out.covers_from) == (None, AS_AT, 6, D(2022, 10, 1))


def test_headers_sheets_and_codes_are_read_as_las_write_them(tmp_path, db):
    path = tmp_path / "front door.xlsx"
    workbook(path, {
        "Notes": [["Produced for Ofsted"]],
        "LIST 1 - contacts": [["child id", "DATE OF CONTACT", "Source of Contact", "Something else"],
                              ["A1", D(2022, 5, 9), "Police", "x"], ["A2", "01/06/2022", "q) 6: Police", "y"]],
        "Referrals": [["Child Unique Identifier", "Referral Date", "Source of Referral", "NFA", "Gender"],
                      ["A1", D(2022, 5, 10), "6", "N", "Male"], ["A2", "2022-06-01", "3a", "Y", "f"]],
    })
    out = load_file(db, path, la=LA, as_at=AS_AT)
    assert out.error is None, out.error
    assert out.lists == {1: 2, 3: 2}
    assert _rows(db, "SELECT la_child_id, contact_date, contact_source FROM annex_a_contacts ORDER BY 1") == [
        ("A1", D(2022, 5, 9), "6"), ("A2", D(2022, 6, 1), "6")]
    assert _rows(db, "SELECT la_child_id, referral_source, referral_nfa, gender FROM annex_a_referrals ORDER BY 1") == [
        ("A1", "6", 0, "1"), ("A2", "3A", 1, "2")]


@pytest.mark.parametrize("case, expected", [
    ("no_date", 'sheet "List 3", row 3, column "Date of Referral": no date, which every row of the list has'),
    ("later", 'sheet "List 4", row 3, column "Continuous Assessment Date of Authorisation": 20/10/2022 is after '
              "the as-at date 30/09/2022; give the date the lists run to (--as-at)"),
])
def test_a_bad_row_refuses_the_whole_workbook_in_one_line(tmp_path, db, case, expected):
    data, as_at = lists(), AS_AT
    if case == "no_date":
        data[3][1]["referral_date"] = None  # A2's referral, row 3 of list 3
    else:
        data, as_at = {4: lists()[4][:2]}, D(2022, 9, 30)  # A4's assessment (row 3) was authorised after it
    path = write_annex_a(tmp_path / "annex_a.xlsx", data, as_at=as_at)
    load_file(db, write_annex_a(tmp_path / "first.xlsx", {1: lists()[1][:1]}), la=LA, as_at=D(2022, 6, 30))
    before = snapshot(db)
    out = load_file(db, path, la=LA, as_at=as_at)
    assert out.error is not None and "\n" not in out.error
    assert out.error == f"{path}: {expected}"
    assert not any(c in out.error for c in CHILD_IDS)
    assert snapshot(db) == before  # nothing half loaded


def test_without_an_as_at_date_the_load_asks_for_one(tmp_path, db):
    out = load_file(db, write_annex_a(tmp_path / "annex_a.xlsx", lists()), la=LA)
    assert out.error == (f"{tmp_path / 'annex_a.xlsx'}: the workbook does not say the date its lists run to: give "
                         "--as-at (e.g. --as-at 2025-10-31), or put the date in its name (annex_a_2025-10-31.xlsx)")


def test_a_later_workbook_wins_over_its_months_and_the_same_date_supersedes(tmp_path, db):
    """Workbook 1 as at 31 March 2023 (12 months); workbook 2 as at 30 June 2023 (6 months: from 1 January),
    in which A7's contact of 30 March has been deleted and A6 has a contact on 1 May. Workbook 1's records
    before 1 January stay; its A7 contact (in workbook 2's months, not in it) and its A5 early help (in
    workbook 2 too) give way."""
    first = write_annex_a(tmp_path / "aa1.xlsx", lists(), as_at=AS_AT)
    later = lists()
    later[1] = [{"child_id": "A6", "gender": "2", "ethnicity": "WBRI", "birth_date": D(2016, 6, 6),
                 "contact_date": D(2023, 5, 1), "contact_source": "8"}]
    later[2] = [r for r in later[2] if r["child_id"] == "A5"]
    second = write_annex_a(tmp_path / "aa2.xlsx", {1: later[1], 2: later[2]}, as_at=D(2023, 6, 30))
    assert load_file(db, first, la=LA, as_at=AS_AT).error is None
    assert load_file(db, second, la=LA, as_at=D(2023, 6, 30), months=6).error is None
    assert _rows(db, "SELECT la_child_id, contact_date, load_id FROM merged_annex_a_contacts ORDER BY 2") == [
        ("A1", D(2022, 5, 9), 1), ("A2", D(2022, 6, 1), 1), ("A2", D(2022, 7, 1), 1), ("A6", D(2022, 10, 1), 1),
        ("A5", D(2022, 11, 28), 1), ("A6", D(2023, 5, 1), 2)]
    assert _rows(db, "SELECT la_child_id, start_date, load_id FROM merged_annex_a_early_help ORDER BY 2") == [
        ("A6", D(2022, 10, 5), 1), ("A5", D(2023, 1, 15), 2)]
    # The same LA and as-at date again, corrected (no list 2): it supersedes workbook 1 whole.
    corrected = write_annex_a(tmp_path / "aa1b.xlsx", {n: r for n, r in lists().items() if n != 2}, as_at=AS_AT)
    out = load_file(db, corrected, la=LA, as_at=AS_AT)
    assert (out.status, out.replaced) == ("replaced", 1)
    assert _rows(db, "SELECT load_id, status FROM local_loads ORDER BY 1") == [
        (1, "superseded"), (2, "current"), (3, "current")]
    assert _rows(db, "SELECT la_child_id, load_id FROM merged_annex_a_early_help") == [("A5", 2)]
    # Workbook 1 again: current again, superseding its correction.
    assert load_file(db, first, la=LA, as_at=AS_AT).status == "reinstated"
    assert _rows(db, "SELECT load_id, status FROM local_loads ORDER BY 1") == [
        (1, "current"), (2, "current"), (3, "superseded")]


def test_the_cli_loads_lists_and_never_prints_a_child(tmp_path, munro):
    db = tmp_path / "store.duckdb"
    path = write_annex_a(tmp_path / "aa.xlsx", lists(), as_at=AS_AT)
    done = munro("--db", db, "ingest", "--la", LA, "--as-at", "31/03/2023", path)
    assert done.returncode == 0, done.stderr
    assert "12 months to 31 Mar 2023" in done.stdout and not any(c in done.stdout + done.stderr for c in CHILD_IDS)
    listed = munro("--db", db, "returns")
    assert "annex-a  201  12 months to 31/03/2023  current  22" in listed.stdout
    as_json = json.loads(munro("--db", db, "returns", "--format", "json").stdout)
    assert [(r["kind"], r["as_at"], r["months"]) for r in as_json] == [("annex-a", "2023-03-31", 12)]
    bad = munro("--db", db, "ingest", "--la", LA, write_annex_a(tmp_path / "undated.xlsx", lists()))
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert "give --as-at" in bad.stderr
