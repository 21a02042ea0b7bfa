"""The items of one computation as text: a table for people, JSON and CSV for programs.

The formats are the ``indicators`` kind of ``munro.renderers``, registered at the end of this module.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from typing import Any

from .. import __version__
from ..output import csv_writer
from ..renderers import register_output_renderer
from ..renderers import render as render_as
from ..years import date_words, year_label
from .catalogue import item
from .compute import as_json
from .result import ItemResult
from .series import series_as_json

_CSV_FIGURES = ("numerator", "denominator", "count", "excluded")
_CSV_GROUP = ("las_included", "las_in_group", "partial")
_SHOWN = {"percent": "%", "per_10k": " per 10k", "working_days": " working days", "days": " days", "count": ""}


def shown(value: float | None, unit: str) -> str:
    # Rounded at the edge (definitions.md section 1): one decimal place for rates and percentages.
    if value is None:
        return "-"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}{_SHOWN[unit]}"


def to_table(result: Mapping[str, Any]) -> str:
    """A plain-text table: item, headline value, the figures behind it or why there is none."""
    y = result["year"]
    who = f"LA {result['la']}" if "members" not in result else result["label"] + (
        " (partial)" if result["partial"] else "")
    head = (f"{who}, {result.get('period') or year_label(y)} (returns loaded: "
            f"{', '.join(year_label(h) for h in result['history_years']) or 'none'})")
    if "members" in result:
        head += "\n" + _group_head(result)
    if "source_reason" in result:  # munro.indicators.annex_a.compute_from: which source, and why
        head += f"\n{result['period']}: figures from {result['source_reason']}"
    rows = [("item", "value", "source", "from")]
    for item_id, r in result["items"].items():
        rows.append((f"{item_id}  {item(item_id).title}", shown(r.value, r.unit),
                     "annex-a" if result.get("source") == "annex-a" and r.value is not None else source(r), behind(r)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [head, "own figures, not the published ones (source: returns = computed by munro from the returns; "
             "import = an imported figure); `munro benchmark` sets them beside the published ones", ""]
    lines += ["  ".join([row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]), row[3]]).rstrip()
              for row in rows]
    return "\n".join(lines)


def behind(r: ItemResult) -> str:
    """What a figure was computed from (``12 of 40``, a count), or why there is none."""
    if r.value is None:
        return r.reason or r.note or ""
    if r.numerator is not None and r.denominator is not None:
        return f"{r.numerator:,} of {r.denominator:,}"
    return f"{r.count:,}" if r.count is not None else ""


def source(r: ItemResult) -> str:
    """Where an item's figure comes from, in a word: munro's from the returns, or the LA's import."""
    if r.value is None:
        return "-"
    return "import" if "source" in r.figures else "returns"



def _group_head(result: Mapping[str, Any]) -> str:
    """A region or group (munro.indicators.groups): how many of its LAs are in, which, and those left out."""
    head = f"{result['coverage']}; in: {', '.join(result['members']) or 'none'}"
    why: dict[str, list[str]] = {}
    for la, reason in result["missing"].items():
        why.setdefault(reason, []).append(la)
    if why:
        head += "; left out: " + "; ".join(f"{', '.join(las)} ({reason})" for reason, las in why.items())
    return head


def _json(result: Mapping[str, Any]) -> dict[str, Any]:
    """The result as JSON's dict form, saying which munro computed it."""

    return {**as_json(result), "munro_version": __version__}


def to_json(result: Mapping[str, Any]) -> str:
    return json.dumps(_json(result), indent=2, default=str)


def to_csv(result: Mapping[str, Any]) -> str:
    """One row per item: the headline, its common figures and the reason when there is no value."""
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\n")
    # A region or group also says, on every row, how many of its LAs are in and whether it is partial.
    group = ([len(result["members"]), result["group_size"], "yes" if result["partial"] else "no"]
             if "members" in result else [])
    # A period that is not a reporting year (--as-at) says its end on every row, as a series does.
    as_at = [result["as_at"]] if "as_at" in result else []
    writer.writerow(["la", "year", *(["as_at"] if as_at else []), "item", "value", "unit", *_CSV_FIGURES,
                     "reason", *(_CSV_GROUP if group else ())])
    for item_id, r in result["items"].items():
        writer.writerow([result["la"], result["year"], *as_at, *_csv_item(item_id, r), *group])
    return buf.getvalue()


def _csv_item(item_id: str, r: ItemResult) -> list[Any]:
    return [item_id, "" if r.value is None else r.value, r.unit,
            *("" if getattr(r, f) is None else getattr(r, f) for f in _CSV_FIGURES), r.reason or ""]


Results = Mapping[str, Any] | list[Mapping[str, Any]]


def _tables(results: Results) -> str:
    if not isinstance(results, list):
        return to_table(results)
    return "\n\n".join(to_table(r) for r in results)


def _json_list(results: Results) -> str:
    if not isinstance(results, list):
        return to_json(results)
    return json.dumps([_json(r) for r in results], indent=2, default=str)


def _csv(results: Results) -> str:
    if not isinstance(results, list):
        return to_csv(results)
    parts = [to_csv(r) for r in results]
    return "".join(parts[:1] + [p.split("\n", 1)[1] for p in parts[1:]])


register_output_renderer("indicators", "table", _tables)
register_output_renderer("indicators", "json", _json_list)
register_output_renderer("indicators", "csv", _csv)


# ---------------------------------------------------------------- a monthly series (compute_series)


def series_table(series: Mapping[str, Any]) -> str:
    """One block per item: its rolling 12-month figure at each point of the series, earliest first."""
    periods = series["periods"]
    end = date_words(dt.date.fromisoformat(series["as_at"]))
    lines = [f"LA {series['la']}, rolling 12 months at {len(periods)} points to {end}"
             f" (returns loaded: {', '.join(year_label(h) for h in series['history_years']) or 'none'})",
             "own figures, not the published ones; each point is the 12 months ending on its date, as an extract "
             "taken that day would give them (31 March: the reporting year)"]
    for item_id in periods[-1]["items"]:
        lines += ["", f"{item_id}  {item(item_id).title}"]
        rows = [(p["as_at"], shown(p["items"][item_id].value, p["items"][item_id].unit),
                 behind(p["items"][item_id])) for p in periods]
        width = max(len(r[1]) for r in rows)
        lines += [f"  {d}  {v.rjust(width)}  {b}".rstrip() for d, v, b in rows]
    return "\n".join(lines)


def series_json(series: Mapping[str, Any]) -> str:
    return json.dumps({**series_as_json(series), "munro_version": __version__}, indent=2, default=str)


def series_csv(series: Mapping[str, Any]) -> str:
    """One row per point and item (long form, for a spreadsheet's pivot or a chart)."""
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\n")
    writer.writerow(["la", "as_at", "start", "year", "item", "value", "unit", *_CSV_FIGURES, "reason"])
    for p in series["periods"]:
        for item_id, r in p["items"].items():
            writer.writerow([series["la"], p["as_at"], p["start"], p["year"], *_csv_item(item_id, r)])
    return buf.getvalue()


register_output_renderer("indicator-series", "table", series_table)
register_output_renderer("indicator-series", "json", series_json)
register_output_renderer("indicator-series", "csv", series_csv)


def render(fmt: str, results: Results) -> str:
    """One result, or a list of them (``--la all``), in ``fmt``: tables one after another,
    a JSON list, or one CSV with a header row."""
    text = render_as("indicators", fmt, results)
    assert text is not None  # the indicators' renderers give text; none writes a file
    return text
