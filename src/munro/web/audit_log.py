"""The append-only audit log: who did what, for which LA, when (issue 8).

Only two functions touch the table: ``record`` inserts a row and ``read``
pages through them. There is deliberately no update or delete here, and the
migration (0003) adds triggers that refuse both in the database itself, so an
event once written stays as it was. The ``detail`` is what was done (an item,
a file name, a return number): never a child's identifier and never a password.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ..local.schema import audit_log

# Every kind of event the service records.
EVENTS = (
    "sign_in", "sign_in_failed", "sign_out",
    "upload", "upload_refused", "load", "load_failed", "upload_cancelled",
    "export", "view_child_level",
    "user_added", "user_unlocked", "user_disabled", "user_enabled", "user_removed",
    "retention_run",
    # Surveys and their safeguarding (issue 19): every state-changing action is recorded.
    "survey_created", "survey_opened", "survey_closed", "survey_groups_set", "invitations_created",
    "triage_handled",
)
PAGE_SIZE = 50


@dataclass(frozen=True)
class Event:
    id: int
    at: dt.datetime
    event: str
    email: str | None
    role: str | None
    la_code: str | None
    detail: str
    address: str | None


def record(engine: sa.Engine, event: str, *, user=None, email: str | None = None, la: str | None = None,
           detail: str = "", address: str | None = None) -> None:
    """Append one event; ``user`` (a users.User) or ``email`` says who (a failed sign-in has only the address typed)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    if la is None and user is not None:
        la = ",".join(user.las)  # a regional user's sign-in concerns each of their LAs (read() matches any)
    with engine.begin() as con:
        con.execute(audit_log.insert().values(
            at=dt.datetime.now(dt.UTC).replace(tzinfo=None), event=event,
            user_id=user.id if user else None, email=(user.email if user else email or "")[:254] or None,
            role=user.role if user else None, la_code=la, detail=detail[:500], address=(address or "")[:64] or None))


def read(engine: sa.Engine, *, las: tuple[str, ...] | None = None, event: str | None = None, page: int = 1,
         size: int = PAGE_SIZE) -> tuple[list[Event], int]:
    """(events newest first, total matching) of page ``page``; ``las`` limits to events about those LAs.

    An LA filter also matches a regional user's events that name it among several (``la_code`` "330,331")."""
    where = []
    if las is not None:
        where.append(sa.or_(*[sa.or_(audit_log.c.la_code == la, audit_log.c.la_code.like(f"%{la}%"))
                              for la in las]) if las else sa.false())
    if event:
        where.append(audit_log.c.event == event)
    query = sa.select(audit_log).where(*where)
    with engine.connect() as con:
        total = con.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        rows = con.execute(query.order_by(audit_log.c.id.desc()).limit(size).offset((max(page, 1) - 1) * size)).all()
    return [Event(r.id, r.at, r.event, r.email, r.role, r.la_code, r.detail, r.address) for r in rows], total


@dataclass(frozen=True)
class Page:
    """One page of ``read`` for ``munro audit-log``: its events (newest first), how many match, its number."""

    events: list[Event]
    total: int
    number: int = 1

    def text(self) -> str:
        """How many events, then a tab-separated line per event."""
        lines = [f"{self.total:,} event{'' if self.total == 1 else 's'}"
                 + (f", page {self.number}" if self.total > PAGE_SIZE else "")]
        lines += ["\t".join([e.at.isoformat(sep=" ", timespec="seconds"), e.event, e.email or "-", e.role or "-",
                             e.la_code or "-", e.address or "-", e.detail]) for e in self.events]
        return "\n".join(lines)

    def records(self) -> list[dict]:
        """``--format json``: the events as objects (times ISO 8601, UTC)."""
        from dataclasses import asdict

        from ..output import record

        return [record(asdict(e), year=None) for e in self.events]
