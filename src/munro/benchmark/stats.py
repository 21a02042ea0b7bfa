"""Uncertainty for benchmarking: confidence intervals, funnel-plot limits and the plain-words flag.

Pure functions: numbers in, numbers out; no store, no I/O. Figures are in the
item's unit ("percent": 0 to 100; "per_10k": per 10,000), as the benchmark
table and the catalogue hold them.

Methods (docs/benchmarks.md, "Uncertainty", says the same in plain words):

- proportions: Wilson score interval (Wilson 1927; Newcombe 1998, method 3);
- rates: exact Poisson interval from the chi-square/gamma relation (Garwood 1936);
- funnel limits: the values an LA's figure must pass for its interval to
  exclude England's, i.e. the intervals above turned round (for proportions
  target +/- z*sqrt(target*(1-target)/n), the score test behind Wilson's
  interval). This is the PHE/OHID Fingertips method (PHEindicatormethods
  ``calculate_funnel_limits``: "Wilson" for proportions, "Poisson" for rates),
  so an LA outside the funnel is exactly an LA whose interval excludes England:
  the chart and the flag never disagree. Spiegelhalter's (2005) exact binomial
  limits with interpolation would differ from these only by the discreteness
  of very small counts, and would then contradict the interval shown beside them.
- the flag decides "significantly" at 99.8% (about 3 standard errors), with a
  95% "watch" tier: Spiegelhalter (2005) uses 95% as warning and 99.8% as
  alarm limits. Of about 150 LAs, 95% alone would call about 7 different
  from England on every item by chance; 99.8% about one LA every three items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import NamedTuple

import numpy as np

from munro.errors import MunroError

from . import gamma

HIGHER = "significantly higher than England"
LOWER = "significantly lower than England"
SAME = "not significantly different from England"
FLAGS = (HIGHER, LOWER, SAME)

SIGNIFICANT = 0.998  # decides the flag
WATCH = 0.95  # a difference at this level only is reported as worth watching

# Units whose figure is numerator / denominator x scale. Anything else (counts,
# days, medians) has no binomial or Poisson model here and gets no flag.
SCALES = {"percent": 100, "per_10k": 10_000}
# GSS symbols for which there is no value to test; 'u' (low reliability) keeps its value.
NO_VALUE_SYMBOLS = {"c": "suppressed", "x": "not available", "z": "not applicable"}


class Interval(NamedTuple):
    lower: float
    upper: float


class FunnelPoint(NamedTuple):
    denominator: float
    lower_998: float
    lower_95: float
    upper_95: float
    upper_998: float


@dataclass(frozen=True)
class Significance:
    """An LA's figure against England's.

    ``flag`` is one of FLAGS, or None when the data do not support a test;
    ``reason`` says why not, or how the flag was decided. ``watch`` is set when
    the figure differs from England's at 95% but not at 99.8%
    (e.g. "higher than England at 95% but not at 99.8%"). ``ci95`` and ``ci998``
    are the LA's intervals, in the item's unit.
    """

    flag: str | None
    reason: str
    watch: str | None = None
    ci95: Interval | None = None
    ci998: Interval | None = None


def wilson_interval(numerator: float, denominator: float, confidence: float = 0.95,
                    scale: float = 100) -> Interval:
    """Wilson score interval for ``numerator`` of ``denominator``, times ``scale`` (100: percent)."""
    k, n, z = _count(numerator, "numerator"), _positive(denominator), _z(confidence)
    if k > n:
        raise MunroError(f"numerator {numerator} is more than its denominator {denominator}: not a proportion")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # At k = 0 or k = n the formula gives the bound only up to rounding (1e-15 and the like).
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return Interval(low * scale, high * scale)


def poisson_rate_interval(count: float, population: float, confidence: float = 0.95,
                          per: float = 10_000) -> Interval:
    """Exact (Garwood) interval for the rate ``count`` / ``population`` x ``per``.

    chi2(a/2, 2k)/2 and chi2(1-a/2, 2k+2)/2 are gamma quantiles with shape k and
    k+1; a count of 0 has lower limit 0 (the gamma with shape 0 is degenerate).
    """
    k, n, alpha = _count(count, "count"), _positive(population), _alpha(confidence)
    lower = gamma.quantile(k, alpha / 2) if k > 0 else 0.0
    upper = gamma.quantile(k + 1, 1 - alpha / 2)
    return Interval(lower / n * per, upper / n * per)


def proportion_limits(target: float, denominator: float, confidence: float,
                      scale: float = 100) -> Interval:
    """Funnel limits around ``target`` (in units of ``scale``) for a proportion out of ``denominator``.

    target +/- z*sqrt(target*(1-target)/n), cut to 0..scale: a proportion
    outside them is exactly one whose Wilson interval excludes the target.
    """
    n, z = _positive(denominator), _z(confidence)
    p = _target(target, scale) / scale
    half = z * math.sqrt(p * (1 - p) / n)
    return Interval(max(0.0, p - half) * scale, min(1.0, p + half) * scale)


def rate_limits(target: float, population: float, confidence: float,
                per: float = 10_000) -> Interval:
    """Exact Poisson funnel limits around the rate ``target`` (per ``per``) for ``population``.

    With E = target x population / per expected events, the upper limit is the
    count whose Garwood lower limit is E, the lower limit the count whose
    Garwood upper limit is E, both found as gamma shapes (continuous in the
    count, so the funnel is a smooth curve through the integer cases).
    """
    n, alpha = _positive(population), _alpha(confidence)
    expected = _target(target, None) * n / per
    if expected == 0:
        return Interval(0.0, 0.0)
    upper = gamma.shape(alpha / 2, expected)  # shape k with P(Gamma(k) <= E) = a/2
    # Shape k+1 with P(Gamma(k+1) <= E) = 1-a/2; below shape 1 even a count of 0
    # is consistent with E, so nothing can be significantly low.
    lower = max(0.0, gamma.shape(1 - alpha / 2, expected) - 1)
    return Interval(lower / n * per, upper / n * per)


def funnel(target: float, unit: str, lowest: float, highest: float,
           points: int = 100) -> list[FunnelPoint]:
    """Funnel limits (95% and 99.8%) around ``target`` for ``points`` denominators from ``lowest`` to ``highest``.

    Denominators are spaced geometrically, because the funnel bends fastest at
    small denominators. ``unit`` is "percent" or "per_10k".
    """
    limits, scale = _limits_for(unit)
    if _positive(lowest) > _positive(highest) or points < 2:
        raise MunroError("a funnel needs lowest <= highest and at least 2 points")
    out = []
    for n in np.geomspace(lowest, highest, points):
        n = float(n)
        l95, u95 = limits(target, n, WATCH, scale)
        l998, u998 = limits(target, n, SIGNIFICANT, scale)
        out.append(FunnelPoint(n, l998, l95, u95, u998))
    return out


def compare_with_target(numerator: float | None, denominator: float | None, england: float | None,
                        unit: str, symbol: str | None = None) -> Significance:
    """The plain-words flag for an LA's figure ``numerator``/``denominator`` against England's figure.

    ``england`` is England's published figure in the item's ``unit`` (the
    target of the funnel plot); ``symbol`` is the LA figure's GSS symbol, if
    any. ``dataclasses.asdict`` of the result is plain data. The flag is None, with a
    reason, where the data do not support a test: a unit that is not a
    proportion or a rate (counts, days, medians), a suppressed or missing
    value, no numerator, no or a zero denominator, no England figure.
    Impossible input (negative counts, numerator above denominator for a
    proportion) raises MunroError.
    """
    if unit not in SCALES:
        return Significance(None, f"a figure in {unit} is not a proportion or a rate: no interval")
    if symbol in NO_VALUE_SYMBOLS:
        return Significance(None, f"the value is {NO_VALUE_SYMBOLS[symbol]} ({symbol})")
    if _missing(numerator):
        return Significance(None, "no numerator published")
    if _missing(denominator) or denominator == 0:
        return Significance(None, "no denominator" if _missing(denominator) else "the denominator is 0")
    if _missing(england):
        return Significance(None, "no England figure")
    scale = SCALES[unit]
    _target(england, scale if unit == "percent" else None)
    interval = wilson_interval if unit == "percent" else poisson_rate_interval
    ci95 = interval(numerator, denominator, WATCH, scale)
    ci998 = interval(numerator, denominator, SIGNIFICANT, scale)
    method = "Wilson score interval" if unit == "percent" else "exact Poisson interval"
    low_note = " (value of low reliability, u)" if symbol == "u" else ""
    # A bound exactly equal to England's counts as overlapping (not significant), as in Fingertips.
    if ci998.lower > england or ci998.upper < england:
        flag = HIGHER if ci998.lower > england else LOWER
        return Significance(flag, f"the 99.8% {method} excludes England's figure{low_note}", None, ci95, ci998)
    watch = None
    if ci95.lower > england or ci95.upper < england:
        watch = f"{'higher' if ci95.lower > england else 'lower'} than England at 95% but not at 99.8%"
    return Significance(SAME, f"the 99.8% {method} includes England's figure{low_note}", watch, ci95, ci998)


@dataclass(frozen=True)
class Change:
    """A change in an LA's figure between two years, judged against chance.

    ``significant`` is True when the ``confidence`` interval of the change excludes no change,
    False when it includes it, None (with ``reason``) when the data do not support a test.
    ``interval`` is the change's interval: for a proportion, the difference in percentage points
    (later minus earlier); for a rate, the ratio of the later rate to the earlier.
    """

    significant: bool | None
    reason: str
    interval: Interval | None = None


def change_between(earlier: tuple, later: tuple, unit: str, confidence: float = SIGNIFICANT) -> Change:
    """Whether the change from ``earlier`` to ``later`` ((numerator, denominator) each) is beyond chance.

    Proportions: Newcombe's hybrid score interval of the difference of two independent proportions
    (Newcombe 1998, method 10), built from the two Wilson intervals, so it agrees with the intervals
    shown for each year. Rates: the ratio of two Poisson rates with its log-normal interval,
    exp(log RR +/- z sqrt(1/k1 + 1/k2)) (Rothman and Greenland, Modern Epidemiology, ch. 14).
    """
    if unit not in SCALES:
        return Change(None, f"a figure in {unit} is not a proportion or a rate: no test of change")
    (k1, n1), (k2, n2) = earlier, later
    if any(_missing(x) for x in (k1, n1, k2, n2)) or not n1 or not n2:
        return Change(None, "no counts behind one of the years' figures")
    level = f"{confidence * 100:g}%"
    if unit == "percent":
        p1, p2 = _count(k1, "numerator") / _positive(n1), _count(k2, "numerator") / _positive(n2)
        l1, u1 = (x / 100 for x in wilson_interval(k1, n1, confidence))
        l2, u2 = (x / 100 for x in wilson_interval(k2, n2, confidence))
        d = p2 - p1
        low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
        high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
        iv = Interval(low * 100, high * 100)
        beyond = low > 0 or high < 0
        what = f"the {level} interval of the difference (Newcombe)"
    else:
        if _count(k1, "count") == 0 or _count(k2, "count") == 0:
            return Change(None, "a count of 0 in one of the years: no ratio of rates")
        ratio = (k2 / _positive(n2)) / (k1 / _positive(n1))
        half = _z(confidence) * math.sqrt(1 / k1 + 1 / k2)
        iv = Interval(ratio * math.exp(-half), ratio * math.exp(half))
        beyond = iv.lower > 1 or iv.upper < 1
        what = f"the {level} interval of the ratio of the two rates"
    return Change(beyond, f"{what} {'excludes' if beyond else 'includes'} no change", iv)


def _limits_for(unit):
    if unit == "percent":
        return proportion_limits, SCALES[unit]
    if unit == "per_10k":
        return rate_limits, SCALES[unit]
    raise MunroError(f"funnel limits need a proportion (percent) or a rate (per_10k), not {unit!r}")


def _missing(x) -> bool:
    # NULL from DuckDB arrives as None, from pandas as NaN.
    return x is None or (isinstance(x, float) and math.isnan(x))


def _number(x, what: str) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        raise MunroError(f"{what} must be a number, not {x!r}") from None
    if not math.isfinite(x):
        raise MunroError(f"{what} must be a finite number, not {x}")
    return x


def _count(x, what: str) -> float:
    x = _number(x, what)
    if x < 0:
        raise MunroError(f"{what} cannot be negative ({x:g})")
    return x


def _positive(x) -> float:
    x = _number(x, "denominator")
    if x <= 0:
        raise MunroError(f"denominator must be more than 0 ({x:g})")
    return x


def _target(x, scale) -> float:
    x = _count(x, "England's figure")
    if scale is not None and x > scale:
        raise MunroError(f"England's figure {x:g} is more than {scale}: not a proportion")
    return x


def _alpha(confidence) -> float:
    c = _number(confidence, "confidence")
    if not 0 < c < 1:
        raise MunroError(f"confidence must be between 0 and 1 (e.g. 0.95), not {c:g}")
    return 1 - c


def _z(confidence) -> float:
    return NormalDist().inv_cdf(1 - _alpha(confidence) / 2)
