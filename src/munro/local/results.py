"""Survey results: per question, counts and percentages by answer and by group, disclosure-controlled.

Only a closed survey has results (live counts let a watcher tell who just
answered). Every question counts every respondent: a skipped question is
counted as "Not answered" and a respondent who gave no group as "Not known",
so the groups and their sizes are the same in every question and the
suppression of overlap.py can hold them consistent. A percentage is of the
group's respondents and is hidden when its count or that total is. A group's
label is an option's or one of the survey's listed groups (survey_groups.py),
never what a respondent typed: an answer stored before the lists existed that
is not in the list is counted as "Other".
Free-text answers are never counted; their text is returned only to roles in
``FREE_TEXT_ROLES``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa

from ..disclosure import THRESHOLD, C, suppress_count, suppress_derived
from ..errors import MunroError
from . import schema as t
from .overlap import suppress_questions
from .roles import FREE_TEXT_ROLES, ROLES
from .survey_groups import survey_groups
from .surveys import Survey, get_survey, survey_version
from .triage import triage_counts

NOT_ANSWERED = "not_answered"
NOT_KNOWN = "Not known"
OTHER = "Other"  # a group answer not in the survey's list (typed before lists existed): never shown as typed
LOW_RATE = 0.30  # below this share of those invited, the results carry a warning


@dataclass
class AnswerCount:
    code: str
    label: str
    count: int | str  # 'c' when hidden
    percent: float | str | None


@dataclass
class GroupResult:
    breakdown: str
    group: str
    respondents: int | str
    shown: bool  # False: the group is below the minimum size (or hides one that is) and shows nothing
    answers: list[AnswerCount]


@dataclass
class QuestionResult:
    id: str
    text: str
    key_question: str
    section: str
    respondents: int | str
    answers: list[AnswerCount]
    groups: list[GroupResult] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    respondents: int | str
    invited: int | None
    response_rate: float | str | None
    warnings: list[str]
    questions: list[QuestionResult]
    free_text: dict | None  # {question id: [texts]} for allowed roles, else None
    free_text_counts: dict  # {question id: number of answers}: numbers only, for any role
    triage: dict  # open and handled flags

    def to_dict(self) -> dict:
        d = asdict(self)
        d["survey"] = {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
                       for k, v in d["survey"].items()}
        return d


def survey_answers(engine: sa.Engine, survey_id: int) -> list[dict]:
    """Every response of a survey as ``{question id: value}``."""
    q = (sa.select(t.answers.c.response_id, t.answers.c.question_id, t.answers.c.value)
         .join(t.responses, t.responses.c.id == t.answers.c.response_id)
         .where(t.responses.c.survey_id == survey_id))
    by_response: dict[int, dict] = {}
    with engine.connect() as con:
        ids = [r.id for r in con.execute(sa.select(t.responses.c.id).where(t.responses.c.survey_id == survey_id))]
        by_response = {i: {} for i in ids}
        for rid, qid, value in con.execute(q):
            by_response[rid][qid] = value
    return list(by_response.values())


def group_names(version, responses: list[dict], groups: dict | None = None) -> dict:
    """``{breakdown: [each response's group]}``: an option's label, a listed group, "Other" or "Not known".

    ``groups`` is the survey's lists (``survey_groups``). A stored answer to a "label" question that is not
    in its list is "Other", whatever it says: the label shown is always one that staff wrote.
    """
    out = {}
    for name, gq in version.groups.items():
        scale = version.question(gq).scale
        raw = [r.get(gq) for r in responses]
        if scale.kind == "choice":
            out[name] = [NOT_KNOWN if v is None else scale.label(v) for v in raw]
            continue
        listed = set((groups or {}).get(gq, ()))
        out[name] = [NOT_KNOWN if v is None else v if v in listed else OTHER for v in raw]
    return out or {"all": ["all"] * len(responses)}


def count_tables(version, responses: list[dict], groups: dict | None = None) -> dict:
    """``{question id: {breakdown: {group: {answer code: count}}}}`` for the counted questions."""
    names = group_names(version, responses, groups)
    out = {}
    for q in version.questions:
        if not q.counted:
            continue
        cats = [*q.scale.categories, NOT_ANSWERED]
        tables = {}
        for name, of_response in names.items():
            table: dict = {}
            for r, g in zip(responses, of_response):
                table.setdefault(g, dict.fromkeys(cats, 0))[r.get(q.id, NOT_ANSWERED)] += 1
            tables[name] = dict(sorted(table.items()))
        out[q.id] = tables
    return out


def survey_results(engine: sa.Engine, survey_id: int, *, role: str = "analyst", today: dt.date | None = None,
                   threshold: int = THRESHOLD, bank=None) -> SurveyResults:
    """The results of a closed survey, disclosure-controlled (module docstring); free text by ``role``."""
    if role not in ROLES:
        raise MunroError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    s = get_survey(engine, survey_id)
    if not s.is_closed(today):
        raise MunroError(f"survey {survey_id} is still open (until {s.closes_on}): results are shown only once it "
                         f"is closed ('munro survey close {survey_id}')")
    v = survey_version(s, bank)
    responses = survey_answers(engine, survey_id)
    n = len(responses)
    tables = count_tables(v, responses, survey_groups(engine, survey_id))
    safe = suppress_questions(tables, min_group=s.min_group, threshold=threshold) if n else {}
    questions = []
    for q in v.questions:
        if q.id not in safe:
            continue
        r = safe[q.id]
        labels = {c: q.scale.label(c) for c in q.scale.categories} | {NOT_ANSWERED: "Not answered"}
        groups = [GroupResult(name, g, gr["respondents"], gr["shown"],
                              _answers(gr["answers"], gr["respondents"], labels))
                  for name, gs in r["breakdowns"].items() if name != "all" for g, gr in gs.items()]
        questions.append(QuestionResult(q.id, q.text, q.key_question, q.section, r["respondents"],
                                        _answers(r["answers"], r["respondents"], labels), groups))
    shown_n = questions[0].respondents if questions else (n if n >= s.min_group else C)
    rate = None
    if s.invited:
        rate = suppress_derived(n / s.invited, shown_n)
    texts = {q.id: sorted(r[q.id] for r in responses if q.id in r) for q in v.questions if q.free_text}
    return SurveyResults(
        survey=s, respondents=shown_n, invited=s.invited, response_rate=rate,
        warnings=_warnings(n, s, rate), questions=questions,
        # Sorted, never in the order received, so a text cannot be matched to when it was sent.
        free_text=texts if role in FREE_TEXT_ROLES else None,
        # How many wrote something is a count like any other: 1 to 5 is hidden.
        free_text_counts={q: suppress_count(len(x), threshold) if n >= s.min_group else C for q, x in texts.items()},
        triage=triage_counts(engine, survey_id))


def _answers(counts: dict, respondents, labels: dict) -> list[AnswerCount]:
    out = []
    for code, count in counts.items():
        if C in (count, respondents):
            pct = C  # computed from a hidden count
        else:
            pct = count / respondents * 100.0 if respondents else None
        out.append(AnswerCount(code, labels.get(code, code), count, pct))
    return out


def _warnings(n: int, s: Survey, rate) -> list[str]:
    out = []
    if n < s.min_group:
        out.append(f"fewer than {s.min_group} responses: no results can be shown")
    elif n < 2 * s.min_group:
        out.append(f"low response: fewer than {2 * s.min_group} responses (twice the minimum group size); "
                   "treat the results with caution")
    if isinstance(rate, float) and rate < LOW_RATE:
        out.append(f"low response rate: {rate:.0%} of the {s.invited} people invited answered (below {LOW_RATE:.0%})")
    return out
