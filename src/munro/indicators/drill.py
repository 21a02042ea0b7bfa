"""One LA's items broken down by team or by worker, for one period (docs/drill-down.md).

The trick of ``groups.py`` the other way round: there, several LAs are read as one; here one LA is
read as several "units". Each child is given one unit for the period (its team, or its worker), and
every table of the LA's merged history has ``la_code`` rewritten to the unit's code ("330/Team A"),
joined on ``la_child_id``. Every item groups by ``la_code``, so each gives per-unit figures
unchanged, on every engine, and the units' counts add up to the LA's.

A child's unit is read from the social worker allocations (the ``sw-allocations`` local records) as
at the period's end R:

1. the allocation open at R (started on or before R, and not ended, or ended after R: the rule of
   "open at R" everywhere else); of several open at R, the one that started last;
2. else the allocation that started last on or before R (a case closed before R stays with the
   worker, and team, who last held it);
3. else the child is "Unallocated" (no allocation started on or before R). An allocation that
   starts after R has not happened yet.

Ties on the start date go to the allocation that ended last (an open one first), then to the
smallest worker identifier, so the choice never depends on the engine. By team, the team is the
chosen allocation's ``team`` ("No team recorded" where it is empty).

How an item breaks down is declared in its registration (``Item.drill``, munro.indicators.registry):
a rate per 10,000 divides by the LA's 0-17 population, which no team or worker has, so only its
count is given per unit; an LA's own imported figures (definitions.md section 3) are not broken down.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

import ibis
import ibis.expr.types as ir

from ..engines import Tables, engine_for
from ..errors import MunroError
from ..localdata.layouts import SW_ALLOCATIONS
from ..population import Population
from ..store.returns import require_return
from ..years import Period
from .catalogue import item as catalogue_item
from .compute import Db, PopulationArg, _needs, _wanted, compute_keys
from .context import Key
from .result import ItemResult
from .series import check_as_at

BY = ("team", "worker")
UNALLOCATED = "Unallocated"
NO_TEAM = "No team recorded"
_OPEN = dt.date(9999, 12, 31)  # an allocation not ended sorts after any end date, on every engine
RATE_NOTE = ("a rate per 10,000 children is not broken down (it divides by the LA's 0-17 population, "
             "which no team or worker has): the count it is computed from is given instead")
NOT_BROKEN = {"none": "the LA's own figures, imported as published: not broken down by team or worker"}


@dataclasses.dataclass
class Breakdown:
    """``breakdown``'s result: per item, each unit's ItemResult and the LA's own (``total``)."""

    la: str
    period: Period
    by: str
    units: list[str]  # the units' names, in the order shown (no team, then unallocated, last)
    items: dict[str, dict[str, ItemResult]]  # item -> unit name -> result
    total: dict[str, ItemResult]  # item -> the LA's result (every item asked for)
    not_broken: dict[str, str]  # item -> why it is not broken down
    history_years: list[int]

    @property
    def restricted(self) -> bool:
        """A breakdown by worker names staff: it is shown only where child lists are (docs/drill-down.md)."""
        return self.by == "worker"

    def drill(self, item_id: str) -> str:
        return str(catalogue_item(item_id).drill)  # set by the register: never None


def unit_code(la: str, name: str) -> str:
    """The code a unit is computed under: the LA's code and the unit's name ("330/Team A")."""
    return f"{la}/{name}"


def breakdown(db: Db, la: str, period: Period | int, items: Iterable[str] | None = None, by: str = "team", *,
              population: PopulationArg = None, visiting_standard: int = 10) -> Breakdown:
    """LA ``la``'s items for ``period`` (a ``Period``, or a reporting year) per team or per worker (``by``).

    ``db`` is a store's path or a connected engine. ``items`` as for ``compute`` (default: every item);
    ``population`` and ``visiting_standard`` are the LA total's, as for ``compute``. Refused in one line
    (MunroError): an unknown ``by``, no return for the period's year, no allocations loaded for the LA, or
    by team when the allocations loaded have no team.
    """
    if by not in BY:
        raise MunroError(f"unknown --by {by!r}: drill down by {' or '.join(BY)}")
    period = period if isinstance(period, Period) else Period.of_year(int(period))
    la = str(la)
    wanted = _wanted(items)
    with engine_for(db) as engine:
        history = engine.history()
        if period.is_year:
            years = require_return(None, la, period.year, history.get(la, []))
        else:  # any other day R: refused as compute_as_at refuses it; the data R needs is compute_keys' check
            check_as_at(period.end, loaded=history, la=la)
            years = sorted(history.get(la, []))
        lacking = _needs(la, period, history, engine.extracts())
        if lacking is not None:  # every unit's figure would be missing, for the same reason
            raise MunroError(f"cannot break down LA {la}'s figures for the {period.label}: the period {lacking} "
                             "(munro ingest loads it)")
        local = engine.local_history().get(la, {})
        if SW_ALLOCATIONS.kind not in local:
            raise MunroError(f"no social worker allocations are loaded for LA {la}: load them with munro ingest "
                             f"(the {SW_ALLOCATIONS.kind} layout, docs/local-data.md) to drill down by {by}")
        tables = engine.tables([la])
        units = _units(tables.sw_allocations, la, period.end, by)
        names = _names(units, by)
        codes = {name: unit_code(la, name) for name in names}
        split = [i for i in wanted if catalogue_item(i).drill != "none"]
        found = compute_keys(engine, codes.values(), [period], split, population=_no_population,
                             visiting_standard=visiting_standard, tables=_as_units(tables, la, units),
                             history={c: years for c in codes.values()},
                             local={c: local for c in codes.values()},
                             extracts={c: engine.extracts().get(la, []) for c in codes.values()},
                             annex_a={c: engine.annex_a_cover().get(la, []) for c in codes.values()})
        total = compute_keys(engine, [la], [period], wanted, population, visiting_standard)[Key(la, period)]
    per_item = {i: {name: _shown(found[Key(codes[name], period)][i]) for name in names} for i in split}
    return Breakdown(la=la, period=period, by=by, units=names, items=per_item, total=total,
                     not_broken={i: NOT_BROKEN[str(catalogue_item(i).drill)] for i in wanted if i not in split},
                     history_years=years)


def _no_population(_la: str, _year: int) -> Population:
    return Population(None, reason=RATE_NOTE)


def _shown(result: ItemResult) -> ItemResult:
    """A unit's result as the drill-down gives it: a rate's count only, without a population."""
    if result.unit != "per_10k":
        return result
    figures = {k: v for k, v in result.figures.items() if not k.startswith("population")}
    groups = None if result.groups is None else {
        g: {k: v for k, v in fig.items() if k != "rate"} for g, fig in result.groups.items()}
    return dataclasses.replace(result, value=None, reason=RATE_NOTE, denominator=None, figures=figures,
                               groups=groups)


def _units(allocations: ir.Table, la: str, end: dt.date, by: str) -> ir.Table:
    """(la_child_id, unit): each child's unit at ``end`` (the module's rule), from the LA's allocations."""
    a = allocations.filter((allocations.la_code == la) & (allocations.start_date <= end))
    is_open = (a.end_date.isnull() | (a.end_date > end)).cast("int32")
    last = ibis.row_number().over(group_by=a.la_child_id, order_by=[
        ibis.desc(is_open), ibis.desc(a.start_date), ibis.desc(a.end_date.fill_null(_OPEN)), a.worker_id])
    a = a.mutate(_rank=last)
    a = a.filter(a._rank == 0)
    if by == "worker":
        name = a.worker_id.cast("string")
    else:
        team = a.team.cast("string").strip()
        name = ibis.ifelse(team.isnull() | (team == ""), ibis.literal(NO_TEAM), team)
    return a.select(_child=a.la_child_id, _unit=name)


def _names(units: ir.Table, by: str) -> list[str]:
    """The units present, in order: by name (case aside), then no team, then unallocated (shown even when
    empty: that every child is allocated is worth seeing)."""
    found = {str(x) for x in units.select("_unit").distinct().to_pyarrow().column("_unit").to_pylist()}
    if by == "team" and found <= {NO_TEAM}:
        raise MunroError("the social worker allocations loaded have no team: drill down by worker, or load "
                         "allocations with a team column (docs/local-data.md)")
    named = sorted(found - {NO_TEAM}, key=lambda n: (n.casefold(), n))
    return named + ([NO_TEAM] if NO_TEAM in found else []) + [UNALLOCATED]  # unallocated always shown


def _as_units(tables: Tables, la: str, units: ir.Table) -> Tables:
    """The LA's tables with ``la_code`` each child's unit's code (``UNALLOCATED``'s when it has none)."""
    prefix = ibis.literal(unit_code(la, ""))

    def one(name: str, t: ir.Table) -> ir.Table:
        if name == "own_figures":
            return t.filter(ibis.literal(False))
        if "la_child_id" not in t.columns:
            return t
        t = t.filter(t.la_code == la)
        j = t.left_join(units, t.la_child_id == units._child)
        j = j.mutate(la_code=prefix.concat(j._unit.fill_null(UNALLOCATED)))
        return j.select(*t.columns)

    return dataclasses.replace(tables, **{f.name: one(f.name, getattr(tables, f.name))
                                          for f in dataclasses.fields(tables) if f.name != "calendar"})


# ---------------------------------------------------------------- what is shown (munro.report.drill controls it)

HEADLINE = ("value", "numerator", "denominator", "count", "median")
COUNTS = ("numerator", "denominator", "count")
TOTAL = "LA total"


def unit_rule(by: str) -> str:
    what = "team" if by == "team" else "worker"
    return (f"each child counted under the {what} of its social worker allocation open at the period's end "
            f"(else the one that started last before it; {UNALLOCATED} when none had started)")


def headline(r: ItemResult) -> dict[str, Any]:
    """The figures a drill-down shows of a unit's (or the LA's) result."""
    d = r.to_dict()
    # A rate's numerator is its count; its denominator, the population, is not broken down.
    row = {k: d[k] for k in (("count",) if r.unit == "per_10k" else HEADLINE) if d.get(k) is not None}
    if r.reason and r.value is None and r.unit != "per_10k":
        row["reason"] = r.reason
    return row


__all__ = ["BY", "Breakdown", "breakdown", "headline", "unit_code", "unit_rule", "UNALLOCATED", "NO_TEAM"]
