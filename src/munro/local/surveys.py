"""Surveys: create one from a version of an instrument, take responses, close it.

A response is a set of answers and nothing else: the functions here take no
name, e-mail address, child identifier, IP address or time, and the tables
have no column for one (schema.py). Free-text answers that may disclose harm
are put on the safeguarding triage queue as they are stored (triage.py). A
group answer (which team) is chosen from the survey's list (survey_groups.py),
never typed, and a survey with invitation codes takes a response only with an
unused one (invitations.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ..errors import MunroError
from ..indicators.catalogue import question_of
from . import schema as t
from .bank import AUDIENCES, Version, load_bank
from .invitations import use_code
from .survey_groups import choose, survey_groups
from .triage import flag_answers

MAX_TEXT = 5000  # characters of one free-text answer


@dataclass(frozen=True)
class Survey:
    id: int
    la_code: str
    instrument: str
    version: int
    audience: str
    title: str
    opens_on: dt.date
    closes_on: dt.date
    closed_at: dt.datetime | None
    min_group: int
    invited: int | None

    def is_closed(self, today: dt.date | None = None) -> bool:
        """Closed by ``close_survey``, or past its close date (no more answers are taken then)."""
        return self.closed_at is not None or (today or dt.date.today()) > self.closes_on


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def freeze_version(con, v: Version) -> None:
    """Record the version as used; refuse it if its content differs from when it was first used."""
    row = con.execute(sa.select(t.instrument_versions.c.fingerprint).where(
        t.instrument_versions.c.instrument == v.instrument, t.instrument_versions.c.version == v.version)).first()
    if row is None:
        con.execute(t.instrument_versions.insert().values(
            instrument=v.instrument, version=v.version, fingerprint=v.fingerprint, content=v.canonical(),
            first_used_at=_now()))
    elif row.fingerprint != v.fingerprint:
        raise MunroError(f"{v.key} ({v.source}) has changed since a survey or audit used it; a used version "
                         "never changes: restore it and put the changes in a new version number")


def create_survey(engine: sa.Engine, *, la: str, instrument: str, opens_on: dt.date, closes_on: dt.date,
                  version: int | None = None, title: str | None = None, min_group: int | None = None,
                  invited: int | None = None, created_by: str | None = None, bank=None) -> Survey:
    """A new survey of one instrument version (the latest by default) for an LA; returns it.

    ``min_group`` defaults by audience: 10 for children and families, 5 for staff
    and partner agencies. ``invited`` (how many people were asked) gives the
    response rate.
    """
    v = (bank or load_bank()).get(instrument, version)
    if v.audience == "audit":
        raise MunroError(f"{v.key} is an audit form: record audits with 'munro audit import'")
    if not (isinstance(la, str) and len(la) == 3 and la.isdigit()):
        raise MunroError(f"LA code {la!r} is not a 3-digit DfE code")
    if closes_on < opens_on:
        raise MunroError(f"the survey closes ({closes_on}) before it opens ({opens_on})")
    min_group = AUDIENCES[v.audience] if min_group is None else min_group
    if min_group < 2:
        raise MunroError("the minimum group size must be at least 2: one response in a group identifies its author")
    if invited is not None and invited < 1:
        raise MunroError("invited must be a positive number")
    with engine.begin() as con:
        freeze_version(con, v)
        sid = con.execute(t.surveys.insert().values(
            la_code=la, instrument=v.instrument, version=v.version, audience=v.audience,
            title=title or v.title, opens_on=opens_on, closes_on=closes_on, closed_at=None,
            min_group=min_group, invited=invited, created_at=_now(), created_by=created_by)).inserted_primary_key[0]
    return get_survey(engine, sid)


def get_survey(engine: sa.Engine, survey_id: int) -> Survey:
    with engine.connect() as con:
        row = con.execute(sa.select(t.surveys).where(t.surveys.c.id == survey_id)).first()
    if row is None:
        raise MunroError(f"no survey {survey_id}")
    return Survey(row.id, row.la_code, row.instrument, row.version, row.audience, row.title, row.opens_on,
                  row.closes_on, row.closed_at, row.min_group, row.invited)


def list_surveys(engine: sa.Engine, la: str | None = None) -> list[Survey]:
    q = sa.select(t.surveys.c.id).order_by(t.surveys.c.id)
    if la:
        q = q.where(t.surveys.c.la_code == la)
    with engine.connect() as con:
        ids = [r.id for r in con.execute(q)]
    return [get_survey(engine, i) for i in ids]


def survey_rows(engine: sa.Engine, la: str | None = None, today: dt.date | None = None) -> list[dict]:
    """``munro survey list``: each survey (of LA ``la`` if given) as a dict: its fields, ``state``
    ("open" or "closed") and its number of ``responses``."""
    counts = response_counts(engine, la)
    return [{"id": s.id, "la_code": s.la_code, "instrument": s.instrument, "version": s.version,
             "audience": s.audience, "title": s.title, "opens_on": s.opens_on, "closes_on": s.closes_on,
             "closed_at": s.closed_at, "state": "closed" if s.is_closed(today) else "open",
             "min_group": s.min_group, "invited": s.invited, "responses": counts.get(s.id, 0)}
            for s in list_surveys(engine, la)]


def response_counts(engine: sa.Engine, la: str | None = None) -> dict[int, int]:
    """Responses stored per survey (numbers only: a count of answers says nothing of who gave them)."""
    q = (sa.select(t.responses.c.survey_id, sa.func.count()).group_by(t.responses.c.survey_id)
         .join(t.surveys, t.surveys.c.id == t.responses.c.survey_id))
    if la:
        q = q.where(t.surveys.c.la_code == la)
    with engine.connect() as con:
        return dict(con.execute(q).all())


def survey_version(survey: Survey, bank=None) -> Version:
    return (bank or load_bank()).get(survey.instrument, survey.version)


def named_version(name: str, app=None, bank=None) -> Version:
    """The instrument version ``name`` names (``munro survey questions``): a survey's number (the version
    it uses, from the application database ``app()``), or an instrument of the question bank with its
    version, ``children-12-17/1``, or without, ``children-12-17`` (its latest)."""
    name = str(name).strip()
    if name.isdigit():
        if app is None:
            raise MunroError(f"survey {name}: no application database to look it up in")
        return survey_version(get_survey(app(), int(name)), bank)
    instrument, _, version = name.partition("/")
    if version and not version.isdigit():
        raise MunroError(f"{name!r} is not a survey number or an instrument such as children-12-17 or "
                         "children-12-17/1")
    return (bank or load_bank()).get(instrument, int(version) if version else None)


def close_survey(engine: sa.Engine, survey_id: int) -> Survey:
    """Close the survey: no more responses, and its results can be shown."""
    s = get_survey(engine, survey_id)
    if s.closed_at is not None:
        raise MunroError(f"survey {survey_id} was already closed at {s.closed_at:%Y-%m-%d %H:%M} UTC")
    with engine.begin() as con:
        con.execute(t.surveys.update().where(t.surveys.c.id == survey_id).values(closed_at=_now()))
    return get_survey(engine, survey_id)


def open_survey(engine: sa.Engine, survey_id: int, today: dt.date | None = None) -> Survey:
    """Open a survey now that was set to open later (its open date becomes today)."""
    s = get_survey(engine, survey_id)
    today = today or dt.date.today()
    if s.is_closed(today):
        raise MunroError(f"survey {survey_id} is closed: a closed survey is never reopened (its results may "
                         "have been seen; answers after them could be told apart)")
    if s.opens_on > today:
        with engine.begin() as con:
            con.execute(t.surveys.update().where(t.surveys.c.id == survey_id).values(opens_on=today))
    return get_survey(engine, survey_id)


def parse_answers(v: Version, raw: dict, groups: dict | None = None) -> dict[str, str]:
    """``{question id: stored value}`` from raw answers (codes, labels or numbers); blank answers dropped.

    ``groups`` is the survey's lists (``survey_groups``): the answer to a question on a "label" scale
    must be one of its list's labels (without a list, none is taken). Raises ValueError naming the question.
    """
    out = {}
    for qid, value in raw.items():
        try:
            q = v.question(qid)
        except KeyError as e:
            raise ValueError(str(e.args[0])) from None
        if value is None or not str(value).strip():
            continue
        if q.free_text:
            text = str(value).strip()
            if len(text) > MAX_TEXT:
                raise ValueError(f"{qid}: longer than {MAX_TEXT} characters")
            out[qid] = text
            continue
        try:
            out[qid] = choose((groups or {}).get(qid), value) if q.scale.kind == "label" else q.scale.parse(value)
        except ValueError as e:
            raise ValueError(f"{qid}: {e}") from None
    return out


def submit_response(engine: sa.Engine, survey_id: int, answers: dict, *, today: dt.date | None = None,
                    bank=None, code: str | None = None) -> int:
    """Store one response (``{question id: answer}``) to an open survey; returns its id.

    The web service's answering pages call this. Nothing but the answers is
    taken, so nothing else can be stored. A survey with invitation codes needs
    an unused ``code``, marked used in the same transaction (never stored with
    the response).
    """
    s = get_survey(engine, survey_id)
    today = today or dt.date.today()
    if today < s.opens_on or s.is_closed(today):
        raise MunroError(f"survey {survey_id} is not open (it runs from {s.opens_on} to {s.closes_on})")
    v = survey_version(s, bank)
    try:
        parsed = parse_answers(v, answers, survey_groups(engine, survey_id))
    except ValueError as e:
        raise MunroError(str(e)) from None
    if not parsed:
        raise MunroError("the response has no answers")
    with engine.begin() as con:
        use_code(con, survey_id, code)  # refused: nothing is stored (the transaction rolls back)
        return store_responses(con, s, v, [parsed])[0]


def store_responses(con, s: Survey, v: Version, rows: list[dict], import_id: int | None = None) -> list[int]:
    """Insert parsed responses in the caller's transaction and flag free text for triage."""
    ids = []
    for answers in rows:
        rid = con.execute(t.responses.insert().values(survey_id=s.id, import_id=import_id)).inserted_primary_key[0]
        con.execute(t.answers.insert(), [{"response_id": rid, "question_id": q, "value": a}
                                         for q, a in answers.items()])
        flag_answers(con, s.id, rid, {q: a for q, a in answers.items() if v.question(q).free_text}, _now())
        ids.append(rid)
    return ids


def add_action(engine: sa.Engine, *, la: str, key_question: str, you_said: str, we_did: str,
               survey_id: int | None = None, audit_year: int | None = None, question_id: str | None = None,
               owner: str | None = None, due_on: dt.date | None = None, status: str = "planned") -> int:
    """Record a "you said, we did" action against a key question (and a survey or audit year)."""
    try:
        question_of(key_question)
    except KeyError:
        raise MunroError(f"{key_question!r} is not a local key question of the framework") from None
    if status not in ("planned", "done"):
        raise MunroError("status must be planned or done")
    with engine.begin() as con:
        return con.execute(t.actions.insert().values(
            la_code=la, survey_id=survey_id, audit_year=audit_year, question_id=question_id,
            key_question=key_question, you_said=you_said, we_did=we_did, owner=owner, due_on=due_on,
            status=status, created_at=_now())).inserted_primary_key[0]


def list_actions(engine: sa.Engine, la: str) -> list[dict]:
    with engine.connect() as con:
        rows = con.execute(sa.select(t.actions).where(t.actions.c.la_code == la).order_by(t.actions.c.id))
        return [dict(r._mapping) for r in rows]
