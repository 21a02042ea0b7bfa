"""report.xlsx: a summary sheet, a sheet per framework section, a data-quality sheet and a data sheet.

Numbers are written as numbers (a suppressed figure as its symbol, text),
so an analyst can calculate with them; the number formats only change how
they look. Each section sheet lists its items, then each item's trend and
distributions as small tables with a native Excel chart beside each, drawn
from those cells. The Data sheet is every figure in long form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..provenance import attribution, colophon, made_by
from ..years import date_words, year_label
from .appendix import write_sheet
from .fmt import UNIT_WORDS, for_period, reader_definition, words

_FORMATS = {"percent": "0.0", "per_10k": "0.0", "working_days": "0", "days": "0", "count": "#,##0"}


def _put(ws, row: int, col: int, value: Any, fmt=None) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value))


def _fig(f) -> Any:
    if f is None:
        return None
    return f.value if f.value is not None else getattr(f, "symbol", None)


class _Book:
    def __init__(self, wb):
        self.wb = wb
        self.bold = wb.add_format({"bold": True})
        self.head = wb.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.nums = {u: wb.add_format({"num_format": f, "valign": "top"}) for u, f in _FORMATS.items()}


def _summary(b: _Book, data) -> None:
    ws = b.wb.add_worksheet("Summary")
    ws.set_column(0, 0, 110)
    ws.write(0, 0, f"Child protection performance information: {data.la_name} (LA {data.la}), "
                   f"{data.label}", b.title)
    marking = ("Disclosure control applied. " + " ".join(data.notes) if data.published
               else "Internal: contains unsuppressed small numbers. Do not publish or share outside the authority.")
    ws.write(1, 0, marking, b.bold)
    ws.write(2, 0, f"Produced by {made_by()} on {data.generated}.")
    row = 3
    if data.period is not None:  # as at a date: what the figures are of, and what they are compared with
        ws.write(row, 0, f"Every figure of this authority is for {data.period_label}; each item's monthly series "
                         "is on its section's sheet with the figures published for each reporting year beside "
                         "it. England, regional and neighbours' figures are published for reporting years, each "
                         "labelled with its year, never of the same 12 months.", b.wrap)
        row += 1
    if attribution(data.publications):  # the Open Government Licence asks for it wherever its figures appear
        ws.write(row, 0, attribution(data.publications), b.wrap)
        row += 1
    row += 1
    if data.differences:
        ws.write(row, 0, f"Check first: {len(data.differences)} of the authority's own figures differ from the "
                         f"figures published for {data.year_label} (the published figure is shown and compared)",
                 b.bold)
        for i, d in enumerate(data.differences):
            ws.write(row + 1 + i, 0, d["message"], b.wrap)
        row += len(data.differences) + 2
    ws.write(row, 0, "What stands out", b.bold)
    for i, line in enumerate(data.standout):
        ws.write(row + 1 + i, 0, line, b.wrap)


_ITEM_COLUMNS = ("Item", "Value", "Unit", "Comparability", "Polarity", "England", "Region",
                 "Statistical neighbours (mean)", "Compared with England", "Rank", "Of", "Why no value",
                 "Definition", "Value from", "Own figure", "Own figure from", "Own differs from published")


def _section(b: _Book, number: int, s, data) -> None:
    ws = b.wb.add_worksheet(f"{number} {s.section.short_name}"[:31])
    ws.set_column(0, 0, 45)
    ws.set_column(1, 11, 14)
    ws.set_column(12, 12, 80)
    ws.set_column(13, 13, 40)
    ws.write(0, 0, f"{number}. {s.section.name}", b.title)
    # as at a date, each item's benchmarks are of a reporting year, named in a column of their own
    columns = _ITEM_COLUMNS + (("Benchmarks' reporting year",) if data.period is not None else ())
    for c, h in enumerate(columns):
        ws.write(2, c, h, b.head)
    row = 3
    for v in s.items:
        c, u = v.comparison, v.item.unit
        nf = b.nums[u]
        h, own = v.headline, v.own
        value, source = (h.value, h.provenance) if h is not None else (None, None)
        if value is None and v.published_instead:  # as on the page: an earlier year's published figure stands in
            p = v.published_instead
            value, source = p["value"], f"published: {p['source']}, {year_label(p['year'])} (not compared)"
        values = [v.item.title, value, UNIT_WORDS[u] or "number", v.comparability, v.polarity,
                  _fig(c.england) if c else None, _fig(c.region) if c else None,
                  c.neighbours.mean if c and c.neighbours else None, v.flag, c.rank if c else None,
                  c.of if c else None, v.result.reason if v.result.value is None else None,
                  for_period(reader_definition(v.item.definition), getattr(h, "period", None)),
                  source if value is not None else None,
                  own.value if own is not None else None, own.provenance if own is not None else None,
                  v.differs if own is not None and h is not own else None]
        if data.period is not None:
            values.append(year_label(c.basis_year) if c and c.basis_year else None)
        for col, val in enumerate(values):
            _put(ws, row, col, val, nf if col in (1, 5, 6, 7, 14) else (b.wrap if col in (0, 11, 12) else None))
        row += 1
    row += 2
    for v in s.items:
        row = _item_charts(b, ws, v, row)


def _item_charts(b: _Book, ws, v, row: int) -> int:
    """The item's trend and distributions as cell tables, each with a native chart beside it."""
    sheet = ws.get_name().replace("'", "''")
    nf = b.nums[v.item.unit]
    if v.series is not None:
        row = _series_table(b, ws, v, row, sheet)
    trend = [t for t in v.trend if isinstance(t.get("value"), (int, float))]
    if len(trend) >= 2:
        ws.write(row, 0, f"{v.item.title}: trend", b.bold)
        ws.write_row(row + 1, 0, ("Reporting year", "This authority", "England"), b.head)
        for i, t in enumerate(trend):
            ws.write_string(row + 2 + i, 0, year_label(t["year"]))
            _put(ws, row + 2 + i, 1, t["value"], nf)
            _put(ws, row + 2 + i, 2, t.get("england"), nf)
        first, last = row + 2, row + 1 + len(trend)
        chart = b.wb.add_chart({"type": "line"})
        chart.add_series({"name": "This authority", "categories": f"='{sheet}'!$A${first + 1}:$A${last + 1}",
                          "values": f"='{sheet}'!$B${first + 1}:$B${last + 1}",
                          "marker": {"type": "circle"}, "line": {"color": "#1d70b8", "width": 2.25}})
        if any(isinstance(t.get("england"), (int, float)) for t in trend):
            chart.add_series({"name": "England", "categories": f"='{sheet}'!$A${first + 1}:$A${last + 1}",
                              "values": f"='{sheet}'!$C${first + 1}:$C${last + 1}",
                              "marker": {"type": "square"},
                              "line": {"color": "#505a5f", "width": 2.25, "dash_type": "dash"}})
        chart.set_title({"name": f"{v.item.title}: trend"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 560, "height": 260})
        ws.insert_chart(row, 4, chart)
        row = max(last + 2, row + 14)
    for d in v.distributions:
        pairs = [(words(k), n) for k, n in d["rows"] if isinstance(n, (int, float))]
        if not pairs:
            continue
        ws.write(row, 0, f"{v.item.title}: {d['label']}", b.bold)
        ws.write_row(row + 1, 0, ("Category", "Number"), b.head)
        for i, (k, n) in enumerate(pairs):
            ws.write_string(row + 2 + i, 0, k)
            _put(ws, row + 2 + i, 1, n, b.nums["count"])
        first, last = row + 2, row + 1 + len(pairs)
        hidden = [words(k) for k, n in d["rows"] if isinstance(n, str)]
        if hidden:  # suppressed ("c") categories: kept off the chart, which would draw them as 0
            ws.write(last + 1, 0, f"Hidden (c): {', '.join(hidden)}")
        chart = b.wb.add_chart({"type": "bar"})
        chart.add_series({"name": d["label"], "categories": f"='{sheet}'!$A${first + 1}:$A${last + 1}",
                          "values": f"='{sheet}'!$B${first + 1}:$B${last + 1}",
                          "fill": {"color": "#1d70b8"}, "data_labels": {"value": True}})
        chart.set_title({"name": f"{v.item.title}: {d['label']}"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 560, "height": max(220, 30 * len(pairs) + 80)})
        ws.insert_chart(row, 4, chart)
        row = max(last + 3, row + 4 + max(11, (30 * len(pairs) + 80) // 20))
    return row


def _series_table(b: _Book, ws, v, row: int, sheet: str) -> int:
    """An as-at report's monthly series: a row per 12 months, the published figures on their 31 March's row,
    and a native line chart of munro's points with the published ones as separate markers."""
    s, nf = v.series, b.nums[v.item.unit]
    ws.write(row, 0, f"{v.item.title}: monthly series, the 12 months to each date", b.bold)
    ws.write_row(row + 1, 0, ("12 months to", "This authority (munro)", "This authority (published)",
                              "England (published)", "Published for"), b.head)
    published = {p["end"]: p for p in s.published}
    own = {p["end"]: p for p in s.points}
    dates = sorted(set(own) | set(published))
    for i, d in enumerate(dates):
        r = row + 2 + i
        ws.write_string(r, 0, date_words(d))
        _put(ws, r, 1, own[d]["value"] if d in own else None, nf)
        pub = published.get(d)
        if pub is not None:
            _put(ws, r, 2, pub["value"] if pub["value"] is not None else pub["symbol"], nf)
            _put(ws, r, 3, pub["england"], nf)
            ws.write_string(r, 4, f"reporting year {year_label(pub['year'])} ({pub['source']})")
    first, last = row + 3, row + 2 + len(dates)  # 1-based rows of the cells
    if len(s.valued) >= 2:
        chart = b.wb.add_chart({"type": "line"})
        categories = f"='{sheet}'!$A${first}:$A${last}"
        chart.add_series({"name": "This authority, 12 months to each date (munro)", "categories": categories,
                          "values": f"='{sheet}'!$B${first}:$B${last}", "marker": {"type": "circle"},
                          "line": {"color": "#1d70b8", "width": 2.25}})
        for col, name, marker, colour in (("C", "This authority, published", "diamond", "#0b0c0c"),
                                          ("D", "England, published", "square", "#505a5f")):
            if s.published:
                chart.add_series({"name": name, "categories": categories, "values": f"='{sheet}'!${col}${first}:"
                                  f"${col}${last}", "line": {"none": True},
                                  "marker": {"type": marker, "size": 8, "fill": {"color": colour},
                                             "border": {"color": colour}}})
        chart.set_title({"name": f"{v.item.title}: the 12 months to each date"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 640, "height": 300})
        ws.insert_chart(row, 6, chart)
    return max(last + 2, row + 17)


def _quality(b: _Book, data) -> None:
    q = data.quality
    ws = b.wb.add_worksheet("Data quality")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 5, 14)
    ws.write(0, 0, "Returns used and what validation found", b.title)
    ws.write_row(2, 0, ("Year", "File", "Children", "Errors", "Queries"), b.head)
    row = 3
    for r in q["returns"]:
        for col, val in enumerate((r["year_label"], r["file_name"], r["children"], r["errors"], r["queries"])):
            _put(ws, row, col, val, b.nums["count"] if col >= 2 else None)
        row += 1
    row += 1
    ws.write(row, 0, f"Years of history: {', '.join(q['history']) or 'none'}")
    pop = q["population"]
    ws.write(row + 1, 0, f"Population: {pop['value'] if pop['value'] else 'none'} ({pop['source'] or pop['reason']}: "
                         f"{pop['vintage'] or ''})")
    row += 3
    ws.write_row(row, 0, ("Rule", "Message", "Type", "Findings", "Returns"), b.head)
    for f in q["by_rule"]:
        row += 1
        for col, val in enumerate((f["rule"], f["message"], f["type"], f["findings"], f["returns"])):
            _put(ws, row, col, val, b.nums["count"] if col >= 3 else None)
    row += 2
    if q["benchmark_note"]:
        ws.write(row, 0, f"No benchmarks: {q['benchmark_note']}")
        row += 1
    ws.write_row(row, 0, ("Benchmark source", "Release", "Years", "Items"), b.head)
    for s in q["benchmark_sources"]:
        row += 1
        for col, val in enumerate((s["source"], s["vintage"], s["years"], s["items"])):
            _put(ws, row, col, val)
    ws.write(row + 2, 0, colophon(data.publications))


def _data(b: _Book, data) -> None:
    """Every figure in long form: one row per item, figure and year."""
    ws = b.wb.add_worksheet("Data")
    cols = ("section", "item", "title", "unit", "year", "figure", "value")
    ws.write_row(0, 0, cols, b.head)
    row = 0
    for s in data.sections:
        for v in s.items:
            h = v.headline
            rows = [("headline", h.value if h is not None else None),
                    ("headline from", h.provenance if h is not None else None),
                    ("own figure", v.result.value)]
            rows += [(label, val) for label, val in v.figures]
            rows += [(f"{d['label']}: {words(k)}", n) for d in v.distributions for k, n in d["rows"]]
            when = data.year if data.period is None else data.label
            for fig, val in rows:
                row += 1
                for col, x in enumerate((s.section.id, v.item.id, v.item.title, v.item.unit, when, fig, val)):
                    _put(ws, row, col, x)
            series = [(p["label"], "series: munro", p["value"]) for p in v.series.points] if v.series else []
            for p in v.series.published if v.series else ():
                series += [(p["year"], "series: published", p["value"] if p["value"] is not None else p["symbol"]),
                           (p["year"], "series: England published", p["england"])]
            for when, fig, val in series:
                row += 1
                for col, x in enumerate((s.section.id, v.item.id, v.item.title, v.item.unit, when, fig, val)):
                    _put(ws, row, col, x)
            for t in v.trend:
                for fig, label in (("value", "headline"), ("own", "own"), ("published", "published"),
                                   ("england", "england")):
                    if t.get(fig) is not None:
                        row += 1
                        for col, x in enumerate((s.section.id, v.item.id, v.item.title, v.item.unit, t["year"],
                                                 f"trend: {label}", t[fig])):
                            _put(ws, row, col, x)
    ws.autofilter(0, 0, row, len(cols) - 1)
    ws.freeze_panes(1, 0)


def write(data, path: Path, appendix=None) -> Path:
    """report.xlsx for a gathered report; ``appendix`` (munro.report.appendix) with a breakdown adds the
    internal report's sheet "Breakdown by team" at the end."""
    # lazily: xlsxwriter only when a workbook is written
    import xlsxwriter

    # Text is text: a file name or a label beginning "=" is never taken for a formula, nor a web address for a link.
    # In memory: through temporary files, removing the workbook's 75 parts took 0.3 s on a busy disk, four times
    # the writing; held in memory, they are 0.6 MB for a large LA.
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "in_memory": True})
    try:
        b = _Book(wb)
        _summary(b, data)
        for n, s in enumerate(data.sections, start=1):
            _section(b, n, s, data)
        _quality(b, data)
        _data(b, data)
        if appendix is not None and appendix.shown is not None:  # without a breakdown the page's note says why
            write_sheet(wb, {"bold": b.bold, "head": b.head, "wrap": b.wrap, "title": b.title, "nums": b.nums},
                        appendix)
    finally:
        wb.close()
    return path
