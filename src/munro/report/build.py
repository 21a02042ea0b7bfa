"""Gather everything the report shows for one LA and year, once, for every output.

``gather(db, la, year)`` returns a :class:`ReportData`: the five framework
sections in order, each with its purpose, its local key questions (and the
local evidence each still lacks) and every catalogue item of the section,
with munro's computed result, the benchmark comparison, the trend and the
figures behind the headline. The HTML page, the workbook and the PDF are all
drawn from this one object, so they cannot disagree.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..benchmark.compare import KIND_WORDS, Lineage, as_at_figure, compare, own_figure, read_benchmarks
from ..benchmark.reference import ensure_reference
from ..engines import connect
from ..indicators.catalogue import COMPARABILITY, POLARITIES, SECTIONS, Item, Section, by_section
from ..indicators.compute import compute_years
from ..indicators.result import ItemResult
from ..population import SOURCE_ONS
from ..provenance import publications
from ..reference import local_authorities
from ..store.db import explain, open_store
from ..years import year_label
from . import evidence, quality, summary
from . import series as series_mod
from .fmt import figure_rows


@dataclass
class ItemView:
    item: Item
    result: ItemResult
    comparison: Any | None  # munro.benchmark.compare.Comparison, when benchmarks are available
    trend: list[dict[str, Any]]  # {"year", "own", "published", "england"}, oldest first
    figures: list[tuple[str, Any]]  # the figures behind the headline: (label, value)
    distributions: list[dict[str, Any]]  # {"name", "label", "rows": [(category, count or value)]}
    own_fallback: Any | None = None  # the own Figure when there is no comparison (benchmarks unreadable)
    series: Any | None = None  # an as-at report's monthly series (report.series.ItemSeries), else None

    @property
    def comparability(self) -> str:
        return COMPARABILITY[self.item.comparability]

    @property
    def polarity(self) -> str:
        return POLARITIES[self.item.polarity]

    @property
    def headline(self):
        """The one figure shown and compared for the item and year (``benchmark.compare.HEADLINE_RULE``),
        a ``Figure`` with its ``provenance``; None when there is no figure for the year."""
        c = self.comparison
        if c is not None and c.headline.value is not None:
            return c.headline
        return self.own

    @property
    def own(self):
        """The authority's own figure (munro's from its returns, or its import), or None."""
        c = self.comparison
        if c is not None:
            return c.own if c.own.value is not None else None
        return self.own_fallback

    @property
    def source_short(self) -> str | None:
        """Where the headline comes from, in a few words (a table's source column)."""
        h = self.headline
        if h is None:
            return None

        return h.source if h.kind == "published" else KIND_WORDS.get(h.kind, h.source)

    @property
    def differs(self) -> bool:
        """True when the authority's own figure and the published one differ beyond rounding."""
        dq = getattr(self.comparison, "data_quality", None)
        return bool(dq and dq.get("differs"))

    @property
    def published_instead(self) -> dict[str, Any] | None:
        """Another year's published figure of the LA, shown (not compared) when the year has none at all.

        Items imported from other publishers (NPD, workforce census, HES) are often published a
        year behind; a reader should see the latest, with its year and source.
        """
        c = self.comparison
        if c is None or self.headline is not None:
            return None
        for t in reversed(self.trend):
            if isinstance(t.get("published"), (int, float)):
                return {"value": t["published"], "year": t["year"],
                        "source": c.england.source or "published statistics"}
        return None

    @property
    def flag(self) -> str | None:
        """The significance flag against England, in words, or None when no test was possible."""
        v = getattr(self.comparison, "versus_england", None)
        if v is None:
            return None
        return v.get("flag") if isinstance(v, dict) else getattr(v, "flag", None)


@dataclass
class SectionView:
    section: Section
    items: list[ItemView]
    questions: list[dict[str, Any]]  # {"question", "items": [titles], "missing": [evidence]}


@dataclass
class ReportData:
    la: str
    la_name: str
    year: int
    sections: list[SectionView]
    standout: list[str]
    quality: dict[str, Any]
    generated: str
    published: bool = False  # True once disclosure control has been applied
    by_year: dict[int, dict] = field(default_factory=dict, repr=False)  # compute()'s items of each trend year
    notes: list[str] = field(default_factory=list)
    differences: list[dict[str, Any]] = field(default_factory=list)  # own and published figures that differ
    period: Any | None = None  # an as-at report's years.Period (gather_as_at); None for a reporting year's
    months: int | None = None  # an as-at report's points of monthly series

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    @property
    def label(self) -> str:
        """What the report's figures are of, short: '2024-25', or '12 months to 31 October 2025' as at a date."""
        return self.year_label if self.period is None else self.period.label

    @property
    def period_label(self) -> str:
        """The same in running text: 'reporting year 2024-25', or 'the 12 months to 31 October 2025'."""
        if self.period is None or self.period.is_year:
            return f"reporting year {self.year_label}"
        return f"the {self.period.label}"

    def items(self) -> list[ItemView]:
        return [v for s in self.sections for v in s.items]

    @property
    def publications(self) -> list[str]:
        """The published statistics this report shows (benchmarks, the population behind rates and the
        neighbours they are compared with): named in its colophon with the OGL attribution."""
        q = self.quality
        sources = [b["source"] for b in q.get("benchmark_sources") or ()]
        pop = q.get("population") or {}
        return publications(sources, population=bool(pop.get("value")) and pop.get("source") == SOURCE_ONS,
                            neighbours=bool(sources))


def _la_name(la: str) -> str:
    found = local_authorities().get(la)
    return found.name if found else f"LA {la}"


def _comparisons(db, la: str, year: int, neighbours: int, own: dict[int, dict],
                 as_at=None, benchmarks: Future | None = None) -> tuple[dict[str, Any], str | None]:
    """item id -> Comparison, and why there are none when the benchmarks cannot be read.

    The report is still worth having without benchmarks (an LA's own figures and
    trend), so a failure here becomes a visible note rather than no report.
    ``benchmarks``: ``_read_beside``'s, whose failure is the comparison's.
    """
    try:
        read = None if benchmarks is None else benchmarks.result()
        found = compare(db, la, year, neighbours=neighbours, own_results=own, as_at=as_at, benchmarks=read)
        return {c.item_id: c for c in found}, None
    except Exception as e:  # noqa: BLE001 - any failure of the benchmark data is reported, not fatal
        if explain(e, db) is not None:
            raise  # the store itself (busy, damaged): not a note about benchmarks, and the report would be wrong
        return {}, f"benchmarks could not be read: {e}"


TREND_YEARS = 10  # years of trend, as munro.benchmark.compare shows them


def _own_years(db, la: str, year: int) -> tuple[dict[str, Any], dict[int, dict]]:
    """compute() for the report's year and each loaded year of the trend, in one pass per item.

    The items group by year, so the trend costs one query per item rather than one run per year;
    the comparison gets these results rather than computing them again.
    """
    with connect(db) as engine:
        loaded = engine.history().get(la, [])
        years = [y for y in loaded if year - TREND_YEARS < y <= year] or [year]
        found = compute_years(engine, la, sorted(set(years) | {year}))
    computed = found[year]
    by_year = {y: r["items"] for y, r in found.items() if y in computed["history_years"]}
    return computed, dict(sorted(by_year.items()))


def _trend(item_id: str, comparison, by_year: dict[int, dict] | None, lineage) -> list[dict[str, Any]]:
    """The comparison's trend (each year's headline in ``value``, by the headline's rule), or the
    authority's own figures when there is no comparison."""
    if comparison is not None and comparison.trend:
        return [dict(t) for t in comparison.trend]

    rows = []
    for y in sorted(by_year or {}):
        f = own_figure(by_year, item_id, y, lineage)
        if f.value is not None:
            rows.append({"year": y, "own": f.value, "own_kind": f.kind, "published": None, "england": None,
                         "value": f.value, "kind": f.kind, "numerator": f.numerator, "denominator": f.denominator})
    return rows


def _lineage(db, la: str):
    con = open_store(db, read_only=True)
    try:
        return Lineage.read(con, la)
    finally:
        con.close()


def _read_beside(pool: ThreadPoolExecutor, db, la: str, year: int, neighbours: int) -> Future:
    """The comparison's reading of the store (``benchmark.compare.read_benchmarks``), started on ``pool`` so
    that it runs while the items do; a failure is kept for ``_comparisons`` to report, as compare's."""
    try:
        ensure_reference(db)  # first, here: it may write the store, refused while the items' engine attaches it
    except Exception as e:  # noqa: BLE001 - reported by _comparisons, as when compare met it
        failed: Future = Future()
        failed.set_exception(e)
        return failed
    # in this context: the store's waiting while busy (store.db.waiting) is the caller's, a page's none
    return pool.submit(contextvars.copy_context().run, read_benchmarks, db, la, year, neighbours)


def gather(db, la: str, year: int, neighbours: int = 2025, now: dt.datetime | None = None) -> ReportData:
    """Everything the report shows for LA ``la`` and reporting year ``year`` (module docstring)."""
    la, year = str(la), int(year)
    with ThreadPoolExecutor(1, thread_name_prefix="munro-benchmarks") as pool:
        benchmarks = _read_beside(pool, db, la, year, neighbours)
        computed, by_year = _own_years(db, la, year)
        results: dict[str, ItemResult] = computed["items"]
        history = list(computed["history_years"])
        comparisons, bench_note = _comparisons(db, la, year, neighbours, by_year, benchmarks=benchmarks)
    read = benchmarks.exception() is None and benchmarks.result()
    lineage = read.lineage if read else _lineage(db, la)  # the comparison's, read from the same store

    def fallback(item_id: str):
        return own_figure({year: results}, item_id, year, lineage)

    return _assemble(db, la, year, results, comparisons, bench_note, by_year, lineage, fallback, history, now)


def _assemble(db, la: str, year: int, results, comparisons, bench_note, by_year, lineage, fallback, history,
              now, population_year: int | None = None, period=None) -> ReportData:
    """The ReportData of computed ``results`` and their ``comparisons`` (``fallback(item id)``: the own
    Figure shown when an item has no comparison), for ``gather`` and ``gather_as_at``."""
    found, local_note = evidence.local(db, la, year)
    sections = []
    for s in SECTIONS:
        views = []
        for it in by_section()[s.id]:
            r = results.get(it.id) or ItemResult.missing(it.id, it.unit, _not_computed_reason(it))
            c = comparisons.get(it.id)
            own = fallback(it.id) if c is None and r.value is not None else None
            views.append(ItemView(item=it, result=r, comparison=c, trend=_trend(it.id, c, by_year, lineage),
                                  figures=figure_rows(r), distributions=_distributions(it, r), own_fallback=own))
        sections.append(SectionView(section=s, items=views, questions=evidence.questions(s, views, found)))
    data = ReportData(la=la, la_name=_la_name(la), year=year, sections=sections, standout=[], by_year=by_year,
                      quality={}, generated=(now or dt.datetime.now(dt.UTC)).strftime("%d %B %Y, %H:%M UTC"),
                      period=period)  # before the summary, whose lines name the period
    data.standout = summary.standout(data)
    data.differences = summary.differences(data)
    data.quality = quality.gather(db, la, population_year or year, history, results, comparisons, bench_note)
    data.quality["local_note"] = local_note
    return data


# ---------------------------------------------------------------- as at any date (issue 22, deliverable 3)


def gather_as_at(db, la: str, end: dt.date, months: int = 24, neighbours: int = 2025,
                 now: dt.datetime | None = None) -> ReportData:
    """The report for the 12 months to ``end``: each item's headline of those 12 months, its monthly series
    of ``months`` rolling 12-month points (``report.series``) with the published figures beside it.

    Benchmarks are the latest reporting year published by ``end``, labelled with that year: a period
    that is not a reporting year is never compared as if it were one (``benchmark.compare``'s ``as_at``).
    ``end`` a 31 March gives that reporting year's report (``gather``), with the series added.
    """
    la = str(la)
    found = series_mod.gather(db, la, end, months)
    period = found.period
    if period.is_year:
        data = gather(db, la, period.year, neighbours, now)
    else:
        data = _gather_period(db, la, found, neighbours, now)
    data.period, data.months = period, months
    for v in data.items():
        v.series = found.items.get(v.item.id)
    return data


def _gather_period(db, la: str, found, neighbours: int, now) -> ReportData:
    """``gather_as_at`` for a period that is not a reporting year."""
    period, results = found.period, found.results
    lineage = _lineage(db, la)
    as_at = (period, results)
    # the latest reporting year ended by the as-at date (or an earlier one, where it is not published)
    comparisons, bench_note = _comparisons(db, la, period.year - 1, neighbours, {}, as_at=as_at)
    return _assemble(db, la, period.year, results, comparisons, bench_note, {}, lineage,
                     lambda item_id: as_at_figure(as_at, item_id, lineage), found.history_years, now,
                     population_year=period.population_year, period=period)


def _not_computed_reason(it: Item) -> str:
    """Why an imported item (definitions.md section 3) has no value: the data it needs are not loaded."""
    needs = ", ".join(it.needs) or "data beyond the CIN census"
    return f"it is imported, not computed from the CIN census, and no {needs} figure is loaded for this LA and year"


def _distributions(it: Item, r: ItemResult) -> list[dict[str, Any]]:
    """The distributions shown as charts: working-day bands, durations of need, groups by category."""
    out = []
    if r.bands:
        out.append({"name": "bands", "label": "number in each band", "rows": list(r.bands.items())})
    for part in ("open", "closed"):  # cin_duration: open cases and closed cases, each by duration band
        sub = r.figures.get(part)
        if isinstance(sub, dict) and isinstance(sub.get("bands"), dict):
            out.append({"name": f"{part}_bands", "label": f"{part} cases: number in each duration band",
                        "rows": list(sub["bands"].items())})
    if r.groups:
        rows = [(k, g.get("count")) for k, g in r.groups.items() if isinstance(g, dict)]
        if rows and all(v is not None for _, v in rows):
            out.append({"name": "groups", "label": "number in each group", "rows": rows})
    return out
