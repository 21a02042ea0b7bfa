"""`munro benchmark` output: a table to read, JSON for programs, CSV for spreadsheets.

The formats are the ``benchmark`` (one LA) and ``benchmark-all`` (every LA) kinds of ``munro.renderers``,
registered at the end of this module.
"""

from __future__ import annotations

import io
import json

from .. import __version__
from ..indicators.output import shown as _fmt
from ..output import csv_writer
from ..provenance import OGL
from ..renderers import register_output_renderer
from ..renderers import render as render_as
from ..years import year_label
from .compare import Comparison

_SOURCE = {"published": "published", "returns": "returns", "imported": "import"}


def _flag(c: Comparison) -> str:
    return (c.versus_england or {}).get("flag") or ""


def as_table(la: str, year: int, comparisons: list[Comparison]) -> str:
    head = ["item", "LA", "year", "source", "England", "region", "SN mean", "SN median", "rank", "quartile",
            "vs England"]
    rows = [head]
    for c in comparisons:
        h = c.headline
        sn = c.neighbours
        rows.append([
            c.item_id,
            _fmt(h.value, c.unit),
            str(h.year or ""),
            _SOURCE.get(h.kind, "-"),
            _fmt(c.england.value, c.unit),
            _fmt(c.region.value, c.unit),
            _fmt(sn.mean if sn else None, c.unit),
            _fmt(sn.median if sn else None, c.unit),
            f"{c.rank}/{c.of}" if c.rank else "-",
            str(c.quartile or "-"),
            _flag(c),
        ])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [f"LA {la}, reporting year {year_label(year)}: each item's figure is the published one where there "
             "is one, else the LA's own (source: published; returns = munro from the LA's returns; import = "
             "the LA's imported figure); rank 1 and quartile 1 are the best where an item has a better direction",
             ""]
    for n, r in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(r, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    differs = [c for c in comparisons if c.data_quality and c.data_quality["differs"]]
    if differs:
        lines += ["", "Own and published figures differ (a data-quality signal):"]
        for c in differs:
            lines.append(f"  {c.item_id}: own ({_SOURCE[c.own.kind]}) {_fmt(c.own.value, c.unit)}, "
                         f"published {_fmt(c.published.value, c.unit)}")
    return "\n".join(lines) + "\n"


def _made() -> dict[str, str]:
    """Which munro made the output, and the attribution the published figures in it require."""
    return {"munro_version": __version__, "licence": OGL}


def as_json(la: str, year: int, comparisons: list[Comparison]) -> str:
    return json.dumps({"la": la, "year": year, "items": {c.item_id: c.to_dict() for c in comparisons}, **_made()},
                      indent=2, default=str) + "\n"


CSV_COLUMNS = ["la", "year", "item", "unit", "polarity", "value", "value_year", "value_source", "value_kind",
               "value_provenance", "own", "own_kind", "published",
               "published_symbol", "england", "region", "neighbour_model", "neighbour_mean", "neighbour_median",
               "neighbours_with_data", "rank", "of", "quartile", "interval_low", "interval_high", "vs_england",
               "own_differs_from_published"]


def as_csv(la: str, year: int, comparisons: list[Comparison]) -> str:
    out = io.StringIO()
    w = csv_writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for c in comparisons:
        sn, iv = c.neighbours, c.interval or {}
        h = c.headline
        w.writerow([la, year, c.item_id, c.unit, c.polarity, h.value, h.year, h.source, h.kind, h.provenance,
                    c.own.value, c.own.kind, c.published.value, c.published.symbol, c.england.value, c.region.value,
                    sn.model if sn else None, sn.mean if sn else None, sn.median if sn else None,
                    sn.with_data if sn else None, c.rank, c.of, c.quartile, iv.get("low"), iv.get("high"),
                    _flag(c), (c.data_quality or {}).get("differs")])
    return out.getvalue()


def render(fmt: str, la: str, year: int, comparisons: list[Comparison]) -> str:
    return render_as("benchmark", fmt, la, year, comparisons)


def render_all(fmt: str, year: int, by_la: dict[str, list[Comparison]]) -> str:
    """Every LA's comparisons (``compare_all``): tables one after another, one CSV, one JSON object by LA."""
    return render_as("benchmark-all", fmt, year, by_la)


def _all_tables(year: int, by_la: dict[str, list[Comparison]]) -> str:
    return "\n".join(as_table(la, year, cs) for la, cs in by_la.items())


def _all_json(year: int, by_la: dict[str, list[Comparison]]) -> str:
    return json.dumps({"year": year, "las": {la: {c.item_id: c.to_dict() for c in cs} for la, cs in by_la.items()},
                       **_made()}, indent=2, default=str) + "\n"


def _all_csv(year: int, by_la: dict[str, list[Comparison]]) -> str:
    parts = [as_csv(la, year, cs) for la, cs in by_la.items()]
    return parts[0] + "".join(p.split("\n", 1)[1] for p in parts[1:])  # one header


register_output_renderer("benchmark", "table", as_table)
register_output_renderer("benchmark", "json", as_json)
register_output_renderer("benchmark", "csv", as_csv)
register_output_renderer("benchmark-all", "table", _all_tables)
register_output_renderer("benchmark-all", "json", _all_json)
register_output_renderer("benchmark-all", "csv", _all_csv)
