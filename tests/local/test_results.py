"""Survey results through the database: closed surveys only, percentages, warnings, free text by role."""

import pytest
from local_helpers import OPEN_DAY

from munro.disclosure import C
from munro.errors import MunroError
from munro.local.results import survey_results
from munro.local.surveys import close_survey, submit_response


def _answer(app, s, n, **answers):
    for _ in range(n):
        submit_response(app, s.id, answers, today=OPEN_DAY)


def test_no_results_while_a_survey_is_open(app, make_survey):
    s = make_survey("staff")
    _answer(app, s, 6, team="North", workload_manageable="agree")
    with pytest.raises(MunroError, match=f"survey {s.id} is still open .* results are shown only once it is closed"):
        survey_results(app, s.id, today=OPEN_DAY)


def test_counts_and_percentages_by_answer_and_group_worked_by_hand(app, make_survey):
    # 20 social workers in two teams of 10 (staff minimum 5, so both teams are shown).
    # Workload: North 10 agree; South 4 agree, 6 disagree; the South 4 must be hidden.
    s = make_survey("staff", invited=40)
    _answer(app, s, 10, team="North", role="Social worker", workload_manageable="agree", caseload="12")
    _answer(app, s, 6, team="South", role="Social worker", workload_manageable="disagree", caseload="30")
    _answer(app, s, 4, team="South", role="Social worker", workload_manageable="agree", caseload="30")
    close_survey(app, s.id)
    r = survey_results(app, s.id)
    assert r.respondents == 20 and r.response_rate == 0.5 and r.warnings == []
    q = {x.id: x for x in r.questions}
    caseload = {a.code: (a.count, a.percent) for a in q["caseload"].answers}
    # 10 of 20 in the 11-15 band and 10 in 26 or more: 50% each; nobody skipped it.
    assert caseload["11_15"] == (10, 50.0) and caseload["26_plus"] == (10, 50.0)
    assert caseload["not_answered"] == (0, 0.0)
    work = q["workload_manageable"]
    overall = {a.code: (a.count, a.percent) for a in work.answers}
    assert overall["agree"] == (14, 70.0) and overall["disagree"] == (6, 30.0)
    south = next(g for g in work.groups if g.breakdown == "team" and g.group == "South")
    # South's 4 "agree" is 1 to 5: hidden with its percentage. South's 10 respondents are shown, so
    # at least one more of South's cells is hidden (else 10 minus the rest gives the 4 back), and
    # the same in the "agree" column (else 14 minus North's 10 gives it back).
    counts = {a.code: a.count for a in south.answers}
    assert counts["agree"] == C and south.respondents == 10
    assert [a.percent for a in south.answers if a.code == "agree"] == [C]
    assert sum(v == C for v in counts.values()) >= 2
    north = next(g for g in work.groups if g.breakdown == "team" and g.group == "North")
    assert {a.code: a.count for a in north.answers}["agree"] == C
    # The role breakdown (one group, everyone) repeats the overall answers and gives nothing away.
    role = next(g for g in work.groups if g.breakdown == "role")
    assert (role.group, role.respondents) == ("Social worker", 20)
    assert work.key_question == "c) Their workloads are manageable" and work.section == "workforce"


def test_too_few_responses_show_nothing_and_say_why(app, make_survey):
    s = make_survey("families", invited=100)
    _answer(app, s, 7, treated_with_respect="agree")
    close_survey(app, s.id)
    r = survey_results(app, s.id)
    assert r.respondents == C and r.response_rate == C
    assert r.warnings == ["fewer than 10 responses: no results can be shown"]
    assert {a.count for q in r.questions for a in q.answers} == {C}


def test_low_response_is_warned(app, make_survey):
    s = make_survey("families", invited=100)
    _answer(app, s, 12, treated_with_respect="agree")
    close_survey(app, s.id)
    assert survey_results(app, s.id).warnings == [
        "low response: fewer than 20 responses (twice the minimum group size); treat the results with caution",
        "low response rate: 12% of the 100 people invited answered (below 30%)"]


def test_free_text_only_for_allowed_roles(app, make_survey):
    s = make_survey("families")
    _answer(app, s, 10, treated_with_respect="agree")
    submit_response(app, s.id, {"make_better": "Send the letters before the meeting"}, today=OPEN_DAY)
    submit_response(app, s.id, {"make_better": "An interpreter at every visit"}, today=OPEN_DAY)
    close_survey(app, s.id)
    for role in ("analyst", "manager", "auditor", "administrator"):
        r = survey_results(app, s.id, role=role)
        assert r.free_text is None and r.free_text_counts == {"make_better": C}  # 2 wrote: a count of 1 to 5
    for role in ("survey_admin", "triage"):
        # Sorted, not in the order received.
        assert survey_results(app, s.id, role=role).free_text == {
            "make_better": ["An interpreter at every visit", "Send the letters before the meeting"]}
    with pytest.raises(MunroError, match="unknown role 'mayor'"):
        survey_results(app, s.id, role="mayor")


def test_team_names_differing_only_in_case_or_spacing_are_one_group(app, make_survey):
    s = make_survey("staff")
    _answer(app, s, 4, team="North", workload_manageable="agree")
    _answer(app, s, 2, team="north ", workload_manageable="agree")
    _answer(app, s, 6, team="South", workload_manageable="agree")
    close_survey(app, s.id)
    work = next(q for q in survey_results(app, s.id).questions if q.id == "workload_manageable")
    # 4 "North" and 2 "north" are one team of 6, shown as most of them spelt it.
    assert {(g.group, g.respondents, g.shown) for g in work.groups if g.breakdown == "team"} == {
        ("North", 6, True), ("South", 6, True)}
