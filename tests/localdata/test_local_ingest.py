"""Loading local CSVs: kinds told from the header, bad rows refused naming row and column with nothing
loaded, the same file twice, superseding, and the children the CIN census does not hold."""

from __future__ import annotations

import csv

import duckdb
import pytest

from munro.errors import RejectedFile
from munro.loading import ingest_file, ingest_local_file, load_files
from munro.localdata.layouts import detect


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def store(tmp_path, cin):
    """LA 201's 2025 return holding children A1 and A2."""
    kids = [cin.Child(id=c, episodes=[cin.Episode(referral="2024-05-01")]) for c in ("A1", "A2")]
    path = write(tmp_path, "cin_201_2025.xml", cin.xml(2025, kids))
    db = tmp_path / "store.duckdb"
    assert ingest_file(db, path).error is None
    return db


EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\nA1,01/05/2024,S,C2,N1,U1,,\nB7,2024-06-01,S,C2,N1,U1,01/07/2024,E11\n"


@pytest.mark.parametrize("header, kind", [
    ("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB", "ssda903-header"),
    ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN",
     "ssda903-episodes"),
    ("child_id,plan_start_date,visit_date,seen,seen_alone", "cp-visits"),
    # the Standard Safeguarding Dataset's own column names
    ("cppv_cp_visit_id,cppv_person_id,cppv_cp_plan_id,cppv_cp_visit_date,cppv_cp_visit_seen,"
     "cppv_cp_visit_seen_alone,cppv_cp_visit_bedroom", "cp-visits"),
    ("child_id,plan_start_date,meeting_date", "core-groups"),
    ("invo_involvements_id,invo_professional_id,invo_professional_role_id,invo_professional_team,"
     "invo_involvement_start_date,invo_involvement_end_date,invo_worker_change_reason,invo_person_id,"
     "invo_referral_id", "sw-allocations"),
    ("item_id,figure,value,numerator,denominator,source", "own-figures"),
])
def test_kind_is_told_from_the_header_row(header, kind):
    assert detect(header.split(",")).kind == kind


def test_an_unknown_header_is_refused(store, tmp_path):
    path = write(tmp_path, "x_2025.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(RejectedFile, match=r"row 1 \(header\): not a layout munro knows"):
        ingest_local_file(store, path)


def test_episodes_load_and_unmatched_children_are_reported_in_a_file(store, tmp_path):
    path = write(tmp_path, "ssda903_episodes_2025.csv", EPISODES)
    out = ingest_local_file(store, path)  # LA: the store's only one; year: from the name
    assert (out.status, out.kind, out.la, out.year, out.rows, out.children, out.unmatched) == (
        "loaded", "ssda903-episodes", "201", 2025, 2, 2, 1)
    assert "B7" not in out.summary() and "1 not in the CIN census" in out.summary()
    with out.report.open(newline="") as f:
        listed = list(csv.DictReader(f))
    assert [(r["la_code"], r["child_id"], r["kind"]) for r in listed] == [("201", "B7", "ssda903-episodes")]
    with pytest.raises(RejectedFile, match="a list of unmatched children munro wrote"):
        ingest_local_file(store, out.report)  # a later `munro ingest *.csv` meets it: refused, clearly
    assert rows(store, "SELECT la_child_id, start_date::VARCHAR, end_date::VARCHAR, reason_ceased "
                       "FROM merged_looked_after_episodes ORDER BY 1") == [
        ("A1", "2024-05-01", None, None), ("B7", "2024-06-01", "2024-07-01", "E11")]


def test_the_same_file_twice_changes_nothing_and_a_new_one_supersedes(store, tmp_path):
    first = write(tmp_path, "episodes_2025.csv", EPISODES)
    assert ingest_local_file(store, first).status == "loaded"
    assert ingest_local_file(store, first).status == "unchanged (already loaded)"
    assert rows(store, "SELECT count(*) FROM looked_after_episodes") == [(2,)]
    second = write(tmp_path, "episodes_v2_2025.csv", EPISODES.replace("01/07/2024", "02/07/2024"))
    out = ingest_local_file(store, second)
    assert (out.status, out.replaced) == ("replaced", 1)
    assert rows(store, "SELECT end_date::VARCHAR FROM merged_looked_after_episodes WHERE la_child_id = 'B7'") == [
        ("2024-07-02",)]
    back = ingest_local_file(store, first)  # the superseded file again: current again
    assert (back.status, back.replaced) == ("reinstated", 2)
    assert rows(store, "SELECT load_id, status FROM local_loads ORDER BY 1") == [(1, "current"), (2, "superseded")]


@pytest.mark.parametrize("text, message", [
    ("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\nA1,01/05/2024,S,C2,N1,U1,,\nA2,31/02/2024,S,C2,N1,U1,,\n",
     r"row 3, column DECOM: '31/02/2024' is not a date"),
    ("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\nA1,01/05/2024,Q,C2,N1,U1,,\n", r"row 2, column RNE: 'Q' is not one of"),
    ("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\nA1,01/05/2024,S,C2,N1,U1,01/07/2024,\n",
     r"row 2, column REC: empty: DEC and REC are given together"),
    ("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\nA1,01/05/2024,S,C2,N1,U1,01/04/2024,E11\n",
     r"row 2, column DEC: 2024-04-01 is before the start 2024-05-01"),
    ("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\nA1,01/05/2024,S,C2,N1,U1,,\nA1,01/05/2024,S,C2,N1,U1,,\n",
     r"row 3, column DECOM: the same la_child_id, start_date as row 2"),
    ("CHILD,DECOM,RNE,LS,CIN\nA1,01/05/2024,S,C2,N1\n", r"row 1 \(header\): missing column\(s\) PLACE"),
    ("child_id,plan_start_date,visit_date,seen\nA1,,2024-06-01,maybe\n", r"row 2, column seen: 'maybe' is not Y or N"),
    ("child_id,worker_id,start_date,end_date\nA1,W1,2024-06-01,2024-05-01\n",
     r"row 2, column end_date: 2024-05-01 is before the start"),
    ("child_id,plan_start_date,meeting_date\n,2024-06-01,2024-06-10\n", r"row 2, column child_id: empty"),
    ("child_id,plan_start_date,meeting_date\nA1,2024-06-01,2024-06-10,extra\n",
     r"row 2, column \(after the last\): more cells than the header has columns"),
    ("item_id,value,source\ncpp_rate,4.0,LA\n",
     r"row 2, column item_id: 'cpp_rate' is not an item from another source"),
    ("item_id,value,source\nsw_vacancy_rate,lots,LA\n", r"row 2, column value: 'lots' is not a number"),
])
def test_a_bad_row_is_refused_naming_row_and_column_and_nothing_is_loaded(store, tmp_path, text, message):
    path = write(tmp_path, "bad_2025.csv", text)
    with pytest.raises(RejectedFile, match=message) as e:
        ingest_local_file(store, path)
    assert "\n" not in str(e.value) and str(path) in str(e.value)
    assert rows(store, "SELECT count(*) FROM local_loads") == [(0,)]
    for table in ("looked_after_episodes", "cp_visits", "core_groups", "sw_allocations", "own_figures"):
        assert rows(store, f"SELECT count(*) FROM {table}") == [(0,)], table


def test_several_bad_rows_are_counted_on_one_line(store, tmp_path):
    bad = "".join(f"A{i},2024-06-01,2024-06-x\n" for i in range(6))
    path = write(tmp_path, "core_2025.csv", "child_id,plan_start_date,meeting_date\n" + bad)
    with pytest.raises(RejectedFile, match=r"row 2, column meeting_date: .*; row 4, .*\(and 3 more bad rows\)"):
        ingest_local_file(store, path)


def test_la_and_year_must_be_known(tmp_path, store, cin):
    header = write(tmp_path, "header.csv", "CHILD,SEX,DOB\nA1,1,01/02/2015\n")
    with pytest.raises(RejectedFile, match="give --year"):
        ingest_local_file(store, header)  # no year in its name, and a date of birth says none
    path = write(tmp_path, "episodes.csv", EPISODES)
    other = write(tmp_path, "cin_202_2025.xml", cin.xml(2025, [cin.Child(id="Z1")], la="202"))
    assert ingest_file(store, other).error is None
    with pytest.raises(RejectedFile, match=r"give --la \(the store holds 201, 202\)"):
        ingest_local_file(store, path, year=2025)


def test_ingest_all_takes_returns_and_csvs_in_one_run(tmp_path, cin):
    xml = write(tmp_path, "cin_201_2025.xml", cin.xml(2025, [cin.Child(id="A1")]))
    good = write(tmp_path, "visits_2025.csv", "child_id,visit_date,seen\nA1,2024-06-01,Y\n")
    bad = write(tmp_path, "visits_bad_2025.csv", "child_id,visit_date,seen\nA1,2024-06-01,\n")
    got = list(load_files(tmp_path / "s.duckdb", [xml, good, bad]))
    assert got[0].error is None and got[1].status == "loaded" and got[1].unmatched == 0
    assert got[2].error.endswith("row 2, column seen: empty; nothing was loaded")


def test_docs_local_data_md_documents_every_layout_and_column():
    from pathlib import Path

    from munro.localdata.layouts import LAYOUTS

    text = (Path(__file__).resolve().parents[2] / "docs" / "local-data.md").read_text()
    for x in LAYOUTS.values():
        assert f"### `{x.kind}`" in text and f"`{x.table}`" in text, x.kind
        for c in x.columns:
            for name in c.names():
                assert f"`{name}`" in text, (x.kind, name)
