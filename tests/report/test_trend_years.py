"""The report's earlier years computed in a forked process give exactly what computing them here gives."""

from __future__ import annotations

import concurrent.futures
import multiprocessing

import pytest

from munro.report import build

LA, YEAR = "330", 2025  # the report_store fixture's


def _values(by_year: dict[int, dict]) -> dict[int, dict]:
    return {y: {i: (r.value, r.numerator, r.denominator) for i, r in items.items()} for y, items in by_year.items()}


@pytest.fixture(scope="module")
def here(report_store):
    return build._own_years(report_store, LA, YEAR)[1]


def test_the_store_has_a_trend_to_share(here):
    assert sorted(here) == [2023, 2024, 2025]


def test_years_from_a_forked_child_equal_years_computed_here(report_store, here):
    pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    trend = build.TrendYears([2023], pool.submit(build._compute_years, str(report_store), LA, [2023]), pool)
    _, by_year = build._own_years(report_store, LA, YEAR, trend)
    assert list(trend.results()) == [2023]  # the child did compute it
    assert sorted(by_year) == [2023, 2024, 2025]
    assert _values(by_year) == _values(here)


def test_a_child_that_fails_leaves_its_years_to_be_computed_here(report_store, here):
    failed = concurrent.futures.Future()
    failed.set_exception(RuntimeError("the child died"))

    class Pool:
        def shutdown(self, wait=True):
            pass

    _, by_year = build._own_years(report_store, LA, YEAR, build.TrendYears([2023, 2024], failed, Pool()))
    assert _values(by_year) == _values(here)


def test_start_forks_only_when_this_process_is_alone(report_store, monkeypatch):
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 2)  # another thread (a web server, say): no fork
    trend = build.TrendYears.start(report_store, LA, YEAR)
    assert trend.years == [] and trend.results() == {}
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    trend = build.TrendYears.start(report_store, LA, YEAR)
    assert trend.years == [2023]  # the older half of the two trend years (2023, 2024)
    assert _values(trend.results()) == _values({2023: build._compute_years(str(report_store), LA, [2023])[2023]})


def test_a_report_without_fork_has_the_same_figures_as_one_with_it(report_store, monkeypatch):
    """Windows and macOS (no fork: build.fork_context gives None) compute every year here, to the same figures."""
    import datetime as dt
    import threading

    la, year, now = LA, YEAR, dt.datetime(2026, 1, 5, 9, 30)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as in `munro report`, before its chart workers
    forked = build.TrendYears.start(report_store, la, year)
    assert forked.years == [2023]  # the older of the two trend years went to the forked child
    with_fork = build.gather(report_store, la, year, now=now, trend=forked)
    monkeypatch.setattr(build, "fork_context", lambda: None)  # Windows, macOS
    here = build.TrendYears.start(report_store, la, year)
    assert here.years == [] and here.results() == {}
    without = build.gather(report_store, la, year, now=now, trend=here)
    assert without == with_fork
    assert sorted(without.by_year) == [2023, 2024, 2025]
