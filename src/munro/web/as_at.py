"""An LA's figures as at any date: the dashboard's as-at view (``data.report_for`` with a date).

The LA's dashboard offers an as-at date (a date field, and the date of its latest in-year extract);
the view is the report's for the 12 months to that date (``report.build.gather_as_at``), each item's
page with its monthly series and the published figures beside it. Who sees which figures, and the
audit of exports, are the year dashboard's (``pages``): internal figures for the LA's own staff, the
published (disclosure-controlled) ones for anyone else, series points included.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from ..benchmark.compare import HEADLINE_RULE
from ..errors import MunroError, StoreProblem
from ..reference import local_authorities
from ..report.html import glance
from ..report.summary import HOW_JUDGED
from . import authz, data
from .current import config
from .forms import date_field
from .pages import LA_CODE, _report_part, log, signed_in

bp = Blueprint("as_at", __name__)


def _user(la: str):
    user = signed_in()
    if not LA_CODE.match(la):
        abort(404)
    authz.authorise(user, "view_aggregates", la)
    return user


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        abort(404)


def _report(la: str, end: dt.date):
    user = _user(la)
    try:
        return data.report_for(config().store, user, la, end)
    except StoreProblem:
        raise  # busy or unreadable: the application's one page for it
    except MunroError as e:  # a date munro cannot compute for: the form says why
        abort(Response(_form(la, {"as-at": str(e)}), status=400))


def _form(la: str, errors: dict, values: dict | None = None) -> str:
    return render_template("as_at_form.html", la=la, la_name=local_authorities()[la].name, errors=errors,
                           values=values or {}, latest=data.latest_extract(config().store, la))


@bp.get("/la/<la>/as-at")
def choose(la):
    """The as-at date's form (a GOV.UK date input); a date given goes to its view."""
    _user(la)
    if not any(request.args.get(f"as-at-{k}") for k in ("day", "month", "year")):
        return _form(la, {})
    errors: dict = {}
    end = date_field(request.args, "as-at", errors, "the date the 12 months end on")
    if end is None:
        return Response(_form(la, errors, request.args), status=400)
    return redirect(url_for("as_at.dashboard", la=la, end=end.isoformat()))


@bp.get("/la/<la>/as-at/<end>")
def dashboard(la, end):
    report = _report(la, _date(end))
    table = glance(report, link=lambda v: url_for("as_at.item", la=la, end=end, item_id=v.item.id))
    return render_template("as_at_dashboard.html", r=report, end=end, glance=table, how_judged=HOW_JUDGED,
                           headline_rule=HEADLINE_RULE)


@bp.get("/la/<la>/as-at/<end>/items/<item_id>")
def item(la, end, item_id):
    report = _report(la, _date(end))
    section, view = data.find_item(report, item_id)
    if view is None:
        abort(404)
    body, charts = _report_part(report, "item.html.j2", [view], v=view)
    return render_template("as_at_item.html", r=report, end=end, s=section, v=view, body=body,
                           charts=charts[item_id])


@bp.get("/la/<la>/as-at/<end>/items/<item_id>/<chart_id>.csv")
def chart_csv(la, end, item_id, chart_id):
    _, view = data.find_item(_report(la, _date(end)), item_id)
    for chart in data.charts(view) if view else []:
        if chart.id == chart_id:
            log("export", la=la, detail=f"as at {end} {item_id} chart {chart_id} (CSV)")
            return Response(data.chart_csv(chart), mimetype="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="munro-{la}-{end}-{chart_id}.csv"'})
    abort(404)
