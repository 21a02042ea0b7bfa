"""munro.benchmark.gamma against published chi-square tables and against scipy, an independent implementation."""

import math

import pytest
from scipy.special import gammainc, gammaincc, gammaincinv, gdtrib

from munro.benchmark import gamma

# Chi-square quantiles as printed in statistical tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4):
# (degrees of freedom, probability below, quantile). The chi-square with d degrees of freedom is
# twice a gamma of shape d/2.
CHI_SQUARE = [
    (1, 0.95, 3.841459), (1, 0.99, 6.634897), (2, 0.95, 5.991465), (2, 0.999, 13.815511),
    (5, 0.05, 1.145476), (10, 0.95, 18.307038), (10, 0.025, 3.246973), (20, 0.975, 34.169607),
    (30, 0.01, 14.953457), (100, 0.95, 124.342113), (100, 0.05, 77.929465),
]


@pytest.mark.parametrize("df, p, x", CHI_SQUARE)
def test_quantile_matches_the_chi_square_table(df, p, x):
    assert 2 * gamma.quantile(df / 2, p) == pytest.approx(x, abs=2e-6)
    assert gamma.lower(df / 2, x / 2) == pytest.approx(p, abs=1e-6)


def test_closed_forms():
    # Shape 1 is the exponential: P(1, x) = 1 - e^-x, so its quantile is -log(1 - p).
    for p in (0.001, 0.025, 0.5, 0.975, 0.999):
        assert gamma.quantile(1, p) == pytest.approx(-math.log(1 - p), rel=1e-12)
    # Shape 2: Q(2, x) = e^-x (1 + x); P = 1 - Q, away from 0 where that subtraction loses digits.
    for x in (0.01, 1.0, 7.5, 40.0):
        assert gamma.upper(2, x) == pytest.approx(math.exp(-x) * (1 + x), rel=1e-12)
    for x in (1.0, 7.5):
        assert gamma.lower(2, x) == pytest.approx(1 - math.exp(-x) * (1 + x), rel=1e-12)


SHAPES = [0.05, 0.5, 1, 2, 3.7, 10, 37, 100, 1_000, 5_000, 50_000]
POINTS = [1e-3, 0.1, 1, 5, 20, 100, 1_000, 5_000, 60_000]
PROBABILITIES = [0.001, 0.025, 0.05, 0.5, 0.95, 0.975, 0.999]


@pytest.mark.parametrize("a", SHAPES)
def test_lower_and_upper_agree_with_scipy(a):
    for x in POINTS:
        assert gamma.lower(a, x) == pytest.approx(gammainc(a, x), rel=1e-10, abs=1e-300)
        assert gamma.upper(a, x) == pytest.approx(gammaincc(a, x), rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("a", [1, 2, 3, 5, 10, 37, 100, 1_000, 5_000, 50_000])
def test_quantile_agrees_with_scipy(a):
    for p in PROBABILITIES:
        assert gamma.quantile(a, p) == pytest.approx(gammaincinv(a, p), rel=1e-11)


@pytest.mark.parametrize("x", [0.01, 0.3, 1, 3.7, 10, 40, 100, 1_000, 5_000, 50_000])
def test_shape_agrees_with_scipy(x):
    for p in PROBABILITIES:
        a = gamma.shape(p, x)
        assert a == pytest.approx(gdtrib(1, p, x), rel=1e-11)
        assert gamma.lower(a, x) == pytest.approx(p, rel=1e-9)


@pytest.mark.parametrize("call", [lambda: gamma.quantile(0, 0.5), lambda: gamma.quantile(2, 1.0),
                                  lambda: gamma.shape(0.5, 0), lambda: gamma.shape(0, 3)])
def test_outside_the_domain_is_refused(call):
    with pytest.raises(ValueError):
        call()
