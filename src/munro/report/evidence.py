"""The framework's local key questions, each with the items that help answer it and the local
evidence that would answer it.

Local evidence (surveys of children, families, social workers and partner
agencies, and case-file audits) comes from ``munro.local``, already
disclosure-controlled and without free text. Where a question has none for
the year, the report says which evidence is missing, so a reader sees the
gap instead of a page that looks complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import MunroError
from ..indicators.catalogue import Question, Section
from ..local.appdb import app_db_url, open_app_db
from ..local.evidence import local_evidence

CHILDREN = "a survey of children and young people"
FAMILIES = "a survey of families"
STAFF = "a survey of social workers and other key professionals"
PARTNERS = "a survey of partner-agency professionals"
AUDIT = "a case-file audit of assessments, decisions and plans"
ACTIONS = "a record of the actions taken in response (\"you said, we did\")"
EARLY_HELP = "the authority's records of targeted and multi-agency early help"
CORE_GROUPS = "core group meeting dates"

# Read from the question's own words: who would be asked, or what would be audited.
_RULES = (
    ("families engaged", (FAMILIES,)),
    ("fed into the development", (ACTIONS,)),
    ("What is done as a result", (ACTIONS, CHILDREN)),
    ("what are you doing as a result", (ACTIONS,)),
    ("social workers and other key professionals", (STAFF,)),
    ("key professionals within", (PARTNERS,)),
    ("do not meet the threshold", (EARLY_HELP,)),
    ("first core group", (CORE_GROUPS, AUDIT)),
    ("quality and timeliness of professional decision", (AUDIT,)),
    ("suitable education", (CHILDREN,)),
    ("children", (CHILDREN,)),
)


def missing_evidence(q: Question) -> tuple[str, ...]:
    text = q.text.lower()
    for words, needed in _RULES:
        if words.lower() in text:
            return needed
    return (AUDIT,)


def local(db, la: str, year: int) -> tuple[dict[str, dict], str | None]:
    """Key question text -> the LA's local evidence for the year (``munro.local.evidence``), and a
    note when there is none to read. Read only when the application database exists: a report
    never creates one."""
    url = app_db_url(db)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return {}, "no application database (surveys and audits) beside this store"
    try:
        engine = open_app_db(db)
    except MunroError as e:  # a broken application database should not cost the national items
        return {}, f"the application database could not be read ({e})"
    try:
        return {e["question"]: e for e in local_evidence(engine, la, year)}, None
    finally:
        engine.dispose()


def questions(section: Section, views: list[Any], found: dict[str, dict] | None = None) -> list[dict[str, Any]]:
    """Each key question of ``section``: its text and parts, related items, the local evidence
    found (surveys, audits, actions, surveys still open) and, where none is, what is missing."""
    out = []
    for q in section.questions:
        quoted = {q.text, *q.parts, *q.then}
        related = [v.item.title for v in views if quoted & set(v.item.key_questions)]
        e = (found or {}).get(q.text) or {}
        have = bool(e.get("surveys") or e.get("audits"))
        out.append({"question": q, "items": related, "surveys": e.get("surveys", []),
                    "audits": e.get("audits", []), "actions": e.get("actions", []),
                    "open_surveys": e.get("open_surveys", []),
                    "missing": () if have else missing_evidence(q)})
    return out
