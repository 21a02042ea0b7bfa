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

from ..engines import engine_for
from ..errors import MunroError
from ..years import Period
from .catalogue import ITEMS as REGISTERED
from .catalogue import item as catalogue_item
from .context import Context, Key
from .result import ItemResult

# id -> function(Context) -> {Key(la, period): ItemResult}: every registered item, in definitions.md order (section 2,
# then the section 3 items an LA imports its own figure for).
ITEMS: dict[str, Callable[[Context], dict[Key, ItemResult]]] = {i: entry.compute for i, entry in REGISTERED.items()}
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


def compute_keys(engine, las: Iterable[str], periods: Iterable[Period], items: Iterable[str] | None = None,
                 population: PopulationArg = None, visiting_standard: int = 10, *, tables=None,
                 history: Mapping[str, list[int]] | None = None,
                 local: Mapping[str, Any] | None = None,
                 annex_a: Mapping[str, list[tuple]] | None = None) -> dict[Key, dict[str, ItemResult]]:
    """Every item for every (LA, period) in one pass per item: the core of ``compute`` and its kin.

    ``engine`` is a connected :class:`munro.engines.Engine`. Each item runs once over all the LAs and
    periods, grouped by LA and period, so a trend or a series costs one query per item, not one per
    year. A key whose period's return is not loaded has every item None with the reason (the merged
    history would hold only the part of the year that a later return repeats). ``tables``, ``history``
    and ``local`` replace the engine's own (a group computed as one LA); ``annex_a`` the days the LAs'
    Annex A workbooks cover (``Engine.annex_a_cover``).
    """
    wanted = _wanted(items)
    las = tuple(sorted({str(la) for la in las}))
    periods = tuple(sorted(set(periods)))
    history = dict(engine.history() if history is None else history)
    out: dict[Key, dict[str, ItemResult]] = {}
    ready = {Key(la, p) for la in las for p in periods if p.year in history.get(la, [])}
    for key in (Key(la, p) for la in las for p in periods):
        if key not in ready:
            years = history.get(key.la, [])
            reason = f"needs the {key.period.year} return" + (
                "" if years else f" (no returns for LA {key.la} are loaded)")
            out[key] = {i: ItemResult.missing(i, catalogue_item(i).unit, reason) for i in wanted}
    use_las = tuple(sorted({k.la for k in ready}))
    use_periods = tuple(sorted({k.period for k in ready}))
    if not ready:
        return out
    ctx = Context(periods=use_periods, las=use_las,
                  t=tables if tables is not None else engine.tables(use_las if len(use_las) < 2 else None),
                  history={la: history.get(la, []) for la in use_las},
                  population=_population_fn(population) or _store_population(engine),
                  local=dict(engine.local_history() if local is None else local),
                  visiting_standard=_standard(visiting_standard),
                  annex_a=dict(engine.annex_a_cover() if annex_a is None else annex_a))
    for i in wanted:
        results = ITEMS[i](ctx)
        for key in ready:
            out.setdefault(key, {})[i] = results[key]
    return out


def compute(db, la: str, year: int, items: Iterable[str] | None = None,
            population: PopulationArg = None, visiting_standard: int = 10) -> dict[str, Any]:
    """The items of definitions.md for LA ``la`` and reporting year ``year``.

    ``db`` is the path of a munro store or a connected :class:`munro.engines.Engine`.
    ``population`` overrides the 0-17 population: a mapping keyed by (la, year) or by
    la, or a callable (la, year) -> int | None; by default the store's own
    (``munro.population.population_for``: ONS estimates or the user's overrides).
    ``visiting_standard`` is child_seen_per_cpp's longest gap between visits, in working days.
    """
    return compute_years(db, la, [year], items, population, visiting_standard)[int(year)]


def compute_years(db, la: str, years: Iterable[int], items: Iterable[str] | None = None,
                  population: PopulationArg = None, visiting_standard: int = 10) -> dict[int, dict[str, Any]]:
    """``compute`` for each of ``years`` of one LA, computed together: year -> ``compute``'s result.

    A report's trend of five years is one query per item, grouped by year, rather than five runs.
    """
    la, years = str(la), sorted({int(y) for y in years})
    with engine_for(db) as engine:
        history = engine.history()
        found = compute_keys(engine, [la], [Period.of_year(y) for y in years], items, population,
                             visiting_standard, history=history)
    return {y: {"la": la, "year": y, "history_years": history.get(la, []),
                "items": found[Key(la, Period.of_year(y))]} for y in years}


def compute_all(db, year: int, items: Iterable[str] | None = None,
                population: PopulationArg = None, visiting_standard: int = 10) -> list[dict[str, Any]]:
    """``compute`` for every LA in the store, in one pass over all their merged history.

    The items group by LA, so a pooled store is computed by the engine at once, not by a
    Python loop over LAs. Returns one result per LA (sorted by code), as ``compute`` does.
    """
    return compute_all_years(db, [year], items, population, visiting_standard)[int(year)]


def compute_all_years(db, years: Iterable[int], items: Iterable[str] | None = None,
                      population: PopulationArg = None,
                      visiting_standard: int = 10) -> dict[int, list[dict[str, Any]]]:
    """``compute_all`` for each of ``years``, every LA and year in one pass per item: year -> its list."""
    years = sorted({int(y) for y in years})
    with engine_for(db) as engine:
        history = engine.history()
        found = compute_keys(engine, list(history), [Period.of_year(y) for y in years], items, population,
                             visiting_standard, history=history)
    return {y: [{"la": la, "year": y, "history_years": history[la], "items": found[Key(la, Period.of_year(y))]}
                for la in sorted(history)] for y in years}


def as_json(result: Mapping[str, Any]) -> dict[str, Any]:
    """``compute``'s result with every ItemResult as its dict form."""
    return {**result, "items": {i: r.to_dict() for i, r in result["items"].items()}}


__all__ = ["compute", "compute_years", "compute_all", "compute_all_years", "compute_keys", "as_json", "ITEMS"]
