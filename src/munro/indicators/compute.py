"""Compute the information items for one LA and reporting year.

``compute(db, la, year)`` opens the store (or uses an engine already
connected), builds the context (the year's window, the LA's merged history,
the calendar, the population) and runs each requested item. The result::

    {"la": "330", "year": 2025, "history_years": [2023, 2024, 2025],
     "items": {"referral_rate": ItemResult(...), ...}}

``as_json(result)`` turns the ItemResults into plain dicts. Values are
unrounded. Every item is None with a reason when the year's own return is
not loaded (the merged history would hold only the part of the year that a
later return repeats).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..errors import MunroError
from .catalogue import ITEMS as REGISTERED
from .catalogue import item as catalogue_item
from .context import Context
from .result import ItemResult

# id -> function(Context) -> {la: ItemResult}: every registered item, in definitions.md order (section 2,
# then the section 3 items an LA imports its own figure for).
ITEMS: dict[str, Callable[[Context], dict[str, ItemResult]]] = {i: entry.compute for i, entry in REGISTERED.items()}
PopulationArg = Mapping | Callable[[str, int], Any] | None


def _population_fn(population: PopulationArg):
    """A callable (la, year) -> population from the argument (None: the packaged ONS estimates)."""
    if population is None or callable(population):
        return population
    if isinstance(population, Mapping):
        def lookup(la: str, year: int):
            if (la, year) in population:
                return population[(la, year)]
            return population.get(la)
        return lookup
    raise TypeError("population must be a mapping {(la, year) or la: int} or a callable (la, year) -> int")


def _store_population(engine):
    """The store's own denominators: ONS estimates, or the user's overrides (munro population set)."""
    return engine.population


def _standard(days) -> int:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 100:
        raise MunroError(f"the visiting standard must be a whole number of working days from 1 to 100, not {days!r}")
    return days


def _wanted(items: Iterable[str] | None) -> list[str]:
    if items is None:
        return list(ITEMS)
    items = list(items)
    unknown = [i for i in items if i not in ITEMS]
    if unknown:
        raise MunroError(f"unknown item(s): {', '.join(unknown)} (known: {', '.join(ITEMS)})")
    return items


def compute(db, la: str, year: int, items: Iterable[str] | None = None,
            population: PopulationArg = None, visiting_standard: int = 10) -> dict[str, Any]:
    """The items of definitions.md for LA ``la`` and reporting year ``year``.

    ``db`` is the path of a munro store or a connected :class:`munro.engines.Engine`.
    ``population`` overrides the 0-17 population: a mapping keyed by (la, year) or by
    la, or a callable (la, year) -> int | None; by default the store's own
    (``munro.population.population_for``: ONS estimates or the user's overrides).
    ``visiting_standard`` is child_seen_per_cpp's longest gap between visits, in working days.
    """
    from ..engines import engine_for

    wanted = _wanted(items)
    la, year = str(la), int(year)
    with engine_for(db) as engine:
        history = engine.history()
        years = history.get(la, [])
        out: dict[str, Any] = {"la": la, "year": year, "history_years": years, "items": {}}
        if year not in years:
            reason = f"needs the {year} return" + ("" if years else f" (no returns for LA {la} are loaded)")
            out["items"] = {i: ItemResult.missing(i, catalogue_item(i).unit, reason) for i in wanted}
            return out
        ctx = Context(year=year, las=(la,), t=engine.tables([la]), history={la: years},
                      population=_population_fn(population) or _store_population(engine),
                      local=engine.local_history(), visiting_standard=_standard(visiting_standard))
        for item in wanted:
            out["items"][item] = ITEMS[item](ctx)[la]
        return out


def compute_all(db, year: int, items: Iterable[str] | None = None,
                population: PopulationArg = None, visiting_standard: int = 10) -> list[dict[str, Any]]:
    """``compute`` for every LA in the store, in one pass over all their merged history.

    The items group by LA, so a pooled store is computed by the engine at once, not by a
    Python loop over LAs. Returns one result per LA (sorted by code), as ``compute`` does.
    """
    from ..engines import engine_for

    wanted = _wanted(items)
    year = int(year)
    with engine_for(db) as engine:
        history = engine.history()
        ready = tuple(la for la in sorted(history) if year in history[la])
        results: dict[str, dict[str, ItemResult]] = {}
        if ready:
            ctx = Context(year=year, las=ready, t=engine.tables(None), history={la: history[la] for la in ready},
                          population=_population_fn(population) or _store_population(engine),
                          local=engine.local_history(), visiting_standard=_standard(visiting_standard))
            results = {i: ITEMS[i](ctx) for i in wanted}
        out = []
        for la in sorted(history):
            if la in ready:
                found = {i: results[i][la] for i in wanted}
            else:
                found = {i: ItemResult.missing(i, catalogue_item(i).unit, f"needs the {year} return") for i in wanted}
            out.append({"la": la, "year": year, "history_years": history[la], "items": found})
        return out


def as_json(result: Mapping[str, Any]) -> dict[str, Any]:
    """``compute``'s result with every ItemResult as its dict form."""
    return {**result, "items": {i: r.to_dict() for i, r in result["items"].items()}}


__all__ = ["compute", "compute_all", "as_json", "ITEMS"]
