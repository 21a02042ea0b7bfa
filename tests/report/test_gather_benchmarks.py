"""The report's gathering reads the published statistics while the items run (report.build.gather and
benchmark.compare.read_benchmarks): the comparisons are those compare gives when it reads them itself,
and a failure to read them is the report's note, as it was when compare met it.

The store is the report tests' (conftest.py: a small synthetic 330 with its 2022-23 to 2024-25 returns), with
the packaged published statistics; the figures compared are whatever compare gives over the same store.
"""

from __future__ import annotations

import datetime as dt

import pytest

from munro.benchmark.compare import compare
from munro.report import build as report_build

LA, YEAR = "330", 2025  # the report_store fixture's
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
RETURNS = "computed by munro from this authority's children in need census returns (2022-23 to 2024-25)"


def test_the_comparisons_read_beside_the_items_are_compares_own(report_store):
    data = report_build.gather(report_store, LA, YEAR, now=NOW)
    alone = {c.item_id: c.to_dict() for c in compare(report_store, LA, YEAR, own_results=data.by_year)}
    gathered = {v.item.id: v.comparison.to_dict() for v in data.items() if v.comparison is not None}
    assert gathered and gathered == alone
    assert data.quality["benchmark_note"] is None
    # the own figures' lineage, read with the published figures: the three returns
    own = next(v.own for v in data.items() if v.own is not None and v.own.kind == "returns")
    assert own.provenance == RETURNS


@pytest.mark.parametrize("where", ["read_benchmarks", "ensure_reference"])
def test_published_figures_that_cannot_be_read_are_the_reports_note(report_store, monkeypatch, where):
    def fail(*args, **kwargs):
        raise RuntimeError("the benchmark table is unreadable")

    monkeypatch.setattr(report_build, where, fail)
    data = report_build.gather(report_store, LA, YEAR, now=NOW)
    assert data.quality["benchmark_note"] == "benchmarks could not be read: the benchmark table is unreadable"
    assert all(v.comparison is None for v in data.items())
    own = next(v.own for v in data.items() if v.own is not None and v.own.kind == "returns")
    assert own.provenance == RETURNS
