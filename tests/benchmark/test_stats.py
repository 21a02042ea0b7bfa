"""Intervals, funnel limits and the flag against published worked values.

Sources of the expected values (none is taken from the code under test):

- Newcombe RG. Two-sided confidence intervals for the single proportion:
  comparison of seven methods. Statistics in Medicine 1998;17:857-872,
  Table I, method 3 (Wilson score, no continuity correction), 95%.
- Garwood F. Fiducial limits for the Poisson distribution. Biometrika
  1936;28:437-442; the exact 95% limits for a count as tabulated in the
  standard tables (e.g. Breslow NE, Day NE. Statistical methods in cancer
  research, vol II, IARC 1987; PHE/APHO "Commonly used public health
  statistics and their confidence intervals"): 0 -> 0 to 3.6889,
  1 -> 0.0253 to 5.5716, 5 -> 1.6235 to 11.6683, 10 -> 4.7954 to 18.3904.
  For a count of 0 the upper limit is -ln(0.025) = 3.6889 in closed form.
- Normal quantiles from tables: z(0.975) = 1.959964, z(0.999) = 3.090232
  (Spiegelhalter D. Funnel plots for comparing institutional performance.
  Statistics in Medicine 2005;24:1185-1202: 95% and 99.8% limits, about 2 and
  3 standard errors). Funnel limits for proportions are worked by hand from
  target +/- z*sqrt(target*(1-target)/n), the PHE Fingertips method.
"""

import math
from dataclasses import asdict

import pytest

from munro.benchmark import stats
from munro.errors import MunroError

Z95, Z998 = 1.959964, 3.090232


# Newcombe 1998, Table I (proportions; x100 for percent).
@pytest.mark.parametrize("k,n,low,high", [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe(k, n, low, high):
    got = stats.wilson_interval(k, n)
    assert got.lower == pytest.approx(low * 100, abs=0.006)  # table rounds to 4 d.p. of a proportion
    assert got.upper == pytest.approx(high * 100, abs=0.006)
    assert stats.wilson_interval(k, n, scale=1).upper == pytest.approx(high, abs=6e-5)


def test_wilson_all_successes_mirrors_none():
    # The score interval is symmetric under k -> n-k: 20/20 mirrors Newcombe's 0/20.
    assert stats.wilson_interval(20, 20, scale=1) == pytest.approx((1 - 0.1611, 1.0), abs=6e-5)
    assert stats.wilson_interval(0, 20).lower == 0.0


def test_wilson_tiny_and_wider_at_998():
    one = stats.wilson_interval(1, 1, scale=1)
    # 1 of 1 at 95%: lower = 1/(1+z^2) by hand.
    assert one.lower == pytest.approx(1 / (1 + Z95**2), abs=1e-6) and one.upper == 1.0
    a, b = stats.wilson_interval(81, 263, 0.95), stats.wilson_interval(81, 263, 0.998)
    assert b.lower < a.lower and b.upper > a.upper


@pytest.mark.parametrize("count,low,high", [
    (0, 0.0, 3.6889), (1, 0.0253, 5.5716), (5, 1.6235, 11.6683), (10, 4.7954, 18.3904),
])
def test_exact_poisson_matches_garwood(count, low, high):
    # population = per: the rate is the count itself.
    got = stats.poisson_rate_interval(count, 10_000)
    assert got == pytest.approx((low, high), abs=6e-5)
    # 10 children in a population of 40,000 -> per 10,000 the limits are a quarter.
    assert stats.poisson_rate_interval(count, 40_000).upper == pytest.approx(high / 4, abs=2e-5)


def test_zero_count_upper_limit_closed_form():
    assert stats.poisson_rate_interval(0, 1, 0.95, per=1).upper == pytest.approx(-math.log(0.025), rel=1e-9)
    assert stats.poisson_rate_interval(0, 1, 0.998, per=1).upper == pytest.approx(-math.log(0.001), rel=1e-9)


def test_proportion_funnel_limits_by_hand():
    # target 50%, n = 100: 50 +/- z * 5 percentage points.
    assert stats.proportion_limits(50, 100, 0.95) == pytest.approx((50 - Z95 * 5, 50 + Z95 * 5), abs=1e-4)
    assert stats.proportion_limits(50, 100, 0.998) == pytest.approx((34.5488, 65.4512), abs=1e-4)
    # target 2%, n = 20: the lower limit would be negative, so it is 0.
    assert stats.proportion_limits(2, 20, 0.95).lower == 0.0


@pytest.mark.parametrize("target,side", [(0.2553, "upper"), (0.3662, "lower")])
def test_proportion_funnel_is_the_wilson_interval_turned_round(target, side):
    # Newcombe: 81/263 has Wilson limits 0.2553 and 0.3662, so at n = 263 the
    # funnel around each of them passes through 81/263.
    lim = stats.proportion_limits(target, 263, 0.95, scale=1)
    assert getattr(lim, side) == pytest.approx(81 / 263, abs=2e-4)


@pytest.mark.parametrize("target,side", [(4.7954, "upper"), (18.3904, "lower")])
def test_rate_funnel_is_the_garwood_interval_turned_round(target, side):
    # Garwood: 10 events have limits 4.7954 and 18.3904, so with those expected
    # counts the funnel passes through 10 events (population 10,000, per 10,000).
    assert getattr(stats.rate_limits(target, 10_000, 0.95), side) == pytest.approx(10, abs=2e-3)


def test_rate_funnel_small_expected_counts():
    # Below 3.6889 expected events not even 0 events is significantly low at 95%.
    assert stats.rate_limits(3.6, 10_000, 0.95).lower == 0.0
    assert stats.rate_limits(3.8, 10_000, 0.95).lower > 0.0
    assert stats.rate_limits(0, 10_000, 0.95) == (0.0, 0.0)


def test_funnel_over_a_range():
    points = stats.funnel(30, "percent", 50, 5000, points=20)
    assert len(points) == 20
    assert (points[0].denominator, points[-1].denominator) == pytest.approx((50, 5000))
    for p in points:
        assert p.lower_998 <= p.lower_95 <= 30 <= p.upper_95 <= p.upper_998
        assert p.upper_95 == pytest.approx(30 + Z95 * math.sqrt(30 * 70 / p.denominator), abs=1e-3)
    assert points[-1].upper_95 - points[-1].lower_95 < points[0].upper_95 - points[0].lower_95
    rates = stats.funnel(350, "per_10k", 10_000, 200_000, points=5)
    assert all(p.lower_998 < p.lower_95 < 350 < p.upper_95 < p.upper_998 for p in rates)
    with pytest.raises(MunroError):
        stats.funnel(30, "days", 50, 500)
    with pytest.raises(MunroError):
        stats.funnel(30, "percent", 500, 50)


# The flag. Hand arithmetic for 81/263 = 30.80%:
# England 20%: 99.8% limit 20 + 3.0902*sqrt(20*80/263) = 27.62 < 30.80 -> higher.
# England 37.5%: Newcombe's 95% upper 36.62 < 37.5, but the 99.8% lower limit
# 37.5 - 3.0902*sqrt(37.5*62.5/263) = 28.27 < 30.80 -> only a 95% difference.
# England 30%: inside Newcombe's 95% interval 25.53 to 36.62.
@pytest.mark.parametrize("england,flag,watch", [
    (20.0, stats.HIGHER, None),
    (45.0, stats.LOWER, None),
    (37.5, stats.SAME, "lower than England at 95% but not at 99.8%"),
    (30.0, stats.SAME, None),
])
def test_flag_for_a_proportion(england, flag, watch):
    got = stats.compare_with_target(81, 263, england, "percent")
    assert (got.flag, got.watch) == (flag, watch)
    assert got.ci95 == pytest.approx((25.53, 36.62), abs=0.006)


def test_flag_for_a_rate():
    # 10 events in 10,000: exact 95% interval 4.7954 to 18.3904 per 10,000.
    assert stats.compare_with_target(10, 10_000, 12, "per_10k").flag == stats.SAME
    assert stats.compare_with_target(10, 10_000, 4.7, "per_10k").watch == "higher than England at 95% but not at 99.8%"
    assert stats.compare_with_target(10, 10_000, 1, "per_10k").flag == stats.HIGHER
    assert stats.compare_with_target(0, 10_000, 8, "per_10k").flag == stats.LOWER  # 0 -> 0 to 6.9078 at 99.8%
    assert stats.compare_with_target(0, 10_000, 5, "per_10k").flag == stats.SAME


@pytest.mark.parametrize("args,reason", [
    ((None, 100, 20, "percent"), "no numerator"),
    ((10, None, 20, "percent"), "no denominator"),
    ((0, 0, 20, "percent"), "the denominator is 0"),
    ((10, float("nan"), 20, "percent"), "no denominator"),
    ((10, 100, None, "percent"), "no England figure"),
    ((10, 100, 20, "days"), "not a proportion or a rate"),
    ((10, 100, 20, "count"), "not a proportion or a rate"),
    ((10, 100, 20, "percent", "c"), "suppressed"),
    ((None, 100, 20, "percent", "x"), "not available"),
])
def test_no_flag_without_the_data(args, reason):
    got = stats.compare_with_target(*args)
    assert got.flag is None and reason in got.reason and got.ci95 is None


def test_low_reliability_is_flagged_but_said():
    got = stats.compare_with_target(81, 263, 20, "percent", "u")
    assert got.flag == stats.HIGHER and "low reliability" in got.reason
    assert asdict(got)["flag"] == stats.HIGHER  # plain data for JSON output


@pytest.mark.parametrize("call", [
    lambda: stats.wilson_interval(11, 10),
    lambda: stats.wilson_interval(-1, 10),
    lambda: stats.wilson_interval(1, 0),
    lambda: stats.wilson_interval(1, 10, confidence=95),
    lambda: stats.wilson_interval("many", 10),
    lambda: stats.poisson_rate_interval(-3, 1000),
    lambda: stats.poisson_rate_interval(3, 0),
    lambda: stats.poisson_rate_interval(float("inf"), 1000),
    lambda: stats.proportion_limits(120, 100, 0.95),
    lambda: stats.rate_limits(-5, 100, 0.95),
    lambda: stats.compare_with_target(11, 10, 20, "percent"),
    lambda: stats.compare_with_target(-1, 10, 20, "per_10k"),
    lambda: stats.compare_with_target(5, 10, 140, "percent"),
])
def test_impossible_input_is_refused(call):
    with pytest.raises(MunroError):
        call()
