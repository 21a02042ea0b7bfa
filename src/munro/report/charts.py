"""Charts: one declarative Vega-Lite spec per chart (built with Altair), rendered to SVG here,
on the server, by vl-convert (no browser, no network), and placed inline in the page.

Every chart comes with a one-line headline title, a text alternative and the
same numbers as a table beside it (the page renders the table). Series are
told apart by line style, point shape and labels as well as colour, and bars
carry their value as text, so colour never carries meaning alone.
"""

from __future__ import annotations

import concurrent.futures
import html
import multiprocessing
import os
import re
from dataclasses import dataclass
from typing import Any

from ..benchmark.compare import KIND_WORDS
from ..years import date_words, year_label
from .fmt import group_label, number, with_unit

# GOV.UK palette colours with at least 3:1 contrast on white (WCAG 1.4.11, non-text contrast).
BLUE, GREY, BLACK = "#1d70b8", "#505a5f", "#0b0c0c"
WIDTH, HEIGHT = 520, 220


@dataclass
class Chart:
    id: str
    title: str  # the one-line headline
    alt: str  # the text alternative
    spec: dict[str, Any]
    columns: tuple[str, ...]  # the adjacent table's headings
    rows: list[tuple[str, ...]]  # the adjacent table, formatted
    svg: str = ""


def _config() -> dict[str, Any]:
    # aria False: Vega's own ARIA roles on every mark would be noise beside the text alternative
    # and the table; the SVG as a whole is one image with one label (see ``_label``).
    return {"aria": False, "font": "arial, sans-serif", "view": {"stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": BLACK, "titleColor": BLACK},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"}}


def _altair():
    """Altair, imported when a chart is first drawn (it is slow to import), its debug mode off: in it, Altair
    checks every part of a spec against the Vega-Lite schema as the part is made, half of the specs' cost
    (0.12 of 0.24 CPU s a report). The specs are the same; tests/report validates every one."""
    import altair as alt  # lazily: slow to import, and only a report with charts needs it

    alt.utils.schemapi.disable_debug_mode()
    return alt


def trend_chart(view) -> Chart | None:
    """The LA's headline over the years (each year's by the headline's rule: published where it was,
    else the authority's own), with England's where published; None under two years."""
    alt = _altair()

    unit = view.item.unit
    values, rows = [], []
    # The authority's own figure gets a column of its own where some year shows the published one instead.
    own_column = any(t.get("kind") == "published" and t.get("own") is not None for t in view.trend)
    for t in view.trend:
        shown = t.get("value")
        if shown is None:
            continue
        if isinstance(shown, (int, float)):  # a suppressed year ("c") is in the table, not on the chart
            values.append({"year": year_label(t["year"]), "series": "This authority", "value": shown})
        eng = t.get("england")
        if isinstance(eng, (int, float)):
            values.append({"year": year_label(t["year"]), "series": "England", "value": eng})
        row = (year_label(t["year"]), number(shown, unit), KIND_WORDS.get(t.get("kind"), "published"),
               number(eng, unit) if eng is not None else "not published")
        if own_column:
            row += (number(t["own"], unit) if t.get("own") is not None else "none",)
        rows.append(row)
    if sum(1 for v in values if v["series"] == "This authority") < 2:
        return None
    mine = [v for v in values if v["series"] == "This authority"]
    a, b = mine[0]["value"], mine[-1]["value"]
    same = number(a, unit) == number(b, unit)  # equal as shown: "unchanged", whatever the unrounded values
    verb = "was unchanged" if same else ("rose" if b > a else "fell")
    title = (f"{view.item.title} {verb} from {with_unit(a, unit)} in {mine[0]['year']} "
             f"to {with_unit(b, unit)} in {mine[-1]['year']}") if verb != "was unchanged" else (
             f"{view.item.title} was {with_unit(b, unit)} in {mine[-1]['year']}, as in {mine[0]['year']}")
    last = rows[-1]
    series = alt.Scale(domain=["This authority", "England"], range=[BLUE, GREY])
    chart = (alt.Chart(alt.Data(values=values))
             .mark_line(point={"filled": True, "size": 60}, strokeWidth=2)
             .encode(x=alt.X("year:O", title="Reporting year", axis=alt.Axis(labelAngle=0)),
                     y=alt.Y("value:Q", title=_axis_title(unit)),
                     color=alt.Color("series:N", scale=series, title=None),
                     strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=["This authority", "England"],
                                                                           range=[[1, 0], [6, 4]]), title=None),
                     shape=alt.Shape("series:N", scale=alt.Scale(domain=["This authority", "England"],
                                                                 range=["circle", "square"]), title=None))
             .properties(width=WIDTH, height=HEIGHT))  # the title is the figure's caption, not repeated
    alt_text = (f"Line chart of {view.item.title.lower()} by reporting year, this authority (solid line, circles)"
                + (" and England (dashed line, squares)" if any(v["series"] == "England" for v in values) else "")
                + f": from {rows[0][1]} in {rows[0][0]} to {last[1]} in {last[0]}. The table below gives every value.")
    return Chart(id=f"{view.item.id}-trend", title=title, alt=alt_text,
                 spec=_spec(chart),
                 columns=("Reporting year", f"This authority ({_axis_title(unit)})", "Figure from", "England")
                 + (("This authority's own figure",) if own_column else ()),
                 rows=rows)


SERIES_OWN, SERIES_PUBLISHED, SERIES_ENGLAND = ("This authority, 12 months to each date (munro)",
                                                "This authority, published for the reporting year",
                                                "England, published for the reporting year")


def series_chart(view) -> Chart | None:
    """An as-at report's monthly series (``report.series``): the rolling 12-month figures as a line, the
    authority's and England's published figures at each 31 March as separate labelled points; None
    under two points with a figure."""
    alt = _altair()

    s, unit = view.series, view.item.unit
    mine = s.valued
    if len(mine) < 2:
        return None
    values = [{"date": p["end"].isoformat(), "series": SERIES_OWN, "value": p["value"], "label": ""} for p in mine]
    for p in s.published:
        if isinstance(p["value"], (int, float)):
            values.append({"date": p["end"].isoformat(), "series": SERIES_PUBLISHED, "value": p["value"],
                           "label": p["label"]})
        if isinstance(p["england"], (int, float)):
            values.append({"date": p["end"].isoformat(), "series": SERIES_ENGLAND, "value": p["england"],
                           "label": ""})
    first, last = mine[0], mine[-1]
    a, b = first["value"], last["value"]
    verb = "was unchanged" if number(a, unit) == number(b, unit) else ("rose" if b > a else "fell")
    to_words = f"the 12 months to {date_words(last['end'])}"
    title = (f"{view.item.title} was {with_unit(b, unit)} in {to_words}, as in the 12 months to "
             f"{date_words(first['end'])}" if verb == "was unchanged" else
             f"{view.item.title} {verb} from {with_unit(a, unit)} in the 12 months to {date_words(first['end'])} "
             f"to {with_unit(b, unit)} in {to_words}")
    names = [SERIES_OWN, SERIES_PUBLISHED, SERIES_ENGLAND]
    colour = alt.Color("series:N", scale=alt.Scale(domain=names, range=[BLUE, BLACK, GREY]), title=None,
                       legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0))
    shape = alt.Shape("series:N", scale=alt.Scale(domain=names, range=["circle", "diamond", "square"]), title=None)
    x = alt.X("date:T", title="12 months to the end of", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))
    y = alt.Y("value:Q", title=_axis_title(unit), scale=alt.Scale(zero=False))
    base = alt.Chart(alt.Data(values=values)).encode(x=x, y=y)
    line = base.transform_filter(alt.datum.series == SERIES_OWN).mark_line(strokeWidth=2, color=BLUE)
    points = base.mark_point(filled=True, size=70).encode(color=colour, shape=shape)
    labels = (base.transform_filter(alt.datum.series == SERIES_PUBLISHED)
              .mark_text(align="left", dx=8, dy=-8, color=BLACK).encode(text="label:N"))
    chart = alt.layer(line, points, labels).properties(width=WIDTH, height=HEIGHT)
    published = [p for p in s.published if isinstance(p["value"], (int, float))]
    alt_text = (f"Line chart of {view.item.title.lower()} for the 12 months to each date from "
                f"{date_words(first['end'])} to {date_words(last['end'])} (solid line, circles): from "
                f"{number(a, unit)} to {number(b, unit)}."
                + (" The figures published for " + " and ".join(p["label"].removeprefix("published ")
                                                              for p in published)
                   + " are separate diamonds at their 31 March, England's squares." if published else "")
                + " The table below gives every value.")
    return Chart(id=f"{view.item.id}-series", title=title, alt=alt_text, spec=_spec(chart),
                 columns=("12 months to", f"This authority, munro ({_axis_title(unit)})",
                          "This authority, published", "England, published"),
                 rows=series_rows(view))


def series_rows(view) -> list[tuple[str, ...]]:
    """The series chart's table: a row per point, the published figures on the row of their 31 March (or a
    row of their own where no point falls on it), each named with its reporting year."""
    s, unit = view.series, view.item.unit
    by_date = {p["end"]: p for p in s.published}
    rows = []
    for d in sorted({p["end"] for p in s.points} | set(by_date)):
        own = next((p for p in s.points if p["end"] == d), None)
        pub = by_date.get(d)
        mine = "" if own is None else (number(own["value"], unit) if own["value"] is not None else "no figure")
        published = england = ""
        if pub is not None:
            label = year_label(pub["year"])
            published = (f"{number(pub['value'], unit)} ({label})" if pub["value"] is not None
                         else f"{pub['symbol'] or 'not published'} ({label})")
            england = f"{number(pub['england'], unit)} ({label})" if pub["england"] is not None else "not published"
        rows.append((f"{d.day} {d:%b %Y}", mine, published, england))
    return rows


def distribution_chart(view, dist: dict[str, Any]) -> Chart | None:
    """A horizontal bar per band or group, each labelled with its number."""
    alt = _altair()

    every = [(group_label(k), v) for k, v in dist["rows"] if v is not None]
    pairs = [(k, v) for k, v in every if isinstance(v, (int, float))]  # a suppressed "c" is in the table only
    if not pairs:
        return None
    values = [{"category": k, "value": v, "label": number(v, "count")} for k, v in pairs]
    order = [k for k, _ in pairs]
    biggest = max(pairs, key=lambda p: p[1])
    title = f"{view.item.title}: {dist['label']}, the most in {biggest[0]} ({number(biggest[1], 'count')})"
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("category:N", sort=order, title=None), x=alt.X("value:Q", title=dist["label"]))
    bars = base.mark_bar(color=BLUE)
    text = base.mark_text(align="left", dx=4, color=BLACK).encode(text="label:N")
    chart = (bars + text).properties(width=WIDTH - 120, height=max(80, 26 * len(pairs)))
    alt_text = (f"Bar chart of {view.item.title.lower()}, {dist['label']}: "
                + "; ".join(f"{k} {number(v, 'count')}" for k, v in pairs) + ".")
    return Chart(id=f"{view.item.id}-{dist['name']}", title=title, alt=alt_text,
                 spec=_spec(chart), columns=("Category", "Number"),
                 rows=[(k, number(v, "count")) for k, v in every])


def _spec(chart) -> dict[str, Any]:
    """The Vega-Lite spec, unvalidated: Altair's JSON-schema check costs a second per report,
    and the specs' shape is fixed by this module (tests/report validates every one)."""
    return chart.configure(**_config()).to_dict(validate=False)


def _axis_title(unit: str) -> str:
    return {"percent": "percent", "per_10k": "per 10,000 children", "working_days": "working days",
            "days": "days", "count": "number"}[unit]


def _label(svg: str, chart: Chart) -> str:
    """The SVG as one labelled image: role img, its title as the accessible name, the alt as its description."""
    # Vega still puts ARIA roles on some mark groups (the points of a line) despite aria False:
    # inside one labelled image they are noise to a screen reader and unnamed images to axe.
    svg = re.sub(r'\s(?:role|aria-[a-z]+)="[^"]*"', "", svg)
    svg = re.sub(r"^<svg ", f'<svg role="img" aria-labelledby="{chart.id}-svgtitle {chart.id}-svgdesc" ', svg, count=1)
    inner = (f'<title id="{chart.id}-svgtitle">{html.escape(chart.title)}</title>'
             f'<desc id="{chart.id}-svgdesc">{html.escape(chart.alt)}</desc>')
    return re.sub(r"(<svg [^>]*>)", r"\1" + inner.replace("\\", "\\\\"), svg, count=1)


_PROBE = {"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}}


def _convert():
    """vl-convert's Vega-Lite to SVG. The workers are handed this function itself, which they find in
    vl_convert: one of this module would have each worker import munro's report, its items and Ibis first
    (a worker's start 1.15 CPU s instead of 0.55), beside the gathering on two cores."""
    # lazily: vl-convert only when a chart is rendered to an image
    import vl_convert as vlc

    return vlc.vegalite_to_svg


def _svg(spec: dict[str, Any]) -> str:
    return _convert()(spec)


class Renderers:
    """vl-convert in worker processes, started (and warmed up) while the report's data is gathered.

    vl-convert holds the GIL while it renders (about 50 ms a chart, plus about half a second
    to start its JavaScript engine), so threads would only slow the gathering down. Worker
    processes start their engines on the other cores during the gathering and then render the
    charts side by side. Where processes cannot be started, charts are rendered in-process.
    """

    def __init__(self, workers: int | None = None):
        # spawn, not fork: the parent holds DuckDB's threads, which a forked child must not inherit.
        n = workers or max(1, min(2, os.cpu_count() or 1))
        self._started: dict[int, concurrent.futures.Future] = {}
        try:
            self.pool = concurrent.futures.ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"))
            self._warming = [self.pool.submit(_convert(), _PROBE) for _ in range(n)]
        except OSError:
            self.pool, self._warming = None, []

    def start(self, charts: list[Chart]) -> None:
        """Hand ``charts`` to the workers now (``render`` collects them): they draw the first while the
        later charts' specs are built."""
        try:
            for c in charts if self.pool else ():
                self._started[id(c)] = self.pool.submit(_convert(), c.spec)
        except Exception:  # noqa: BLE001 - a pool that broke: render draws them here
            pass

    def render(self, charts: list[Chart]) -> list[Chart]:
        specs = [c.spec for c in charts]
        try:
            svgs = [(self._started.pop(id(c), None) or self.pool.submit(_convert(), c.spec)).result()
                    for c in charts] if self.pool else None
        except Exception:  # noqa: BLE001 - a worker that died (memory, a signal): render here instead
            svgs = None
        for c, svg in zip(charts, svgs or map(_svg, specs)):
            c.svg = _label(svg, c)
        return charts

    def close(self) -> None:
        if self.pool:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Renderers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def render(charts: list[Chart], renderers: Renderers | None = None) -> list[Chart]:
    """Each chart's SVG, from its spec, by vl-convert (offline): in ``renderers``' processes, else here."""
    if renderers is not None:
        return renderers.render(charts)
    for c in charts:
        c.svg = _label(_svg(c.spec), c)
    return charts


def charts_for(view) -> list[Chart]:
    # an as-at report's item (``series``): its monthly series first, then the years' trend
    first = [series_chart(view)] if getattr(view, "series", None) is not None else []
    out = first + [trend_chart(view)] + [distribution_chart(view, d) for d in view.distributions]
    return [c for c in out if c is not None]


__all__ = ["Chart", "Renderers", "charts_for", "render", "trend_chart", "distribution_chart", "series_chart",
           "series_rows"]
