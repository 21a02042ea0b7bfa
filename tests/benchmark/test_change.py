"""A change between two years judged against chance (stats.change_between) and the trend judgement built
on it (compare.trend_change). Expectations from published worked examples and by hand."""

from __future__ import annotations

import math

import pytest

from munro.benchmark.compare import trend_change
from munro.benchmark.stats import change_between


def test_difference_of_proportions_matches_newcombes_worked_example():
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II example (a): 56/70 - 48/80 = 0.2000,
    # hybrid score interval (method 10) 0.0524 to 0.3339.
    c = change_between((48, 80), (56, 70), "percent", confidence=0.95)
    assert c.interval.lower == pytest.approx(5.24, abs=0.01)
    assert c.interval.upper == pytest.approx(33.39, abs=0.01)
    assert c.significant is True


def test_ratio_of_rates_by_hand():
    # 100 then 150 events in 10,000: ratio 1.5, se(log) = sqrt(1/100 + 1/150) = 0.12910;
    # 95%: 1.5 x exp(-/+ 1.95996 x 0.12910) = 1.5 x exp(-/+ 0.25303) = 1.1647 to 1.9319.
    c = change_between((100, 10_000), (150, 10_000), "per_10k", confidence=0.95)
    assert c.interval.lower == pytest.approx(1.5 * math.exp(-1.959964 * math.sqrt(1 / 100 + 1 / 150)), rel=1e-6)
    assert c.interval.lower == pytest.approx(1.1647, abs=1e-4)
    assert c.interval.upper == pytest.approx(1.9319, abs=1e-4)
    assert c.significant is True


def test_no_counts_or_not_a_proportion_is_not_judged():
    assert change_between((None, None), (5, 10), "percent").significant is None
    assert change_between((1, 10), (5, 10), "working_days").significant is None
    assert change_between((0, 10_000), (5, 10_000), "per_10k").significant is None


def _trend(values, n, kind="returns"):
    """Three years 2023-2025 of a percent with denominator n (numerator rounded from the value)."""
    return [{"year": 2023 + i, "value": v, "kind": kind, "numerator": round(v * n / 100), "denominator": n}
            for i, v in enumerate(values)]


def test_a_drift_of_tenths_of_a_point_is_not_a_finding():
    # The case: assessments within 45 days 86.2% -> 86.1% -> 86.0% of about 15,000 each.
    # Difference -0.2 points; se = sqrt(2 x 0.861 x 0.139 / 15,000) = 0.40 points: far inside chance.
    t = trend_change(_trend([86.2, 86.1, 86.0], 15_000), "percent", "higher_better")
    assert (t["direction"], t["quality"], t["significant"]) == ("fallen", "worse", False)


def test_a_large_run_the_worse_way_is_a_finding():
    # Repeat plans 20% -> 25% -> 30% of 2,000 each: +10 points, se = sqrt(.2x.8 + .3x.7)/sqrt(2000) = 1.36
    # points, about 7 standard errors: beyond 99.8% (3.09).
    t = trend_change(_trend([20.0, 25.0, 30.0], 2_000), "percent", "lower_better")
    assert (t["direction"], t["quality"], t["significant"]) == ("risen", "worse", True)
    assert t["interval"][0] > 0


def test_the_same_run_on_few_children_is_not():
    # 20% -> 25% -> 30% of 50 each: se = 8.6 points, the +10 is about 1.2 se: within chance.
    t = trend_change(_trend([20.0, 25.0, 30.0], 50), "percent", "lower_better")
    assert t["significant"] is False


def test_runs_that_turn_back_gaps_and_mixed_sources_are_not_judged():
    assert trend_change(_trend([20.0, 30.0, 25.0], 2_000), "percent", "lower_better") is None
    gap = _trend([20.0, 25.0, 30.0], 2_000)
    gap[0]["year"] = 2021
    assert trend_change(gap, "percent", "lower_better") is None
    mixed = _trend([20.0, 25.0, 30.0], 2_000)
    mixed[-1]["kind"] = "published"
    t = trend_change(mixed, "percent", "lower_better")
    assert t["significant"] is None and "different sources" in t["reason"]


def test_neither_direction_better_is_never_worse_or_better():
    t = trend_change(_trend([20.0, 25.0, 30.0], 2_000), "percent", "neither")
    assert t["quality"] is None and t["significant"] is True
