"""The report of an LA-year as HTML, PDF or XLSX (issue 8), each download in the audit log as an export.

The same three outputs as ``munro report``, from the same ``ReportData`` the
dashboard shows (``data.report_for``, cached per variant). Two variants:
"internal" (what the LA's own staff see on the dashboard, marked as holding
unsuppressed small numbers) and "published" (``munro report --publish``: every
figure through munro.disclosure). Who may have which is ``data.variants``: a
regional user, who sees LAs other than their own organisation's, only ever
gets the published variant, as on every page; the LA's own staff choose,
internal by default. No variant holds a child's identifier.

The internal variant may also be had with the appendix "Breakdown by team" (``?by=team``, as ``munro report
--by team``) by those who may see an item per team (``view_team_breakdown``); its figures are the drill-down
pages' own, disclosure-controlled (munro.web.breakdowns, computed once for both).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request

from ..errors import MunroError, StoreProblem
from ..reference import local_authorities
from ..report import html, xlsx
from ..report.appendix import gather as gather_appendix
from ..report.pdf import print_pdf
from ..years import Period
from . import authz, data
from .breakdowns import every_item_shown
from .current import config
from .pages import check_la_year, log

bp = Blueprint("downloads", __name__)
FORMATS = {"html": "text/html", "pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def report_bytes(report, fmt: str, appendix=None) -> bytes:
    """The report of ``report`` (a ReportData from ``data.report_for``) in ``fmt`` (html, pdf or xlsx), with
    the internal ``appendix`` (munro.report.appendix) when given."""
    with tempfile.TemporaryDirectory(prefix="munro-report-") as folder:
        out = Path(folder)
        if fmt == "xlsx":
            return xlsx.write(report, out / "report.xlsx", appendix).read_bytes()
        page = out / "index.html"
        page.write_text(html.render(report, None, appendix), encoding="utf-8")
        if fmt == "html":
            return page.read_bytes()

        return print_pdf(page, out / "report.pdf").read_bytes()


@bp.get("/la/<la>/<int:year>/report")
def report_page(la, year):
    user = check_la_year(la, year, "download_report")
    return render_template("report_download.html", la=la, year=year, la_name=local_authorities()[la].name,
                           variants=data.variants(user, la),
                           by_team=authz.allowed(user, "view_team_breakdown", la))


@bp.get("/la/<la>/<int:year>/report.<fmt>")
def report_file(la, year, fmt):
    user = check_la_year(la, year, "download_report")
    if fmt not in FORMATS:
        abort(404)
    variant = request.args.get("variant", data.variants(user, la)[0])
    if variant not in data.variants(user, la):
        abort(403, "Your role may download only the published report of this authority.")
    by = request.args.get("by", "")
    if by not in ("", "team"):
        abort(404)
    if by and variant != "internal":
        abort(403, "The breakdown by team is in the internal report only.")
    if by:
        authz.authorise(user, "view_team_breakdown", la)
    try:
        report = data.report_for(config().store, user, la, year, variant)
        appendix = _appendix(la, year) if by else None
        body = report_bytes(report, fmt, appendix)
    except StoreProblem:
        raise  # busy or unreadable: the application's one page for it (app._store)
    except MunroError as e:
        abort(503, " ".join(str(e).splitlines()[:1]))
    log("export", la=la, detail=f"{year} report ({fmt}, {variant}{', by team' if by else ''})")
    name = f"munro-{la}-{year}-report{'' if variant == 'published' else '-internal'}{'-by-team' if by else ''}.{fmt}"
    return Response(body, mimetype=FORMATS[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _appendix(la: str, year: int):
    """The internal report's appendix of ``la`` and ``year``, from the drill-down pages' breakdown."""
    period, store = Period.of_year(year), config().store
    return gather_appendix(store, la, period, controlled=True, find=lambda: every_item_shown(store, la, period))
