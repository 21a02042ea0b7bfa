"""The report as one self-contained HTML page: Jinja2 templates, GOV.UK Frontend styles inlined,
charts as inline SVG. Nothing on the page is fetched: no CDN, no font, no image, no script.

The GOV.UK Frontend stylesheet is the npm package's built CSS, committed in
``assets/`` from the version pinned in frontend/package-lock.json (``make
check-assets`` keeps the two the same) and shipped in the wheel. Two things are taken out of it as it is
inlined: the ``@font-face`` rules (GDS Transport may only be used on GOV.UK
domains, and a council's report is not on one; the styles fall back to
Arial, as the Design System tells services off GOV.UK to use) and any other
``url(...)`` (the crest image), which would be a request from a file page.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import jinja2
from markupsafe import Markup, escape

from .. import provenance
from ..benchmark.compare import HEADLINE_RULE
from ..errors import MunroError
from ..years import year_label, year_words
from . import charts as charts_mod
from .appendix import about
from .fmt import figures, for_period, number, reader_definition, sentence_case, with_unit
from .summary import HOW_JUDGED

CSS_FILE = "govuk-frontend.min.css"


@lru_cache(maxsize=1)
def stylesheet() -> str:
    assets = resources.files("munro.report") / "assets"
    try:
        govuk = (assets / CSS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MunroError(f"the GOV.UK Frontend styles are missing (munro/report/assets/{CSS_FILE}): "
                         "munro's installation is incomplete: reinstall munro") from None
    govuk = re.sub(r"@font-face\{[^}]*\}", "", govuk)
    govuk = re.sub(r"url\([^)]*\)", "none", govuk)
    own = (assets / "report.css").read_text(encoding="utf-8")
    return govuk + "\n" + own


def _figure(f, unit: str) -> str:
    """A benchmark Figure: value with unit, or the publisher's symbol with its meaning."""
    if f is None:
        return "no figure"
    if getattr(f, "value", None) is None:
        symbol = getattr(f, "symbol", None)
        reason = getattr(f, "reason", None) or "not published"
        return f"{symbol} ({reason})" if symbol else reason
    return with_unit(f.value, unit)


def _attr_or(obj, name: str):
    if obj is None:
        return None
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _ticks(text: str) -> Markup:
    """Catalogue text marks codes with backticks: shown as <code>, everything else escaped."""
    parts = str(escape(text)).split("`")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


@lru_cache(maxsize=1)
def environment():
    env = jinja2.Environment(loader=jinja2.PackageLoader("munro.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=number, withunit=with_unit, yearlabel=year_label, yearwords=year_words, figure=_figure,
                       attr_or=_attr_or, ticks=_ticks, sentence=sentence_case,
                       reader=reader_definition, figures=figures, for_period=for_period)
    return env


def page_charts(data, renderers=None) -> dict[str, list]:
    """item id -> its rendered charts, for every item of the report (``charts.Renderers`` to share the work)."""
    out = {}
    for v in data.items():
        out[v.item.id] = charts_mod.charts_for(v)
        if renderers is not None:  # drawn while the next item's are built
            renderers.start(out[v.item.id])
    charts_mod.render([c for cs in out.values() for c in cs], renderers)
    return out


def glance(data, link=None) -> Markup:
    """Every item's headline beside England, region and neighbours, a table per section (the report's
    summary, and the web dashboard's, where ``link(view)`` gives each item's page)."""
    template = environment().get_template("glance.html.j2")
    extra = {"link": link} if link else {}
    return Markup("".join(template.render(s=s, **extra) for s in data.sections))


def render(data, charts: dict[str, list] | None = None, appendix=None) -> str:
    """The page for a gathered report (``munro.report.build.gather``); ``appendix``, the internal report's
    breakdown by team (``munro.report.appendix.gather``), is placed after the data quality section."""
    charts = page_charts(data) if charts is None else charts
    note = data.quality.get("benchmark_note")
    bench_missing = ("No benchmarks: " + note) if note else "No published figure for this item or authority."
    marking = ("Disclosure control applied." if data.published
               else "Internal: contains unsuppressed small numbers.")

    return environment().get_template("report.html.j2").render(
        r=data, css=Markup(stylesheet()), charts=charts, bench_missing=bench_missing, marking_line=marking,
        how_judged=HOW_JUDGED, headline_rule=HEADLINE_RULE, made_by=provenance.made_by(),
        sources_sentence=provenance.sources_sentence(data.publications), ogl=provenance.OGL,
        ogl_url=provenance.OGL_URL, **_appendix(appendix))


def _appendix(appendix) -> dict:
    """The template's names for the internal appendix (none without it)."""
    if appendix is None:
        return {"appendix": None}
    return {"appendix": appendix, "disclosure": appendix.disclosure, "about": about}


__all__ = ["render", "page_charts", "stylesheet", "glance"]

