"""A drill-down by team or worker (munro.indicators.drill) as it is shown: disclosure control across units.

Above both munro.indicators and munro.disclosure (which sit side by side), as the report is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..disclosure.cells import THRESHOLD, C, is_small
from ..disclosure.engine import protect
from ..disclosure.items import RULE_LA
from ..indicators.drill import COUNTS, RATE_NOTE, TOTAL, Breakdown, headline, unit_rule
from ..indicators.drill_output import cell


def shown(b: Breakdown, *, controlled: bool | None = None) -> dict[str, Any]:
    """The breakdown as it is shown (JSON form): per item, each unit's headline figures and the LA's.

    ``controlled`` (default: unless the breakdown is by worker, which is shown only in restricted
    outputs) applies disclosure control (definitions.md section 1, munro.disclosure) across the units
    and the LA total together: counts 1 to 5 are ``c``, with further counts hidden where a hidden one
    could be worked out from the others and the total, and a unit's value and median hidden with any
    of its counts. Uncontrolled (restricted) outputs give every figure, and mark ``small`` a unit
    whose figures rest on 1 to 5 records.
    """
    controlled = not b.restricted if controlled is None else controlled
    out: dict[str, Any] = {
        "la": b.la, "period": b.period.label, "as_at": b.period.end.isoformat(), "by": b.by,
        "units": list(b.units), "restricted": b.restricted, "history_years": b.history_years,
        "rule": unit_rule(b.by), "items": {}, "not_broken_down": dict(b.not_broken)}
    if controlled:
        out["disclosure"] = RULE_LA.format(t=THRESHOLD)
    for i, per_unit in b.items.items():
        rows = {name: headline(r) for name, r in per_unit.items()}
        rows[TOTAL] = headline(b.total[i])
        if controlled:
            rows = _controlled(rows)
        else:
            for row in rows.values():
                base = row.get("denominator", row.get("count"))
                if isinstance(base, int) and is_small(base):
                    row["small"] = True
        entry = {"drill": b.drill(i), "units": {n: rows[n] for n in b.units}, "total": rows[TOTAL]}
        if b.drill(i) == "count":
            entry["note"] = RATE_NOTE
        out["items"][i] = entry
    return out


def _controlled(rows: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``rows`` (unit -> headline figures, the LA total among them) with disclosure control applied."""
    out = {u: dict(r) for u, r in rows.items()}
    units = [u for u in rows if u != TOTAL]
    columns = [c for c in COUNTS if all(isinstance(r.get(c), int) and not isinstance(r.get(c), bool)
                                        for r in rows.values())]
    # A count the same as an earlier one in every row (a rate's count is its numerator) is that cell again.
    alias = {c: next((e for e in columns[:k] if all(r[e] == r[c] for r in rows.values())), c)
             for k, c in enumerate(columns)}
    own = [c for c in columns if alias[c] == c]
    values = {(c, u): rows[u][c] for c in own for u in rows}
    equations = [((c, TOTAL), [(c, u) for u in units]) for c in own]
    hidden = set()
    if "numerator" in own and "denominator" in own:  # the rest of a percentage adds up too, unpublished
        for u in rows:
            values[("rest", u)] = rows[u]["denominator"] - rows[u]["numerator"]
            hidden.add(("rest", u))
            equations.append((("denominator", u), [("numerator", u), ("rest", u)]))
        equations.append((("rest", TOTAL), [("rest", u) for u in units]))
    if any(v < 0 for v in values.values()):
        return {u: {k: C for k in r} for u, r in out.items()}  # not a table of counts: show nothing
    suppressed = protect(values, equations, hidden=hidden)
    for u, row in out.items():
        hit = False
        for c in columns:
            if (alias[c], u) in suppressed:
                row[c], hit = C, True
        if hit:
            for k in ("value", "median"):
                if k in row:
                    row[k] = C
    return out


LABELS = {"value": "Value", "numerator": "Of which", "denominator": "Out of", "count": "Count",
          "median": "Median (working days)"}
WHOLE = "Whole authority"


def table(entry: Mapping[str, Any], unit: str) -> tuple[list[str], list[tuple[str, list[str], bool]]]:
    """One item of ``shown`` as a table for people (the web's drill-down page and the report's appendix):
    (column labels, rows of (unit, cells as shown, small)), the units then the whole authority; a count
    that repeats the denominator in every row is shown once."""
    units = [*entry["units"].items(), (WHOLE, entry["total"])]
    keys = [k for k in LABELS if any(k in r for _, r in units)]
    if "denominator" in keys and all(r.get("count") == r.get("denominator") for _, r in units):
        keys.remove("count")
    return [LABELS[k] for k in keys], [(u, [cell(r.get(k), unit, k) for k in keys], bool(r.get("small")))
                                       for u, r in units]


__all__ = ["shown", "table", "LABELS", "WHOLE"]
