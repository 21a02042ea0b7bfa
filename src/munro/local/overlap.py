"""Disclosure control across the questions of one survey (built on munro.disclosure).

``munro.disclosure.suppress_survey`` makes one question safe across all its
breakdowns at once. A survey publishes many questions over the same people,
and every question counts every respondent (a skipped question is counted as
"not answered"), so the respondents of a group are the same number in every
question. If one question hid a group's respondents and another showed
them, the second would undo the first. So here:

1. which groups are hidden whole is decided once, for the survey (from the
   group sizes, with ``suppress_survey``'s rule), and applies to every question;
2. each question's cells go through the same secondary suppression
   (``munro.disclosure.engine``) with those groups forced hidden, and any
   group's respondent count hidden in one question is forced hidden in all,
   repeated until no question hides one more.

Then each question's system protects the shared counts like its own, so
putting two questions' tables side by side gives nothing back that either
protects (``tests/local/test_overlap.py`` checks this over random surveys by
solving all questions' equations together).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..disclosure import THRESHOLD, C, suppress_linked, suppress_survey, surveys

ALL = surveys.ALL
Breakdowns = Mapping[str, Mapping[str, Mapping[str, int]]]  # {breakdown: {group: {answer: count}}}


def question_cells(breakdowns: Breakdowns) -> tuple[dict, list, list]:
    """Cells, equations and answers of one question, keyed as ``munro.disclosure.surveys`` keys them."""
    return surveys.question_cells(breakdowns, check=False)


def shared_cells(breakdowns: Breakdowns) -> list:
    """The cells every question of the survey has in common: each group's respondents, and everyone."""
    return [(name, g, ALL) for name, groups in breakdowns.items() for g in groups] + [(ALL, ALL)]


def suppress_questions(questions: Mapping[str, Breakdowns], *, min_group: int,
                       threshold: int = THRESHOLD) -> dict:
    """Every question of a survey made safe together: ``{question: suppress_survey-shaped result}``.

    Each question's breakdowns must have the same groups with the same
    respondents (count skipped questions as an answer).
    """
    if not questions:
        return {}
    first = next(iter(questions.values()))
    sizes = {name: {g: {"n": sum(c.values())} for g, c in groups.items()} for name, groups in first.items()}
    for q, b in questions.items():
        if {n: {g: {"n": sum(c.values())} for g, c in gs.items()} for n, gs in b.items()} != sizes:
            raise ValueError(f"question {q!r} has other groups or group sizes than the first question")
    base = suppress_survey(sizes, min_group=min_group, threshold=threshold)
    hidden_groups = {(name, g) for name, groups in base["breakdowns"].items()
                     for g, r in groups.items() if not r["shown"]}
    everything = sum(v["n"] for v in next(iter(sizes.values())).values()) < min_group  # nothing shown at all
    cells = {q: question_cells(b) for q, b in questions.items()}
    shared = set(shared_cells(first))
    forced_shared = {k for k in shared if k[:2] in hidden_groups}
    while True:
        outs = {}
        for q, (values, eqs, _) in cells.items():
            forced = set(values) if everything else {k for k in values if k[:2] in hidden_groups} | forced_shared
            outs[q] = suppress_linked(values, eqs, threshold=threshold, forced=forced)
        now = forced_shared | {k for out in outs.values() for k in shared if out[k] == C}
        if now == forced_shared:
            break
        forced_shared = now
    return {q: surveys.shaped(outs[q], questions[q], cells[q][2], hidden_groups) for q in questions}
