"""Tables munro publishes: a breakdown with its total, a cross-tab with margins, a percentage.

Each builds cells and equations for :mod:`.engine` and gives back the same
shape with suppressed cells as ``'c'``.
"""

from __future__ import annotations

from collections.abc import Mapping

from .cells import THRESHOLD, C, check_count, suppress_derived
from .engine import suppress_linked

TOTAL = "total"


def suppress_breakdown(parts: Mapping[str, int], total: int | None = None, *,
                       threshold: int = THRESHOLD) -> tuple[dict, int | str]:
    """Bands or groups that add up to a published total: ``(parts, total)`` made safe.

    ``total`` defaults to the sum of the parts; a total that is not their sum
    is refused (overlapping groups are not a breakdown: suppress each count
    on its own). The total is hidden only when it is itself 1..threshold, or
    as a last resort when no part can hide a cell (see :mod:`.engine`).
    """
    parts = {k: check_count(v, f"part {k!r}") for k, v in parts.items()}
    total = sum(parts.values()) if total is None else check_count(total, "total")
    keys = [("part", k) for k in parts]
    values = {**{("part", k): v for k, v in parts.items()}, ("total",): total}
    out = suppress_linked(values, [(("total",), keys)], threshold=threshold)
    return {k: out[("part", k)] for k in parts}, out[("total",)]


def crosstab_cells(cells: Mapping[str, Mapping[str, int]]) -> tuple[dict, list]:
    """Cells and equations of a cross-tab with row, column and grand totals (keys as in the output)."""
    rows = list(cells)
    cols = list(dict.fromkeys(c for r in rows for c in cells[r]))
    values = {("cell", r, c): check_count(cells[r].get(c, 0), f"cell {r!r}/{c!r}") for r in rows for c in cols}
    for r in rows:
        values[("row", r)] = sum(values[("cell", r, c)] for c in cols)
    for c in cols:
        values[("col", c)] = sum(values[("cell", r, c)] for r in rows)
    values[(TOTAL,)] = sum(values[("row", r)] for r in rows)
    eqs = [(("row", r), [("cell", r, c) for c in cols]) for r in rows]
    eqs += [(("col", c), [("cell", r, c) for r in rows]) for c in cols]
    eqs += [((TOTAL,), [("row", r) for r in rows]), ((TOTAL,), [("col", c) for c in cols])]
    return values, eqs


def suppress_crosstab(cells: Mapping[str, Mapping[str, int]], *, threshold: int = THRESHOLD) -> dict:
    """A cross-tab ``{row: {column: count}}`` with its margins, made safe.

    Returns ``{"cells": {row: {column: ...}}, "row_totals": {row: ...},
    "column_totals": {column: ...}, "total": ...}``; margins are computed
    from the cells (a missing cell counts as 0).
    """
    values, eqs = crosstab_cells(cells)
    out = suppress_linked(values, eqs, threshold=threshold)
    rows = list(cells)
    cols = list(dict.fromkeys(c for r in rows for c in cells[r]))
    return {
        "cells": {r: {c: out[("cell", r, c)] for c in cols} for r in rows},
        "row_totals": {r: out[("row", r)] for r in rows},
        "column_totals": {c: out[("col", c)] for c in cols},
        "total": out[(TOTAL,)],
    }


def safe_percent(numerator: int, denominator: int, *, threshold: int = THRESHOLD,
                 min_denominator: int | None = None) -> tuple:
    """``(numerator, denominator, percent)`` as published: percent unrounded, or ``'c'``.

    The rest (denominator - numerator) is a count too: "97 of 100" says
    3 were not, so a rest of 1..threshold hides the numerator. The percent is
    hidden whenever the numerator or denominator is. Together these publish a
    percentage of a denominator from 6 to 11 only when it is 0% or 100%.
    ``min_denominator`` adds the DfE-style rule of some tables: no percentage
    of fewer than that many (the counts still follow their own rules).
    """
    numerator, denominator = check_count(numerator, "numerator"), check_count(denominator, "denominator")
    if numerator > denominator:
        raise ValueError(f"numerator {numerator} is larger than denominator {denominator}")
    values = {"numerator": numerator, "denominator": denominator, "rest": denominator - numerator}
    out = suppress_linked(values, [("denominator", ["numerator", "rest"])], threshold=threshold,
                          hidden={"rest"})
    pct = numerator / denominator * 100.0 if denominator else None
    pct = suppress_derived(pct, out["numerator"], out["denominator"])
    if pct is not None and min_denominator is not None and denominator < min_denominator:
        pct = C
    return out["numerator"], out["denominator"], pct
