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

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..engines import Engine, Tables, engine_for
from ..errors import MunroError
from ..years import Period, date_words, year_end
from .catalogue import ITEMS as REGISTERED
from .catalogue import item as catalogue_item
from .context import Context, Key, Population
from .result import ItemResult

# id -> function(Context) -> {Key(la, period): ItemResult}: every registered item, in definitions.md order (section 2,
# then the section 3 items an LA imports its own figure for).
ITEMS: dict[str, Callable[[Context], dict[Key, ItemResult]]] = {i: entry.compute for i, entry in REGISTERED.items()}
PopulationArg = Mapping[Any, Any] | Callable[[str, int], Any] | None
# What an item is computed from: a connected engine, a store's path or an engine URL (engines.engine_for).
Db = Engine | str | os.PathLike[str]


def _population_fn(population: PopulationArg) -> Population | None:
    """A callable (la, year) -> population from the argument (None: the packaged ONS estimates)."""
    if population is None or callable(population):
        return population
    if isinstance(population, Mapping):
        def lookup(la: str, year: int) -> Any:
            if (la, year) in population:
                return population[(la, year)]
            return population.get(la)
        return lookup
    raise TypeError("population must be a mapping {(la, year) or la: int} or a callable (la, year) -> int")


def _store_population(engine: Engine) -> Population:
    """The store's own denominators: ONS estimates, or the user's overrides (munro population set)."""
    return engine.population


def _standard(days: object) -> int:
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


def _needs(la: str, period: Period, history: Mapping[str, Sequence[int]],
           extracts: Mapping[str, Sequence[dt.date]]) -> str | None:
    """Why the data loaded for ``la`` cannot give ``period``'s figures, or None when it can.

    A reporting year needs its own return: without it the merged history holds only the part of the year
    that a later return repeats. A period ending on any other day R needs data covering R (the annual
    return of R's reporting year, or an in-year extract of that collection dated on or after R) and the
    previous reporting year's return, the only one complete for the window's months before 1 April.
    """
    years = history.get(la, [])
    none = "" if years else f" (no returns for LA {la} are loaded)"
    y = period.year
    if period.is_year:
        return None if y in years else f"needs the {y} return{none}"
    lacking = []
    if y not in years and not any(period.end <= d <= year_end(y) for d in extracts.get(la, ())):
        lacking.append(f"the {y} return or an in-year extract dated on or after {date_words(period.end)}")
    if y - 1 not in years:
        lacking.append(f"the {y - 1} return (for the months before 1 April {y - 1})")
    return f"needs {' and '.join(lacking)}{none}" if lacking else None


def compute_keys(engine: Engine, las: Iterable[str], periods: Iterable[Period], items: Iterable[str] | None = None,
                 population: PopulationArg = None, visiting_standard: int = 10, *, tables: Tables | None = None,
                 history: Mapping[str, list[int]] | None = None,
                 local: Mapping[str, Any] | None = None,
                 extracts: Mapping[str, Sequence[dt.date]] | None = None,
                 annex_a: Mapping[str, list[tuple[Any, ...]]] | None = None) -> dict[Key, dict[str, ItemResult]]:
    """Every item for every (LA, period) in one pass per item: the core of ``compute`` and its kin.

    ``engine`` is a connected :class:`munro.engines.Engine`. Each item runs once over all the LAs and
    periods, grouped by LA and period, so a trend or a series costs one query per item, not one per
    year. A key whose period lacks the data it needs (``_needs``: a reporting year its own return; a
    period ending on another day R the data covering R and the previous year's return) has every item
    None with the reason. ``tables``, ``history`` and ``local`` replace the engine's own (a group
    computed as one LA); ``extracts`` maps an LA to the reference dates of its current in-year CIN
    extracts (default ``engine.extracts()``); ``annex_a`` the days the LAs' Annex A workbooks cover
    (``Engine.annex_a_cover``).
    """
    wanted = _wanted(items)
    las = tuple(sorted({str(la) for la in las}))
    periods = tuple(sorted(set(periods)))
    history = dict(engine.history() if history is None else history)
    extracts = dict(engine.extracts() if extracts is None else extracts)
    out: dict[Key, dict[str, ItemResult]] = {}
    ready = set()
    for key in (Key(la, p) for la in las for p in periods):
        reason = _needs(key.la, key.period, history, extracts)
        if reason is None:
            ready.add(key)
        else:
            out[key] = {i: ItemResult.missing(i, catalogue_item(i).unit, reason) for i in wanted}
    use_las = tuple(sorted({k.la for k in ready}))
    use_periods = tuple(sorted({k.period for k in ready}))
    if not ready:
        return out
    with engine.query_threads() as run:
        ctx = Context(periods=use_periods, las=use_las,
                      t=tables if tables is not None else engine.tables(use_las if len(use_las) < 2 else None),
                      history={la: history.get(la, []) for la in use_las},
                      population=_population_fn(population) or _store_population(engine),
                      local=dict(engine.local_history() if local is None else local),
                      visiting_standard=_standard(visiting_standard), run=run, period_rows=engine.period_table,
                      annex_a=dict(engine.annex_a_cover() if annex_a is None else annex_a))
        found = _run_items(ctx, wanted)
    for i in wanted:
        for key in ready:
            out.setdefault(key, {})[i] = found[i][key]
    return out


QUERY_THREADS = 2  # items at once, when the engine takes queries from several threads


def _run_items(ctx: Context, wanted: list[str]) -> dict[str, dict[Key, ItemResult]]:
    """Each item's results: in threads when the engine allows it (``ctx.run``), so that Python builds
    and compiles one item's queries while the engine runs another's; the results are the same."""
    if ctx.run is None or len(wanted) < 2:
        return {i: ITEMS[i](ctx) for i in wanted}
    pool = ThreadPoolExecutor(QUERY_THREADS, thread_name_prefix="munro-items")
    try:
        futures = {i: pool.submit(ITEMS[i], ctx) for i in wanted}
        return {i: f.result() for i, f in futures.items()}
    finally:  # after an error (or an interrupt) the items not yet started are not run, as one at a time
        pool.shutdown(wait=True, cancel_futures=True)


def compute(db: Db, la: str, year: int, items: Iterable[str] | None = None,
            population: PopulationArg = None, visiting_standard: int = 10) -> dict[str, Any]:
    """The items of definitions.md for LA ``la`` and reporting year ``year``.

    ``db`` is the path of a munro store or a connected :class:`munro.engines.Engine`.
    ``population`` overrides the 0-17 population: a mapping keyed by (la, year) or by
    la, or a callable (la, year) -> int | None; by default the store's own
    (``munro.population.population_for``: ONS estimates or the user's overrides).
    ``visiting_standard`` is child_seen_per_cpp's longest gap between visits, in working days.
    """
    return compute_years(db, la, [year], items, population, visiting_standard)[int(year)]


def compute_years(db: Db, la: str, years: Iterable[int], items: Iterable[str] | None = None,
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


def compute_all(db: Db, year: int, items: Iterable[str] | None = None,
                population: PopulationArg = None, visiting_standard: int = 10) -> list[dict[str, Any]]:
    """``compute`` for every LA in the store, in one pass over all their merged history.

    The items group by LA, so a pooled store is computed by the engine at once, not by a
    Python loop over LAs. Returns one result per LA (sorted by code), as ``compute`` does.
    """
    return compute_all_years(db, [year], items, population, visiting_standard)[int(year)]


def compute_all_years(db: Db, years: Iterable[int], items: Iterable[str] | None = None,
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
