"""Secondary suppression over any set of cells linked by totals.

A table is described as cells (key -> count) and equations ``(total, parts)``
meaning ``values[total] == sum(values[p] for p in parts)``: a row or column
with its margin, bands with their count, groups with their total, a
numerator with the denominator and the unpublished rest. Some cells may be
*hidden*: never published, but fixed by the others (the rest of a
denominator); a hidden cell of 1..threshold must stay unrecoverable too.

The rule (definitions.md section 1, DfE practice):

1. primary: every published cell of 1..threshold is suppressed;
2. classic secondary: an equation in which exactly one cell that must be
   protected is unknown lets a reader subtract it out, so one more of its
   published cells is suppressed: the smallest non-zero part, else a zero
   part, else the total (only when nothing else in it can hide the cell);
3. audit: rows and columns together can still pin a cell down (a chain of
   suppressions joined by a single cell), so the system is solved exactly
   (Gaussian elimination over fractions) and, while any protected cell is
   determined, another cell of an equation holding it is suppressed.
   Repeat 2-3 until nothing changes; cells only ever get added, so it ends.
4. release: a secondary cell that later choices made unnecessary is
   published again (largest first) if the audit still finds nothing.

Zeros are never primary (a zero is not disclosive by itself) and come after
every non-zero part as secondary candidates: hiding a 0 next to a 3 only
tells the reader that the two together are 3.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence

from .cells import THRESHOLD, C, check_count, is_small

Equation = tuple[Hashable, Sequence[Hashable]]


def suppress_linked(values: Mapping[Hashable, int], equations: Iterable[Equation] = (), *,
                    threshold: int = THRESHOLD, hidden: Iterable[Hashable] = (),
                    forced: Iterable[Hashable] = ()) -> dict:
    """The published cells of ``values`` with suppressed ones as ``'c'`` (hidden cells left out).

    ``forced`` cells are suppressed whatever their value (a survey group below
    its minimum size) and protected like primary ones.
    """
    hidden = set(hidden)
    supp = protect(values, equations, threshold=threshold, hidden=hidden, forced=forced)
    return {k: C if k in supp else v for k, v in values.items() if k not in hidden}


def protect(values: Mapping[Hashable, int], equations: Iterable[Equation] = (), *,
            threshold: int = THRESHOLD, hidden: Iterable[Hashable] = (),
            forced: Iterable[Hashable] = ()) -> set:
    """The set of published cells to suppress (see the module docstring for the rule)."""
    hidden, forced = set(hidden), set(forced)
    eqs = [(t, tuple(parts)) for t, parts in equations]
    _check(values, eqs, hidden, forced)
    # A cell on both sides of an equation (a total that is also a part) cancels out.
    eqs = [(t, _terms(t, parts)) for t, parts in eqs]
    # Shortest equations first: a cell chosen for a short one (a subtotal) often protects the
    # longer one holding it too, where the other order hides a cell for each.
    eqs = sorted(((t, terms) for t, terms in eqs if terms), key=lambda eq: len(eq[1]))
    order = {k: i for i, k in enumerate(values)}
    small = {k for k, v in values.items() if is_small(v, threshold)}
    primary = (small | forced) - hidden
    suppressed = set(primary)
    zeros_left = set()  # hidden zeros the totals fix: they only reveal a 0, which is not disclosive
    while True:
        unknown = suppressed | hidden
        must = (suppressed | (small & hidden)) - zeros_left
        pick = _classic(eqs, unknown, must, values, order)
        if pick is None:
            exposed = sorted(_determined(eqs, unknown) & must, key=order.__getitem__)
            if not exposed:
                return _release(eqs, suppressed, primary, hidden, small, zeros_left, values, order)
            x = exposed[0]
            pick = _nearest_candidate(eqs, x, unknown, values, order)
            if pick is None:
                if values[x] != 0:  # no equation holding it has a published cell left: not a real table
                    raise RuntimeError(f"cannot protect cell {x!r}")
                zeros_left.add(x)
                continue
        suppressed.add(pick)


def _release(eqs, suppressed, keep, hidden, small, zeros_left, values, order):
    """Publish again each secondary cell, largest first, whose hiding turned out not to be needed.

    An early choice can be made redundant by a later one (two bands hidden
    for one 3 where one would do); the audit decides, so safety is unchanged.
    """
    for x in sorted(suppressed - keep, key=lambda k: (-values[k], -order[k])):
        unknown = (suppressed - {x}) | hidden
        must = ((suppressed - {x}) | (small & hidden)) - zeros_left
        if not _determined(eqs, unknown) & must:
            suppressed = suppressed - {x}
    return suppressed


def _terms(total, parts) -> dict:
    """The equation as {cell: coefficient} (total +1, each part -1), cancelled terms dropped."""
    terms = {total: 1}
    for p in parts:
        terms[p] = terms.get(p, 0) - 1
    return {k: c for k, c in terms.items() if c}


def recoverable(published: Mapping[Hashable, object], equations: Iterable[Equation]) -> set:
    """The ``'c'`` cells of ``published`` that the published numbers and equations determine exactly.

    Cells named in the equations but absent from ``published`` are unknown too.
    An empty set means no suppressed cell can be worked out by any linear
    combination of the totals (the check the tests and the survey code use).
    """
    eqs = [(t, _terms(t, parts)) for t, parts in equations]
    named = {k for _, terms in eqs for k in terms}
    unknown = {k for k in named if k not in published or published[k] == C}
    return _determined(eqs, unknown) & {k for k, v in published.items() if v == C}


def _determined(equations, unknown: set) -> set:
    """Unknown cells whose value the equations ``(total, {cell: coefficient})`` fix, whatever the unknowns are."""
    cols = sorted({k for _, terms in equations for k in terms if k in unknown}, key=repr)
    index = {k: i for i, k in enumerate(cols)}
    rows = []
    for _, terms in equations:
        row = [0] * len(cols)
        for k, c in terms.items():
            if k in index:
                row[index[k]] += c
        if any(row):
            rows.append(row)
    # Reduced row echelon form in whole numbers (each row divided by its gcd, so they stay
    # small): a cell is determined when its pivot row has no other unknown.
    out, r = set(), 0
    pivots = []
    for c in range(len(cols)):
        p = next((i for i in range(r, len(rows)) if rows[i][c]), None)
        if p is None:
            continue
        rows[r], rows[p] = rows[p], rows[r]
        lead = rows[r][c]
        for i in range(len(rows)):
            if i != r and rows[i][c]:
                f = rows[i][c]
                rows[i] = _reduced([a * lead - f * b for a, b in zip(rows[i], rows[r])])
        pivots.append((r, c))
        r += 1
    for r, c in pivots:
        if sum(1 for x in rows[r] if x) == 1:
            out.add(cols[c])
    return out


def _reduced(row):
    g = math.gcd(*row)
    return [x // g for x in row] if g > 1 else row


def _classic(eqs, unknown, must, values, order):
    """A cell to suppress for the first equation with exactly one unknown that must be protected."""
    for eq in eqs:
        unk = [k for k in eq[1] if k in unknown]
        if len(unk) == 1 and unk[0] in must:
            pick = _candidate(eq, unknown, values, order)
            if pick is not None:
                return pick
    return None


def _nearest_candidate(eqs, x, unknown, values, order):
    """A cell to suppress so that ``x`` is no longer determined: from an equation holding it, else from the
    nearest equation joined to it through unknown cells (a chain of them is what pins ``x`` down, so
    one more unknown on that chain frees it); None when nothing joined to it is left to hide."""
    reached, done = {x}, set()
    while True:
        layer = [i for i, eq in enumerate(eqs) if i not in done and reached & eq[1].keys()]
        if not layer:
            return None
        for i in layer:
            pick = _candidate(eqs[i], unknown, values, order)
            if pick is not None:
                return pick
        done.update(layer)
        reached |= {k for i in layer for k in eqs[i][1] if k in unknown}


def _candidate(eq, unknown, values, order):
    """Smallest non-zero published part, else a zero part, else the total, else None."""
    total, terms = eq
    free = [p for p in terms if p not in unknown and p != total]
    nonzero = sorted((p for p in free if values[p] > 0), key=lambda p: (values[p], order[p]))
    zeros = sorted((p for p in free if values[p] == 0), key=order.__getitem__)
    if nonzero or zeros:
        return (nonzero or zeros)[0]
    return None if total in unknown or total not in terms else total


def _check(values, eqs, hidden, forced):
    for k, v in values.items():
        check_count(v, f"cell {k!r}")
    for t, parts in eqs:
        missing = [k for k in (t, *parts) if k not in values]
        if missing:
            raise ValueError(f"equation for {t!r} names cells without a value: {missing!r}")
        if values[t] != sum(values[p] for p in parts):
            raise ValueError(f"cells do not add up: {t!r} is {values[t]}, its parts sum to "
                             f"{sum(values[p] for p in parts)}")
    for name, keys in (("hidden", hidden), ("forced", forced)):
        stray = set(keys) - set(values)
        if stray:
            raise ValueError(f"{name} cells without a value: {sorted(map(repr, stray))}")
