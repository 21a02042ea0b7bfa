"""Drill-through from an item to the children behind it (issue 8): analysts of a single LA, about that LA.

The lists are the report's restricted child lists (``report.child_lists``),
one per actionable item. Each view of a list and each CSV download is written
to the audit log first, so a refused or failed write shows no child. This page
and its CSV are outputs meant to carry children's identifiers; nothing else
of the service (logs included) does.
"""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, Response, abort, g, render_template

from ..output import csv_writer
from ..reference import local_authorities
from ..report.child_lists import BY_ITEM, child_lists
from . import authz
from .current import config
from .pages import check_la_year, log
from .store_access import reading

bp = Blueprint("children", __name__)


def item_list(store, la: str, year: int, item_id: str) -> tuple[str, str, list[str], list[tuple]] | None:
    """(name, description, columns, rows) of the children behind ``item_id``; None if it has no list."""
    sheet = BY_ITEM.get(item_id)
    if sheet is None:
        return None
    with reading():
        return child_lists(store, la, year, only=sheet)[0]


def may_drill(user, la: str, item_id: str) -> bool:
    """Whether the item page links to its children for this user (the route checks again)."""
    return item_id in BY_ITEM and authz.allowed(user, "view_child_level", la)


def _list(la: str, year: int, item_id: str):
    check_la_year(la, year, "view_child_level")
    found = item_list(config().store, la, year, item_id)
    if found is None:
        abort(404, "This item has no list of children.")
    return found


@bp.get("/la/<la>/<int:year>/items/<item_id>/children")
def children(la, year, item_id):
    name, what, columns, rows = _list(la, year, item_id)
    log("view_child_level", la=la, detail=f"{year} {item_id}: {len(rows)} children listed")
    return render_template("children.html", la=la, year=year, item_id=item_id, name=name, what=what,
                           columns=columns, rows=rows, la_name=_la_name(la))


@bp.get("/la/<la>/<int:year>/items/<item_id>/children.csv")
def children_csv(la, year, item_id):
    name, _, columns, rows = _list(la, year, item_id)
    log("export", la=la, detail=f"{year} {item_id}: {len(rows)} children (CSV)")
    out = io.StringIO()
    w = csv_writer(out)
    w.writerow(columns)
    w.writerows([[v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in rows])
    filename = f"munro-{la}-{year}-{item_id}-children-RESTRICTED.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _la_name(la: str) -> str:
    return local_authorities()[la].name


@bp.app_context_processor
def _drill():
    return {"may_drill": lambda la, item_id: may_drill(getattr(g, "user", None), la, item_id)}
