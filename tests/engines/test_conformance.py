"""Every item on every engine gives what DuckDB gives, for each LA and for all LAs in one pass.

The golden tests (tests/indicators) already run on every engine against hand-made returns with
values worked out by hand; this suite runs every item over realistic synthetic returns of two
LAs, where the data exercise every branch at volume, and asserts that the engines agree.
"""

from __future__ import annotations

import pytest

from engine_support import differences as _same
from munro.engines import connect
from munro.indicators.compute import as_json, compute, compute_all

YEAR = 2025  # the synthetic store's latest year (conftest.py)


@pytest.fixture(scope="module")
def duckdb_results(two_las):
    with connect(two_las) as e:
        return [as_json(r) for r in compute_all(e, YEAR)]


@pytest.fixture(scope="module", params=["postgresql", "spark"])
def other_engine(request, parquet_export, pg_export):
    if request.param == "postgresql":
        url, schema = pg_export
        engine = connect(url, schema=schema)
    else:
        engine = connect("local[2]", data=parquet_export)
    yield engine
    engine.close()


def test_the_synthetic_store_exercises_the_items(duckdb_results):
    """A conformance test over empty results would prove nothing."""
    assert [r["la"] for r in duckdb_results] == ["805", "841"]
    for r in duckdb_results:
        assert r["history_years"] == [2023, 2024, 2025]
        # every item has its figures: the local records synth writes are loaded too
        missing = sorted(i for i, v in r["items"].items() if v.get("reason"))
        assert missing == []
        assert r["items"]["child_seen_per_cpp"]["denominator"] > 10 and r["items"]["sw_changes"]["count"] > 100
        assert r["items"]["assessment_timeliness"]["count"] > 100


def test_all_las_in_one_pass_agree_with_duckdb(other_engine, duckdb_results):
    got = [as_json(r) for r in compute_all(other_engine, YEAR)]
    assert [r["la"] for r in got] == ["805", "841"]
    for mine, theirs in zip(got, duckdb_results):
        assert _same(mine, theirs) == [], other_engine.name


def test_one_la_agrees_with_duckdb(other_engine, two_las):
    with connect(two_las) as e:
        expected = as_json(compute(e, "841", YEAR))
    assert _same(as_json(compute(other_engine, "841", YEAR)), expected) == []


def test_populations_come_with_the_export(other_engine, duckdb_results):
    """ONS populations and their vintage reach the other engines' rates unchanged."""
    got = as_json(compute(other_engine, "805", YEAR, items=["referral_rate"]))["items"]["referral_rate"]
    want = duckdb_results[0]["items"]["referral_rate"]
    assert got["population"] == want["population"] > 0
    assert got["population_vintage"] == want["population_vintage"]


def test_spark_leaves_no_warehouse_folder_where_it_runs(parquet_export):
    """Spark's default warehouse is ``spark-warehouse`` in the working directory: litter in an analyst's folder."""
    import os
    import tempfile

    with connect("local[2]", data=parquet_export) as engine:
        folder = engine.session.conf.get("spark.sql.warehouse.dir").removeprefix("file:")
    assert os.path.commonpath([folder, tempfile.gettempdir()]) == tempfile.gettempdir()
    assert not folder.startswith(os.getcwd())
