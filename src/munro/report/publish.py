"""``--publish``: the gathered report made safe to share beyond the authority, by munro.disclosure.

Every figure munro computed for the LA goes through ``disclosure.safe_item``
(counts 1-5 as ``c``, secondary suppression, figures derived from a hidden
count hidden), this year's and each earlier year's of the trend (and each point of an as-at report's
monthly series), so a hidden figure cannot be read off the chart or the workbook instead. Benchmarks of
England, regions and other LAs are published statistics already (their
publishers suppressed and rounded them) and are shown as published. Counts
in the data-quality section (children per return, findings per rule) are
suppressed one by one.
"""

from __future__ import annotations

from typing import Any

from ..benchmark.compare import trend_change
from ..disclosure import is_suppressed, safe_item, suppress_count
from ..indicators.compute import compute_years
from ..indicators.result import ItemResult
from . import summary
from .build import _distributions
from .fmt import figure_rows

_FIELDS = ("value", "reason", "numerator", "denominator", "count", "excluded", "bands", "groups", "note")


def _safe_result(r: ItemResult) -> tuple[ItemResult, dict[str, Any]]:
    d = safe_item(r.to_dict())
    applied = d.pop("disclosure", {})
    fields = {k: d.pop(k, None) for k in _FIELDS}
    d.pop("unit", None)
    return ItemResult(id=r.id, unit=r.unit, figures=d, **fields), applied


def _earlier_years(db, la: str, years: list[int]) -> dict[int, dict]:
    return {y: r["items"] for y, r in compute_years(db, la, years).items()}


def make_safe(data, db) -> None:
    """Apply disclosure control to ``data`` (a ``build.ReportData``) in place, and say so."""
    years = sorted({t["year"] for v in data.items() for t in v.trend if t["year"] != data.year
                    and t.get("own") is not None} - set(data.by_year))
    earlier = {**data.by_year, **(_earlier_years(db, data.la, years) if years else {})}
    rule = None
    for v in data.items():
        v.result, applied = _safe_result(v.result)
        rule = rule or applied.get("rule")
        v.figures = figure_rows(v.result)
        v.distributions = _distributions(v.item, v.result)
        for t in v.trend:
            if t.get("own") is None:
                continue
            safe = v.result if t["year"] == data.year else (
                _safe_result(earlier[t["year"]][v.item.id])[0] if v.item.id in earlier.get(t["year"], {}) else None)
            t["own"] = safe.value if safe is not None else None
            if t.get("kind") != "published":  # the year's headline is the own figure: it follows the safe one
                t["value"] = t["own"]
                t["numerator"], t["denominator"] = (safe.numerator, safe.denominator) if safe else (None, None)
        if v.series is not None:  # an as-at report: every point of the monthly series, as the headline
            _safe_series(v.series)
        _safe_comparison(v)
        if v.own_fallback is not None:
            v.own_fallback.value = v.result.value
            v.own_fallback.numerator, v.own_fallback.denominator = v.result.numerator, v.result.denominator
        if v.comparison is not None:
            v.comparison.trend_change = trend_change(v.trend, v.item.unit, v.item.polarity)
    q = data.quality
    for r in q["returns"]:
        for k in ("children", "errors", "queries"):
            r[k] = suppress_count(r[k])
    for f in q["by_rule"]:
        f["findings"] = suppress_count(f["findings"])
    data.published = True
    data.notes = [
        "Disclosure control has been applied to every figure munro computed for this authority "
        f"(definitions.md section 1): {rule or 'counts from 1 to 5 are shown as c'}.",
        "c marks a hidden figure. England, regional and other authorities' figures are shown as their "
        "publishers released them.",
    ]
    data.standout = summary.standout(data)
    data.differences = summary.differences(data)
    data.by_year = {}  # each year's unsuppressed results, no longer needed: nothing published carries them


def _safe_series(series) -> None:
    """Each point of an item's monthly series (``report.series.ItemSeries``) through the same rule: a point
    whose count is hidden shows ``c`` in the table and is left off the chart."""
    for p in series.points:
        safe = _safe_result(p["result"])[0]
        p["result"], p["value"], p["numerator"], p["denominator"] = safe, safe.value, safe.numerator, safe.denominator


def _safe_comparison(v) -> None:
    """munro's own figure in the comparison follows the safe result; a hidden one takes its statistics with it."""
    c = v.comparison
    if c is None:
        return
    if c.own is not None and c.own.value is not None:
        c.own.value = v.result.value
        c.own.numerator = v.result.numerator
        c.own.denominator = v.result.denominator
    if c.headline is c.own or c.headline.kind != "published":
        c.headline = c.own
        if is_suppressed(c.own.value) or c.own.numerator is None or is_suppressed(c.own.numerator):
            c.interval = None
            c.versus_england = None
            c.rank = c.of = c.quartile = None
            c.rank_note = None
    if c.data_quality and is_suppressed(c.own.value):
        c.data_quality = None
