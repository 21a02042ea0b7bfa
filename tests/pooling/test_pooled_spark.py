"""A pooled store of three LAs, exported, on local Spark: every item of every LA and a region as on DuckDB."""

from __future__ import annotations

import pytest

from engine_support import differences
from munro.engines import connect
from munro.indicators.compute import as_json, compute_all
from munro.indicators.groups import compute_named_group
from munro.store.export import export_store


@pytest.fixture(scope="module")
def spark(pooled):
    folder = pooled.with_name("pooled-export")
    export_store(pooled, folder)
    engine = connect("local[2]", data=folder)
    yield engine
    engine.close()


def test_every_la_and_a_region_on_spark_as_on_duckdb(pooled, spark, las):
    with connect(pooled) as duck:
        want = [as_json(r) for r in compute_all(duck, 2025)] + \
               [as_json(compute_named_group(duck, 2025, region="North East"))]
    got = [as_json(r) for r in compute_all(spark, 2025)] + \
          [as_json(compute_named_group(spark, 2025, region="North East"))]
    assert [r["la"] for r in got] == [*sorted(las), "E12000001"]
    assert sum(1 for r in want for v in r["items"].values() if v["value"] is not None) > 60
    assert differences(got, want) == []
