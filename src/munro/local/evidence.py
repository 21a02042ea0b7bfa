"""Local evidence for the performance report: survey and audit results under the key questions they answer.

``local_evidence(engine, la, year)`` is what the report calls. It is already
disclosure-controlled (survey results as ``survey_results`` gives them, audit
counts with ``publish=True``) and carries no free text, so the report can
print it as it is, beside the national items of the same section.
"""

from __future__ import annotations

from dataclasses import asdict

import sqlalchemy as sa

from ..indicators.catalogue import SECTIONS, question_of
from ..years import year_window
from .audits import audit_results
from .bank import load_bank
from .results import survey_results
from .surveys import list_actions, list_surveys


def local_evidence(engine: sa.Engine, la: str, year: int, *, bank=None) -> list[dict]:
    """Every local key question of the framework, in the framework's order, with the LA's evidence for the year.

    A question the framework asks twice (in the same words) is one entry, listed at both places.

    One dict per key question: ``{"section", "question", "parts", "surveys", "audits", "actions",
    "open_surveys"}``. ``surveys``: one entry per survey question answering it, from the LA's
    surveys that closed in the reporting year (``year`` 2025 = April 2024 to March 2025):
    ``{"survey_id", "survey", "audience", "instrument", "version", "respondents", "warnings",
    "question_id", "text", "answers", "groups", "answers_part"}`` where ``answers_part`` is the
    part of the key question (or the whole) it answers and answers/groups are as in
    ``SurveyResults.questions``. ``audits``: one entry per audit-form domain answering it,
    ``{"domain", "text", "answers_part", "graded", "grades", "percent"}`` for the year's audits.
    ``actions``: the "you said, we did" records of the year against it. ``open_surveys``: surveys of
    the year still open (no results yet), by id and title. Suppressed figures are ``'c'``.
    """
    bank = bank or load_bank()
    first, last = year_window(year)
    surveys = [s for s in list_surveys(engine, la) if first <= s.closes_on <= last]
    closed = [s for s in surveys if s.is_closed()]
    # Keyed by the question's words: the framework asks "How is this fed into the development of
    # the service?" twice, and evidence for it belongs under both.
    entries, order = {}, []
    for section in SECTIONS:
        for q in section.questions:
            order.append(entries.setdefault(q.text, {
                "section": section.id, "question": q.text, "parts": list(q.parts or q.then),
                "surveys": [], "audits": [], "actions": [],
                "open_surveys": [{"survey_id": s.id, "title": s.title} for s in surveys if not s.is_closed()]}))
    for s in closed:
        r = survey_results(engine, s.id, role="manager", bank=bank)
        for qr in r.questions:
            entries[question_of(qr.key_question).text]["surveys"].append({
                "survey_id": s.id, "survey": s.title, "audience": s.audience, "instrument": s.instrument,
                "version": s.version, "respondents": r.respondents, "warnings": r.warnings, "question_id": qr.id,
                "text": qr.text, "answers_part": qr.key_question,
                "answers": [asdict(a) for a in qr.answers], "groups": [asdict(g) for g in qr.groups]})
    audits = audit_results(engine, la, year, publish=True, bank=bank)
    if audits["audits"]:
        for domain, d in audits["domains"].items():
            entries[question_of(d["key_question"]).text]["audits"].append({
                "domain": domain, "text": d["text"], "answers_part": d["key_question"], "graded": d["graded"],
                "grades": d["grades"], "percent": d["percent"]})
    survey_ids = {s.id for s in surveys}
    for a in list_actions(engine, la):
        if a["survey_id"] in survey_ids or a["audit_year"] == year or (
                a["survey_id"] is None and a["audit_year"] is None and first <= a["created_at"].date() <= last):
            entries[question_of(a["key_question"]).text]["actions"].append(
                {k: v for k, v in a.items() if k in ("you_said", "we_did", "owner", "due_on", "status",
                                                    "survey_id", "audit_year")})
    return order
