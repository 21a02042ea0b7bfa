"""Server-side sessions: the cookie holds a random token, the database its SHA-256.

Kept in the database so that signing out, a lock-out or an idle timeout ends
the session on every worker at once, and so that a stolen copy of the
database gives no usable cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from ..local.schema import web_sessions
from .config import MAX_SESSION_HOURS
from .users import User, _now, get_user


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(engine: sa.Engine, user: User) -> tuple[str, str]:
    """A new session for ``user``: (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as con:
        con.execute(web_sessions.insert().values(token_hash=_hash(token), user_id=user.id, csrf_token=csrf,
                                                 created_at=now, last_seen_at=now))
    return token, csrf


def resume(engine: sa.Engine, token: str | None, idle_minutes: int) -> tuple[User, str] | None:
    """(user, CSRF token) of a live session, its idle clock restarted; None if unknown or expired (then removed)."""
    if not token:
        return None
    now = _now()
    key = _hash(token)
    with engine.begin() as con:
        row = con.execute(sa.select(web_sessions).where(web_sessions.c.token_hash == key)).first()
        if row is None:
            return None
        if (now - row.last_seen_at > dt.timedelta(minutes=idle_minutes)
                or now - row.created_at > dt.timedelta(hours=MAX_SESSION_HOURS)):
            con.execute(web_sessions.delete().where(web_sessions.c.token_hash == key))
            return None
        con.execute(web_sessions.update().where(web_sessions.c.token_hash == key).values(last_seen_at=now))
    user = get_user(engine, row.user_id)
    return (user, row.csrf_token) if user else None


def end(engine: sa.Engine, token: str | None) -> None:
    if token:
        with engine.begin() as con:
            con.execute(web_sessions.delete().where(web_sessions.c.token_hash == _hash(token)))
