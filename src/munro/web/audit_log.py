"""The append-only, hash-chained audit log: who did what, for which LA, when and from where (issues 8, 19).

Only ``record`` writes the table: every state-changing action of the web service (its routes call
``pages.log``) and of the command line (``munro.cli`` records each command that changes something, as the
operating-system user "cli on <host>"). There is deliberately no update or delete here, and migration
0003's triggers refuse both in the database itself.

Every text value is stored with its control characters escaped (``escape``: a carriage return typed into
the sign-in form is kept as the two characters \\r), and escaped again when shown, so no value can forge
a line of ``munro audit-log`` or a row of the web page.

Each entry is chained to the one before (migration 0005): ``hash`` is SHA-256 of the previous entry's hash
and this entry's content (``entry_hash``), and ``record`` appends under a lock (SQLite's BEGIN IMMEDIATE,
a PostgreSQL table lock), so the web service and the command line writing together cannot fork the chain.
``verify`` walks it and names the first entry deleted, altered or moved, even by someone who dropped the
triggers. What it cannot see alone: the newest entries cut off the end (the rest is still a chain), or a
chain recomputed whole by someone who can write the database; the latest hash it prints, kept elsewhere
by an administrator and given back with ``--expect``, proves everything up to it (docs/security.md).

The ``detail`` is what was done (an item, a file name, a return number): never a child's identifier and
never a password.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import socket
from dataclasses import asdict, dataclass

import sqlalchemy as sa

from .. import output
from ..local.schema import audit_log

# Every kind of event the service and the command line record.
EVENTS = (
    "sign_in", "sign_in_failed", "sign_out",
    "upload", "upload_refused", "load", "load_failed", "upload_cancelled",
    "export", "view_child_level", "view_breakdown",
    "user_added", "user_unlocked", "user_disabled", "user_enabled", "user_removed",
    "retention_run",
    # Surveys and their safeguarding (issue 19): every state-changing action is recorded.
    "survey_created", "survey_opened", "survey_closed", "survey_groups_set", "invitations_created",
    "triage_handled",
    # The command line's (issue 19): munro.cli names the event of each command that changes something.
    "population_set", "population_unset", "reference_loaded", "responses_imported", "audits_imported",
    "audit_sample_drawn", "action_recorded", "key_created", "command",
)
GENESIS = ""  # the previous hash of the first entry
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


def escape(text: str | None) -> str | None:
    """``text`` with every character Python would not print as itself (carriage return, line feed, tab,
    escape, the other C0 and C1 controls, Unicode's direction overrides and line separators) written as
    its escape, as ``repr`` does: ``"a\\r\\nb"`` stays on one line. Escaping escaped text changes nothing."""
    if text is None:
        return None
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


_CONTENT = ("at", "event", "user_id", "email", "role", "la_code", "detail", "address")


def entry_hash(previous: str, row) -> str:
    """SHA-256 (hex) of the previous entry's hash and this entry's content (a mapping with ``_CONTENT``'s keys),
    written one way only: a JSON list, the time to the microsecond. Fixed for good: ``verify`` and
    migration 0005 recompute it."""
    at = row["at"]
    content = [at.isoformat(sep="T", timespec="microseconds") if isinstance(at, dt.datetime) else str(at),
               *(row[k] for k in _CONTENT[1:])]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


def record(engine: sa.Engine, event: str, *, user=None, email: str | None = None, la: str | None = None,
           detail: str = "", address: str | None = None) -> None:
    """Append one event; ``user`` (a users.User) or ``email`` says who (a failed sign-in has only the address
    typed; the command line, the operating-system user), ``address`` from where (the client's IP address,
    or "cli on <host>")."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    if la is None and user is not None:
        la = ",".join(user.las)  # a regional user's sign-in concerns each of their LAs (read() matches any)
    row = {"at": dt.datetime.now(dt.UTC).replace(tzinfo=None), "event": event,
           "user_id": user.id if user else None,
           "email": escape(user.email if user else email or "")[:254] or None,
           "role": user.role if user else None, "la_code": escape(la)[:200] if la else la,
           "detail": escape(detail)[:500], "address": escape(address or "")[:64] or None}
    with engine.connect() as con:
        _lock(con)
        previous = con.execute(sa.select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).scalar()
        previous = GENESIS if previous is None else previous
        con.execute(audit_log.insert().values(**row, prev_hash=previous, hash=entry_hash(previous, row)))
        con.commit()


def _lock(con: sa.Connection) -> None:
    """Begin the transaction holding the right to append: one writer at a time reads the last hash and
    appends after it (the others wait: SQLite's busy timeout, PostgreSQL's lock queue), so two processes
    cannot both chain to the same entry. Readers are not blocked."""
    if con.dialect.name == "sqlite":
        con.exec_driver_sql("BEGIN IMMEDIATE")
    elif con.dialect.name == "postgresql":
        con.exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")


def record_cli(engine: sa.Engine, event: str, *, la: str | None = None, detail: str = "") -> None:
    """Append a command line's event: who is the operating-system user, from where "cli on <host>"."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): its number
        who = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    record(engine, event, email=who, la=la, detail=detail, address=f"cli on {socket.gethostname()}")


def read(engine: sa.Engine, *, las: tuple[str, ...] | None = None, event: str | None = None, page: int = 1,
         size: int = PAGE_SIZE) -> tuple[list[Event], int]:
    """(events newest first, total matching) of page ``page``; ``las`` limits to events about those LAs.

    An LA filter also matches a regional user's events that name it among several (``la_code`` "330,331").
    Text is escaped again (``escape``): a row written by other means than ``record`` cannot forge a line."""
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
    return [Event(r.id, r.at, escape(r.event), escape(r.email), escape(r.role), escape(r.la_code),
                  escape(r.detail) or "", escape(r.address)) for r in rows], total


@dataclass(frozen=True)
class Verdict:
    """What ``verify`` found: how many entries, the latest's hash (the anchor to keep), the first problem."""
    entries: int
    latest: str | None = None  # hash of the newest entry
    latest_id: int | None = None
    latest_at: dt.datetime | None = None
    problem: str | None = None  # the first entry deleted, altered or moved, or the anchor not found
    anchor_id: int | None = None  # the entry whose hash --expect gave

    @property
    def intact(self) -> bool:
        return self.problem is None

    def text(self) -> str:
        if self.problem:
            return f"audit log: {self.problem}"
        lines = [f"{self.entries:,} entr{'y' if self.entries == 1 else 'ies'}, chain intact"]
        if self.latest:
            lines.append(f"latest hash {self.latest} (entry {self.latest_id}, "
                         f"{self.latest_at.isoformat(sep=' ', timespec='seconds')} UTC): keep it elsewhere, and "
                         "give it to 'munro audit-log verify --expect' later to prove nothing up to it was "
                         "removed or rewritten")
        if self.anchor_id is not None:
            lines.append(f"the expected hash is entry {self.anchor_id}: it and every entry before it are as "
                         "they were when it was taken")
        return "\n".join(lines)


def verify(engine: sa.Engine, expect: str | None = None) -> Verdict:
    """Walk the chain in order; the first entry that does not follow the one before (an entry between them
    deleted, or entries moved) or does not match its own hash (altered, or added by other means).

    ``expect``: a latest hash printed by an earlier ``verify``: it must be the hash of an entry of the chain,
    else entries were cut off the end or the chain was recomputed since."""
    expect = expect.strip().lower() if expect else None
    count, previous, last, anchor_id = 0, GENESIS, None, None
    with engine.connect() as con:
        rows = con.execution_options(yield_per=1000).execute(sa.select(audit_log).order_by(audit_log.c.id))
        for row in rows.mappings():
            what = f"entry {row['id']} ({_when(row['at'])}, {escape(row['event'])})"
            if row["hash"] is None:
                return Verdict(count, problem=f"{what} was added by other means than munro: it has no hash")
            if row["prev_hash"] != previous:
                if last is None:
                    problem = (f"{what} is not the first entry of the chain: the entries before it were deleted "
                               "(or the chain was replaced)")
                else:
                    problem = (f"{what} does not follow entry {last['id']} ({_when(last['at'])}): an entry "
                               "between them was deleted, or entries were moved")
                return Verdict(count, problem=problem)
            if row["hash"] != entry_hash(previous, row):
                return Verdict(count, problem=f"{what} has been altered since it was written: its content does not "
                                              "match its hash")
            count += 1
            previous, last = row["hash"], dict(row)
            if expect is not None and row["hash"] == expect:
                anchor_id = row["id"]
    verdict = Verdict(count, previous or None, last and last["id"], last and last["at"], anchor_id=anchor_id)
    if expect is not None and anchor_id is None:
        return Verdict(count, verdict.latest, verdict.latest_id, verdict.latest_at,
                       problem=f"no entry has the expected hash {expect}: entries were cut off the end of the log, "
                               "or the chain was rewritten, since it was taken (or it is another database's)")
    return verdict


def _when(at) -> str:
    return at.isoformat(sep=" ", timespec="seconds") if isinstance(at, dt.datetime) else str(at)


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

        return [output.record(asdict(e), year=None) for e in self.events]
