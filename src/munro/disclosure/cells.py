"""Single figures: the GSS symbols, a count, a derived figure, a rounded total.

definitions.md section 1: counts from 1 to 5 are shown as ``c``; England and
regional totals are rounded to the nearest 10. Every function here is pure
and keeps a number a number; only a hidden figure becomes a string.
"""

from __future__ import annotations

import numbers

# Government Statistical Service symbols (definitions.md section 1).
C = "c"  # confidential: hidden by disclosure control
X = "x"  # not available
Z = "z"  # not applicable
U = "u"  # low reliability

THRESHOLD = 5  # counts 1..THRESHOLD are hidden (definitions.md section 1)

SYMBOLS = (C, X, Z, U)

LEVELS = ("la", "region", "england")  # where a figure is published; region and England are rounded


def check_count(n, what: str = "count") -> int:
    """``n`` as an int, or TypeError/ValueError: a count is a whole number >= 0 (never a bool)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be a whole number, not {n!r}")
    if n < 0:
        raise ValueError(f"{what} must not be negative, got {n}")
    return int(n)


def is_small(n: int, threshold: int = THRESHOLD) -> bool:
    """A count that must not be published: 1..threshold. Zero is not disclosive (DfE practice)."""
    return 1 <= n <= threshold


def suppress_count(n, threshold: int = THRESHOLD):
    """One count on its own: 1..threshold -> ``'c'``; 0 and larger counts unchanged.

    None (not computed) stays None: it is "not available", not a hidden cell,
    and the presenter shows it with its reason (or ``x``). A symbol already
    in place (``c``, ``x``, ``z``, ``u``) stays.
    """
    if n is None or (isinstance(n, str) and n in SYMBOLS):
        return n
    n = check_count(n)
    return C if is_small(n, threshold) else n


def round_to_10(n) -> int:
    """Nearest multiple of 10, halves rounded up: 1,234 -> 1,230; 1,235 -> 1,240; 5 -> 10.

    Halves go up (not Python's round-half-to-even, which gives round(1225, -1)
    == 1220) because that is the rule readers expect and what Excel's ROUND
    does, so an analyst checking a published total gets the same number.
    Integer arithmetic, so no float error near a half.
    """
    n = check_count(n)
    return (n + 5) // 10 * 10


def round_total(n, threshold: int = THRESHOLD):
    """An England or regional count: 1..threshold -> ``'c'``, otherwise rounded to the nearest 10.

    The small-count rule comes first: rounding 1-4 to 0 would say there were
    none, and 5 to 10 would overstate it; ``c`` keeps "1 to 5 is never shown".
    """
    n = suppress_count(n, threshold)
    return n if n is None or isinstance(n, str) else round_to_10(n)


def is_suppressed(x) -> bool:
    return isinstance(x, str) and x == C


def suppress_derived(value, *inputs):
    """A percentage, rate, median or mean: ``'c'`` when any figure it was computed from is ``'c'``.

    Otherwise unchanged (None stays None: nothing to hide).
    """
    if value is None:
        return None
    return C if any(is_suppressed(i) for i in inputs) else value
