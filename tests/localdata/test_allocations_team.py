"""The sw-allocations layout's optional team column: read as LA systems write it, kept in the store and
its merged allocations, and an older store without it still read (and upgraded when next written)."""

from __future__ import annotations

import duckdb
import pytest

from munro.engines import connect
from munro.loading import ingest_file, ingest_local_file
from munro.store.db import open_store


def _store(tmp_path, cin, allocations: str):
    kids = [cin.Child(id=c, episodes=[cin.Episode(referral="2024-05-01")]) for c in ("A1", "A2")]
    path = tmp_path / "cin_201_2025.xml"
    path.write_text(cin.xml(2025, kids), encoding="utf-8")
    db = tmp_path / "store.duckdb"
    assert ingest_file(db, path).error is None
    csv = tmp_path / "allocations.csv"
    csv.write_text(allocations, encoding="utf-8")
    ingest_local_file(db, csv, la="201", year=2025)
    return db


def _merged(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT la_child_id, worker_id, team FROM merged_sw_allocations ORDER BY 1").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("header", ["team", "Team", "team_name", "Allocated Team", "invo_professional_team"])
def test_team_is_read_under_the_names_las_give_it(tmp_path, cin, header):
    db = _store(tmp_path, cin, f"child_id,worker_id,start_date,end_date,{header}\n"
                               "A1,W1,2024-04-01,,North\nA2,W2,2024-04-01,, \n")
    assert _merged(db) == [("A1", "W1", "North"), ("A2", "W2", None)]


def test_a_file_without_team_loads_as_before(tmp_path, cin):
    db = _store(tmp_path, cin, "child_id,worker_id,start_date,end_date\nA1,W1,2024-04-01,\n")
    assert _merged(db) == [("A1", "W1", None)]


def test_an_older_store_without_the_column_is_read_and_then_upgraded(tmp_path, cin):
    db = _store(tmp_path, cin, "child_id,worker_id,start_date,end_date\nA1,W1,2024-04-01,\n")
    con = duckdb.connect(str(db))  # as munro 4's schema left it
    con.execute("DROP VIEW merged_sw_allocations")
    con.execute("ALTER TABLE sw_allocations DROP COLUMN team")
    con.execute("CREATE VIEW merged_sw_allocations AS SELECT la_code, la_child_id, worker_id, start_date, "
                "end_date, load_id, 2025 AS year FROM sw_allocations")
    con.execute("UPDATE munro_meta SET value = '4' WHERE key = 'schema_version'")
    con.close()
    with connect(db) as engine:  # read-only: not upgraded, the team read as empty
        a = engine.tables(["201"]).sw_allocations
        assert a.select("la_child_id", "team").to_pyarrow().to_pylist() == [{"la_child_id": "A1", "team": None}]
    open_store(db).close()  # written to: upgraded
    assert _merged(db) == [("A1", "W1", None)]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT value FROM munro_meta WHERE key = 'schema_version'").fetchall() == [("5",)]
    con.close()
