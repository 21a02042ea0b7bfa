"""The drill-down on every engine (tests/indicators/conftest.py runs this module's test on DuckDB, PostgreSQL
and Spark, the store reaching the others by munro export): the figures tests/indicators/test_drill.py works out
by hand, from the same store."""

from __future__ import annotations

from golden import engine, load

from drill_support import allocations, build
from munro.indicators.drill import UNALLOCATED, breakdown


def test_by_team_and_worker_on_every_engine(db, cin):
    load(db, build(cin))
    allocations(db)
    with engine(db) as e:
        team = breakdown(e, "201", 2025, ["cin_rate", "assessment_timeliness"], by="team")
        worker = breakdown(e, "201", 2025, ["assessment_timeliness"], by="worker")
    assert team.units == ["North", "South", UNALLOCATED]
    assert {u: r.count for u, r in team.items["cin_rate"].items()} == {"North": 2, "South": 1, UNALLOCATED: 2}
    t = {u: (r.value, r.numerator, r.denominator, r["median"]) for u, r in team.items["assessment_timeliness"].items()}
    assert t == {"North": (100.0, 2, 2, 7.5), "South": (50.0, 1, 2, 27.5), UNALLOCATED: (100.0, 1, 1, 20.0)}
    assert {u: (r.numerator, r.denominator) for u, r in worker.items["assessment_timeliness"].items()} == {
        "W1": (1, 1), "W2": (1, 1), "W3": (1, 2), UNALLOCATED: (1, 1)}
