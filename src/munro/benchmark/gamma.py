"""The regularized incomplete gamma function and the two inverses the exact Poisson intervals need.

Written here rather than taken from scipy, which munro used for these three functions only and
which is about a sixth of an install (143 MB of 835; docs/performance.md, "Install size"). The
methods are the textbook ones (Press et al., Numerical Recipes, 3rd ed., section 6.2: the series
below x = a + 1 and Lentz's continued fraction above it), accurate to 1e-11 relative or better for the
shapes and counts of children's services figures (1e-13 for the inverses); tests/benchmark/test_gamma.py checks them
against scipy over a grid and against published chi-square and Garwood tables.

- ``lower(a, x)`` is P(a, x), the probability that a gamma variable of shape ``a`` is at most ``x``;
- ``quantile(a, p)`` is the ``x`` with P(a, x) = p (scipy's ``gammaincinv``);
- ``shape(p, x)`` is the ``a`` with P(a, x) = p (scipy's ``gdtrib(1, p, x)``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

_EPS = 1e-15
_TINY = 1e-300
_MAX_TERMS = 100_000


def lower(a: float, x: float) -> float:
    """P(a, x), the regularized lower incomplete gamma function."""
    if x <= 0:
        return 0.0
    return _series(a, x) if x < a + 1 else 1.0 - _fraction(a, x)


def upper(a: float, x: float) -> float:
    """Q(a, x) = 1 - P(a, x), computed directly so that a small Q keeps its digits."""
    if x <= 0:
        return 1.0
    return 1.0 - _series(a, x) if x < a + 1 else _fraction(a, x)


# The two inverses are pure and each costs a root-finding of a few dozen series of up to a thousand terms;
# a comparison asks for the same ones several times (an interval and a funnel's limits of one count).
@lru_cache(maxsize=4096)
def quantile(a: float, p: float) -> float:
    """The x with P(a, x) = p, for shape a > 0 and 0 < p < 1."""
    _check(a > 0 and 0 < p < 1, f"gamma quantile needs a > 0 and 0 < p < 1, not a={a}, p={p}")
    # Each search is on the tail that is small, so that p = 0.999 is as exact as p = 0.001,
    # and written so that f rises through its root, as _root expects.
    f = (lambda x: lower(a, x) - p) if p <= 0.5 else (lambda x: (1 - p) - upper(a, x))
    guess = _wilson_hilferty(a, p)
    return _root(f, guess / 2, guess * 2)


@lru_cache(maxsize=4096)
def shape(p: float, x: float) -> float:
    """The shape a with P(a, x) = p, for x > 0 and 0 < p < 1 (P falls as a grows)."""
    _check(x > 0 and 0 < p < 1, f"gamma shape needs x > 0 and 0 < p < 1, not p={p}, x={x}")
    f = (lambda a: p - lower(a, x)) if p <= 0.5 else (lambda a: upper(a, x) - (1 - p))
    return _root(f, max(x / 2, 1e-3), 2 * x + 10)


def _series(a: float, x: float) -> float:
    term = total = 1.0 / a
    n = a
    for _ in range(_MAX_TERMS):
        n += 1
        term *= x / n
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _fraction(a: float, x: float) -> float:
    # Modified Lentz's method for the continued fraction of Q(a, x).
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def _wilson_hilferty(a: float, p: float) -> float:
    """A starting point: the Wilson-Hilferty cube-root normal approximation, kept positive."""

    z = NormalDist().inv_cdf(p)
    return max(a * (1 - 1 / (9 * a) + z / (3 * math.sqrt(a))) ** 3, 1e-8)


def _root(f, low: float, high: float) -> float:
    """The root of an increasing ``f``, from a first guess at a bracket: Illinois' regula falsi.

    The bracket is widened until f(low) <= 0 <= f(high). The method keeps the bracket (so it
    cannot wander off as Newton's method can) and converges superlinearly; bisection steps guard
    against a bracket that stops shrinking.
    """
    f_low, f_high = f(low), f(high)
    while f_low > 0:
        low /= 4
        f_low = f(low)
    while f_high < 0:
        high *= 4
        f_high = f(high)
    side = 0
    for _ in range(200):
        if f_low == 0:
            return low
        if f_high == 0:
            return high
        mid = (low * f_high - high * f_low) / (f_high - f_low)
        if not low < mid < high:
            mid = (low + high) / 2
        f_mid = f(mid)
        if f_mid < 0:
            low, f_low = mid, f_mid
            if side == -1:
                f_high /= 2
            side = -1
        else:
            high, f_high = mid, f_mid
            if side == 1:
                f_low /= 2
            side = 1
        if high - low <= 1e-14 * high:
            break
    return (low * f_high - high * f_low) / (f_high - f_low) if f_high != f_low else (low + high) / 2


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)
