"""The report of an LA-year as HTML, PDF or XLSX (issue 8), each download in the audit log as an export.

The same three outputs as ``munro report``, from the same ``ReportData`` the
dashboard shows (``data.report``, cached). Two variants: "internal" (what the
LA's own staff see on the dashboard, marked as holding unsuppressed small
numbers) and "published" (``munro report --publish``: every figure through
munro.disclosure). A regional user, who sees LAs other than their own
organisation's, only ever gets the published variant; the LA's own staff
choose, internal by default. No variant holds a child's identifier.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request

from ..errors import MunroError, StoreProblem
from . import data
from .app import config
from .pages import check_la_year, log

bp = Blueprint("downloads", __name__)
FORMATS = {"html": "text/html", "pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
VARIANTS = ("internal", "published")


def report_bytes(store: Path, la: str, year: int, fmt: str, published: bool) -> bytes:
    """The report for ``la`` and ``year`` in ``fmt`` (html, pdf or xlsx); published applies disclosure control."""
    from ..report import html, xlsx

    gathered = data.report(store, la, year)
    if published:
        from ..report.publish import make_safe

        gathered = copy.deepcopy(gathered)  # the cached, internal one stays as the dashboard shows it
        for v in gathered.items():
            v.__dict__.pop("_web_charts", None)  # charts drawn from the internal figures
        with data.STORE_LOCK:
            make_safe(gathered, store)
    with tempfile.TemporaryDirectory(prefix="munro-report-") as folder:
        out = Path(folder)
        if fmt == "xlsx":
            return xlsx.write(gathered, out / "report.xlsx").read_bytes()
        page = out / "index.html"
        page.write_text(html.render(gathered), encoding="utf-8")
        if fmt == "html":
            return page.read_bytes()
        from ..report.pdf import print_pdf

        return print_pdf(page, out / "report.pdf").read_bytes()


def variants_for(user) -> tuple[str, ...]:
    return ("published",) if user.regional else VARIANTS


@bp.get("/la/<la>/<int:year>/report")
def report_page(la, year):
    user = check_la_year(la, year, "download_report")
    from ..reference import local_authorities
    return render_template("report_download.html", la=la, year=year, la_name=local_authorities()[la].name,
                           variants=variants_for(user))


@bp.get("/la/<la>/<int:year>/report.<fmt>")
def report_file(la, year, fmt):
    user = check_la_year(la, year, "download_report")
    if fmt not in FORMATS:
        abort(404)
    variant = request.args.get("variant", variants_for(user)[0])
    if variant not in variants_for(user):
        abort(403, "Your role may download only the published report of this authority.")
    try:
        body = report_bytes(config().store, la, year, fmt, variant == "published")
    except StoreProblem:
        raise  # busy or unreadable: the application's one page for it (app._store)
    except MunroError as e:
        abort(503, " ".join(str(e).splitlines()[:1]))
    log("export", la=la, detail=f"{year} report ({fmt}, {variant})")
    name = f"munro-{la}-{year}-report{'' if variant == 'published' else '-internal'}.{fmt}"
    return Response(body, mimetype=FORMATS[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
