"""munro export: the store's tables, merged history and calendar, to a Parquet folder or PostgreSQL."""

from __future__ import annotations

import json

import duckdb
import psycopg
import pyarrow.parquet as pq
import pytest

from munro.errors import MunroError
from munro.store.export import export_store


def query(db, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()

MERGED = ["merged_assessment_factors", "merged_assessments", "merged_children", "merged_cin_plans",
          "merged_cp_plans", "merged_cp_reviews", "merged_disabilities", "merged_episodes",
          "merged_pre_proceedings", "merged_section47"]


def _store_counts(db) -> dict[str, int]:
    names = [r[0] for r in query(db, "SELECT table_name FROM information_schema.tables")]
    return {t: query(db, f'SELECT count(*) FROM "{t}"')[0][0] for t in names}


def test_folder_holds_every_table_and_view_with_its_rows(two_las, parquet_export):
    manifest = json.loads((parquet_export / "munro_export.json").read_text())
    expected = _store_counts(two_las)
    assert set(MERGED) <= set(expected)  # the merged views are exported as tables
    for table, rows in expected.items():
        assert manifest["tables"][table]["rows"] == rows, table
        assert pq.read_metadata(parquet_export / f"{table}.parquet").num_rows == rows, table
    # 1 Jan 2000 to 31 Dec 2040, one row a day
    assert manifest["tables"]["munro_calendar"]["rows"] == 14976


def test_folder_keeps_dates_as_dates_and_flags_as_integers(parquet_export):
    schema = pq.read_schema(parquet_export / "merged_episodes.parquet")
    assert str(schema.field("referral_date").type) == "date32[day]"
    assert str(schema.field("referral_nfa").type) == "int32"
    cal = pq.read_table(parquet_export / "munro_calendar.parquet").to_pylist()
    by_date = {r["date"].isoformat(): r for r in cal}
    # Christmas Day 2024 was a Wednesday and a bank holiday; 24 December a working Tuesday
    assert by_date["2024-12-25"]["is_working_day"] == 0
    assert by_date["2024-12-24"]["is_working_day"] == 1
    assert by_date["2024-12-27"]["wd_index"] - by_date["2024-12-24"]["wd_index"] == 1


def test_one_la_only(two_las, tmp_path):
    out = export_store(two_las, tmp_path / "one", las=["841"])
    las = duckdb.sql(f"SELECT DISTINCT la_code FROM '{tmp_path / 'one' / 'merged_episodes.parquet'}'").fetchall()
    assert las == [("841",)]
    assert out.tables["returns"] == 3
    assert out.tables["munro_calendar"] == 14976  # tables without an LA are whole


def test_an_earlier_export_is_replaced_and_a_foreign_folder_refused(two_las, tmp_path):
    target = tmp_path / "out"
    export_store(two_las, target, las=["805"])
    export_store(two_las, target)
    assert pq.read_metadata(target / "returns.parquet").num_rows == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no work folders left behind
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(MunroError, match="not a munro export"):
        export_store(two_las, foreign)
    assert [p.name for p in foreign.iterdir()] == ["holiday.jpg"]


def test_a_failed_folder_export_leaves_nothing(two_las, tmp_path, monkeypatch):
    from munro.store import export as export_module

    real, calls = export_module._select, []

    def failing(table, columns, where):
        calls.append(table)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return real(table, columns, where)

    monkeypatch.setattr(export_module, "_select", failing)
    with pytest.raises(RuntimeError):
        export_store(two_las, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_postgres_holds_the_same_rows(two_las, pg_export):
    url, schema = pg_export
    expected = _store_counts(two_las)
    with psycopg.connect(url) as pg:
        for table, rows in expected.items():
            assert pg.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0] == rows, table
        types = dict(pg.execute("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_schema = %s AND table_name = 'merged_episodes'", [schema]).fetchall())
        nulls = pg.execute(f'SELECT count(*) FROM "{schema}".merged_episodes WHERE closure_date IS NULL').fetchone()[0]
    assert types["referral_date"] == "date" and types["referral_nfa"] == "integer"
    # NULLs stay NULL (not empty strings or zero dates) on the way through CSV
    assert nulls == query(two_las, "SELECT count(*) FROM merged_episodes WHERE closure_date IS NULL")[0][0] > 0


def test_postgres_export_is_all_or_nothing(two_las, pg_export, monkeypatch):
    from munro.store import export as export_module

    url, _ = pg_export
    real, calls = export_module._copy_rows, []

    def failing(*args):
        calls.append(args[3])
        if len(calls) == 6:
            raise psycopg.errors.DiskFull("could not extend file")
        return real(*args)

    monkeypatch.setattr(export_module, "_copy_rows", failing)
    with pytest.raises(MunroError, match="could not extend file"):
        export_store(two_las, url, schema="half")
    with psycopg.connect(url) as pg:
        assert pg.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'half'").fetchone()[0] == 0


def test_postgres_schema_of_someone_else_is_refused(two_las, pg_export):
    url, _ = pg_export
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("CREATE SCHEMA IF NOT EXISTS finance")
        pg.execute("CREATE TABLE IF NOT EXISTS finance.budget (line text)")
    with pytest.raises(MunroError, match="holds tables munro did not write"):
        export_store(two_las, url, schema="finance")
    with pytest.raises(MunroError, match="not a plain PostgreSQL schema name"):
        export_store(two_las, url, schema="x; DROP TABLE y")


def test_a_password_never_appears_in_a_message(two_las):
    with pytest.raises(MunroError) as e:
        export_store(two_las, "postgresql://analyst:s3cret-pw@127.0.0.1:1/db")
    assert "s3cret-pw" not in str(e.value) and "analyst:***@127.0.0.1" in str(e.value)
