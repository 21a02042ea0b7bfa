"""The public answering pages of a survey: no sign-in, one question per page, check your answers, send.

Anyone with the link answers: the link names the survey by a keyed hash
(munro.local.respond.link_key), answers in progress are kept by the server
(munro.local.respond.Drafts, keyed from the session cookie) and stored once
with munro.local.surveys.submit_response, which screens free text for the
triage queue. Nothing about the respondent is kept: no address, no time. The
pages never show results. Every request here counts against a per-address
limit (Config.survey_per_address in SURVEY_WINDOW_MINUTES), and each response
sent against a smaller one (Config.survey_submissions_per_address in
SUBMIT_WINDOW_MINUTES), answered with a page that keeps the answers to send
again. A group (which team) is chosen from the survey's list, never typed. A
survey with invitation codes asks for one at the start; the code is kept with
the answers in progress, in memory, and marked used as the response is stored.
"""

from __future__ import annotations

import datetime as dt
import time
from importlib import resources

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for

from ..errors import MunroError
from ..local.invitations import CodeRefused, code_usable, needs_code
from ..local.respond import Drafts, check_answer, link_key, survey_of_key
from ..local.survey_groups import survey_groups
from ..local.surveys import get_survey, survey_version
from .config import SUBMIT_WINDOW_MINUTES, SURVEY_WINDOW_MINUTES
from .current import app_db, config
from .ratelimit import RateLimit

bp = Blueprint("public", __name__)
ASSETS = ("public.frontend_js", "public.script")
EXIT_AUDIENCES = frozenset({"children", "families"})  # "Exit this page" (GOV.UK Design System)
# Shown beside free-text questions and on the last page of surveys of children and families.
HELP_NOW = ("If you are worried about your safety or someone else's, tell an adult you trust, or call "
            "Childline free on 0800 1111. Your answers here are not read straight away.")


@bp.record_once
def _setup(state):
    cfg = state.app.config["MUNRO"]
    state.app.extensions["munro_drafts"] = Drafts()
    state.app.extensions["munro_surveys"] = {}  # survey id -> (when read, Survey): _survey
    state.app.extensions["munro_survey_limit"] = RateLimit(cfg.survey_per_address, SURVEY_WINDOW_MINUTES * 60)
    state.app.extensions["munro_submit_limit"] = RateLimit(cfg.survey_submissions_per_address,
                                                           SUBMIT_WINDOW_MINUTES * 60)


@bp.before_request
def _rate_limit():
    if request.endpoint in ASSETS:
        return
    if not current_app.extensions["munro_survey_limit"].allow(request.remote_addr or "?"):
        abort(429, f"There have been too many requests from here. Wait {SURVEY_WINDOW_MINUTES} minutes and try again.")


def _asset(name: str) -> Response:
    try:
        body = (resources.files("munro.web") / "assets" / name).read_bytes()
    except FileNotFoundError:
        abort(404)
    return Response(body, mimetype="text/javascript", headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/assets/govuk-frontend.min.js")
def frontend_js():
    return _asset("govuk-frontend.min.js")


@bp.get("/assets/munro.js")
def script():
    return _asset("munro.js")


def _drafts() -> Drafts:
    return current_app.extensions["munro_drafts"]


SURVEY_SECONDS = 5.0


def _survey(key: str):
    """(survey, version, open?) for a public key; 404 for a key this service did not make.

    The survey is read again after SURVEY_SECONDS: a page costs half as much without
    the query, and sending always checks the database (submit_response), so a
    survey closed a moment ago still takes no answer. The staff pages' open and
    close forget it at once (``forget``).
    """
    sid = survey_of_key(config().secret_key, key)
    if sid is None:
        abort(404)
    s, _, _ = _read(sid)
    today = dt.date.today()
    return s, survey_version(s), s.opens_on <= today and not s.is_closed(today)


def _read(sid: int):
    """(survey, its lists of groups, whether it needs an invitation code), read at most every SURVEY_SECONDS."""
    _surveys = current_app.extensions["munro_surveys"]
    hit = _surveys.get(sid)
    if hit and time.monotonic() - hit[0] < SURVEY_SECONDS:
        return hit[1]
    try:
        s = get_survey(app_db(), sid)
    except MunroError:
        abort(404)
    read = (s, survey_groups(app_db(), sid), needs_code(app_db(), sid))
    _surveys[sid] = (time.monotonic(), read)
    return read


def _groups(s) -> dict:
    return _read(s.id)[1]


def _coded(s) -> bool:
    return _read(s.id)[2]


def forget(survey_id: int) -> None:
    current_app.extensions["munro_surveys"].pop(survey_id, None)


def _render(name: str, s, status: int = 200, **kw):
    exit_url = (url_for("public.leave", key=link_key(config().secret_key, s.id))
                if s.audience in EXIT_AUDIENCES else None)
    return render_template(name, s=s, exit_url=exit_url,
                           help_now=HELP_NOW if s.audience in EXIT_AUDIENCES else None, **kw), status


def _draft_key(s):
    return session.get("drafts", {}).get(str(s.id))


MAX_CODE = 40  # characters of an invitation code as typed (12 and dashes, with room for spaces)


@bp.get("/s/<key>")
def start(key):
    s, v, is_open = _survey(key)
    # A code from the mail-merged link (?code=...) fills the box; it is checked when the respondent starts.
    code = request.args.get("code", "")[:MAX_CODE]
    return _render("public_start.html", s, v=v, key=key, is_open=is_open, today=dt.date.today(),
                   coded=_coded(s), code=code, error=None)


@bp.post("/s/<key>/start")
def begin(key):
    s, v, is_open = _survey(key)
    if not is_open:
        return redirect(url_for("public.start", key=key))
    code = None
    if _coded(s):
        code = request.form.get("code", "").strip()[:MAX_CODE]
        if not code_usable(app_db(), s.id, code):
            error = ("Enter the invitation code you were sent" if not code else
                     "This invitation code is not right, or it has been used already: check it and try again")
            return _render("public_start.html", s, 400, v=v, key=key, is_open=is_open, today=dt.date.today(),
                           coded=True, code=code, error=error)
    drafts = dict(session.get("drafts", {}))
    # Always a new start: on a shared computer (a classroom, a family's laptop) the next person must not
    # find someone else's unfinished answers.
    _drafts().discard(drafts.get(str(s.id)))
    drafts[str(s.id)] = _drafts().start(s.id, code)
    session["drafts"] = drafts
    return redirect(url_for("public.question", key=key, n=1))


@bp.get("/s/<key>/exit")
def leave(key):
    """"Exit this page": forget the answers so far, then go to the neutral page (config exit_url).

    A link (GOV.UK Frontend's script follows it, and so does a click without the script), so a GET.
    """
    s, _, _ = _survey(key)
    _drafts().discard(_draft_key(s))
    session.pop("drafts", None)
    return redirect(config().exit_url)


def _in_progress(key):
    """(survey, version, answers) of the respondent's draft, or a response that sends them to the start."""
    s, v, is_open = _survey(key)
    answers = _drafts().answers(_draft_key(s), s.id) if is_open else None
    if answers is None:
        abort(redirect(url_for("public.start", key=key)))
    return s, v, answers


@bp.route("/s/<key>/<int:n>", methods=["GET", "POST"])
def question(key, n):
    s, v, answers = _in_progress(key)
    if not 1 <= n <= len(v.questions):
        abort(404)
    q = v.questions[n - 1]
    changing = request.args.get("change") == "1"
    error, value = None, answers.get(q.id, "")
    if request.method == "POST":
        value = request.form.get("answer", "")
        try:
            stored = check_answer(v, q.id, value, _groups(s))
        except ValueError as e:
            error = _message(q, str(e))
        else:
            if not _drafts().answer(_draft_key(s), s.id, q.id, stored):
                return redirect(url_for("public.start", key=key))
            if changing or n == len(v.questions):
                return redirect(url_for("public.check", key=key))
            return redirect(url_for("public.question", key=key, n=n + 1))
    back = (url_for("public.check", key=key) if changing else
            url_for("public.question", key=key, n=n - 1) if n > 1 else url_for("public.start", key=key))
    return _render("public_question.html", s, 400 if error else 200, v=v, q=q, n=n, value=value, error=error,
                   back=back, key=key, changing=changing, choices=_groups(s).get(q.id, []))


def _message(q, detail: str) -> str:
    """What went wrong with an answer, in words a respondent understands (ValueError's text names the question id)."""
    detail = detail.split(": ", 1)[-1]
    if q.scale.kind == "number":
        return f"Enter a whole number from {q.scale.min} to {q.scale.max}"
    if q.scale.kind == "label":
        return "Choose one of the groups in the list, or go on without one"
    if q.free_text:
        return "Your answer is too long: make it shorter"
    return f"Choose one of the answers ({detail})"


@bp.route("/s/<key>/check", methods=["GET", "POST"])
def check(key):
    s, v, is_open = _survey(key)
    draft = _draft_key(s)
    if request.method == "POST":
        if _drafts().answers(draft, s.id) and not _drafts().used(draft) and \
                not current_app.extensions["munro_submit_limit"].allow(request.remote_addr or "?"):
            # Many responses from this address just now: a kind page, and the answers kept to send again.
            page, status = _render("public_wait.html", s, 429, key=key, minutes=SUBMIT_WINDOW_MINUTES)
            return page, status, {"Retry-After": str(SUBMIT_WINDOW_MINUTES * 60)}
        try:
            _drafts().submit(app_db(), draft, s.id)
        except MunroError as e:
            if _drafts().used(draft):
                return redirect(url_for("public.done", key=key))
            answers = _drafts().answers(draft, s.id)
            if answers is None:
                return redirect(url_for("public.start", key=key))
            # submit_response refused it: nothing answered, the invitation code used meanwhile, or the survey
            # closed meanwhile (its message is for staff).
            forget(s.id)  # read the survey again: it may have closed a moment ago
            _, _, is_open = _survey(key)
            error = ("Answer at least one question before you send your answers" if not answers else
                     "Your invitation code has been used already, so your answers could not be sent"
                     if isinstance(e, CodeRefused) else
                     "This survey has closed, so your answers could not be sent" if not is_open else
                     "One of your answers is no longer one of the choices: change it, then send your answers")
            return _render("public_check.html", s, 400, v=v, key=key, rows=_rows(v, answers), error=error)
        # Stored now or by the first of two presses: either way the answers are in, once.
        return redirect(url_for("public.done", key=key))
    if _drafts().used(draft):
        return redirect(url_for("public.done", key=key))
    _, v, answers = _in_progress(key)
    return _render("public_check.html", s, v=v, key=key, rows=_rows(v, answers), error=None)


def _rows(v, answers: dict) -> list[tuple]:
    """(number, question, answer shown) for the check-your-answers list."""
    out = []
    for i, q in enumerate(v.questions, 1):
        a = answers.get(q.id)
        shown = "Not answered" if a is None else (a if q.free_text or q.scale.kind == "label" else q.scale.label(a))
        out.append((i, q, shown))
    return out


@bp.get("/s/<key>/done")
def done(key):
    s, _, _ = _survey(key)
    if not _drafts().used(_draft_key(s)):
        return redirect(url_for("public.start", key=key))
    return _render("public_done.html", s, key=key)
