"""`munro indicators --show-sql`: the SQL printed for an item computes what munro computes.

For every item, the queries munro runs through Ibis on the store are captured with their rows;
the SQL that ``item_sql`` prints for a dialect is then run, as text, on that engine over the
exported tables, and must return the same rows.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import psycopg
import pytest

from munro.engines import connect
from munro.errors import MunroError
from munro.indicators.catalogue import item as catalogue_item
from munro.indicators.compute import ITEMS
from munro.indicators.context import Context
from munro.indicators.sql import format_sql, item_sql
from munro.years import Period

YEAR = 2025
LAS = ("805", "841")


class _Recording(Context):
    def rows(self, expr):
        got = super().rows(expr)
        self.seen.append([dict(r) for r in got])  # per_key pops la_code and period from the rows it is given
        return got


@pytest.fixture(scope="module")
def munro_rows(two_las):
    """item -> the rows of each query munro runs for it on the store (DuckDB, through Ibis)."""
    out = {}
    with connect(two_las) as e:
        for item, fn in ITEMS.items():
            ctx = _Recording((Period.of_year(YEAR),), LAS, e.tables(None), history=e.history(), population=e.population)
            ctx.seen = []
            fn(ctx)
            out[item] = ctx.seen
    return out


def _norm(rows) -> list[tuple]:
    def value(v):
        if isinstance(v, float):
            return None if math.isnan(v) else round(v, 9)
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()[:10]
        if hasattr(v, "item"):  # numpy and decimal scalars
            return value(v.item())
        return float(v) if type(v).__name__ == "Decimal" else v
    return sorted((tuple(sorted((k, value(v)) for k, v in r.items())) for r in rows), key=repr)


def _duckdb_runner(folder):
    con = duckdb.connect()
    for f in folder.glob("*.parquet"):
        con.execute(f"CREATE VIEW {f.stem} AS SELECT * FROM read_parquet('{f}')")
    return lambda sql: [dict(zip([d[0] for d in cur.description], r)) for cur in [con.execute(sql)]
                        for r in cur.fetchall()]


def _postgres_runner(url, schema):
    pg = psycopg.connect(url, autocommit=True)
    pg.execute(f"SET search_path TO {schema}")

    def run(sql):
        cur = pg.execute(sql)
        return [dict(zip([d.name for d in cur.description], r)) for r in cur.fetchall()]
    return run


def _spark_runner(folder):
    from munro.engines.spark import SparkEngine

    engine = SparkEngine(folder, master="local[2]")
    for f in folder.glob("*.parquet"):
        engine.session.read.parquet(str(f)).createOrReplaceTempView(f.stem)
    return lambda sql: [r.asDict() for r in engine.session.sql(sql).collect()]


@pytest.fixture(scope="module", params=["duckdb", "postgres", "spark"])
def dialect_runner(request, parquet_export, pg_export):
    if request.param == "duckdb":
        return "duckdb", _duckdb_runner(parquet_export)
    if request.param == "postgres":
        return "postgres", _postgres_runner(*pg_export)
    return "spark", _spark_runner(parquet_export)


def test_printed_sql_returns_the_rows_munro_computes(dialect_runner, munro_rows):
    dialect, run = dialect_runner
    for item, seen in munro_rows.items():
        statements = item_sql(item, YEAR, dialect)
        assert len(statements) == len(seen), item
        for sql, rows in zip(statements, seen):
            assert _norm(run(sql)) == _norm(rows), (dialect, item, sql)


def test_every_item_from_the_census_alone_runs_queries(munro_rows):
    """Else the comparison above would pass vacuously for it."""
    census_only = [i for i in ITEMS if catalogue_item(i).source.split(" (")[0] == "CIN census"]
    assert len(census_only) >= 20
    assert [i for i in census_only if not munro_rows[i]] == []


def test_items_over_local_records_print_their_sql_too():
    """They run their queries whether or not any records are loaded (docs/local-data.md)."""
    text = format_sql("sw_changes", YEAR)
    assert text.startswith("-- sw_changes, reporting year 2025: query 1 of 1") and "merged_sw_allocations" in text
    assert "merged_own_figures" in format_sql("sw_vacancy_rate", YEAR)


def test_script_heads_each_statement_and_names_the_year():
    text = format_sql("assessment_timeliness", YEAR, "postgres")
    assert text.count("-- assessment_timeliness, reporting year 2025: query") == 2
    assert "PERCENTILE_CONT(0.5) WITHIN GROUP" in text and text.rstrip().endswith(";")
    assert "MAKE_DATE(2025, 3, 31)" in text  # the reporting year's end, R


def test_sql_server_cannot_take_percentiles_and_says_so():
    with pytest.raises(MunroError, match="assessment_timeliness cannot be written in mssql SQL: it takes percentiles"):
        item_sql("assessment_timeliness", YEAR, "mssql")
    (sql,) = item_sql("cpp_rate", YEAR, "mssql")
    assert "FROM [merged_cp_plans]" in sql and "COUNT_BIG(DISTINCT" in sql


def test_unknown_item_or_dialect_is_one_clear_error():
    with pytest.raises(MunroError, match="unknown item 'cpp_rat'"):
        item_sql("cpp_rat", YEAR)
    with pytest.raises(MunroError, match="unknown SQL dialect 'oracle'"):
        item_sql("cpp_rate", YEAR, "oracle")
