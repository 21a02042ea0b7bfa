"""The whole path, property-tested: random responses stored in the database, results read back, attacked.

Hypothesis draws staff-survey respondents (team, role, answers, any of them
skipped); they are stored as responses, the survey is closed and its results
read with ``survey_results``. The test counts the true figures itself from the
drawn respondents, rebuilds every equation linking the published figures
(answers add up to a group's respondents, groups to the overall answers, in
every breakdown and every question, a group's respondents being the same
number in every question), and solves them all together with numpy
(``test_overlap._determined``): no hidden count but a zero may be pinned down.
"""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_overlap import _determined

from munro.disclosure import C
from munro.local.appdb import open_app_db
from munro.local.results import NOT_ANSWERED, NOT_KNOWN, survey_results
from munro.local.survey_groups import set_groups
from munro.local.surveys import close_survey, create_survey, get_survey, store_responses, survey_version

QUESTIONS = {"workload_manageable": ["agree", "disagree", "neither"], "caseload": ["11", "18", "30"]}
ALL = "*"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    e = open_app_db(url=str(tmp_path_factory.mktemp("prop") / "app.sqlite"))
    yield e
    e.dispose()


respondent = st.fixed_dictionaries({}, optional={
    "team": st.sampled_from(["North", "South", "East"]),
    "role": st.sampled_from(["social_worker", "manager"]),
    **{q: st.sampled_from(v) for q, v in QUESTIONS.items()}})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(people=st.lists(respondent, min_size=1, max_size=45), min_group=st.sampled_from([3, 5, 10]))
def test_published_survey_results_cannot_be_differenced(engine, people, min_group):
    s = create_survey(engine, la="330", instrument="staff", opens_on=dt.date(2026, 1, 1),
                      closes_on=dt.date(2026, 1, 31), min_group=min_group)
    v = survey_version(s)
    set_groups(engine, s, v, "team", ["North", "South", "East"])  # the teams drawn: every one listed
    stored = [{q: (v.question(q).scale.parse(a)) for q, a in p.items()} for p in people]
    stored = [p for p in stored if p]
    if not stored:
        return
    with engine.begin() as con:
        store_responses(con, get_survey(engine, s.id), v, stored)
    close_survey(engine, s.id)
    r = survey_results(engine, s.id)
    labels = {"role": {"social_worker": "Social worker", "manager": "Team or practice manager"}}

    def group(p, name):
        value = p.get(name)
        return NOT_KNOWN if value is None else labels.get(name, {}).get(value, value)

    true, published, eqs = {}, {}, []
    # The two questions drawn, and one nobody answered (every respondent "not answered": its counts
    # are the groups' sizes) standing for the staff form's other six, which are the same as it.
    for q in (q for q in r.questions if q.id in (*QUESTIONS, "improved_safety")):
        codes = [a.code for a in q.answers]
        published[(q.id, ALL, ALL)] = q.respondents  # the same respondents in every question
        true[(q.id, ALL, ALL)] = len(stored)
        eqs.append(((q.id, ALL, ALL), [(q.id, ALL, c) for c in codes]))
        for a in q.answers:
            published[(q.id, ALL, a.code)] = a.count
            true[(q.id, ALL, a.code)] = sum(1 for p in stored if p.get(q.id, NOT_ANSWERED) == a.code)
        for name in ("team", "role"):
            groups = [g for g in q.groups if g.breakdown == name]
            for g in groups:
                key = (name, g.group)
                published[key] = g.respondents
                true[key] = sum(1 for p in stored if group(p, name) == g.group)
                for a in g.answers:
                    published[(q.id, *key, a.code)] = a.count
                    true[(q.id, *key, a.code)] = sum(1 for p in stored if group(p, name) == g.group
                                                     and p.get(q.id, NOT_ANSWERED) == a.code)
                eqs.append((key, [(q.id, *key, c) for c in codes]))
            eqs += [((q.id, ALL, c), [(q.id, name, g.group, c) for g in groups]) for c in codes]
            eqs.append(((q.id, ALL, ALL), [(name, g.group) for g in groups]))
    for k, value in published.items():
        assert value in (C, true[k]), k
        if 1 <= true[k] <= 5:
            assert value == C, k
    assert {k for k in _determined(eqs, published) if true[k] != 0} == set()
    if len(stored) < min_group:
        assert r.respondents == C and r.warnings[0].startswith(f"fewer than {min_group} responses")
