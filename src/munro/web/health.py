"""``GET /healthz``: whether this process can serve, for a load balancer or a monitor (docs/deploy.md).

Open to anyone, as a load balancer asks without signing in, so it says nothing about children or returns
(no counts, no names): the munro version and one word each for the store and the application database.
200 when both can be opened and read; a store busy with a load in another process is a healthy service
that is loading (200, store "busy": the pages say "being updated" meanwhile); a store missing, damaged or
not munro's, or an application database that cannot be read, is 503 so the balancer stops sending users.

Each probe opens the store read-only (tens of milliseconds) and reads one row of the application database;
it starts no session and writes nothing, not even the audit log, so a monitor polling every few seconds
costs little and is never rate limited (no limit applies here).
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import sqlalchemy as sa
from flask import Blueprint, jsonify

from .. import __version__
from ..errors import MunroError, StoreBusy, StoreDamaged
from ..store import db as store_db
from .current import app_db, config
from .store_access import STORE

bp = Blueprint("health", __name__)
_log = logging.getLogger(__name__)
LOCK_WAIT = 2.0  # seconds: a gather or load of this process holding the store first is "busy", not a failure
HEALTHY = {"ok", "busy"}


@bp.get("/healthz")
def healthz():
    store, app = store_state(config().store), app_db_state(app_db())
    healthy = store in HEALTHY and app == "ok"
    return jsonify(status="ok" if healthy else "unavailable", version=__version__, store=store,
                   app_db=app), 200 if healthy else 503


def store_state(path: Path) -> str:
    """ok, busy (a load holds it), missing, damaged or unreadable: opened read-only and read, then closed."""
    if not Path(path).is_file():
        return "missing"
    # A load of this process holds the store alone (web.store_access): busy until it ends.
    if not STORE.acquire_read(timeout=LOCK_WAIT):
        return "busy"
    try:
        with store_db.waiting(0):
            con = store_db.open_store(path, read_only=True)
        try:
            con.execute("SELECT 1 FROM returns LIMIT 1").fetchall()
        finally:
            con.close()
        return "ok"
    except (MunroError, duckdb.Error, OSError) as e:
        problem = e if isinstance(e, MunroError) else store_db.explain(e, path)
        if isinstance(problem, StoreBusy):
            return "busy"
        _log.warning("health check: the store cannot be used: %s", problem or str(e).splitlines()[0])
        return "damaged" if isinstance(problem, StoreDamaged) else "unreadable"
    finally:
        STORE.release_read()


def app_db_state(engine: sa.Engine) -> str:
    """ok, or unreadable: the migrations' own table read (every open of munro's database made it)."""
    try:
        with engine.connect() as con:
            con.execute(sa.text("SELECT version_num FROM alembic_version")).fetchall()
        return "ok"
    except sa.exc.SQLAlchemyError as e:
        _log.warning("health check: the application database cannot be read: %s",
                     str(getattr(e, "orig", None) or e).splitlines()[0])
        return "unreadable"
