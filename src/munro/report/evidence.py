"""The framework's local key questions, each with the items that help answer it and the local
evidence that would answer it.

Local evidence (surveys of children, families, social workers and partner
agencies, and case-file audits) is not in munro yet (the local information
issue). Until it is, the report says under each question which evidence is
missing, so a reader sees the gap instead of a page that looks complete.
"""

from __future__ import annotations

from typing import Any

from ..indicators.catalogue import Question, Section

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


def questions(section: Section, views: list[Any]) -> list[dict[str, Any]]:
    """Each key question of ``section``: its text and parts, related items, missing evidence."""
    out = []
    for q in section.questions:
        quoted = {q.text, *q.parts, *q.then}
        related = [v.item.title for v in views if quoted & set(v.item.key_questions)]
        out.append({"question": q, "items": related, "missing": missing_evidence(q)})
    return out
