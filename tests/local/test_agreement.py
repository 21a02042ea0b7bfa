"""Percent agreement and Cohen's kappa against published worked examples.

Sources:
- Wikipedia, "Cohen's kappa", the worked example of 50 grant proposals read by
  two readers: both yes 20, A yes and B no 5, A no and B yes 10, both no 15;
  po = 0.7, pe = 0.5, kappa = 0.4.
- scikit-learn's tests (sklearn/metrics/tests/test_classification.py,
  test_cohen_kappa), whose examples are from Artstein and Poesio (2008),
  "Inter-coder agreement for computational linguistics": 0.348; 0.8013;
  0.9315, linear 0.9412, quadratic 0.9541.
Each is also worked by hand below.
"""

import pytest

from munro.local.agreement import cohen_kappa, percent_agreement


def _pairs(table):
    """Pairs from {(first, second): count}."""
    return [pair for pair, n in table.items() for _ in range(n)]


def test_wikipedia_grant_proposals():
    pairs = _pairs({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    # po = 35/50 = 0.7; A says yes 25/50, B 30/50: pe = 0.5*0.6 + 0.5*0.4 = 0.5; (0.7-0.5)/(1-0.5) = 0.4.
    assert percent_agreement(pairs) == pytest.approx(70.0)
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_artstein_poesio_two_categories():
    y1 = [0] * 40 + [1] * 60
    y2 = [0] * 20 + [1] * 20 + [0] * 10 + [1] * 50
    # po = 0.7, pe = 0.4*0.3 + 0.6*0.7 = 0.54, kappa = 0.16/0.46 = 0.3478.
    assert cohen_kappa(list(zip(y1, y2))) == pytest.approx(0.16 / 0.46)
    assert round(cohen_kappa(list(zip(y1, y2))), 3) == 0.348
    assert cohen_kappa(list(zip(y2, y1))) == cohen_kappa(list(zip(y1, y2)))


def test_artstein_poesio_three_categories_and_weights():
    y1 = [0] * 46 + [1] * 44 + [2] * 10
    assert round(cohen_kappa(list(zip(y1, [0] * 52 + [1] * 32 + [2] * 16))), 4) == 0.8013
    y2 = [0] * 50 + [1] * 40 + [2] * 10
    pairs = list(zip(y1, y2))
    # Table: (0,0) 46, (1,0) 4, (1,1) 40, (2,2) 10. po = 96/100 = 0.96; pe = .46*.50 + .44*.40 + .10*.10
    # = 0.416; kappa = (0.96 - 0.416) / (1 - 0.416) = 0.544/0.584 = 0.9315.
    assert cohen_kappa(pairs) == pytest.approx(0.544 / 0.584)
    assert round(cohen_kappa(pairs), 4) == 0.9315
    assert round(cohen_kappa(pairs, [0, 1, 2], weights="linear"), 4) == 0.9412
    assert round(cohen_kappa(pairs, [0, 1, 2], weights="quadratic"), 4) == 0.9541


def test_undefined_cases():
    assert cohen_kappa([]) is None and percent_agreement([]) is None
    assert cohen_kappa([("good", "good")] * 4) is None  # chance agreement is already complete
    assert cohen_kappa([("good", "good"), ("good", "inadequate")], ["good", "inadequate"]) == 0.0
    with pytest.raises(ValueError, match="grades not in the categories"):
        cohen_kappa([("good", "fine")], ["good"])
