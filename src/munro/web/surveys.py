"""Survey pages for staff: create from the question bank, open and close, the public link and its QR code,
the disclosure-controlled results, and the safeguarding triage queue.

Routes are thin: munro.local does the work (surveys, results, triage) and
authz decides who may (manage_surveys, view_survey_results, triage). A survey
or queue entry of another LA is "not found" whatever the URL.
"""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from markupsafe import Markup

from ..errors import MunroError
from ..local import results as results_mod
from ..local import triage as triage_mod
from ..local.bank import load_bank
from ..local.respond import link_key
from ..local.roles import FREE_TEXT_ROLES
from ..local.surveys import (close_survey, create_survey, get_survey, list_surveys, open_survey, response_counts,
                             survey_version)
from . import authz, public
from .app import app_db, config
from .forms import date_field, whole_number
from .guard import for_la, found
from .pages import log

bp = Blueprint("surveys", __name__)
AUDIENCE_NAMES = {"children": "Children and young people", "families": "Parents and carers",
                  "staff": "Social workers and other professionals", "partners": "Partner agencies"}
DEFAULT_WEEKS = 4


@bp.record_once
def _links(state):
    state.app.jinja_env.globals["local_links"] = local_links


def local_links() -> list[tuple[str, str]]:
    """The survey, triage and audit pages the signed-in user of one LA may open: the menu's links."""
    from flask import g

    user = g.get("user")
    if user is None or len(user.las) != 1:
        return []
    la = user.las[0]
    pages = [("Surveys", "surveys.index", ("manage_surveys", "view_survey_results")),
             ("Safeguarding triage", "surveys.triage", ("triage",)), ("Audits", "audits.index", ("audit_cases",)),
             ("Audit results", "audits.results", ("view_audit_results",))]
    return [(label, url_for(endpoint, la=la)) for label, endpoint, actions in pages
            if any(authz.allowed(user, a, la) for a in actions)]


def _survey(la: str, survey_id: int):
    try:
        return found(get_survey(app_db(), survey_id), la)
    except MunroError:
        abort(404)


def public_url(survey_id: int) -> str:
    return url_for("public.start", key=link_key(config().secret_key, survey_id), _external=True)


@bp.get("/la/<la>/surveys")
def index(la):
    user = for_la(la, "view_survey_results", "manage_surveys")
    surveys = list_surveys(app_db(), la)
    counts = response_counts(app_db(), la)
    today = dt.date.today()
    return render_template("surveys.html", la=la, surveys=surveys, today=today, audiences=AUDIENCE_NAMES,
                           counts=counts, manage=authz.allowed(user, "manage_surveys", la),
                           results=authz.allowed(user, "view_survey_results", la))


def _instruments():
    """(audience name, [(instrument, version)]) for the creation form, children first."""
    bank = load_bank()
    latest = [bank.get(i) for i in bank.instruments()]
    return [(name, [v for v in latest if v.audience == aud]) for aud, name in AUDIENCE_NAMES.items()]


@bp.route("/la/<la>/surveys/new", methods=["GET", "POST"])
def new(la):
    user = for_la(la, "manage_surveys")
    today = dt.date.today()
    form = {"instrument": "", "title": "", "min_group": "", "invited": "",
            **{f"{p}-{k}": str(getattr(d, k)) for p, d in (("opens", today),
               ("closes", today + dt.timedelta(weeks=DEFAULT_WEEKS))) for k in ("day", "month", "year")}}
    errors = {}
    if request.method == "POST":
        form.update({k: request.form.get(k, "").strip() for k in form})
        bank = load_bank()
        if form["instrument"] not in bank.instruments() or bank.get(form["instrument"]).audience == "audit":
            errors["instrument"] = "Choose who the survey is for"
        opens = date_field(form, "opens", errors, "the date the survey opens")
        closes = date_field(form, "closes", errors, "the date the survey closes")
        if opens and closes and closes < opens:
            errors["closes"] = "The close date must be on or after the open date"
        min_group = whole_number(form, "min_group", errors, "The smallest group shown", low=2)
        invited = whole_number(form, "invited", errors, "The number of people invited", low=1)
        if not errors:
            try:
                s = create_survey(app_db(), la=la, instrument=form["instrument"], opens_on=opens, closes_on=closes,
                                  title=form["title"] or None, min_group=min_group, invited=invited,
                                  created_by=user.email)
            except MunroError as e:
                errors["instrument"] = str(e)
            else:
                return redirect(url_for("surveys.survey", la=la, survey_id=s.id))
    return render_template("survey_new.html", la=la, form=form, errors=errors, instruments=_instruments()), \
        400 if errors else 200


@bp.get("/la/<la>/surveys/<int:survey_id>")
def survey(la, survey_id):
    for_la(la, "manage_surveys")
    s = _survey(la, survey_id)
    url = public_url(s.id)
    return render_template("survey.html", la=la, s=s, v=survey_version(s), url=url, qr=Markup(_qr_inline(url)),
                           today=dt.date.today(), triage=triage_mod.triage_counts(app_db(), s.id))


def _qr(url: str):
    import segno

    return segno.make(url, error="m")  # medium error correction: still reads from a creased poster


def _qr_inline(url: str) -> str:
    svg = _qr(url).svg_inline(scale=4, svgclass="munro-qr")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code of the survey\'s link" ', 1)


@bp.get("/la/<la>/surveys/<int:survey_id>/qr.svg")
def qr(la, survey_id):
    for_la(la, "manage_surveys")
    s = _survey(la, survey_id)
    out = io.BytesIO()
    _qr(public_url(s.id)).save(out, kind="svg", scale=10, title=s.title)
    return Response(out.getvalue(), mimetype="image/svg+xml",
                    headers={"Content-Disposition": f'attachment; filename="survey-{s.id}-qr.svg"'})


@bp.post("/la/<la>/surveys/<int:survey_id>/open")
def open_now(la, survey_id):
    return _change(la, survey_id, open_survey)


@bp.post("/la/<la>/surveys/<int:survey_id>/close")
def close(la, survey_id):
    return _change(la, survey_id, close_survey)


def _change(la, survey_id, change):
    """Open or close the LA's survey, then back to its page; 409 when it cannot (closed already)."""
    for_la(la, "manage_surveys")
    _survey(la, survey_id)
    try:
        change(app_db(), survey_id)
    except MunroError as e:
        abort(409, str(e))
    public.forget(survey_id)  # the answering pages see the change at once
    return redirect(url_for("surveys.survey", la=la, survey_id=survey_id))


@bp.get("/la/<la>/surveys/<int:survey_id>/results")
def results(la, survey_id):
    user = for_la(la, "view_survey_results")
    s = _survey(la, survey_id)
    if not s.is_closed():
        return render_template("survey_results.html", la=la, s=s, r=None)
    r = results_mod.survey_results(app_db(), survey_id, role=user.role)
    texts = {q.id: q.text for q in survey_version(s).questions}
    if r.free_text:  # what respondents wrote, verbatim: who read it is kept
        log("view_child_level", la=la, detail=f"survey {survey_id}: written answers read")
    return render_template("survey_results.html", la=la, s=s, r=r, texts=texts,
                           free_text=user.role in FREE_TEXT_ROLES)


@bp.get("/la/<la>/triage")
def triage(la):
    user = for_la(la, "triage")
    db = app_db()
    titles = {s.id: s.title for s in list_surveys(db, la)}
    entries = triage_mod.triage_queue(db, role=user.role, la=la, status=None)
    reasons = {k: why for k, (why, _) in triage_mod.PATTERNS.items()}
    log("view_child_level", la=la, detail=f"safeguarding triage queue: {len(entries)} flagged answers shown")
    return render_template("triage.html", la=la, open=[e for e in entries if e["status"] == "open"],
                           handled=[e for e in entries if e["status"] != "open"], titles=titles, reasons=reasons,
                           errors={})


@bp.post("/la/<la>/triage/<int:entry_id>")
def handle(la, entry_id):
    user = for_la(la, "triage")
    outcome = request.form.get("outcome", "").strip()
    if not outcome:
        abort(400, "Say what was done before marking the entry handled. Go back and try again.")
    try:
        triage_mod.handle(app_db(), entry_id, role=user.role, handled_by=user.email, outcome=outcome, la=la)
    except MunroError:
        abort(404)
    return redirect(url_for("surveys.triage", la=la))
