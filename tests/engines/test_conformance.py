"""Every item on every engine gives what DuckDB gives, for each LA and for all LAs in one pass.

The golden tests (tests/indicators) already run on every engine against hand-made returns with
values worked out by hand; this suite runs every item over realistic synthetic returns of two
LAs, where the data exercise every branch at volume, and asserts that the engines agree.
"""

from __future__ import annotations

import pytest

from engine_support import differences as _same
from munro.engines import connect
from munro.indicators.compute import as_json, compute, compute_all, compute_all_years, compute_years

YEAR = 2025  # the synthetic store's latest year (conftest.py)
YEARS = (2023, 2024, 2025)  # every year it holds


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


@pytest.fixture(scope="module")
def duckdb_each_year(two_las):
    """Each year of the store computed on its own, as the items were computed before years were a dimension."""
    with connect(two_las) as e:
        return {y: [as_json(r) for r in compute_all(e, y)] for y in YEARS}


def test_every_year_in_one_pass_agrees_with_each_year_alone(duckdb_each_year, two_las):
    """The trend in one pass (every item grouped by LA and year) gives each year's figures exactly."""
    with connect(two_las) as e:
        together = compute_all_years(e, YEARS)
        one_la = compute_years(e, "841", YEARS)
    for y in YEARS:
        assert [_same(as_json(r), want) for r, want in zip(together[y], duckdb_each_year[y])] == [[], []], y
        assert _same(as_json(one_la[y]), duckdb_each_year[y][1]) == [], y
    # the years differ, so a pass that gave every year the same figures would fail above
    assert duckdb_each_year[2023][0]["items"]["referral_rate"] != duckdb_each_year[2025][0]["items"]["referral_rate"]


def test_every_year_in_one_pass_agrees_with_duckdb(other_engine, duckdb_each_year):
    together = compute_all_years(other_engine, YEARS)
    for y in YEARS:
        assert [_same(as_json(r), want) for r, want in zip(together[y], duckdb_each_year[y])] == [[], []], \
            (other_engine.name, y)


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
