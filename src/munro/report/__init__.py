"""The performance report: the framework's sections, questions, items, benchmarks and charts.

``write_report(db, la, year, out_dir)`` writes ``index.html`` (one
self-contained offline page), ``report.pdf`` (headless Chromium printing that
page) and ``report.xlsx`` (a sheet per section, a data sheet, native charts).
All three come from one :class:`build.ReportData`, gathered once.

- ``build``: gather the data (items, benchmarks, trend, figures, summary, quality);
- ``html`` and ``templates/``: the page; ``charts``: Vega-Lite specs rendered to SVG;
- ``xlsx``: the workbook; ``pdf``: Chromium's print of the page;
- ``child_lists``: the restricted workbook of children behind the actionable items.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import MunroError
from ..indicators.series import check_as_at
from ..progress import report, within
from ..store.returns import require_any_return, require_return, year_words
from ..years import Period
from . import build, html, xlsx
from .appendix import gather as gather_appendix
from .charts import Renderers
from .child_lists import write_child_lists
from .pdf import start_printer
from .publish import make_safe


@dataclass
class Written:
    html: Path
    pdf: Path | None
    xlsx: Path
    child_lists: Path | None = None

    def lines(self) -> list[str]:
        out = [f"page: {self.html}", f"workbook: {self.xlsx}"]
        if self.pdf:
            out.insert(1, f"PDF: {self.pdf}")
        if self.child_lists:
            out.append(f"restricted child lists (not for sharing): {self.child_lists}")
        return out


def write_report(db: str | os.PathLike, la: str, year: int | None, out_dir: str | os.PathLike, *,
                 publish: bool = False, with_child_lists: bool = False, neighbours: int = 2025,
                 pdf: bool = True, progress=None, as_at: dt.date | None = None, months: int = 24,
                 by_team: bool = False) -> Written:
    """Write the report for LA ``la`` and reporting year ``year`` into ``out_dir``.

    ``as_at`` (with ``year`` None) writes the report for the 12 months to that date instead, each item with
    its monthly series of ``months`` rolling 12-month figures and the published figures beside it
    (``build.gather_as_at``); a date munro cannot compute for is refused in one line (``check_as_at``).
    Child lists are a reporting year's: not with ``as_at``.

    ``publish`` applies disclosure control (``munro.disclosure``) to every figure and says so;
    without it the outputs are marked "internal: contains unsuppressed small numbers".
    ``with_child_lists`` also writes ``child-lists-restricted.xlsx``: the children behind the
    actionable items, never part of the report itself. ``pdf=False`` skips Chromium (never started).
    Without the LA's ``year`` return it writes nothing: ``munro.store.returns.NoReturn``.
    ``progress`` (``munro.progress``) is told each step: computing, charts, page, workbook, PDF.
    ``by_team`` ends the internal report with the appendix "Breakdown by team" (munro.report.appendix):
    every item that breaks down, per team, when allocations with a team are loaded for the LA (else a note).
    It is asked for, not default: it computes every item again per team (seconds for a large LA), and a
    team's figures are for the authority's managers, not every reader. Never with ``publish``.
    """
    if not Path(db).exists():
        raise MunroError(f"no store at {db}: load returns first with `munro ingest`")

    if (year is None) == (as_at is None):
        raise MunroError("give a reporting year or an as-at date, not both or neither")
    if by_team and publish:
        raise MunroError("the breakdown by team is in the internal report only: not with publish")
    if as_at is not None and with_child_lists:
        raise MunroError("child lists are a reporting year's: write them with a year, not an as-at date")
    if as_at is None:
        require_return(db, la, year)  # a report of a year without its return would be quietly wrong
    else:
        check_as_at(as_at, months)  # before anything is written (the loaded returns are checked as it computes)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    # The browser starts now, beside the gathering (which keeps one core busy), and prints when the page is
    # written; it is stopped whatever happens meanwhile.
    printer = start_printer() if pdf else None
    try:
        report(progress, f"computing {year_words(year)} and the years before it" if as_at is None else
               f"computing the {months} months to {as_at.isoformat()}")
        with Renderers() as renderers:  # started now: they warm up while the data is gathered
            data = (build.gather(db, la, year, neighbours=neighbours) if as_at is None else
                    build.gather_as_at(db, la, as_at, months, neighbours=neighbours))
            if publish:
                report(progress, "disclosure control")
                make_safe(data, db)
            report(progress, "charts")
            charts = html.page_charts(data, renderers)
        appendix = None
        if by_team:  # the internal report's appendix: each item by team (never published)
            report(progress, "breakdown by team")
            appendix = gather_appendix(db, la, Period(as_at) if as_at is not None else Period.of_year(year))
        report(progress, "writing the page")
        page = out / "index.html"
        page.write_text(html.render(data, charts, appendix), encoding="utf-8")
        if printer is not None:  # Chromium prints the page while the workbook is written
            printer.print(page, out / "report.pdf")
        report(progress, "writing the workbook")
        book = out / "report.xlsx"
        xlsx.write(data, book, appendix)
        printed = None
        if printer is not None:
            report(progress, "printing PDF")
            printed = printer.wait()
    finally:
        if printer is not None:
            printer.close()
    lists = None
    if with_child_lists:
        report(progress, "writing the child lists")
        lists = write_child_lists(db, la, year, out / "child-lists-restricted.xlsx")
    return Written(page, printed, book, lists)


def write_reports(db: str | os.PathLike, year: int, out_dir: str | os.PathLike, **options):
    """``write_report`` for every LA with a ``year`` return in the store (a pooled store's ``--la all``),
    each into ``out_dir/<LA code>``. Yields (LA, Written) as each is written."""
    if not Path(db).exists():
        raise MunroError(f"no store at {db}: load returns first with `munro ingest`")
    progress = options.pop("progress", None)
    for la in require_any_return(db, year):
        yield la, write_report(db, la, year, Path(out_dir) / la, progress=within(progress, f"LA {la}: "), **options)


__all__ = ["write_report", "write_reports", "Written"]
