"""Drill-down from an item to its figures per team, then per worker (munro.indicators.drill).

By team: the item's headline figures for each team and the LA, disclosure-controlled as anything
shown beyond the authority is (counts 1 to 5 as c, with secondary suppression): it names no one, so
an analyst or a manager (head of service) of a single LA may see it. By worker names staff: it is
restricted as the child lists are (analysts of a single LA, ``view_child_level``). Each view is
written to the audit log before the page is sent, so a refused or failed write shows nothing.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, g, render_template

from ..errors import MunroError
from ..reference import local_authorities
from ..years import date_words
from . import authz
from .current import config
from .pages import check_la_year, log
from .store_access import reading

bp = Blueprint("drill", __name__)
ACTIONS = {"team": "view_team_breakdown", "worker": "view_child_level"}


def may_break_down(user, la: str, item_id: str, by: str = "team") -> bool:
    """Whether the item page links to its breakdown for this user (the route checks again)."""
    from ..indicators.catalogue import ITEMS, item  # lazily: the item modules import Ibis, slow to import

    return item_id in ITEMS and item(item_id).drill != "none" and authz.allowed(user, ACTIONS[by], la)


def _page(la: str, year: int, item_id: str, by: str):
    # lazily: the items (Ibis, slow to import) only when a page computes them
    from ..indicators.catalogue import ITEMS, item
    from ..indicators.drill import breakdown
    from ..report.drill import shown

    user = check_la_year(la, year, ACTIONS[by])
    if item_id not in ITEMS or item(item_id).drill == "none":
        abort(404, "This item is not broken down by team or worker.")
    try:
        with reading():
            found = shown(breakdown(config().store, la, year, [item_id], by=by))
    except MunroError as e:  # no allocations loaded, or none with a team
        abort(404, str(e))
    columns, rows = _table(found["items"][item_id], item(item_id).unit)
    log("view_breakdown" if by == "team" else "view_child_level", la=la,
        detail=f"{year} {item_id} by {by}: {len(found['units'])} {'teams' if by == 'team' else 'workers'}")
    return render_template("drill.html", la=la, year=year, item=item(item_id), by=by, out=found,
                           as_at=date_words(dt.date.fromisoformat(found["as_at"])),
                           note=found["items"][item_id].get("note"), columns=columns, rows=rows,
                           la_name=local_authorities()[la].name,
                           may_workers=by == "team" and authz.allowed(user, ACTIONS["worker"], la))


LABELS = {"value": "Value", "numerator": "Of which", "denominator": "Out of", "count": "Count",
          "median": "Median"}


def _table(entry, unit: str) -> tuple[list[str], list[tuple[str, list[str], bool]]]:
    """(column labels, rows of (unit, cells as shown, small)): the units then the whole authority; a count
    that repeats the denominator in every row is shown once."""
    from ..indicators.drill_output import cell  # lazily: its package imports the items (Ibis)

    units = [*entry["units"].items(), ("Whole authority", entry["total"])]
    keys = [k for k in LABELS if any(k in r for _, r in units)]
    if "denominator" in keys and all(r.get("count") == r.get("denominator") for _, r in units):
        keys.remove("count")
    return [LABELS[k] for k in keys], [(u, [cell(r.get(k), unit, k) for k in keys], bool(r.get("small")))
                                       for u, r in units]


@bp.get("/la/<la>/<int:year>/items/<item_id>/teams")
def teams(la, year, item_id):
    return _page(la, year, item_id, "team")


@bp.get("/la/<la>/<int:year>/items/<item_id>/workers")
def workers(la, year, item_id):
    return _page(la, year, item_id, "worker")


@bp.app_context_processor
def _links():
    return {"may_break_down": lambda la, item_id: may_break_down(getattr(g, "user", None), la, item_id)}
