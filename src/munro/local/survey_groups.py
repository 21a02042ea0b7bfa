"""The groups a survey's respondents choose from (a team, a service), set by the survey's administrator.

A question on a "label" scale defines a breakdown of the results (which team).
Its answer is never typed by the respondent: it is chosen from this list, and a
value not in it is refused. The results show a group's label, to roles that
may not read free text, so a label must be something staff wrote, never a
respondent (issue 19). Answers stored before the lists existed (typed) are kept
but are counted as "Other" unless they are in the list (results.group_names).
"""

from __future__ import annotations

import sqlalchemy as sa

from ..errors import MunroError
from . import schema as t

MAX_GROUPS = 100  # choices on one question: more is no longer a list a respondent can read
MAX_LABEL = 60


def label_questions(version) -> list:
    """The version's questions whose answer is a group chosen from the survey's list."""
    return [q for q in version.questions if q.scale.kind == "label"]


def _clean(label) -> str:
    return " ".join(str(label).split())


def check_labels(labels, what: str = "group") -> list[str]:
    """The labels as they will be stored (spacing tidied, blanks dropped); MunroError naming the first problem."""
    out, seen = [], set()
    for raw in labels:
        label = _clean(raw)
        if not label:
            continue
        if len(label) > MAX_LABEL:
            raise MunroError(f"{what} {label[:20]!r}...: longer than {MAX_LABEL} characters")
        if not label.isprintable():
            raise MunroError(f"{what} {label!r}: holds a control character")
        if label.casefold() in seen:
            raise MunroError(f"{what} {label!r} is in the list twice")
        seen.add(label.casefold())
        out.append(label)
    if len(out) > MAX_GROUPS:
        raise MunroError(f"{len(out)} {what}s: at most {MAX_GROUPS}")
    return out


def set_groups(engine: sa.Engine, survey, version, question_id: str, labels) -> list[str]:
    """Replace the list respondents choose from for ``question_id``; returns it as stored."""
    if question_id not in {q.id for q in label_questions(version)}:
        names = ", ".join(q.id for q in label_questions(version)) or "none"
        raise MunroError(f"survey {survey.id}: {question_id!r} is not a question answered by choosing a group "
                         f"(those of {version.key}: {names})")
    if survey.closed_at is not None:
        raise MunroError(f"survey {survey.id} is closed: its groups are final")
    labels = check_labels(labels)
    with engine.begin() as con:
        con.execute(t.survey_groups.delete().where(t.survey_groups.c.survey_id == survey.id,
                                                   t.survey_groups.c.question_id == question_id))
        if labels:
            con.execute(t.survey_groups.insert(), [{"survey_id": survey.id, "question_id": question_id,
                                                    "position": i, "label": label} for i, label in enumerate(labels)])
    return labels


def survey_groups(con_or_engine, survey_id: int) -> dict[str, list[str]]:
    """``{question id: [labels in order]}`` of a survey (a question without a list is absent)."""
    q = (sa.select(t.survey_groups.c.question_id, t.survey_groups.c.label)
         .where(t.survey_groups.c.survey_id == survey_id)
         .order_by(t.survey_groups.c.question_id, t.survey_groups.c.position))
    out: dict[str, list[str]] = {}
    if isinstance(con_or_engine, sa.Engine):
        with con_or_engine.connect() as con:
            rows = con.execute(q).all()
    else:
        rows = con_or_engine.execute(q).all()
    for qid, label in rows:
        out.setdefault(qid, []).append(label)
    return out


def choose(labels: list[str] | None, raw) -> str:
    """The label of the list that ``raw`` names (any case and spacing); ValueError otherwise."""
    text = _clean(raw).casefold()
    for label in labels or ():
        if label.casefold() == text:
            return label
    if not labels:
        raise ValueError("the survey's administrator has not listed the groups to choose from")
    raise ValueError(f"not one of the groups listed: {', '.join(labels)}")
