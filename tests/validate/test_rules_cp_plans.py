"""Rules of the ChildProtectionPlans and Reviews tables: children that must trigger each, near misses that must not.

Returns are 2023-24 (census year 2023-04-01 to 2024-03-31); every expected finding was worked out by hand.
"""

from __future__ import annotations

from flagged import flagged, helpers

PLAN = "<ChildProtectionPlans>"


kid, at = helpers("plans", PLAN)


def test_1105_plan_before_the_referral(cin, check):
    CP = cin.Plan
    text, found = flagged(check, "1105", [kid(cin, "T", CP("2023-05-31")), kid(cin, "N", CP("2023-06-01"))])
    assert found == [("T", "CPPstartDate, CINreferralDate", "2023-05-31", at(text, "T"))]


def test_2883_more_plans_than_conferences(cin, check):
    CP, S = cin.Plan, cin.S47
    two = [CP("2023-06-12", "2023-09-01"), CP("2023-09-04")]
    text, found = flagged(check, "2883", [
        kid(cin, "T1", *two, s47=[S("2023-06-01", icpc="2023-06-12")]),
        kid(cin, "T2", CP("2023-06-12")),
        # the same conference at both levels counts once
        kid(cin, "T3", *two, s47=[S("2023-06-01", icpc="2023-06-12")], icpc="2023-06-12"),
        # an earlier year's conference does not account for this year's second plan
        kid(cin, "T4", *two, s47=[S("2023-03-10", icpc="2023-03-20"), S("2023-06-01", icpc="2023-06-12")],
            referral="2023-03-01"),
        kid(cin, "N1", *two, s47=[S("2023-06-01", icpc="2023-06-12")], icpc="2023-09-04"),
        # a plan from before the census year had its conference in an earlier return
        kid(cin, "N2", CP("2023-02-01"), referral="2023-01-10"),
    ])
    fields = "CPPstartDate, DateOfInitialCPC"
    assert found == [("T1", fields, "plans: 2, conferences: 1", at(text, "T1")),
                     ("T2", fields, "plans: 1, conferences: 0", at(text, "T2")),
                     ("T3", fields, "plans: 2, conferences: 1", at(text, "T3")),
                     ("T4", fields, "plans: 2, conferences: 1", at(text, "T4"))]


def test_2885_plan_not_starting_on_a_conference_day(cin, check):
    CP, S = cin.Plan, cin.S47
    text, found = flagged(check, "2885", [
        kid(cin, "T", CP("2023-06-13"), s47=[S("2023-06-01", icpc="2023-06-12")]),
        kid(cin, "N1", CP("2023-06-12"), s47=[S("2023-06-01", icpc="2023-06-12")]),
        kid(cin, "N2", CP("2023-06-12"), icpc="2023-06-12"),  # the CINdetails' own conference
        kid(cin, "N3", CP("2023-06-13")),  # no conference at all: 2883's finding
        kid(cin, "N4", CP("2023-02-01", "2023-05-01"), CP("2023-06-12"), referral="2023-01-10",
            s47=[S("2023-06-01", icpc="2023-06-12")]),  # the first plan predates the census year
    ])
    assert found == [("T", "CPPstartDate, DateOfInitialCPC", "2023-06-13", at(text, "T"))]


def test_8565_activity_after_the_case_closed(cin, check):
    A, P, S, CP = cin.Assessment, cin.CinPlan, cin.S47, cin.Plan
    closed = dict(closure="2023-08-01", reason="RC7")
    text, found = flagged(check, "8565", [
        kid(cin, "T1", icpc="2023-08-02", assessments=[A("2023-08-02", auth="2023-08-03", factors=["2A"])],
            cin_plans=[P("2023-08-02", "2023-08-03")], **closed),
        kid(cin, "T2", CP("2023-07-03", "2023-08-02"), s47=[S("2023-08-02", icpc="2023-08-03")], **closed),
        kid(cin, "N", CP("2023-07-03", "2023-08-01"), icpc="2023-07-03",
            assessments=[A("2023-07-01", auth="2023-08-01", factors=["2A"])],
            cin_plans=[P("2023-06-05", "2023-07-03")],
            s47=[S("2023-06-20", icpc="2023-08-01")], **closed),
    ])
    assert sorted(found) == sorted([
        ("T1", "DateOfInitialCPC", "2023-08-02", at(text, "T1", "<CINdetails>")),
        ("T1", "AssessmentActualStartDate", "2023-08-02", at(text, "T1", "<Assessments>")),
        ("T1", "AssessmentAuthorisationDate", "2023-08-03", at(text, "T1", "<Assessments>")),
        ("T1", "CINPlanStartDate", "2023-08-02", at(text, "T1", "<CINPlanDates>")),
        ("T1", "CINPlanEndDate", "2023-08-03", at(text, "T1", "<CINPlanDates>")),
        ("T2", "S47ActualStartDate", "2023-08-02", at(text, "T2", "<Section47>")),
        ("T2", "DateOfInitialCPC", "2023-08-03", at(text, "T2", "<Section47>")),
        ("T2", "CPPendDate", "2023-08-02", at(text, "T2")),
    ])


def test_8720_plan_start_missing_or_after_the_reference_date(cin, check):
    CP = cin.Plan
    text, found = flagged(check, "8720", [
        kid(cin, "T1", CP("2024-04-01")),
        kid(cin, "T2", CP("")),  # empty: kept with no start by the tolerant read
        kid(cin, "N1", CP("2024-03-31")),
        kid(cin, "N2", CP("2022-06-10"), referral="2022-06-01"),  # open since an earlier year
    ])
    fields = "CPPstartDate, ReferenceDate"
    assert found == [("T1", fields, "2024-04-01", at(text, "T1")), ("T2", fields, None, at(text, "T2"))]


def test_8730_number_of_previous_plans_missing(cin, check):
    CP = cin.Plan
    text, found = flagged(check, "8730", [
        kid(cin, "T", CP("2023-06-12", previous="")),
        kid(cin, "N", CP("2023-06-12", previous="0")),
    ])
    assert found == [("T", "NumberOfPreviousCPP", None, at(text, "T"))]


def test_8832_plan_on_a_referral_with_no_further_action(cin, check):
    CP = cin.Plan
    text, found = flagged(check, "8832", [
        kid(cin, "T", CP("2023-06-12", "2023-07-01"), CP("2023-08-01"), nfa="true"),  # one per episode
        kid(cin, "N1", CP("2023-06-12"), nfa="false"),
        kid(cin, "N2", nfa="true"),
    ])
    assert found == [("T", "ReferralNFA", "1", at(text, "T"))]


def test_8840_and_8925_plan_ending_on_or_before_its_start(cin, check):
    CP = cin.Plan
    children = [kid(cin, "S", CP("2023-07-01", "2023-07-01")), kid(cin, "T", CP("2023-07-02", "2023-07-01")),
                kid(cin, "N", CP("2023-07-01", "2023-07-02"))]
    text, found = flagged(check, "8840", children)
    assert found == [("S", "CPPstartDate, CPPendDate", "2023-07-01", at(text, "S"))]
    text, found = flagged(check, "8925", children)
    assert found == [("T", "CPPstartDate, CPPendDate", "2023-07-01", at(text, "T"))]


def test_8841_review_on_or_before_the_plan_start(cin, check):
    CP = cin.Plan
    text, found = flagged(check, "8841", [
        kid(cin, "T", CP("2023-06-12", reviews=["2023-06-12", "2023-06-11", "2023-09-01"])),
        kid(cin, "N", CP("2023-06-12", reviews=["2023-06-13"])),
    ])
    fields = "CPPstartDate, CPPreviewDate"
    assert found == [("T", fields, "2023-06-12", at(text, "T", "<CPPreviewDate>2023-06-12<")),
                     ("T", fields, "2023-06-11", at(text, "T", "<CPPreviewDate>2023-06-11<"))]


def test_8842q_review_with_no_date(cin, check):
    CP = cin.Plan
    text, found = flagged(check, "8842Q", [
        kid(cin, "T1", CP("2023-06-12", reviews=["", "2023-09-01"])),
        kid(cin, "T2", CP("2023-06-12", reviews=["2023-02-30"])),  # not a date
        kid(cin, "N", CP("2023-06-12", reviews=["2023-09-01"])),
    ])
    assert found == [("T1", "CPPreviewDate", None, at(text, "T1", "<CPPreviewDate>")),
                     ("T2", "CPPreviewDate", "2023-02-30", at(text, "T2", "<CPPreviewDate>"))]


def test_8905_and_8910_category_of_abuse_missing_or_invalid(cin, check):
    CP = cin.Plan
    children = [
        kid(cin, "T1", CP("2023-06-12", initial="XYZ", latest="NEG")),
        kid(cin, "T2", CP("2023-06-12", initial="", latest="PHY")),
        kid(cin, "T3", CP("2023-06-12", initial="SAB", latest="neg")),
        kid(cin, "T4", CP("2023-06-12", initial="EMO", latest="")),
        kid(cin, "N", CP("2023-06-12", initial="MUL", latest="NEG")),
    ]
    text, found = flagged(check, "8905", children)
    assert found == [("T1", "InitialCategoryOfAbuse", "XYZ", at(text, "T1")),
                     ("T2", "InitialCategoryOfAbuse", None, at(text, "T2"))]
    text, found = flagged(check, "8910", children)
    assert found == [("T3", "LatestCategoryOfAbuse", "neg", at(text, "T3")),
                     ("T4", "LatestCategoryOfAbuse", None, at(text, "T4"))]


def test_8915_and_8920_plan_after_the_childs_death(cin, check):
    CP = cin.Plan

    def died(cid, plan):
        c = kid(cin, cid, plan)
        c.death = "2023-08-01"
        return c

    children = [died("T1", CP("2023-08-02")), died("T2", CP("2023-07-01", "2023-08-02")),
                died("N", CP("2023-08-01", "2023-08-01")), kid(cin, "A", CP("2023-08-02", "2023-09-01"))]
    text, found = flagged(check, "8915", children)
    assert found == [("T1", "CPPstartDate, PersonDeathDate", "2023-08-02", at(text, "T1"))]
    text, found = flagged(check, "8920", children)
    assert found == [("T2", "PersonDeathDate, CPPendDate", "2023-08-02", at(text, "T2"))]


def test_8930_plan_end_outside_the_census_year(cin, check):
    CP = cin.Plan
    text, found = flagged(check, "8930", [
        kid(cin, "T1", CP("2023-03-01", "2023-03-31"), referral="2023-02-01"),
        kid(cin, "T2", CP("2024-03-01", "2024-04-01")),
        kid(cin, "N1", CP("2023-03-01", "2023-04-01"), referral="2023-02-01"),
        kid(cin, "N2", CP("2024-03-01", "2024-03-31")),
    ])
    fields = "CPPendDate, ReferenceDate"
    assert found == [("T1", fields, "2023-03-31", at(text, "T1")), ("T2", fields, "2024-04-01", at(text, "T2"))]


def test_8935_more_than_one_open_plan(cin, check):
    CP, E = cin.Plan, cin.Episode
    text, found = flagged(check, "8935", [
        cin.Child(id="T", episodes=[E(referral="2023-05-01", plans=[CP("2023-05-10")]),
                                    E(referral="2023-06-01", plans=[CP("2023-06-12")])]),
        kid(cin, "N", CP("2023-06-12", "2023-07-01"), CP("2023-07-03")),
    ])
    assert found == [("T", "CPPendDate", None, at(text, "T")), ("T", "CPPendDate", None, at(text, "T", nth=2))]


def test_8940_overlapping_plans(cin, check):
    CP, E = cin.Plan, cin.Episode
    text, found = flagged(check, "8940", [
        kid(cin, "T1", CP("2023-06-12", "2023-09-01"), CP("2023-09-01")),  # starts the day the first ends
        cin.Child(id="T2", episodes=[E(referral="2023-05-01", plans=[CP("2023-06-12", "2023-06-30")]),
                                     E(referral="2023-06-01", plans=[CP("2023-06-12", "2023-07-30")])]),
        kid(cin, "N", CP("2023-06-12", "2023-09-01"), CP("2023-09-04")),
    ])
    fields = "CPPstartDate, CPPendDate"
    assert found == [("T1", fields, "2023-09-01", at(text, "T1", nth=2)),
                     ("T2", fields, "2023-06-12", at(text, "T2")),
                     ("T2", fields, "2023-06-12", at(text, "T2", nth=2))]


def test_4003_review_during_an_open_cin_plan(cin, check):
    CP, P, E = cin.Plan, cin.CinPlan, cin.Episode
    text, found = flagged(check, "4003", [
        kid(cin, "T1", CP("2023-06-12", "2023-12-01", reviews=["2023-08-01", "2023-09-01", "2023-11-01"]),
            cin_plans=[P("2023-06-05", "2023-09-01")]),
        kid(cin, "T2", CP("2023-06-12", "2023-10-01", reviews=["2023-10-01", "2023-10-02"]),
            cin_plans=[P("2023-10-01")]),
        # the CIN plan belongs to another episode
        cin.Child(id="N", episodes=[
            E(referral="2023-05-01", closure="2023-06-01", reason="RC7", cin_plans=[P("2023-05-05", "2023-06-01")]),
            E(referral="2023-06-01", plans=[CP("2023-06-12", reviews=["2023-05-20"])])]),
    ])
    fields = "CINPlanStartDate, CINPlanEndDate, CPPreviewDate"
    assert found == [("T1", fields, "2023-08-01", at(text, "T1", "<CPPreviewDate>2023-08-01<")),
                     ("T2", fields, "2023-10-02", at(text, "T2", "<CPPreviewDate>2023-10-02<"))]
