"""The safeguarding triage queue: free-text answers that may disclose harm.

Every free-text answer is screened as it is stored against ``PATTERNS``
(documented in docs/local.md). The list is deliberately broad: a false alarm
costs a practitioner a minute, a missed disclosure costs far more, so the
words are matched anywhere, in any case. A flag records the response, the
question and which patterns matched, never the text; only the triage role
reads the text, through ``triage_queue``, and who handled it and when is kept.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from ..errors import MunroError
from . import schema as t
from .roles import TRIAGE_ROLES, check_role

# id -> (what it is for, regular expression). Word starts (\b) so "hurt" finds "hurting" and "hurts".
PATTERNS = {
    "hurt": ("someone hurting the writer or another child",
             r"\b(hurt|hits?|hitting|beat|beats|beaten|kick|punch|slap|smack|strangl|chok|burn(s|t|ed)? me|bruis)"),
    "sexual": ("sexual harm or touching",
               r"\b(touch(es|ed|ing)? me|sexual|private parts|rape|naked|nude|send (me )?pictures)"),
    "self_harm": ("self-harm or suicide",
                  r"\b(kill (my|him|her)self|suicid|self[- ]?harm|cut(ting)? myself|"
                  r"want to die|end (it|my life)|overdose)"),
    "unsafe": ("feeling unsafe or afraid at home or with someone",
               r"\b(not safe|unsafe|scared|afraid|frightened|terrified|threaten)"),
    "neglect": ("neglect: no food, left alone, locked in",
                r"\b(no food|hungry|starv|left (me )?(alone|on my own)|locked (me )?(in|out)|nowhere to sleep)"),
    "exploitation": ("exploitation or grooming",
                     r"\b(county lines|made to (carry|sell|deliver)|groom|"
                     r"older (man|men|boy|boys) .{0,30}(gives?|gave|buys?))"),
    "violence_at_home": ("violence between adults at home",
                         r"\b(hits? my (mum|mother|dad|father)|domestic (violence|abuse)|fighting at home)"),
}
_COMPILED = {k: re.compile(rx, re.IGNORECASE) for k, (_, rx) in PATTERNS.items()}


def screen(text: str) -> list[str]:
    """The ids of the patterns that ``text`` matches, in PATTERNS order."""
    return [k for k, rx in _COMPILED.items() if rx.search(text)]


def flag_answers(con, survey_id: int, response_id: int, texts: dict, now: dt.datetime) -> int:
    """Queue each free-text answer (``{question id: text}``) that matches a pattern; returns how many."""
    rows = [{"survey_id": survey_id, "response_id": response_id, "question_id": q, "reasons": ",".join(r),
             "flagged_at": now, "status": "open"}
            for q, text in texts.items() for r in [screen(text)] if r]
    if rows:
        con.execute(t.triage.insert(), rows)
    return len(rows)


def triage_queue(engine: sa.Engine, *, role: str, la: str | None = None, status: str | None = "open") -> list[dict]:
    """The queue with each flagged answer's text: only for roles in ``TRIAGE_ROLES``."""
    check_role(role, TRIAGE_ROLES, "read the safeguarding triage queue")
    q = (sa.select(t.triage, t.surveys.c.la_code, t.answers.c.value.label("text"))
         .join(t.surveys, t.surveys.c.id == t.triage.c.survey_id)
         .join(t.answers, sa.and_(t.answers.c.response_id == t.triage.c.response_id,
                                  t.answers.c.question_id == t.triage.c.question_id))
         .order_by(t.triage.c.id))
    if la:
        q = q.where(t.surveys.c.la_code == la)
    if status:
        q = q.where(t.triage.c.status == status)
    with engine.connect() as con:
        return [dict(r._mapping) for r in con.execute(q)]


def triage_counts(engine: sa.Engine, survey_id: int) -> dict:
    """Open and handled flags of a survey: numbers only, for any role."""
    with engine.connect() as con:
        rows = con.execute(sa.select(t.triage.c.status, sa.func.count()).where(t.triage.c.survey_id == survey_id)
                           .group_by(t.triage.c.status))
        return {"open": 0, "handled": 0, **{s: n for s, n in rows}}


def handle(engine: sa.Engine, entry_id: int, *, role: str, handled_by: str, outcome: str,
           now: dt.datetime | None = None, la: str | None = None) -> None:
    """Mark a queue entry handled: who, when (UTC) and what was done; with ``la``, only that LA's entries."""
    check_role(role, TRIAGE_ROLES, "handle safeguarding triage")
    if not handled_by.strip() or not outcome.strip():
        raise MunroError("say who handled the entry and what was done")
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with engine.begin() as con:
        where = [t.triage.c.id == entry_id, t.triage.c.status == "open"]
        if la:  # a web user's LA: an entry of another LA's survey is "not found", never handled
            where.append(t.triage.c.survey_id.in_(sa.select(t.surveys.c.id).where(t.surveys.c.la_code == la)))
        done = con.execute(t.triage.update().where(*where)
                           .values(status="handled", handled_by=handled_by, handled_at=now, outcome=outcome))
        if done.rowcount != 1:
            raise MunroError(f"no open triage entry {entry_id}")
