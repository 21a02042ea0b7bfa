"""Agreement between two graders: percent agreement and Cohen's kappa (unweighted, linear, quadratic).

Cohen's kappa (Cohen 1960) corrects the share of files two auditors grade
alike for the agreement their own grade distributions would give by chance:
kappa = (po - pe) / (1 - pe). The weighted forms (Cohen 1968) count a
"Good" against "Requires improvement" as a near miss, which suits the
ordered Ofsted scale; munro reports the unweighted one as the headline,
as audit moderation reports usually do, and the linear one beside it.
Checked against the worked examples of ``tests/local/test_agreement.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence


def percent_agreement(pairs: Iterable[tuple]) -> float | None:
    """Share of pairs graded alike, as a percentage; None for no pairs."""
    pairs = list(pairs)
    return 100.0 * sum(a == b for a, b in pairs) / len(pairs) if pairs else None


def cohen_kappa(pairs: Iterable[tuple], categories: Sequence | None = None, weights: str | None = None) -> float | None:
    """Cohen's kappa of (first grader, second grader) pairs; None when it is undefined.

    ``categories`` gives the order of an ordered scale (needed for weights;
    default: the grades seen, sorted). ``weights``: None, ``"linear"`` or
    ``"quadratic"``. Undefined (None) with no pairs, or when chance agreement
    is already complete (both graders gave one and the same grade to every file).
    """
    pairs = list(pairs)
    if not pairs:
        return None
    cats = list(categories) if categories is not None else sorted({g for p in pairs for g in p})
    index = {c: i for i, c in enumerate(cats)}
    missing = {g for p in pairs for g in p} - set(index)
    if missing:
        raise ValueError(f"grades not in the categories: {sorted(missing)}")
    k = len(cats)
    if weights is None:
        w = [[0.0 if i == j else 1.0 for j in range(k)] for i in range(k)]  # disagreement weights
    elif weights in ("linear", "quadratic"):
        power = 1 if weights == "linear" else 2
        w = [[abs(i - j) ** power / (k - 1) ** power if k > 1 else 0.0 for j in range(k)] for i in range(k)]
    else:
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")
    n = len(pairs)
    observed = Counter((index[a], index[b]) for a, b in pairs)
    rows = Counter(index[a] for a, _ in pairs)
    cols = Counter(index[b] for _, b in pairs)
    # kappa = 1 - (weighted observed disagreement) / (weighted disagreement expected by chance)
    obs = sum(w[i][j] * c for (i, j), c in observed.items()) / n
    exp = sum(w[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k)) / (n * n)
    return None if exp == 0 else 1.0 - obs / exp
