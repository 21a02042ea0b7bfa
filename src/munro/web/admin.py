"""Administrators' pages (issue 8): their LA's accounts, and its audit log.

An administrator belongs to one LA and manages exactly the accounts of that
LA (a regional account spans several LAs and is created with ``munro user
add``). The functions are users.py's and audit_log.py's; these routes only
check who asks, call them and record what was done.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, get_flashed_messages, redirect, render_template, request, url_for

from ..errors import MunroError
from ..local.roles import ROLES
from ..store.retention import retention as run_retention
from ..store.retention import retention_history
from ..years import year_label
from . import authz
from .audit_log import EVENTS, PAGE_SIZE, read
from .current import app_db, config
from .pages import log, signed_in
from .params import arg, whole
from .store_access import reading, writing
from .users import MIN_PASSWORD, add_user, disable_user, list_users, remove_user, unlock_user

bp = Blueprint("admin", __name__)
# action in the URL -> (function, audit event, what the page says was done)
CHANGES = {
    "unlock": (unlock_user, "user_unlocked", "unlocked"),
    "disable": (disable_user, "user_disabled", "disabled"),
    "enable": (lambda e, i, la: disable_user(e, i, la, disabled=False), "user_enabled", "enabled again"),
    "remove": (remove_user, "user_removed", "removed"),
}


def _admin(action: str):
    """The signed-in administrator and their one LA."""
    user = signed_in()
    authz.authorise(user, action, None)  # a regional user is refused here (CHILD_LEVEL in authz)
    la = user.las[0]
    authz.authorise(user, action, la)
    return user, la


def _users_page(la: str, error: str | None = None, done: str | None = None, form: dict | None = None):
    return render_template("admin_users.html", users=list_users(app_db(), la=la), roles=ROLES, error=error,
                           done=done, form=form or {}, min_password=MIN_PASSWORD, la=la,
                           sign_in_ways=_sign_in_ways(config()), provider=config().oidc_name), 400 if error else 200


@bp.route("/admin/users", methods=["GET", "POST"])
def users():
    user, la = _admin("manage_users")
    if request.method == "GET":
        return _users_page(la, done=next(iter(get_flashed_messages()), None))
    form = {k: request.form.get(k, "") for k in ("email", "role", "sign_in")}
    try:
        added = add_user(app_db(), form["email"], [la], form["role"], _first_password(form["sign_in"]))
    except MunroError as e:
        return _users_page(la, error=str(e)[:1].upper() + str(e)[1:] + ".", form=form)
    log("user_added", la=la, detail=f"{added.email} as {added.role}")
    return _done(f"{added.email} added as {added.role}.")


def _first_password(how: str) -> str | None:
    """The password the new account starts with, or None for an account that signs in only through the
    council's identity provider (docs/sign-in.md): the only kind when local passwords are turned off."""
    cfg = config()
    ways = _sign_in_ways(cfg)
    how = how or ways[0]
    if how not in ways:
        raise MunroError("choose how the user will sign in")
    return None if how == "single_sign_on" else request.form.get("password", "")


def _sign_in_ways(cfg) -> tuple[str, ...]:
    """How a new account may sign in here, the first the default: the identity provider when there is one."""
    return (("single_sign_on",) if cfg.oidc_issuer else ()) + (("password",) if cfg.local_passwords else ())


def _done(message: str):
    """Post/redirect/get: the list again with what was done, so reloading it does not repeat the change."""
    return _done_at("admin.users", message)


def _done_at(endpoint: str, message: str):
    flash(message)
    return redirect(url_for(endpoint), 303)


@bp.post("/admin/users/<int:user_id>/<change>")
def change_user(user_id, change):
    user, la = _admin("manage_users")
    if change not in CHANGES:
        abort(404)
    if user_id == user.id:
        return _users_page(la, error="You cannot change your own account here: ask another administrator.")
    if change == "remove" and request.form.get("confirm") != "yes":
        # Removing cannot be undone: a page that asks first (GOV.UK's pattern for a destructive action).
        found = next((u for u in list_users(app_db(), la=la) if u["id"] == user_id), None)
        if found is None:
            abort(404, "There is no such user in your authority.")
        return render_template("admin_remove.html", u=found)
    function, event, said = CHANGES[change]
    try:
        address = function(app_db(), user_id, la)  # only an account of the administrator's own LA
    except MunroError:
        abort(404, "There is no such user in your authority.")
    log(event, la=la, detail=address)
    return _done(f"{address} {said}.")


MAX_KEEP = 50  # years: more than any store holds, and a bound on what the form accepts


def _keep_years(text: str | None) -> int | None:
    return whole(text, 1, MAX_KEEP)


def _retention_plan(keep: int, la: str):
    """The dry run for ``keep`` years, and the other LAs whose files it would remove (then it is refused)."""
    with reading():
        plan = run_retention(config().store, keep, dry_run=True)
    return plan, sorted({r["la_code"] for r in plan.removed} - {la})


@bp.route("/admin/retention", methods=["GET", "POST"])
def retention():
    """Preview, then remove, the collection years older than the latest N (munro.store.retention).

    The store may hold several LAs (a regional deployment); an administrator acts for one, so a
    removal that would take another LA's files is refused here and left to the service's operator.
    """
    user, la = _admin("run_retention")
    store = config().store
    asked = request.values.get("keep_years")
    keep = _keep_years(asked)
    error = None if asked is None or keep else f"Enter a whole number of years from 1 to {MAX_KEEP}"
    plan, others = _retention_plan(keep, la) if keep and store.exists() else (None, [])
    if request.method == "POST" and keep and not others and plan and plan.removed:
        with writing():
            done = run_retention(store, keep, run_by=user.email)
        rows = sum(r["rows_removed"] for r in done.removed)
        log("retention_run", la=la, detail=f"kept {keep} year(s) from {done.first_kept_year}: "
                                            f"removed {len(done.removed)} file(s), {rows} rows")
        return _done_at("admin.retention", f"Removed {len(done.removed)} files ({rows:,} records) of the collection "
                                           f"years before {year_label(done.first_kept_year)}.")
    history = retention_history(store) if store.exists() else []
    return render_template("admin_retention.html", keep=asked or "", error=error, plan=plan, others=others,
                           history=[h for h in history if h["la_code"] == la], la=la,
                           done=next(iter(get_flashed_messages()), None)), 400 if error else 200


@bp.get("/admin/audit-log")
def audit_log():
    user, la = _admin("view_audit_log")
    asked = request.args.get("la") or la
    authz.authorise(user, "view_audit_log", asked)
    event = request.args.get("event") or None
    if event is not None and event not in EVENTS:
        abort(404)
    page = arg("page", 1, low=1)
    events, total = read(app_db(), las=(asked,), event=event, page=page)
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("admin_audit_log.html", events=events, total=total, page=page, pages=pages,
                           event=event, events_known=EVENTS, la=asked, las=user.las)
