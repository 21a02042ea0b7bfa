"""The items as at any date, and as a monthly series of rolling 12-month figures.

``compute_as_at(db, la, end)`` computes the items for the 12 months ending on ``end`` (R), as an
extract taken that day would give them (docs/indicators.md, "Any as-at date"); ``compute_series(db,
la, end, months)`` computes them for the 12 months ending on ``end`` and on the same day of each of
the ``months - 1`` months before it (month ends when ``end`` is a month's last day: ``Period.earlier``),
in one pass: a context of ``months`` periods, one query per item. ``check_as_at`` is the one place an
as-at date and a number of months are refused, each with one line.

The published annual figures are not set beside the series here: they are the benchmark's
(``munro benchmark`` for each reporting year the series crosses).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..calendar import FIRST_DATE, LAST_DATE
from ..engines import engine_for
from ..errors import MunroError
from ..years import Period, date_words, year_label, year_start
from .compute import Db, PopulationArg, as_json, compute_keys
from .context import Key
from .result import ItemResult

MONTHS = range(1, 37)  # a series of 1 to 36 monthly points: three years at most


def series_periods(end: dt.date, months: int) -> list[Period]:
    """The periods of a series of ``months`` points ending on ``end``, earliest first."""
    last = Period(end)
    return [last.earlier(k) for k in range(months - 1, -1, -1)]


def check_as_at(end: dt.date, months: int = 1, *, loaded: Mapping[str, Sequence[int]] | None = None,
                la: str | None = None, today: dt.date | None = None) -> None:
    """Refuse, with one line (MunroError), an as-at date munro cannot compute for.

    ``end`` must be in munro's calendar and not after ``today``; the series' first period must be in the
    calendar too; ``months`` must be 1 to 36; and with ``loaded`` (LA -> its loaded reporting years), ``end``
    must not be before the first day of the earliest return loaded (for ``la``, or any LA)."""
    if not isinstance(months, int) or isinstance(months, bool) or months not in MONTHS:
        raise MunroError(f"a series has 1 to 36 months, not {months!r}")
    today = today or dt.date.today()
    if not FIRST_DATE <= end <= LAST_DATE:
        raise MunroError(f"{end.isoformat()} is outside munro's calendar ({FIRST_DATE.isoformat()} to "
                         f"{LAST_DATE.isoformat()})")
    if end > today:
        raise MunroError(f"{end.isoformat()} is in the future: give an as-at date on or before today "
                         f"({today.isoformat()})")
    first = series_periods(end, months)[0]
    if first.start < FIRST_DATE:
        raise MunroError(f"{months} months to {date_words(end)} reach back before munro's calendar "
                         f"({FIRST_DATE.isoformat()}): ask for fewer months")
    if loaded is None:
        return
    years = sorted(loaded.get(la, ())) if la is not None else sorted({y for ys in loaded.values() for y in ys})
    who = f"LA {la}" if la is not None else "any LA"
    if not years:
        raise MunroError(f"no returns for {who} are loaded: load one with `munro ingest`")
    if end < year_start(years[0]):
        raise MunroError(f"{end.isoformat()} is before any return loaded for {who} (the earliest, "
                         f"{year_label(years[0])}, starts on {date_words(year_start(years[0]))})")


def _period_result(la: str, period: Period, history: Sequence[int], items: dict[str, ItemResult]) -> dict[str, Any]:
    return {"la": la, "year": period.year, "as_at": period.end.isoformat(), "start": period.start.isoformat(),
            "period": period.label, "history_years": list(history), "items": items}


def compute_as_at(db: Db, la: str, end: dt.date, items: Iterable[str] | None = None, population: PopulationArg = None,
                  visiting_standard: int = 10, *,
                  extracts: Mapping[str, Sequence[dt.date]] | None = None) -> dict[str, Any] | list[dict[str, Any]]:
    """The items for LA ``la`` (or ``"all"``: every LA loaded, a list) over the 12 months ending on ``end``.

    The result is ``compute``'s, with the period beside the year: ``as_at`` (R), ``start`` and ``period``
    (its label: ``12 months to 31 October 2025``, or ``2024-25`` for 31 March, which gives exactly
    ``compute``'s figures). ``extracts``: LA -> reference dates of its loaded in-year CIN extracts.
    """
    period = Period(end)
    with engine_for(db) as engine:
        history = engine.history()
        las = sorted(history) if la == "all" else [str(la)]
        check_as_at(end, loaded=history, la=None if la == "all" else str(la))
        found = compute_keys(engine, las, [period], items, population, visiting_standard, history=history,
                             extracts=extracts)
    results = [_period_result(x, period, history.get(x, []), found[Key(x, period)]) for x in las]
    return results if la == "all" else results[0]


def compute_series(db: Db, la: str, end: dt.date, months: int = 24, items: Iterable[str] | None = None,
                   population: PopulationArg = None, visiting_standard: int = 10, *,
                   extracts: Mapping[str, Sequence[dt.date]] | None = None) -> dict[str, Any]:
    """The items of LA ``la`` as a monthly series: the rolling 12 months ending on ``end`` and on the same day
    of each of the ``months - 1`` months before (month ends when ``end`` is one), computed in one pass.

    Returns ``{"la", "as_at", "months", "history_years", "periods": [...]}``, the periods earliest first,
    each as ``compute_as_at``'s result for its own end (a point lacking the data it needs has every item
    None with the reason, as ``compute_keys`` gives it).
    """
    la = str(la)
    periods = series_periods(end, months) if months in MONTHS else []
    with engine_for(db) as engine:
        history = engine.history()
        check_as_at(end, months, loaded=history, la=la)
        found = compute_keys(engine, [la], periods, items, population, visiting_standard, history=history,
                             extracts=extracts)
    years = history.get(la, [])
    return {"la": la, "as_at": end.isoformat(), "months": months, "history_years": years,
            "periods": [_period_result(la, p, years, found[Key(la, p)]) for p in periods]}


def series_as_json(series: Mapping[str, Any]) -> dict[str, Any]:
    """``compute_series``'s result with every ItemResult as its dict form."""
    return {**series, "periods": [as_json(p) for p in series["periods"]]}


__all__ = ["compute_as_at", "compute_series", "check_as_at", "series_periods", "series_as_json", "MONTHS"]
