"""The pages. Each route signs-in-checks with ``signed_in()`` and asks ``authz.authorise`` about its LA."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, session, url_for
from markupsafe import Markup

from ..benchmark.compare import HEADLINE_RULE
from ..errors import MunroError, StoreProblem
from ..reference import local_authorities
from ..report.html import environment, glance
from ..report.html import stylesheet as css
from ..report.summary import HOW_JUDGED
from ..store.returns import NoReturn, require_return
from ..years import year_words
from . import authz, data, sessions
from .audit_log import record
from .current import COOKIE, app_db, config
from .users import authenticate, la_of

bp = Blueprint("pages", __name__)
LA_CODE = re.compile(r"^\d{3}$")


def signed_in():
    """The user, or a redirect to sign in (the page they asked for is not remembered: no open redirect)."""
    if g.user is None:
        abort(redirect(url_for("pages.sign_in")))
    return g.user


def log(event: str, *, la: str | None = None, detail: str = "", user=None, email: str | None = None) -> None:
    """Append ``event`` to the audit log as done by ``user`` (default: the signed-in user) from this client."""
    record(app_db(), event, user=user or g.user, email=email, la=la, detail=detail, address=request.remote_addr)


@bp.get("/assets/munro.css")
def stylesheet():
    return Response(css(), mimetype="text/css", headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/")
def start():
    return render_template("start.html")


def begin_session(user, detail: str = "") -> Response:
    """Sign ``user`` in (a password checked, or single sign-on: web/sso.py): the audit event, a new
    server-side session, and the dashboard."""
    log("sign_in", user=user, detail=detail)
    sessions.end(app_db(), request.cookies.get(COOKIE))  # signing in again ends the session it replaces
    token, _ = sessions.start(app_db(), user)
    session.clear()  # the signed-out CSRF token and any sign-in state are not carried into the session (fixation)
    response = redirect(url_for("pages.dashboard"))
    # A browser-session cookie; the server enforces the idle and absolute timeouts (sessions.resume).
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", secure=config().secure_cookies)
    return response


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error = None
    cfg = config()
    if request.method == "POST":
        if not cfg.local_passwords:
            # The administrator turned local passwords off (MUNRO_LOCAL_PASSWORDS=0): single sign-on only.
            abort(403, f"Signing in with a password is turned off here: sign in with {cfg.oidc_name}.")
        if not current_app.extensions["munro_sign_in_limit"].allow(request.remote_addr or "?"):
            abort(429, "There have been too many attempts to sign in from here. Wait 10 minutes and try again.")
        user = authenticate(app_db(), request.form.get("email", ""), request.form.get("password", ""),
                            cfg.lock_after, cfg.lock_minutes)
        if user is not None:
            return begin_session(user)
        typed = request.form.get("email", "")
        log("sign_in_failed", email=typed, la=la_of(app_db(), typed))
        # One message for a wrong password, an unknown address and a locked account (users.authenticate).
        error = ("The email address or password is not right, or the account is locked after too many tries. "
                 f"Try again, or wait {config().lock_minutes} minutes.")
    status = 400 if error else 200  # 400 so that a failed sign-in is never taken for a page
    return render_template("sign_in.html", error=error, email=request.form.get("email", ""),
                           sso_name=cfg.oidc_name if "munro_sso" in current_app.extensions else None,
                           local_passwords=cfg.local_passwords), status


@bp.post("/sign-out")
def sign_out():
    if g.user is not None:
        log("sign_out")
    sessions.end(app_db(), request.cookies.get(COOKIE))
    session.clear()
    response = redirect(url_for("pages.signed_out"))
    response.delete_cookie(COOKIE)
    return response


@bp.get("/signed-out")
def signed_out():
    return render_template("signed_out.html")


def _years(las: list[str]) -> dict[str, list[int]]:
    rows = data.loaded_returns(config().store)
    out = {la: [] for la in las}
    for r in rows:
        if r["la_code"] in out and r["kind"] == "annual":  # an in-year extract is no year's return
            out[r["la_code"]].append(int(r["collection_year"]))
    return out


@bp.get("/dashboard")
def dashboard():
    user = signed_in()
    if not authz.allowed(user, "view_aggregates", None):
        # A survey administrator or a triage user has no dashboard: their first page is where they work.
        links = local_links()
        if links:
            return redirect(links[0][1])
    authz.authorise(user, "view_aggregates", None)
    las = authz.visible_las(user)
    names = {la: local_authorities()[la].name for la in las}
    return render_template("dashboard.html", years=_years(las), names=names)


def check_la_year(la: str, year: int, action: str = "view_aggregates"):
    """The signed-in user, if they may do ``action`` for ``la`` and a return for ``year`` is loaded; else 403,
    or 404 with a page that says which years are loaded (``no_return_page``)."""
    user = signed_in()
    if not LA_CODE.match(la):
        abort(404)
    authz.authorise(user, action, la)
    try:
        require_return(config().store, la, year, _years([la])[la])
    except NoReturn as e:
        abort(no_return_page(e))
    return user


def no_return_page(e) -> Response:
    """404: the LA's return for the year is not loaded; the years that are, each linked, and the dashboard."""
    known = local_authorities().get(e.la)
    name = f"{known.name} ({e.la})" if known else e.la
    message = (f"There is no {year_words(e.year)} return loaded for {name}, so there are no figures for that "
               "year: each year's figures need its own return.")
    body = render_template("error.html", code=404, title="No return loaded for this year", message=message,
                           la=e.la, la_name=name, loaded=e.loaded)
    return Response(body, status=404, mimetype="text/html")


def _la_year(la: str, year: int):
    """The signed-in user's report data for ``la`` and ``year``, after the authorisation check: the
    published variant for a user who may see only published figures (``data.published_only``)."""
    user = check_la_year(la, year)
    try:
        return data.report_for(config().store, user, la, year)
    except StoreProblem:
        raise  # busy or unreadable: the application's one page for it (app._store)
    except MunroError as e:
        abort(404, str(e))


@bp.get("/la/<la>/<int:year>")
def la_dashboard(la, year):
    report = _la_year(la, year)
    table = glance(report, link=lambda v: url_for("pages.item", la=la, year=year, item_id=v.item.id))
    return render_template("la_dashboard.html", r=report, glance=table, how_judged=HOW_JUDGED,
                           headline_rule=HEADLINE_RULE, latest_extract=data.latest_extract(config().store, la))


def _report_part(report, template: str, views, **context) -> tuple[Markup, dict[str, list]]:
    """A part of the report's own page (an item, a section) with its charts, for a web page."""
    charts = {v.item.id: data.charts(v) for v in views}
    note = report.quality.get("benchmark_note")
    body = environment().get_template(template).render(
        charts=charts, bench_missing=("No benchmarks: " + note) if note else
        "No published figure for this item or authority.", **context)
    return Markup(body), charts


@bp.get("/la/<la>/<int:year>/sections/<section_id>")
def section(la, year, section_id):
    """One framework section as the report shows it: purpose, key questions, local evidence, every item's charts."""
    report = _la_year(la, year)
    found = next((s for s in report.sections if s.section.id == section_id), None)
    if found is None:
        abort(404)
    number = report.sections.index(found) + 1
    body, charts = _report_part(report, "section.html.j2", found.items, s=found, number=number)
    return render_template("section.html", r=report, s=found, body=body, charts=charts)


@bp.get("/la/<la>/<int:year>/items/<item_id>")
def item(la, year, item_id):
    report = _la_year(la, year)
    section, view = data.find_item(report, item_id)
    if view is None:
        abort(404)
    body, charts = _report_part(report, "item.html.j2", [view], v=view)
    return render_template("item.html", r=report, s=section, v=view, body=body, charts=charts[item_id])


@bp.get("/la/<la>/<int:year>/items/<item_id>/<chart_id>.csv")
def chart_csv(la, year, item_id, chart_id):
    _, view = data.find_item(_la_year(la, year), item_id)
    for chart in data.charts(view) if view else []:
        if chart.id == chart_id:
            name = f"munro-{la}-{year}-{chart_id}.csv"
            log("export", la=la, detail=f"{year} {item_id} chart {chart_id} (CSV)")
            return Response(data.chart_csv(chart), mimetype="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
    abort(404)


def local_links() -> list[tuple[str, str]]:
    """The survey, triage and audit pages the signed-in user of one LA may open: the menu's links."""
    user = g.get("user")
    if user is None or len(user.las) != 1:
        return []
    la = user.las[0]
    pages = [("Surveys", "surveys.index", ("manage_surveys", "view_survey_results")),
             ("Safeguarding triage", "surveys.triage", ("triage",)), ("Audits", "audits.index", ("audit_cases",)),
             ("Audit results", "audits.results", ("view_audit_results",))]
    return [(label, url_for(endpoint, la=la)) for label, endpoint, actions in pages
            if any(authz.allowed(user, a, la) for a in actions)]
