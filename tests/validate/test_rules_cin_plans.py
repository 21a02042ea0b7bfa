"""Rules of the CINplanDates table: each with children that must trigger it and near misses that must not.

Returns are 2023-24 (census year 2023-04-01 to 2024-03-31); every expected finding was worked out by hand.
"""

from __future__ import annotations

from flagged import flagged, helpers

kid, at = helpers("cin_plans", "<CINPlanDates>")


def test_4000_cin_plan_on_a_referral_with_no_further_action(cin, check):
    P = cin.CinPlan
    text, found = flagged(check, "4000", [
        kid(cin, "T", P("2023-06-05", "2023-06-20"), P("2023-07-01", "2023-07-20"), nfa="true"),  # one per episode
        kid(cin, "T1", P("2023-06-05", "2023-06-20"), nfa="1"),
        kid(cin, "N1", P("2023-06-05", "2023-06-20"), nfa="false"),
        kid(cin, "N2", nfa="true"),  # no plan
    ])
    assert found == [("T", "ReferralNFA", "1", at(text, "T")), ("T1", "ReferralNFA", "1", at(text, "T1"))]


def test_4001_open_cin_plan_and_open_protection_plan(cin, check):
    P, CP = cin.CinPlan, cin.Plan
    text, found = flagged(check, "4001", [
        kid(cin, "T", P("2023-06-05"), plans=[CP("2023-09-01")]),
        kid(cin, "N1", P("2023-06-05", "2023-09-01"), plans=[CP("2023-09-01")]),  # stepped up
        kid(cin, "N2", P("2023-10-01"), plans=[CP("2023-06-05", "2023-10-01")]),  # stepped down
    ])
    assert found == [("T", "CINPlanEndDate, CPPendDate", None, at(text, "T"))]


def test_4004_more_than_one_open_cin_plan(cin, check):
    P, E = cin.CinPlan, cin.Episode
    text, found = flagged(check, "4004", [
        # counted over the child's episodes
        cin.Child(id="T", episodes=[E(referral="2023-05-01", cin_plans=[P("2023-05-10")]),
                                    E(referral="2023-06-01", cin_plans=[P("2023-06-10")])]),
        kid(cin, "N", P("2023-06-05", "2023-07-01"), P("2023-07-02")),
    ])
    assert found == [("T", "CINPlanEndDate", None, at(text, "T")),
                     ("T", "CINPlanEndDate", None, at(text, "T", nth=2))]


def test_4010_cin_plan_start_after_the_reference_date(cin, check):
    P = cin.CinPlan
    text, found = flagged(check, "4010", [
        kid(cin, "T", P("2024-04-01")),
        kid(cin, "N1", P("2024-03-31")),
        kid(cin, "N2", P("2022-06-05"), referral="2022-06-01"),  # open since an earlier year
    ])
    assert found == [("T", "CINPlanStartDate", "2024-04-01", at(text, "T"))]


def test_4010_cin_plan_start_missing(cin, check):
    # An empty start date: the strict read refuses the file, the tolerant read keeps the plan with no start.
    text, found = flagged(check, "4010", [kid(cin, "T", cin.CinPlan("")), kid(cin, "N", cin.CinPlan("2023-07-01"))])
    assert found == [("T", "CINPlanStartDate", None, at(text, "T"))]


def test_4011_and_4012q_end_before_or_on_the_start(cin, check):
    P = cin.CinPlan
    children = [kid(cin, "T", P("2023-07-02", "2023-07-01")), kid(cin, "S", P("2023-07-01", "2023-07-01")),
                kid(cin, "N", P("2023-07-01", "2023-07-02"))]
    text, found = flagged(check, "4011", children)
    assert found == [("T", "CINPlanEndDate, CINPlanStartDate", "2023-07-01", at(text, "T"))]
    text, found = flagged(check, "4012Q", children)
    assert found == [("S", "CINPlanStartDate, CINPlanEndDate", "2023-07-01", at(text, "S"))]


def test_4013_cin_plan_end_outside_the_census_year(cin, check):
    P = cin.CinPlan
    text, found = flagged(check, "4013", [
        kid(cin, "T1", P("2023-03-01", "2023-03-31"), referral="2023-03-01"),
        kid(cin, "T2", P("2024-03-01", "2024-04-01")),
        kid(cin, "N1", P("2023-03-01", "2023-04-01"), referral="2023-03-01"),
        kid(cin, "N2", P("2024-03-01", "2024-03-31")),
    ])
    fields = "CINPlanEndDate, ReferenceDate"
    assert found == [("T1", fields, "2023-03-31", at(text, "T1")), ("T2", fields, "2024-04-01", at(text, "T2"))]


def test_4014_overlapping_cin_plans(cin, check):
    P, E = cin.CinPlan, cin.Episode
    text, found = flagged(check, "4014", [
        kid(cin, "T1", P("2023-06-05", "2023-07-01"), P("2023-07-01", "2023-08-01")),  # starts the day the first ends
        kid(cin, "T2", P("2023-06-05"), P("2023-07-01", "2023-08-01")),  # inside an open plan
        # the same start: each falls within the other; across two episodes
        cin.Child(id="T3", episodes=[E(referral="2023-05-01", cin_plans=[P("2023-06-05", "2023-06-30")]),
                                     E(referral="2023-06-01", cin_plans=[P("2023-06-05", "2023-07-30")])]),
        kid(cin, "N", P("2023-06-05", "2023-07-01"), P("2023-07-02", "2023-08-01")),
    ])
    fields = "CINPlanStartDate, CINPlanEndDate"
    assert found == [("T1", fields, "2023-07-01", at(text, "T1", nth=2)),
                     ("T2", fields, "2023-07-01", at(text, "T2", nth=2)),
                     ("T3", fields, "2023-06-05", at(text, "T3")),
                     ("T3", fields, "2023-06-05", at(text, "T3", nth=2))]


def test_4015_cin_plan_before_the_referral(cin, check):
    P = cin.CinPlan
    text, found = flagged(check, "4015", [
        kid(cin, "T", P("2023-05-31")),
        kid(cin, "N", P("2023-06-01")),
    ])
    assert found == [("T", "CINPlanStartDate, CINreferralDate", "2023-05-31", at(text, "T"))]


def test_4016_cin_plan_starting_during_a_protection_plan(cin, check):
    P, CP = cin.CinPlan, cin.Plan
    text, found = flagged(check, "4016", [
        kid(cin, "T1", P("2023-07-01", "2023-12-01"), plans=[CP("2023-06-10", "2023-09-01")]),
        kid(cin, "T2", P("2023-09-05"), plans=[CP("2023-06-10")]),  # the protection plan is still open
        kid(cin, "T3", P("2023-06-10", "2023-12-01"), plans=[CP("2023-06-10", "2023-09-01")]),  # same day
        kid(cin, "N1", P("2023-09-01"), plans=[CP("2023-06-10", "2023-09-01")]),  # stepped down that day
        kid(cin, "N2", P("2023-06-05", "2023-06-10"), plans=[CP("2023-06-10", "2023-09-01")]),  # before it
    ])
    fields = "CINPlanStartDate, CPPstartDate, CPPendDate"
    assert found == [("T1", fields, "2023-07-01", at(text, "T1")), ("T2", fields, "2023-09-05", at(text, "T2")),
                     ("T3", fields, "2023-06-10", at(text, "T3"))]


def test_4017_protection_plan_starting_during_a_cin_plan(cin, check):
    P, CP = cin.CinPlan, cin.Plan
    text, found = flagged(check, "4017", [
        kid(cin, "T1", P("2023-06-05", "2023-09-01"), plans=[CP("2023-07-01", "2023-12-01")]),
        kid(cin, "T2", P("2023-06-05"), plans=[CP("2023-07-01", "2023-12-01")]),  # the CIN plan never ended
        kid(cin, "N1", P("2023-06-05", "2023-07-01"), plans=[CP("2023-07-01", "2023-12-01")]),  # stepped up
        kid(cin, "N2", P("2023-09-01", "2023-10-01"), plans=[CP("2023-06-10", "2023-09-01")]),  # before it
    ])
    fields = "CINPlanStartDate, CINPlanEndDate, CPPstartDate"
    assert found == [("T1", fields, "2023-07-01", at(text, "T1", "<ChildProtectionPlans>")),
                     ("T2", fields, "2023-07-01", at(text, "T2", "<ChildProtectionPlans>"))]
