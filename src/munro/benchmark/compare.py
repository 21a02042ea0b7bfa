"""An LA's items beside England, its region, its statistical neighbours and every other LA.

``compare(db, la, year)`` gives one :class:`Comparison` per catalogue item that
has data for the LA: munro's own figure from the LA's returns (when they are
loaded) and the published figure (when DfE or another source published it),
then, from the published statistics of the ``benchmark`` table:

- England and the LA's region;
- the statistical neighbours of the chosen model (2025 by default, 2021
  selectable): every member with its value, their mean and median, labelled;
- rank and quartile among all LAs with a value, ordered by the item's polarity
  (rank 1 and quartile 1 are the best; for an item where neither direction is
  better, the highest value ranks first and the labels say so);
- a trend of up to ten years, own and published side by side;
- where the numerator and denominator support it, a confidence interval and the
  funnel-plot comparison with England (``munro.benchmark.stats``);
- where both an own and a published figure exist, a data-quality signal when
  they differ beyond rounding, with the likely reasons.

Rankings use the same year's published figures. An LA computing a year that is
not published yet is compared with the latest published year, and every figure
says which year it is.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..engines import connect
from ..errors import MunroError
from ..indicators.catalogue import CATALOGUE, COMPARABILITY, POLARITIES
from ..indicators.catalogue import item as catalogue_item
from ..indicators.compute import ITEMS, compute, compute_all
from ..progress import report
from ..reference import local_authorities
from ..store.db import open_store
from ..years import year_label, years_label
from . import stats
from .reference import ensure_reference

NEIGHBOUR_MODELS = (2025, 2021)
HEADLINE_RULE = ("Each item's headline is the figure its publisher (DfE for the children in need census items) "
                 "published for this authority and year when there is one, and otherwise the authority's own: "
                 "munro's figure from its returns, or the figure it imported. The interval, the comparison with "
                 "England, the rank, the quartile and the trend judgement are all of the headline; where the "
                 "authority's own figure differs from the published one, both are shown and the difference is "
                 "raised as a data-quality finding.")
KIND_WORDS = {"returns": "munro, from the returns", "imported": "imported by the authority", "published": "published"}
TREND_YEARS = 10
# Published percentages and rates are rounded to one decimal place: a larger gap is a real difference.
_ROUNDING = {"percent": 0.05, "per_10k": 0.05, "working_days": 0.5, "days": 0.5, "count": 0.0}
# The comparison's preference among sources that publish the same figure: a figure over a symbol,
# then DfE's own tables, LAIT, the other publishers, and last a user's import.
_SOURCE_ORDER = ("value IS NULL, CASE WHEN source LIKE 'DfE%' THEN 0 WHEN source LIKE 'LAIT%' THEN 1 "
                 "WHEN source LIKE 'user import%' THEN 3 ELSE 2 END, vintage DESC, source")


@dataclass
class Figure:
    """A value and where it comes from (None with a symbol or reason when there is none)."""

    value: float | None
    year: int | None = None
    source: str | None = None
    numerator: float | None = None
    denominator: float | None = None
    symbol: str | None = None
    reason: str | None = None
    kind: str | None = None  # "returns" (munro from the LA's returns), "imported" (the LA's own import), "published"
    provenance: str | None = None  # where it comes from, in words a reader understands
    period: str | None = None  # an as-at figure's period ("12 months to 31 October 2025"): no reporting year's


@dataclass
class Neighbours:
    model: int
    members: list[dict[str, Any]]  # code, name, value, symbol
    mean: float | None
    median: float | None
    with_data: int


@dataclass
class Comparison:
    item_id: str
    title: str
    section: str
    unit: str
    polarity: str
    comparability: str
    own: Figure
    published: Figure
    headline: Figure  # the one figure shown and compared (HEADLINE_RULE)
    basis_year: int | None  # the year of the published figures compared with
    england: Figure
    region: Figure
    region_name: str | None
    neighbours: Neighbours | None
    rank: int | None = None
    of: int | None = None
    quartile: int | None = None
    rank_note: str | None = None
    trend: list[dict[str, Any]] = field(default_factory=list)
    interval: dict[str, Any] | None = None
    versus_england: dict[str, Any] | None = None
    data_quality: dict[str, Any] | None = None
    trend_change: dict[str, Any] | None = None  # the last two changes of the headline series, judged

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


class Published:
    """The benchmark table's headline figures, read once for an item set (``get``: one area's, one year).

    ``la``: only what a comparison or a series of that LA reads: every figure of England, the regions
    and ``la`` itself, and the other LAs' figures only for the years a ranking of ``year`` rests on
    (``year``, and each item's latest year up to it with any LA's figure: ``basis_year``), none without
    ``year``. The other LAs' 60,000 figures of every year cost a comparison a third of a second of
    Python; ``las`` refuses a year it was not given. None: every figure.
    """

    def __init__(self, con, items: list[str], la: str | None = None, year: int | None = None):
        marks = ", ".join("?" for _ in items)
        picked = f"""
            SELECT area_level, area_code, area_name, year, item_id, value, numerator, denominator,
                   symbol, source, vintage
            FROM (SELECT *, row_number() OVER (PARTITION BY area_level, area_code, year, item_id
                                               ORDER BY {_SOURCE_ORDER}) AS pick
                  FROM benchmark WHERE figure = 'value' AND item_id IN ({marks}))
            WHERE pick = 1"""
        # Which years each item has an LA figure in (``latest_year``), whatever else is read.
        self._valued_la_years: dict[str, list[int]] = {}
        for r in _rows(con, f"SELECT DISTINCT item_id, year FROM ({picked}) WHERE area_level = 'la' "
                            "AND value IS NOT NULL ORDER BY item_id, year", items):
            self._valued_la_years.setdefault(r["item_id"], []).append(r["year"])
        self._ranked: dict[str, set[int]] | None = None  # item -> the years of which every LA is read
        where, params = "", list(items)
        if la is not None:
            self._ranked = {i: set() for i in items}
            if year is not None:
                for i in items:
                    self._ranked[i] = {int(year)} | {y for y in [self.latest_year(i, int(year))] if y is not None}
            ranked = [(i, y) for i, ys in self._ranked.items() for y in ys]
            pairs = " OR ".join("(item_id = ? AND year = ?)" for _ in ranked) or "FALSE"
            where = f" WHERE area_level <> 'la' OR area_code = ? OR {pairs}"
            params += [str(la), *(v for pair in ranked for v in pair)]
        rows = _rows(con, f"SELECT * FROM ({picked}){where}", params)
        self.by_key: dict[tuple, dict] = {}
        # Indexes for the lookups below, each asked dozens of times per comparison (scanning by_key
        # for every one cost half a second of a report).
        self._las: dict[tuple, dict[str, dict]] = {}
        self._years: dict[tuple, list[int]] = {}
        for r in rows:
            item, level, code, year_ = r["item_id"], r["area_level"], r["area_code"], r["year"]
            self.by_key[(item, level, code, year_)] = r
            self._years.setdefault((item, level, code), []).append(year_)
            if level == "la":
                self._las.setdefault((item, year_), {})[code] = r

    def get(self, item: str, level: str, code: str, year: int | None) -> Figure:
        if year is None:
            return Figure(None, reason="no published year")
        r = self.by_key.get((item, level, code, year))
        if r is None:
            return Figure(None, year=year, reason="not published")
        return Figure(r["value"], year, r["source"], r["numerator"], r["denominator"], r["symbol"],
                      None if r["value"] is not None else _symbol_reason(r["symbol"]), kind="published",
                      provenance=f"published: {_SOURCE_WORDS.get(r['source'], r['source'])}, {year_label(year)} figure")

    def las(self, item: str, year: int) -> dict[str, dict]:
        """Every LA's figure of ``item`` in ``year`` (code -> row)."""
        if self._ranked is not None and year not in self._ranked.get(item, ()):
            raise ValueError(f"the published figures of every LA for {item} in {year} were not read")
        return dict(self._las.get((item, year), {}))

    def years(self, item: str, level: str, code: str) -> list[int]:
        return sorted(self._years.get((item, level, code), []))

    def latest_year(self, item: str, up_to: int) -> int | None:
        years = [y for y in self._valued_la_years.get(item, []) if y <= up_to]
        return max(years) if years else None


# Sources whose name alone says nothing to a reader.
_SOURCE_WORDS = {"LAIT": "DfE's Local Authority Interactive Tool (LAIT)"}


def _symbol_reason(symbol: str | None) -> str:
    return {"c": "suppressed by the publisher (small numbers)", "x": "not available",
            "z": "not applicable", "u": "low reliability"}.get(symbol or "", "not published")


# ---------------------------------------------------------------- ranking


def rank_among(values: dict[str, float], la: str, polarity: str) -> tuple[int | None, int, int | None]:
    """(rank, of, quartile) of ``la`` among ``values`` (LA -> value), best first by polarity.

    Ties share the best rank (1, 2, 2, 4). Quartile 1 holds ranks up to a quarter of
    the LAs, as DfE's LAIT bands them: ceil(4 * rank / n).
    """
    if la not in values:
        return None, len(values), None
    n = len(values)
    mine = values[la]
    if polarity == "lower_better":
        better = sum(1 for v in values.values() if v < mine)
    else:  # higher_better, and neither (highest first)
        better = sum(1 for v in values.values() if v > mine)
    rank = better + 1
    quartile = -(-4 * rank // n)  # ceil
    return rank, n, quartile


def neighbour_stats(values: list[float]) -> tuple[float | None, float | None]:
    """(mean, median) of the neighbours that have a value; None when none has."""
    if not values:
        return None, None
    return statistics.fmean(values), statistics.median(values)


# ---------------------------------------------------------------- own figures


def _own_results(db, la: str, years: list[int], items: list[str], progress=None) -> dict[int, dict]:
    """year -> compute()'s ``items`` for the years the LA has returns for."""
    computable = [i for i in items if i in ITEMS]
    out: dict[int, dict] = {}
    if not computable or not Path(db).is_file():
        return out
    with connect(db) as engine:
        loaded = engine.history().get(la, [])
        todo = [y for y in years if y in loaded]
        for n, year in enumerate(todo):
            report(progress, f"computing {year_label(year)}", n, len(todo))
            out[year] = compute(engine, la, year, items=computable)["items"]
    return out


def compare_all(db, year: int, neighbours: int = 2025, items: list[str] | None = None,
                progress=None) -> dict[str, list[Comparison]]:
    """``compare`` for every LA with a return for ``year`` in the store (a pooled store's ``--la all``).

    The LAs' own figures come from one grouped computation per year (``compute_all``), not one per
    LA, and are then compared LA by LA exactly as ``compare`` does for one. ``progress``: ``munro.progress``.
    """
    year = int(year)
    wanted = list(items) if items else [i.id for i in CATALOGUE]
    computable = [i for i in wanted if i in ITEMS]
    years = range(year - TREND_YEARS + 1, year + 1)
    if not Path(db).is_file():
        raise MunroError(f"no store at {db}: load returns first with `munro ingest`")
    with connect(db) as engine:
        history = engine.history()
        las = sorted(la for la, loaded in history.items() if year in loaded)
        if not las:
            raise MunroError(f"no LA has a {year_label(year)} return loaded in {db}")
        todo = sorted({y for la in las for y in history[la] if y in years}) if computable else []
        by_year = {}
        for n, y in enumerate(todo):
            report(progress, f"computing {year_label(y)} for every LA", n, len(todo))
            by_year[y] = {r["la"]: r["items"] for r in compute_all(engine, y, items=computable)}
    out = {}
    for n, la in enumerate(las):
        report(progress, "comparing each LA", n, len(las))
        out[la] = compare(db, la, year, neighbours, items,
                          own_results={y: found[la] for y, found in by_year.items() if y in history[la]})
    return out


@dataclass
class Lineage:
    """What the LA's own figures were made from: its current returns' years, its imports' files."""

    returns: list[int] = field(default_factory=list)
    imports: dict[int, tuple[str, Any]] = field(default_factory=dict)  # year -> (file name, loaded at)

    @classmethod
    def read(cls, con, la: str) -> Lineage:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        returns = [int(r[0]) for r in con.execute(
            "SELECT DISTINCT collection_year FROM returns WHERE la_code = ? AND status = 'current' ORDER BY 1",
            [la]).fetchall()] if "returns" in tables else []
        imports = {int(y): (f, at) for y, f, at in con.execute(
            "SELECT year, file_name, loaded_at FROM local_loads WHERE la_code = ? AND kind = 'own-figures' "
            "AND status = 'current'", [la]).fetchall()} if "local_loads" in tables else {}
        return cls(returns, imports)

    def of_returns(self, year: int) -> str:
        years = [y for y in self.returns if y <= year]
        span = years_label(years[0], years[-1]) if years else year_label(year)
        return f"computed by munro from this authority's children in need census returns ({span})"

    def of_import(self, year: int, source: str | None) -> str:
        file, at = self.imports.get(year, (None, None))
        loaded = f"{file}, loaded {at.day} {at:%B %Y}" if file and at else "its own-figures file"
        return f"imported by this authority ({loaded}; its source: {source or 'not given'})"


def own_figure(results: dict[int, dict], item: str, year: int, lineage: Lineage | None = None) -> Figure:
    found = results.get(year, {}).get(item)
    if found is None:
        return Figure(None, year=year, reason=f"no {year_label(year)} return loaded" if year not in results else
                      "not computed by munro")
    if found.value is None:
        return Figure(None, year=year, source="munro", reason=found.reason)
    lineage = lineage or Lineage()
    # An item from another source (definitions.md section 3) is the LA's own import, shown with its source.
    if "source" in found.figures:
        return Figure(found.value, year, f"own import: {found.figures['source']}", found.numerator,
                      found.denominator, kind="imported", provenance=lineage.of_import(year, found.figures["source"]))
    return Figure(found.value, year, "munro (own returns)", found.numerator, found.denominator, kind="returns",
                  provenance=lineage.of_returns(year))


# ---------------------------------------------------------------- the comparison


@dataclass
class Benchmarks:
    """What a comparison reads from the store (``read_benchmarks``): the published figures, the LA's
    statistical neighbours and the lineage of its own figures."""

    items: list[str]
    published: Published
    neighbours: list[dict]
    lineage: Lineage


def _wanted(items: list[str] | None, neighbours: int) -> list[str]:
    if neighbours not in NEIGHBOUR_MODELS:
        raise MunroError(f"no statistical-neighbour model {neighbours} (choose 2025 or 2021)")
    wanted = list(items) if items else [i.id for i in CATALOGUE]
    unknown = [i for i in wanted if i not in {c.id for c in CATALOGUE}]
    if unknown:
        raise MunroError(f"unknown item(s): {', '.join(unknown)}")
    return wanted


def read_benchmarks(db, la: str, year: int, neighbours: int = 2025, items: list[str] | None = None) -> Benchmarks:
    """What ``compare`` reads from the store ``db`` (path), for ``compare``'s ``benchmarks``: read while the
    LA's items run (the report, the dashboard), where reading it after them made every comparison wait.

    The caller has made sure of the packaged statistics (``benchmark.reference.ensure_reference``) first:
    that may write the store, which DuckDB refuses while an engine has it attached.
    """
    la, year = str(la), int(year)
    wanted = _wanted(items, neighbours)
    con = open_store(db, read_only=True)
    try:
        published = Published(con, wanted, la, year)
        sn = _rows(con, "SELECT rank, neighbour_code, closeness FROM statistical_neighbours "
                        "WHERE model = ? AND la_code = ? ORDER BY rank", [str(neighbours), la])
        lineage = Lineage.read(con, la)
    finally:
        con.close()
    return Benchmarks(wanted, published, sn, lineage)


def compare(db, la: str, year: int, neighbours: int = 2025, items: list[str] | None = None,
            own_results: dict[int, dict] | None = None, progress=None, *, as_at=None,
            benchmarks: Benchmarks | None = None) -> list[Comparison]:
    """Every item with data for LA ``la`` in reporting year ``year``, compared (module docstring).

    ``db`` is the path of a munro store; its benchmark tables are loaded from the packaged
    published statistics on first use. ``neighbours`` picks the statistical-neighbour model.
    ``own_results`` ({year: compute()'s items} for the LA's loaded years) saves computing them
    again when the caller already has them (the report does). ``progress``: ``munro.progress``.

    ``as_at`` ((a ``years.Period`` that is not a reporting year, its items from
    ``indicators.series``)): the LA's figures for that period compared with the published figures of
    reporting year ``year`` or the latest before it, never as the same period: the headline is the
    LA's own figure, labelled with its period; there is no published figure of its own (DfE publishes
    reporting years only) and the trend is the published years'.

    ``benchmarks``: ``read_benchmarks(db, la, year, neighbours, items)``, read already (the packaged
    statistics made sure of before it); None reads them here.
    """
    la, year = str(la), int(year)
    wanted = _wanted(items, neighbours)
    if benchmarks is None:
        ensure_reference(db)
    years = list(range(year - TREND_YEARS + 1, year + 1))
    if as_at is not None:
        own_results = {}
    if own_results is None:
        own = _own_results(db, la, years, wanted, progress)
    else:
        own = {y: own_results[y] for y in years if y in own_results}
    if benchmarks is None:
        benchmarks = read_benchmarks(db, la, year, neighbours, wanted)
    elif benchmarks.items != wanted:
        raise ValueError("the benchmarks were read for other items")
    published, sn, lineage = benchmarks.published, benchmarks.neighbours, benchmarks.lineage
    known = local_authorities().get(la)
    if known is None and not own and as_at is None and not any(k[2] == la for k in published.by_key):
        raise MunroError(f"no LA {la}: not an English LA code, and no returns for it are loaded")
    out = []
    for item_id in wanted:
        mine = as_at_figure(as_at, item_id, lineage) if as_at is not None else None
        c = _compare_item(item_id, la, year, own, published, sn, neighbours, known, lineage, mine)
        if c is not None:
            out.append(c)
    return out


def as_at_figure(as_at, item_id: str, lineage: Lineage) -> Figure:
    """The LA's own figure for an as-at period (``compare``'s ``as_at``: the period and its items), labelled
    with the period."""
    period, found = as_at
    r = found.get(item_id)
    if r is None or r.value is None:
        return Figure(None, year=period.year, source="munro", reason=r.reason if r is not None else
                      "not computed by munro", period=period.label)
    years = [y for y in lineage.returns if y <= period.year]
    since = f" (returns from {year_label(years[0])})" if years else ""
    return Figure(r.value, period.year, "munro (own returns and in-year extracts)", r.numerator, r.denominator,
                  kind="returns", period=period.label,
                  provenance=f"computed by munro from this authority's children in need census returns and "
                             f"in-year extracts{since}, for the {period.label}")


def _compare_item(item_id, la, year, own, published, sn, model, known, lineage=None,
                  as_at: Figure | None = None) -> Comparison | None:
    item = catalogue_item(item_id)
    if as_at is None:
        mine = own_figure(own, item_id, year, lineage)
        pub = published.get(item_id, "la", la, year)
    else:  # published figures are of reporting years: none is of the as-at period
        mine, pub = as_at, Figure(None, reason=f"DfE publishes reporting years, not the {as_at.period}")
    has_trend = any(published.years(item_id, "la", la)) or any(own_figure(own, item_id, y).value is not None
                                                                for y in own)
    if mine.value is None and pub.value is None and not has_trend:
        return None
    basis = year if published.las(item_id, year) else published.latest_year(item_id, year)
    headline = pub if pub.value is not None else mine
    c = Comparison(
        item_id=item_id, title=item.title, section=item.section, unit=item.unit, polarity=item.polarity,
        comparability=COMPARABILITY[item.comparability], own=mine, published=pub, headline=headline,
        basis_year=basis,
        england=published.get(item_id, "england", "E92000001", basis),
        region=published.get(item_id, "region", known.region_code, basis) if known else Figure(None),
        region_name=known.region_name if known else None,
        neighbours=_neighbours(published, item_id, basis, sn, model),
    )
    _rank(c, published, la)
    c.trend = _trend(own, published, item_id, la, year, lineage)
    _uncertainty(c)
    c.data_quality = _data_quality(item, mine, pub)
    c.trend_change = trend_change(c.trend, item.unit, item.polarity)
    return c


def _neighbours(published, item_id, basis, sn, model) -> Neighbours | None:
    if not sn:
        return None
    names = local_authorities()
    values = published.las(item_id, basis) if basis else {}
    members = []
    for row in sn:
        code = row["neighbour_code"]
        r = values.get(code)
        members.append({"code": code, "name": names[code].name if code in names else code,
                        "closeness": row["closeness"],
                        "value": r["value"] if r else None, "symbol": r["symbol"] if r else None})
    have = [m["value"] for m in members if m["value"] is not None]
    mean, median = neighbour_stats(have)
    return Neighbours(model, members, mean, median, len(have))


def _rank(c: Comparison, published, la: str) -> None:
    if c.basis_year is None:
        return
    values = {code: r["value"] for code, r in published.las(c.item_id, c.basis_year).items() if r["value"] is not None}
    note = []
    if c.basis_year != c.headline.year or la not in values:
        if c.headline.value is None:
            return
        values[la] = c.headline.value  # the LA's own figure placed among the others' published ones
        note.append(f"munro's own figure for the {c.headline.period} placed among LAs' published "
                    f"{year_label(c.basis_year)} figures" if c.headline.period else
                    f"munro's own {year_label(c.headline.year)} figure placed among LAs' published "
                    f"{year_label(c.basis_year)} figures")
    c.rank, c.of, c.quartile = rank_among(values, la, c.polarity)
    if c.polarity == "neither":
        note.append("ranked from the highest value: neither direction is better in itself")
    else:
        note.append(f"rank 1 and quartile 1 are the best ({POLARITIES[c.polarity]})")
    c.rank_note = "; ".join(note)


def _trend(own, published, item_id, la, year, lineage=None) -> list[dict]:
    """Each year's own and published figures, and its headline by the same rule as the year's (``value``)."""
    rows = []
    for y in range(year - TREND_YEARS + 1, year + 1):
        p = published.get(item_id, "la", la, y)
        o = own_figure(own, item_id, y, lineage)
        e = published.get(item_id, "england", "E92000001", y)
        if p.value is None and o.value is None and p.symbol is None:
            continue
        h = p if p.value is not None else o
        rows.append({"year": y, "published": p.value, "symbol": p.symbol, "own": o.value, "own_kind": o.kind,
                     "england": e.value, "value": h.value, "kind": h.kind if h.value is not None else None,
                     "numerator": h.numerator, "denominator": h.denominator})
    return rows


def trend_change(trend: list[dict], unit: str, polarity: str) -> dict | None:
    """The last two year-on-year changes of the headline series, when both went the same way, judged.

    A run of two changes the same way is a pattern worth a line only when the change over the two
    years is beyond chance: ``significant`` says whether its 99.8% interval (``stats.change_between``)
    excludes no change, the same level as the comparison with England. Years whose figures come from
    different sources (published for some, the authority's own for others) are not judged: a change
    of source is not a change in practice. None when there are not three consecutive years or the
    two changes went different ways.
    """
    series = [t for t in trend if isinstance(t.get("value"), (int, float))][-3:]
    if len(series) < 3 or series[-1]["year"] - series[0]["year"] != 2:
        return None
    a, b, c = (t["value"] for t in series)
    if not ((a < b < c) or (a > b > c)):
        return None
    direction = "risen" if c > a else "fallen"
    if polarity == "neither":
        quality = None
    else:
        quality = "worse" if (direction == "risen") == (polarity == "lower_better") else "better"
    out = {"from_year": series[0]["year"], "to_year": series[-1]["year"], "from": a, "to": c,
           "direction": direction, "quality": quality}
    if len({t["kind"] for t in series}) > 1:
        return {**out, "significant": None, "reason": "the years' figures come from different sources"}
    change = stats.change_between((series[0]["numerator"], series[0]["denominator"]),
                                  (series[-1]["numerator"], series[-1]["denominator"]), unit)
    return {**out, "significant": change.significant, "reason": change.reason,
            "interval": list(change.interval) if change.interval else None}


def _uncertainty(c: Comparison) -> None:
    """Interval of the headline and its comparison with England, where counts allow it."""
    h, e = c.headline, c.england
    if h.value is None or h.numerator is None or not h.denominator:
        return
    k, n = int(round(h.numerator)), int(round(h.denominator))
    if c.unit == "percent" and 0 <= k <= n:
        low, high = stats.wilson_interval(k, n)
        c.interval = {"method": "Wilson score, 95%", "low": low, "high": high}
    elif c.unit == "per_10k" and k >= 0:
        low, high = stats.poisson_rate_interval(k, n)
        c.interval = {"method": "exact Poisson, 95%", "low": low, "high": high}
    else:
        return
    if e.value is not None:
        c.versus_england = asdict(stats.compare_with_target(k, n, e.value, c.unit, symbol=h.symbol))
        # the funnel around England at this LA's denominator, where a chart would place it
        limits = stats.proportion_limits if c.unit == "percent" else stats.rate_limits
        c.versus_england["funnel"] = {f"{side}_{level}": getattr(limits(e.value, n, conf), side)
                                      for conf, level in ((0.95, "95"), (0.998, "998"))
                                      for side in ("lower", "upper")}


def _data_quality(item, mine: Figure, pub: Figure) -> dict | None:
    if mine.value is None or pub.value is None:
        return None
    gap = mine.value - pub.value
    if abs(gap) <= _ROUNDING.get(item.unit, 0.0) + 1e-9:
        return {"differs": False, "difference": gap}
    reasons = []
    if mine.kind == "imported":
        reasons.append("a different extract or count: the imported figure comes from the authority's own records, "
                       "the published one from the publisher's collection, which may have been corrected or revised")
    else:
        if item.comparability != "dfe":
            reasons.append("different method: munro's own definition is not the one DfE publishes")
        reasons.append("resubmitted or corrected data: DfE publishes from the return as finally accepted, "
                       "which may not be the one loaded here")
    if item.unit == "per_10k":
        reasons.append("a different population estimate (DfE uses the ONS vintage of its release)")
    return {"differs": True, "difference": gap, "likely_reasons": reasons}


__all__ = ["compare", "read_benchmarks", "Benchmarks", "Comparison", "Figure", "Published", "Neighbours", "Lineage",
           "rank_among", "neighbour_stats", "trend_change", "own_figure", "as_at_figure", "NEIGHBOUR_MODELS",
           "HEADLINE_RULE", "KIND_WORDS"]
