"""What every item needs: the year's window, the tables, and portable helpers.

Items are Ibis expressions over the store's merged history (``ctx.t``: the
``merged_*`` views by short name, plus ``calendar``), grouped by ``la_code``
so that one query serves one LA or all of them. The helpers below are where
the house rules (docs/engineering notes section 1.3) are kept, so that the
same expressions run on DuckDB, PostgreSQL and Spark:

- flags are 0/1 integers (``flag``), never boolean columns;
- averages and percentiles cast to float64 first (``percentiles``);
- dates stay DATE: calendar arithmetic is cast back to date (``add_months``);
- working days only through the calendar table: two equi-joins on its
  cumulative ``wd_index`` (``with_working_days``);
- a span is negative when its end DATE is before its start DATE, never by
  its working-day count (``span``: one rule for every item);
- percentiles are exact linear interpolation (``quantile``, which compiles to
  DuckDB ``quantile_cont``, PostgreSQL ``percentile_cont``); never
  ``approx_quantile``, which DuckDB answers approximately.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from ..engines import Tables

Population = Callable[[str, int], Any]


def reporting_window(year: int) -> tuple[dt.date, dt.date]:
    """(1 April Y-1, 31 March Y): the reporting year Y, both ends included."""
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


def flag(predicate: ir.BooleanValue) -> ir.IntegerValue:
    """A 0/1 integer for a predicate (NULL counts as 0)."""
    return ibis.ifelse(predicate, 1, 0)  # CASE WHEN p THEN 1 ELSE 0: NULL -> 0


def count_if(predicate: ir.BooleanValue) -> ir.IntegerScalar:
    """How many rows satisfy ``predicate`` (a NULL predicate does not count)."""
    return flag(predicate).sum()


def add_months(date: ir.DateValue, months: int) -> ir.DateValue:
    """Calendar arithmetic: 29 February + 12 months is 28 February.

    For comparisons only. Ibis types the sum as a date and drops the cast, but
    DuckDB and PostgreSQL return a TIMESTAMP at midnight (Spark a DATE); a DATE
    compares with it correctly on every engine. Never output it as a column.
    """
    if months < 0:
        return (date - ibis.interval(months=-months)).cast("date")
    return (date + ibis.interval(months=months)).cast("date")


def days_between(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
    """Calendar days from ``start`` to ``end`` (end - start)."""
    return end.delta(start, unit="day").cast("int64")


@dataclass(frozen=True)
class Span:
    """A span from a start date to an end date, as every item counts it (definitions.md section 1).

    - ``measured``: the end date is on or after the start date and the length is known;
    - ``excluded``: the end is recorded but the span is not measured: the end date is before the
      start date (a negative span, a data-quality exception) or its length is unknown (a date
      outside the calendar);
    - ``value``: the length where the span is measured, NULL otherwise (aggregates skip it).

    A span with no end recorded is neither (the item says what it is: an open plan, no meeting).
    """

    measured: ir.BooleanValue
    excluded: ir.BooleanValue
    value: ir.IntegerValue | None = None

    def counts(self) -> dict[str, ir.IntegerScalar]:
        """``n`` (measured) and ``excluded`` aggregates."""
        return {"n": count_if(self.measured), "excluded": count_if(self.excluded)}


def span(start: ir.DateValue, end: ir.DateValue, length: ir.IntegerValue | None = None) -> Span:
    """The span from ``start`` to ``end`` with its ``length`` (working or calendar days), if any.

    Negative is decided on the dates, never on the length: a span that starts on a weekend or a
    bank holiday and ends on the working day before (Sunday 26 May 2024 to Friday 24 May 2024) is
    0 working days by the calendar's count, yet its end is before its start, so it is excluded.
    """
    ok = end >= start
    if length is not None:
        ok = ok & length.notnull()
    measured = flag(ok) == 1  # a missing date leaves the comparison NULL: not measured
    value = None if length is None else ibis.cases((measured, length), else_=ibis.null("int64"))
    return Span(measured=measured, excluded=end.notnull() & ~measured, value=value)


def percentiles(values: ir.NumericColumn, prefix: str = "") -> dict[str, ir.FloatingScalar]:
    """``p25``, ``median``, ``p75`` aggregates: linear interpolation between closest ranks (numpy's default)."""
    x = values.cast("float64")
    return {f"{prefix}p25": x.quantile(0.25), f"{prefix}median": x.quantile(0.5), f"{prefix}p75": x.quantile(0.75)}


def band_counts(values: ir.NumericColumn, bands: Mapping[str, tuple[int | None, int | None]],
                prefix: str = "band_") -> dict[str, ir.IntegerScalar]:
    """One count per band ``name: (low, high)``, both ends included, None for open-ended."""
    out = {}
    for name, (low, high) in bands.items():
        conds = []
        if low is not None:
            conds.append(values >= low)
        if high is not None:
            conds.append(values <= high)
        pred = conds[0] if len(conds) == 1 else conds[0] & conds[1]
        out[prefix + name] = count_if(pred)
    return out


@dataclass
class Context:
    """One computation: reporting year, LAs, their tables and what is known about them."""

    year: int
    las: tuple[str, ...]
    t: Tables
    history: dict[str, list[int]] = field(default_factory=dict)
    population: Population | None = None
    # LA -> kind of local records (munro.localdata) -> the reporting years loaded
    local: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    visiting_standard: int = 10  # child_seen_per_cpp: the longest gap between visits, in working days

    def has_local(self, la: str, kind: str) -> bool:
        """Whether the LA's records of ``kind`` for this reporting year are loaded."""
        return self.year in self.local.get(la, {}).get(kind, [])

    @property
    def start(self) -> dt.date:
        return reporting_window(self.year)[0]

    @property
    def R(self) -> dt.date:  # noqa: N802 - the contract's name
        return reporting_window(self.year)[1]

    # -- predicates

    def in_year(self, date: ir.DateValue) -> ir.BooleanValue:
        """The date falls in [1 April Y-1, 31 March Y]."""
        return date.between(ibis.date(self.start), ibis.date(self.R))

    def open_at_r(self, start: ir.DateValue, end: ir.DateValue) -> ir.BooleanValue:
        """start <= R and (end is missing or end > R)."""
        r = ibis.date(self.R)
        return (start <= r) & (end.isnull() | (end > r))

    # -- working days

    def with_working_days(self, table: ir.Table, start: str | ir.DateValue, end: str | ir.DateValue,
                          name: str) -> ir.Table:
        """``table`` with a column ``name``: working days d with start < d <= end.

        ``wd_index[end] - wd_index[start]`` from two left joins to the calendar,
        NULL when either date is missing or outside the calendar. An end before
        the start is not always negative here (a Sunday start and the Friday
        before are 0): items tell negative spans by their dates, with ``span``.
        """
        cal = self.t.calendar
        a_date, a_idx, b_date, b_idx = (f"_{name}_{x}" for x in ("ad", "ai", "bd", "bi"))
        start_col = table[start] if isinstance(start, str) else start
        end_col = table[end] if isinstance(end, str) else end
        base = table.mutate(**{a_date: start_col, b_date: end_col})
        ca = cal.select(**{f"{a_date}_k": cal.date, a_idx: cal.wd_index})
        cb = cal.select(**{f"{b_date}_k": cal.date, b_idx: cal.wd_index})
        joined = base.left_join(ca, base[a_date] == ca[f"{a_date}_k"])
        joined = joined.left_join(cb, joined[b_date] == cb[f"{b_date}_k"])
        joined = joined.mutate(**{name: (joined[b_idx] - joined[a_idx]).cast("int64")})
        return joined.drop(a_date, b_date, f"{a_date}_k", f"{b_date}_k", a_idx, b_idx)

    # -- running

    def rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Run an expression: its rows as dicts. Every query of every item runs here, so that
        ``munro.indicators.sql`` can collect the expressions instead of running them."""
        return expr.to_pyarrow().to_pylist()

    def per_la(self, expr: ir.Table) -> dict[str, dict[str, Any]]:
        """Run a ``group_by("la_code").aggregate(...)`` expression: LA -> row (plain Python values).

        Every LA of the run gets a row; an LA with no rows gets an empty dict.
        """
        rows = self.rows(expr)
        out: dict[str, dict[str, Any]] = {la: {} for la in self.las}
        for row in rows:
            la = row.pop("la_code")
            if la in out:
                out[la] = row
        return out

    def population_of(self, la: str) -> tuple[int | None, dict[str, Any]]:
        """(population, figures to report with it) for an LA in this year.

        The population callable may return an int, None, or a record such as
        ``munro.population.Population`` (``value``, ``source``, ``vintage``,
        ``mid_year``, ``estimated``, ``reason``), whose details are reported
        as ``population_<name>`` figures.
        """
        if self.population is None:
            from ..reference import child_population

            return child_population(la, self.year), {}
        cache = self.__dict__.setdefault("_population_cache", {})
        if la not in cache:  # asked once per LA and run: a callable may open the store
            cache[la] = self.population(la, self.year)
        got = cache[la]
        if got is None or isinstance(got, (int, float)):
            return (int(got) if got is not None else None), {}
        value = getattr(got, "value", getattr(got, "population", None))
        extra = {f"population_{k}": getattr(got, k) for k in ("source", "vintage", "mid_year", "estimated", "reason")
                 if getattr(got, k, None) is not None}
        return (int(value) if value is not None else None), extra
