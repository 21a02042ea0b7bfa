"""Survey pages for staff: create from the question bank, open and close, the groups respondents choose
from, one-time invitation codes, the public link and its QR code, the disclosure-controlled results, and the
safeguarding triage queue. Every change is recorded in the audit log, never with a respondent's words.

The public link and QR code are built from MUNRO_PUBLIC_URL (config ``public_url``), never from the
request's Host header, which a client chooses. Without it the page shows the link's path (it works on this
service, for local use) and asks the administrator to set the address before sharing a link; no QR code.

Routes are thin: munro.local does the work (surveys, results, triage) and
authz decides who may (manage_surveys, view_survey_results, triage). A survey
or queue entry of another LA is "not found" whatever the URL.
"""

from __future__ import annotations

import datetime as dt
import io

import segno
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from markupsafe import Markup

from ..errors import MunroError
from ..local import results as results_mod
from ..local import triage as triage_mod
from ..local.bank import load_bank
from ..local.invitations import MAX_CODES, codes_csv, create_codes, invitation_counts
from ..local.respond import link_key
from ..local.roles import FREE_TEXT_ROLES
from ..local.survey_groups import MAX_GROUPS, MAX_LABEL, label_questions, set_groups, survey_groups
from ..local.surveys import (
    _now,
    close_survey,
    create_survey,
    get_survey,
    list_surveys,
    open_survey,
    response_counts,
    survey_version,
)
from . import authz, public
from .current import app_db, config
from .forms import date_field, whole_number
from .guard import for_la, found
from .pages import local_links, log

bp = Blueprint("surveys", __name__)
AUDIENCE_NAMES = {"children": "Children and young people", "families": "Parents and carers",
                  "staff": "Social workers and other professionals", "partners": "Partner agencies"}
DEFAULT_WEEKS = 4


@bp.record_once
def _links(state):
    state.app.jinja_env.globals["local_links"] = local_links


def _survey(la: str, survey_id: int):
    try:
        return found(get_survey(app_db(), survey_id), la)
    except MunroError:
        abort(404)


def public_url(survey_id: int) -> str | None:
    """The survey's link from MUNRO_PUBLIC_URL, or None when it is not set (module docstring)."""
    base = config().public_url
    return base + _path(survey_id) if base else None


def _path(survey_id: int) -> str:
    return url_for("public.start", key=link_key(config().secret_key, survey_id))


@bp.get("/la/<la>/surveys")
def index(la):
    user = for_la(la, "view_survey_results", "manage_surveys")
    surveys = list_surveys(app_db(), la)
    today = dt.date.today()
    counts = _respondents_shown(surveys, user.role, today)
    return render_template("surveys.html", la=la, surveys=surveys, today=today, audiences=AUDIENCE_NAMES,
                           counts=counts, manage=authz.allowed(user, "manage_surveys", la),
                           results=authz.allowed(user, "view_survey_results", la))


def _respondents_shown(surveys, role: str, today: dt.date) -> dict:
    """Each closed survey's respondents as its results page shows them (1 to 5, or too few for results: c),
    so that the list cannot give back a count the results hide. Open surveys' counts are never shown."""
    stored = response_counts(app_db(), surveys[0].la_code) if surveys else {}
    shown = {}
    for s in surveys:
        if s.is_closed(today):
            shown[s.id] = (results_mod.survey_results(app_db(), s.id, role=role, today=today).respondents
                           if stored.get(s.id) else 0)
    return shown


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
                log("survey_created", la=la, detail=f"survey {s.id}: {s.instrument}/{s.version}")
                return redirect(url_for("surveys.survey", la=la, survey_id=s.id))
    return render_template("survey_new.html", la=la, form=form, errors=errors, instruments=_instruments()), \
        400 if errors else 200


@bp.get("/la/<la>/surveys/<int:survey_id>")
def survey(la, survey_id):
    for_la(la, "manage_surveys")
    return _survey_page(la, _survey(la, survey_id))


def _survey_page(la, s, errors=None, form=None):
    """The survey's page (its link, groups, invitation codes, open and close); 400 with ``errors``."""
    url = public_url(s.id)
    v = survey_version(s)
    return render_template("survey.html", la=la, s=s, v=v, url=url or _path(s.id),
                           qr=Markup(_qr_inline(url)) if url else None, today=dt.date.today(),
                           triage=triage_mod.triage_counts(app_db(), s.id), group_questions=label_questions(v),
                           groups=survey_groups(app_db(), s.id), invitations=invitation_counts(app_db(), s.id),
                           max_codes=MAX_CODES, errors=errors or {}, form=form or {}), 400 if errors else 200


def _qr(url: str):
    return segno.make(url, error="m")  # medium error correction: still reads from a creased poster


def _qr_inline(url: str) -> str:
    svg = _qr(url).svg_inline(scale=4, svgclass="munro-qr")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code of the survey\'s link" ', 1)


@bp.get("/la/<la>/surveys/<int:survey_id>/qr.svg")
def qr(la, survey_id):
    for_la(la, "manage_surveys")
    s = _survey(la, survey_id)
    url = public_url(s.id)
    if url is None:
        abort(409, "Set MUNRO_PUBLIC_URL, the address people reach this service at, before making a QR code.")
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", scale=10, title=s.title)
    return Response(out.getvalue(), mimetype="image/svg+xml",
                    headers={"Content-Disposition": f'attachment; filename="survey-{s.id}-qr.svg"'})


@bp.route("/la/<la>/surveys/<int:survey_id>/groups", methods=["GET", "POST"])
def groups(la, survey_id):
    """The groups respondents choose from, one per line, for each question that asks for one."""
    for_la(la, "manage_surveys")
    s = _survey(la, survey_id)
    v = survey_version(s)
    questions = label_questions(v)
    if not questions:
        abort(404)
    current = survey_groups(app_db(), s.id)
    form = {q.id: "\n".join(current.get(q.id, [])) for q in questions}
    errors = {}
    if request.method == "POST":
        if s.closed_at is not None:
            abort(409, "This survey is closed: its groups are final.")
        form = {q.id: request.form.get(q.id, "") for q in questions}
        done = {}
        for q in questions:
            try:
                done[q.id] = set_groups(app_db(), s, v, q.id, form[q.id].splitlines())
            except MunroError as e:
                errors[q.id] = str(e)[0].upper() + str(e)[1:]
        for qid, labels in done.items():  # staff wrote these labels: the count is enough to say what changed
            log("survey_groups_set", la=la, detail=f"survey {s.id}: {qid}: {len(labels)} groups")
        if not errors:
            public.forget(s.id)
            return redirect(url_for("surveys.survey", la=la, survey_id=s.id))
    return render_template("survey_groups.html", la=la, s=s, questions=questions, form=form, errors=errors,
                           max_groups=MAX_GROUPS, max_label=MAX_LABEL), 400 if errors else 200


@bp.post("/la/<la>/surveys/<int:survey_id>/invitations")
def invitations(la, survey_id):
    """Make one-time invitation codes and hand them over once, as a CSV to mail-merge (only hashes are kept)."""
    for_la(la, "manage_surveys")
    s = _survey(la, survey_id)
    form = {"count": request.form.get("count", "").strip()}
    errors = {}
    n = whole_number(form, "count", errors, "The number of codes", low=1)
    if n is None and not errors:
        errors["count"] = "Enter how many invitation codes to make"
    elif n is not None and n > MAX_CODES:
        errors["count"] = f"Make at most {MAX_CODES:,} codes at a time"
    if errors:
        return _survey_page(la, s, errors, form)
    try:
        codes = create_codes(app_db(), s, n, _now())
    except MunroError as e:
        abort(409, str(e))
    log("invitations_created", la=la, detail=f"survey {s.id}: {n} invitation codes")
    public.forget(s.id)
    return Response(codes_csv(codes, public_url(s.id) or _path(s.id)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="survey-{s.id}-invitation-codes.csv"',
                             "Cache-Control": "no-store"})


@bp.post("/la/<la>/surveys/<int:survey_id>/open")
def open_now(la, survey_id):
    return _change(la, survey_id, open_survey, "survey_opened")


@bp.post("/la/<la>/surveys/<int:survey_id>/close")
def close(la, survey_id):
    return _change(la, survey_id, close_survey, "survey_closed")


def _change(la, survey_id, change, event):
    """Open or close the LA's survey, then back to its page; 409 when it cannot (closed already)."""
    for_la(la, "manage_surveys")
    _survey(la, survey_id)
    try:
        change(app_db(), survey_id)
    except MunroError as e:
        abort(409, str(e))
    log(event, la=la, detail=f"survey {survey_id}")
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
    # The entry's number only: the outcome may name the child, and the answer is the respondent's.
    log("triage_handled", la=la, detail=f"triage entry {entry_id}")
    return redirect(url_for("surveys.triage", la=la))
