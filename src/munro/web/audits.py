"""Case-file audit pages: draw a sample from the store, grade a case, moderate an audit, see the results.

munro.local.audits does the work. Sampling, grading and moderating name
children (LAchildID), so they are the auditors' (``audit_cases``, never a
regional user); the results are aggregates (``view_audit_results``),
published (small counts and what would give them back hidden) to anyone who
may see only the LA's published figures (``data.published_only``, the rule of
every page) and to a manager. Child identifiers
travel in form bodies, never in URLs, so they stay out of any access log.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..errors import MunroError, StoreProblem
from ..local import audits as lib
from ..local.bank import load_bank
from ..store.returns import years_of
from . import data
from .current import app_db, config
from .forms import date_field, whole_number
from .guard import for_la
from .pages import log
from .params import arg, whole

bp = Blueprint("audits", __name__)
PUBLISHED_FOR = frozenset({"manager"})  # roles that see audit results published even of their own LA
SAMPLE_DEFAULT = 20


def _form():
    v = load_bank().get(lib.AUDIT_FORM)
    return v, [(o.code, o.label, "") for o in v.question("overall").scale.options]


def _years(la: str) -> list[int]:
    """Reporting years with an annual return of the LA in the store, newest first."""
    return years_of(data.loaded_returns(config().store), la)[::-1]


def _year(la: str) -> int:
    years = _years(la)
    return arg("year", years[0] if years else dt.date.today().year, 1, 9999)


@bp.get("/la/<la>/audits")
def index(la):
    for_la(la, "audit_cases")
    year = _year(la)
    audits = lib.list_audits(app_db(), la, year)
    log("view_child_level", la=la, detail=f"audits of {year}: {len(audits)} cases listed")
    return render_template("audits.html", la=la, year=year, years=_years(la), audits=audits,
                           labels=dict((c, label) for c, label, _ in _form()[1]))


@bp.route("/la/<la>/audits/sample", methods=["GET", "POST"])
def sample(la):
    for_la(la, "audit_cases")
    form = {"year": str(_year(la)), "n": str(SAMPLE_DEFAULT), "seed": "1", "cohort": "cp-plans", "stratify": "category"}
    errors, cases = {}, None
    if request.method == "POST":
        form.update({k: request.form.get(k, "").strip() for k in form})
        n = whole_number(form, "n", errors, "The number of cases", low=1)
        seed = whole_number(form, "seed", errors, "The seed")
        if whole(form["year"]) is None:
            errors["year"] = "Choose the reporting year"
        elif whole(form["year"]) not in _years(la):
            # A sample drawn from a year without its return would be drawn from the wrong children.
            errors["year"] = "Choose a reporting year whose return is loaded"
        if not errors:
            try:
                cases = lib.sample_cases(config().store, la, int(form["year"]), n or SAMPLE_DEFAULT, seed=seed or 0,
                                         cohort=form["cohort"], stratify=form["stratify"])
            except StoreProblem:
                raise  # busy or unreadable: the application's one page for it (app._store)
            except MunroError as e:
                errors["n"] = str(e)
            else:
                log("view_child_level", la=la, detail=f"audit sample of {form['year']}: {len(cases)} cases drawn")
    return render_template("audit_sample.html", la=la, form=form, errors=errors, cases=cases, years=_years(la)), \
        400 if errors else 200


@bp.route("/la/<la>/audits/grade", methods=["GET", "POST"])
def grade(la):
    user = for_la(la, "audit_cases")
    v, options = _form()
    graded = [c for c, _, _ in options]
    form = {"year": str(_year(la)), "la_child_id": "", "team": "",
            **{f"referral-{k}": "" for k in ("day", "month", "year")}, **{q.id: "" for q in v.questions}}
    errors = {}
    # "prefill": the sample page's button, which carries the case in the form body (never the URL).
    if request.method == "POST":
        form.update({k: request.form.get(k, "").strip() for k in form})
        ref = request.form.get("referral_date", "")
        try:
            d = dt.date.fromisoformat(ref) if ref else None
        except ValueError:
            d = None
        if d:
            form.update({"referral-day": str(d.day), "referral-month": str(d.month), "referral-year": str(d.year)})
    if request.method == "POST" and not request.form.get("prefill"):
        referral = date_field(form, "referral", errors, "the referral date of the episode")
        if not form["la_child_id"]:
            errors["la_child_id"] = "Enter the child's LAchildID"
        for q in v.questions:
            if form[q.id] not in graded or (q.overall and form[q.id] == "not_applicable"):
                errors[q.id] = f"Choose a grade for: {q.text}"
        if not errors and not lib.case_in_store(config().store, la, form["la_child_id"], referral):
            errors["la_child_id"] = "There is no episode of this child with that referral date in the loaded returns"
        if not errors:
            record = lib.AuditRecord(la_child_id=form["la_child_id"], referral_date=referral, auditor=user.email,
                                     audited_on=dt.date.today(), grades={q.id: form[q.id] for q in v.questions},
                                     team=form["team"] or None)
            try:
                lib.record_audits(app_db(), la, int(form["year"]), [record])
            except MunroError as e:
                errors["la_child_id"] = str(e)
            else:
                log("view_child_level", la=la, detail=f"audit of {form['year']} recorded")
                return redirect(url_for("audits.index", la=la, year=form["year"]))
    return render_template("audit_grade.html", la=la, v=v, form=form, errors=errors, options=options,
                           years=_years(la)), 400 if errors else 200


@bp.route("/la/<la>/audits/<int:audit_id>/moderate", methods=["GET", "POST"])
def moderate(la, audit_id):
    user = for_la(la, "audit_cases")
    v, options = _form()
    try:
        audit = lib.get_audit(app_db(), la, audit_id)
    except MunroError:
        abort(404)
    log("view_child_level", la=la, detail=f"audit {audit_id} opened to moderate")
    form = {q.id: "" for q in v.questions} | {"agreed": ""}
    errors = {}
    if request.method == "POST":
        form.update({k: request.form.get(k, "").strip() for k in form})
        grades = {q.id: form[q.id] for q in v.questions if form[q.id] and q.id in audit["grades"]}
        try:
            lib.moderate_audit(app_db(), la, audit_id, moderator=user.email, moderated_on=dt.date.today(),
                               grades=grades, agreed_grade=form["agreed"] or None)
        except MunroError as e:
            errors["overall"] = str(e)
        else:
            return redirect(url_for("audits.index", la=la, year=audit["year"]))
    return render_template("audit_moderate.html", la=la, v=v, a=audit, form=form, errors=errors, options=options,
                           labels=dict((c, label) for c, label, _ in options)), 400 if errors else 200


@bp.get("/la/<la>/audits/results")
def results(la):
    user = for_la(la, "view_audit_results")
    year = _year(la)
    published = data.published_only(user, la) or user.role in PUBLISHED_FOR
    r = lib.audit_results(app_db(), la, year, publish=published)
    return render_template("audit_results.html", la=la, year=year, years=_years(la), r=r,
                           labels=dict((c, label) for c, label, _ in _form()[1]), published=published)
