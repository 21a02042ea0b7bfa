"""An as-at report's monthly series: each item's rolling 12-month figures up to the as-at date, with the
authority's and England's published figures at each 31 March the series spans set beside them.

A published figure is of a reporting year, from the publisher's final collection; a point of the series
is munro's, from the returns and in-year extracts as known on its date. At a 31 March the two measure the
same 12 months and may still differ (a resubmitted return, a different method), so they are shown as
distinct, labelled points ("published 2024-25"), never joined into one line.

``gather(db, la, end, months)`` computes the series in one pass (``indicators.series.compute_series``)
and reads the published figures; the report (``build.gather_as_at``) and the web dashboard take it
from here, and ``charts.series_chart`` draws it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..benchmark.compare import Published
from ..benchmark.reference import ensure_reference
from ..indicators.series import compute_series
from ..store.db import open_store
from ..years import Period, date_words, year_end, year_label

ENGLAND = "E92000001"
MONTHS = 24  # the default length of an as-at report's series: two years of months


@dataclass
class ItemSeries:
    """One item's series: ``points`` earliest first, each ``{"end", "label", "value", "numerator",
    "denominator", "reason", "result"}`` (``result`` the point's ItemResult, for disclosure control);
    ``published``, each 31 March spanned, ``{"year", "end", "label", "value", "symbol", "source",
    "england"}`` (``value`` None when the year is not published for the authority)."""

    unit: str
    points: list[dict[str, Any]]
    published: list[dict[str, Any]] = field(default_factory=list)

    @property
    def valued(self) -> list[dict[str, Any]]:
        """The points with a number to draw (not those without a figure, nor a suppressed ``c``)."""
        return [p for p in self.points if isinstance(p["value"], (int, float))]

    @property
    def span(self) -> str:
        """'30 November 2023 to 31 October 2025': the ends of the first and last 12 months."""
        return f"{date_words(self.points[0]['end'])} to {date_words(self.points[-1]['end'])}"


@dataclass
class Series:
    """``gather``'s result: the as-at period, the series' periods, the last period's items (the
    report's headlines) and each item's ``ItemSeries``."""

    la: str
    period: Period
    months: int
    periods: list[Period]
    results: dict[str, Any]  # item id -> ItemResult of the 12 months to the as-at date
    history_years: list[int]
    items: dict[str, ItemSeries]


def spanned_years(periods: list[Period]) -> list[int]:
    """The reporting years whose 31 March falls within the series (from its first point to its last)."""
    first, last = periods[0].end, periods[-1].end
    return [y for y in range(first.year, last.year + 1) if first <= year_end(y) <= last]


def gather(db, la: str, end: dt.date, months: int = MONTHS) -> Series:
    """LA ``la``'s items as a monthly series of ``months`` rolling 12-month points to ``end``, with the
    published figures beside them (module docstring). MunroError, one line, for a date or a number of
    months munro cannot compute (``indicators.series.check_as_at``)."""
    la = str(la)
    found = compute_series(db, la, end, months)
    periods = [Period(dt.date.fromisoformat(p["as_at"])) for p in found["periods"]]
    by_item: dict[str, list[dict[str, Any]]] = {}
    units: dict[str, str] = {}
    for period, p in zip(periods, found["periods"]):
        for item_id, r in p["items"].items():
            units[item_id] = r.unit
            by_item.setdefault(item_id, []).append(
                {"end": period.end, "label": period.label, "value": r.value, "numerator": r.numerator,
                 "denominator": r.denominator, "reason": r.reason, "result": r})
    published = _published(db, la, list(by_item), spanned_years(periods))
    items = {i: ItemSeries(units[i], points, published.get(i, [])) for i, points in by_item.items()}
    return Series(la=la, period=periods[-1], months=months, periods=periods, results=found["periods"][-1]["items"],
                  history_years=list(found["history_years"]), items=items)


def _published(db, la: str, items: list[str], years: list[int]) -> dict[str, list[dict[str, Any]]]:
    """item -> the authority's and England's published figures at each of ``years``' 31 March (a year is
    listed when either was published, so that a missing one shows as such)."""
    if not years or not items:
        return {}
    ensure_reference(db)
    con = open_store(db, read_only=True)
    try:
        found = Published(con, items, la)
    finally:
        con.close()
    out: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        for y in years:
            mine, england = found.get(item, "la", la, y), found.get(item, "england", ENGLAND, y)
            if mine.value is None and mine.symbol is None and england.value is None:
                continue
            out.setdefault(item, []).append(
                {"year": y, "end": year_end(y), "label": f"published {year_label(y)}", "value": mine.value,
                 "symbol": mine.symbol, "source": mine.source or england.source, "england": england.value})
    return out


__all__ = ["ItemSeries", "Series", "gather", "spanned_years", "MONTHS"]
