"""What every item needs: its periods, the tables, and portable helpers.

Items are Ibis expressions over the store's merged history (``ctx.t``: the
``merged_*`` views by short name, plus ``calendar``), grouped by ``la_code``
and ``period`` (``Context.by``) so that one query serves one LA or all of
them, and one period (a reporting year, or the 12 months to any date) or a
whole trend or series of them (``Context``). The helpers below are where
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
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

import ibis
import ibis.expr.types as ir

from ..annexa.schema import covers
from ..calendar import FIRST_DATE, LAST_DATE
from ..engines import Tables
from ..reference import child_population
from ..years import Period

Population = Callable[[str, int], Any]


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
    value: ir.IntegerValue

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
    value = ibis.null("int64") if length is None else ibis.cases((measured, length), else_=ibis.null("int64"))
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


class Key(NamedTuple):
    """Whose and which figures: an LA and a period (a reporting year, or the 12 months to an as-at date)."""

    la: str
    period: Period


# A row of the period table: (period index, p_start, p_end, p_cut or None).
PeriodRow = tuple[int, dt.date, dt.date, dt.date | None]
# The columns a table gains from ``Context.during``, ``open_at`` and ``over``: which period a row counts in.
# ``p_cut``: the day after which the period's data has not yet happened (``cut_at``; NULL: not cut).
PERIOD, P_START, P_END, P_CUT = "period", "p_start", "p_end", "p_cut"

# "Not yet happened": a period ending R on any day but 31 March sees the data an extract taken on R would
# hold. Every table an item reads is joined to the periods through ``during``, ``open_at`` or ``over``, which
# apply this rule to the table's DATE columns (``as_known``; ``Context.known`` for a table joined later): a
# row identified by a date after R (its own start or event date, or its parent's: an episode's referral, a
# plan's start) did not yet exist and is left out; any other date after R (a closure, an authorisation, an
# end, a death) had not yet happened and reads as missing, with what is recorded with it (``RECORDED_WITH``:
# a reason for closure). Dates recorded in advance (a conference's target date, an expected birth date) are
# known at R whatever day they name and are left as they are.
# A reporting year (R = 31 March) is not cut: its figures are the final ones of definitions.md section 1,
# from the merged history with the latest return winning, so an outcome that follows an event of the year
# just after R (an episode closed on the working day after a plan ended on 28 March) counts once a later
# return records it, exactly as before periods could end on any day (docs/indicators.md, "Any as-at date").
IDENTIFYING_DATES = frozenset({"referral_date", "start_date", "plan_start_date", "assessment_start_date",
                               "review_date", "visit_date", "meeting_date"})
PLANNED_DATES = frozenset({"icpc_target_date", "expected_birth_date"})
# What is recorded with an event and so, like its date, not yet known before it: an episode's reason for
# closure, an episode of care's reason it ceased.
RECORDED_WITH = {"closure_date": ("closure_reason",), "end_date": ("reason_ceased",)}


def cut_at(period: Period) -> dt.date | None:
    """The day after which a period's data has not yet happened: R, or None for a reporting year (final)."""
    return None if period.is_year else period.end


def _date_or_null(day: dt.date | None) -> ir.DateValue:
    return ibis.null("date") if day is None else ibis.date(day)


def as_known(joined: ir.Table, table: ir.Table) -> ir.Table:
    """``joined`` (``table``'s columns joined to the periods) as known at each period's ``p_cut`` (a NULL
    ``p_cut`` cuts nothing)."""
    dates = [c for c, t in table.schema().items() if t.is_date() and c not in PLANNED_DATES]
    as_at = joined[P_CUT]
    ids = [as_at.isnull() | joined[c].isnull() | (joined[c] <= as_at) for c in dates if c in IDENTIFYING_DATES]
    if ids:
        joined = joined.filter(*ids)
    events = {}
    for c in (c for c in dates if c not in IDENTIFYING_DATES):
        later = joined[c] > as_at  # NULL (kept) when either is missing
        events[c] = ibis.ifelse(later, ibis.null("date"), joined[c])
        events.update({w: ibis.ifelse(later, ibis.null(joined[w].type()), joined[w])
                       for w in RECORDED_WITH.get(c, ()) if w in table.columns})
    return joined.mutate(**events) if events else joined


@dataclass
class Context:
    """One computation: its periods, LAs, their tables and what is known about them.

    Every item computes every period of the context in one pass, grouped by ``la_code`` and ``period``
    (``by``): a trend of five years, or a monthly series, is one query per item, not one per year. A row
    counts in a period through one of three joins to the periods (``during``: its date falls in the period;
    ``open_at``: it is open at the period's end R; ``over``: every period, for an item's own test on
    ``p_start`` and ``p_end``); results come back per ``Key`` (``per_key``).
    """

    periods: tuple[Period, ...]
    las: tuple[str, ...]
    t: Tables
    history: dict[str, list[int]] = field(default_factory=dict)
    population: Population | None = None
    # LA -> kind of local records (munro.localdata) -> the reporting years loaded
    local: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    visiting_standard: int = 10  # child_seen_per_cpp: the longest gap between visits, in working days
    # LA -> (first day, as-at date) of each of its current Annex A workbooks (Engine.annex_a_cover)
    annex_a: dict[str, list[tuple[dt.date, dt.date]]] = field(default_factory=dict)
    # (la, year) -> what ``population`` gave: asked once per run, as a callable may open the store
    population_cache: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False, compare=False)
    # expr -> pyarrow.Table: how ``rows`` runs a query when items run in threads (Engine.query_threads)
    run: Callable[[ir.Table], Any] | None = field(default=None, repr=False, compare=False)
    # rows -> the period table, where the engine keeps it as a table of its own (Engine.period_table)
    period_rows: Callable[[list[PeriodRow]], ir.Table | None] | None = field(default=None, repr=False, compare=False)
    _period_tables: dict[int, ir.Table] = field(default_factory=dict, init=False, repr=False, compare=False)
    _period_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    # whether any period is cut (``cut_at``): when none is (reporting years only), ``as_known`` would change
    # nothing, and is skipped, which spares every query its CASEs on each date (built, compiled and run)
    _cut: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        outside = [p.end for p in self.periods if not FIRST_DATE <= p.end <= LAST_DATE]
        if outside:  # the period table is drawn from the calendar: a period beyond it would vanish
            raise ValueError(f"{outside[0]} is outside munro's calendar ({FIRST_DATE} to {LAST_DATE})")
        self.periods = tuple(sorted(set(self.periods)))
        if not self.periods:
            raise ValueError("a computation needs at least one period")
        self._cut = any(cut_at(p) is not None for p in self.periods)

    @property
    def keys(self) -> list[Key]:
        """Every (LA, period) of the computation: what each item returns a result for."""
        return [Key(la, p) for la in self.las for p in self.periods]

    by = ("la_code", PERIOD)  # what every item's final aggregate groups by

    def annex_a_covers(self, la: str, period: Period) -> bool:
        """Whether the LA's Annex A workbooks together cover every day of the period."""
        return covers(self.annex_a.get(la, []), period.start, period.end)

    def has_local(self, la: str, kind: str, period: Period) -> bool:
        """Whether the LA's records of ``kind`` are loaded for each reporting year the period touches (its own;
        for a period ending on another day than 31 March, the year before too: ``Period.years``)."""
        loaded = self.local.get(la, {}).get(kind, [])
        return all(y in loaded for y in period.years)

    # -- the periods as a table

    def period_table(self, earlier: int = 0) -> ir.Table:
        """One row per period: ``period`` (its index in ``periods``), ``p_start`` and ``p_end`` (DATE), and
        ``p_cut``, the day the period's data is cut at (``cut_at``: its own R, NULL for a reporting year).

        ``earlier``: the window of the period ending that many months before each one instead
        (``Period.earlier``: a look-back cohort), still under the later period's index and its R.
        Built once per context and ``earlier`` and shared by every item: by the engine where it keeps
        one small table per pass (``Context.period_rows``, DuckDB), else drawn from the calendar,
        already on every engine, rather than a memtable: plain DATE columns and no temporary table
        on PostgreSQL or Spark. A window ending outside the calendar has no row either way.
        """
        with self._period_lock:
            table = self._period_tables.get(earlier)
            if table is None:
                rows = [(i, w.start, w.end, cut_at(p))
                        for i, p, w in ((i, p, p.earlier(earlier) if earlier else p)
                                        for i, p in enumerate(self.periods))]
                table = self.period_rows(rows) if self.period_rows is not None else None
                if table is None:
                    table = self._calendar_periods(rows)
                self._period_tables[earlier] = table
            return table

    def _calendar_periods(self, rows: list[PeriodRow]) -> ir.Table:
        cal = self.t.calendar
        selects = [cal.filter(cal.date == ibis.date(end)).select(**{
                       PERIOD: ibis.literal(i, "int64"), P_START: ibis.date(start), P_END: cal.date,
                       P_CUT: _date_or_null(cut)})
                   for i, start, end, cut in rows]
        return ibis.union(*selects) if len(selects) > 1 else selects[0]

    def during(self, table: ir.Table, date: str, earlier: int = 0) -> ir.Table:
        """``table``'s rows whose ``date`` falls in a period, once per such period (with its columns), as
        known at the period's end R (``as_known``).

        ``earlier``: in the period ending that many months before (a cohort followed up to the period's end).
        """
        p = self.period_table(earlier)
        return self._as_known(table.inner_join(p, [table[date] >= p[P_START], table[date] <= p[P_END]]), table)

    def open_at(self, table: ir.Table, start: str, end: str) -> ir.Table:
        """``table``'s rows open at a period's end R (``start`` <= R and ``end`` missing or after R), once per
        such period, as known at R (``as_known``: an end after R reads as missing)."""
        p = self.period_table()
        return self._as_known(table.inner_join(
            p, [table[start] <= p[P_END], table[end].isnull() | (table[end] > p[P_END])]), table)

    def over(self, table: ir.Table) -> ir.Table:
        """``table`` once per period, with the period's columns, as known at R (``as_known``; an item's own
        test follows)."""
        return self._as_known(table.cross_join(self.period_table()), table)

    def known(self, table: ir.Table, *columns: str) -> ir.Table:
        """``table`` (with a period's ``p_cut``) as known at the cut for ``columns``, the dates of a table joined
        after the periods: what ``during``, ``open_at`` and ``over`` do to their table's own dates."""
        return self._as_known(table, table.select(*columns))

    def _as_known(self, joined: ir.Table, table: ir.Table) -> ir.Table:
        return as_known(joined, table) if self._cut else joined

    @staticmethod
    def in_period(table: ir.Table, date: ir.DateValue) -> ir.BooleanValue:
        """The date falls in the row's period (a table from ``over``)."""
        return date.between(table[P_START], table[P_END])

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
        got = expr.to_pyarrow() if self.run is None else self.run(expr)
        return cast("list[dict[str, Any]]", got.to_pylist())

    def per_key(self, expr: ir.Table) -> dict[Key, dict[str, Any]]:
        """Run a ``group_by(ctx.by).aggregate(...)`` expression: Key -> row (plain Python values).

        Every key of the run gets a row; one with no rows gets an empty dict.
        """
        out: dict[Key, dict[str, Any]] = {k: {} for k in self.keys}
        for row in self.rows(expr):
            key = Key(row.pop("la_code"), self.periods[row.pop(PERIOD)])
            if key in out:
                out[key] = row
        return out

    def population_of(self, la: str, period: Period) -> tuple[int | None, dict[str, Any]]:
        """(population, figures to report with it) for an LA: the one of the period's population year
        (``Period.population_year``: the reporting year of the 30 June inside the 12 months).

        The population callable may return an int, None, or a record such as
        ``munro.population.Population`` (``value``, ``source``, ``vintage``,
        ``mid_year``, ``estimated``, ``reason``), whose details are reported
        as ``population_<name>`` figures.
        """
        year = period.population_year
        if self.population is None:
            return child_population(la, year), {}
        cache = self.population_cache
        if (la, year) not in cache:
            cache[(la, year)] = self.population(la, year)
        got = cache[(la, year)]
        if got is None or isinstance(got, (int, float)):
            return (int(got) if got is not None else None), {}
        value = getattr(got, "value", getattr(got, "population", None))
        extra = {f"population_{k}": getattr(got, k) for k in ("source", "vintage", "mid_year", "estimated", "reason")
                 if getattr(got, k, None) is not None}
        return (int(value) if value is not None else None), extra
