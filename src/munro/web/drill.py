"""Drill-down from an item to its figures per team, then per worker (munro.indicators.drill).

By team: the item's headline figures for each team and the LA, disclosure-controlled as anything
shown beyond the authority is (counts 1 to 5 as c, with secondary suppression): it names no one, so
an analyst or a manager (head of service) of a single LA may see it. By worker names staff: it is
restricted as the child lists are (analysts of a single LA, ``view_child_level``). Each view is
written to the audit log before the page is sent, so a refused or failed write shows nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from ..errors import MunroError, StoreProblem
from ..indicators.catalogue import ITEMS, item
from ..indicators.series import check_as_at
from ..reference import local_authorities
from ..report.drill import table
from ..years import Period, date_words, parse_date
from . import authz
from .breakdowns import item_shown
from .current import config
from .pages import _years, check_la_year, log

bp = Blueprint("drill", __name__)
ACTIONS = {"team": "view_team_breakdown", "worker": "view_child_level"}


def may_break_down(user, la: str, item_id: str, by: str = "team") -> bool:
    """Whether the item page links to its breakdown for this user (the route checks again)."""
    return item_id in ITEMS and item(item_id).drill != "none" and authz.allowed(user, ACTIONS[by], la)


def _page(la: str, year: int, item_id: str, by: str):
    user = check_la_year(la, year, ACTIONS[by])
    if item_id not in ITEMS or item(item_id).drill == "none":
        abort(404, "This item is not broken down by team or worker.")
    period, as_at = _period(la, year)
    try:
        found = item_shown(config().store, la, period, by, item_id)
    except StoreProblem:
        raise  # busy or unreadable: the application's one page for it
    except MunroError as e:  # no allocations loaded, none with a team, or no data for the as-at date
        abort(404, str(e))
    columns, rows = table(found["items"][item_id], item(item_id).unit)
    when = year if as_at is None else f"as at {as_at}"
    log("view_breakdown" if by == "team" else "view_child_level", la=la,
        detail=f"{when} {item_id} by {by}: {len(found['units'])} {'teams' if by == 'team' else 'workers'}")
    return render_template("drill.html", la=la, year=year, item=item(item_id), by=by, out=found, period=period,
                           as_at=as_at, end_words=date_words(period.end),
                           note=found["items"][item_id].get("note"), columns=columns, rows=rows,
                           la_name=local_authorities()[la].name,
                           may_workers=by == "team" and authz.allowed(user, ACTIONS["worker"], la))


def _period(la: str, year: int) -> tuple[Period, str | None]:
    """The period of the page: the URL's reporting year, or the 12 months to ``?as_at=`` (then also its
    ISO date, carried by the page's links). A value that is not a date is 400; a date munro cannot compute
    for (in the future, before the LA's first return) 404, each with one line."""
    text = request.args.get("as_at", "").strip()
    if not text:
        return Period.of_year(year), None
    try:
        end = parse_date(text[:20])
    except MunroError:
        abort(400, "The as-at date must be a date, written 2025-10-31 or 31/10/2025.")  # not echoed
    try:
        check_as_at(end, loaded=_years([la]), la=la)
    except MunroError as e:
        abort(404, f"No breakdown as at that date: {e}.")
    return Period(end), end.isoformat()


@bp.get("/la/<la>/<int:year>/items/<item_id>/teams")
def teams(la, year, item_id):
    return _page(la, year, item_id, "team")


@bp.get("/la/<la>/<int:year>/items/<item_id>/workers")
def workers(la, year, item_id):
    return _page(la, year, item_id, "worker")


@bp.app_context_processor
def _links():
    return {"may_break_down": lambda la, item_id: may_break_down(getattr(g, "user", None), la, item_id)}
