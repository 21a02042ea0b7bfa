"""Rules of the Assessments table: each with children that must trigger it and near misses that must not.

Returns are 2023-24 (census year 2023-04-01 to 2024-03-31) unless a rule starts later.
Every expected finding was worked out by hand from the fixture.
"""

from __future__ import annotations

from flagged import flagged, helpers

START_REF = "AssessmentActualStartDate, CINreferralDate"


kid, at = helpers("assessments", "<Assessments>")


def test_1103_assessment_before_referral(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "1103", [
        kid(cin, "T", A("2023-05-31", auth="2023-06-20")),
        kid(cin, "N", A("2023-06-01", auth="2023-06-20")),  # on the referral day
    ])
    assert found == [("T", START_REF, "2023-05-31", at(text, "T"))]


def test_8608_start_after_authorisation(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "8608", [
        kid(cin, "T", A("2023-07-02", auth="2023-07-01")),
        kid(cin, "N", A("2023-07-01", auth="2023-07-01")),  # same day
    ])
    assert found == [("T", "AssessmentActualStartDate, AssessmentAuthorisationDate", "2023-07-02", at(text, "T"))]


def test_8614_factors_on_an_uncompleted_assessment(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "8614", [
        kid(cin, "T", A("2023-07-01", factors=["2A", "3B"])),
        kid(cin, "N", A("2023-07-01", auth="2023-07-20", factors=["2A"])),
        kid(cin, "M", A("2023-07-01")),  # open, no factors
    ])
    fields = "AssessmentAuthorisationDate, AssessmentFactors"
    assert found == [("T", fields, "2A", at(text, "T", "<AssessmentFactors>2A<")),
                     ("T", fields, "3B", at(text, "T", "<AssessmentFactors>3B<"))]


def test_8670q_open_more_than_45_working_days(cin, check):
    # Working days after 2024-01-24 up to Sunday 2024-03-31: Jan 25, 26, 29, 30, 31 (5), February (21),
    # March 1-28 without weekends (20; Good Friday 29 March is a bank holiday): 46. From 2024-01-25: 45.
    A = cin.Assessment
    text, found = flagged(check, "8670Q", [
        kid(cin, "T", A("2024-01-24")),
        kid(cin, "N", A("2024-01-25")),  # exactly 45
        kid(cin, "M", A("2024-01-24", auth="2024-03-01")),  # completed
    ])
    assert found == [("T", "AssessmentActualStartDate", "2024-01-24", at(text, "T"))]


def test_8696_authorisation_outside_the_census_year(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "8696", [
        kid(cin, "T1", A("2023-03-01", auth="2023-03-31"), referral="2023-03-01"),
        kid(cin, "T2", A("2024-03-01", auth="2024-04-01")),
        kid(cin, "N1", A("2023-03-01", auth="2023-04-01"), referral="2023-03-01"),  # first day
        kid(cin, "N2", A("2024-03-01", auth="2024-03-31")),  # last day
    ])
    fields = "AssessmentAuthorisationDate, ReferenceDate"
    assert found == [("T1", fields, "2023-03-31", at(text, "T1")), ("T2", fields, "2024-04-01", at(text, "T2"))]


def test_8736_open_assessment_started_before_the_year(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "8736", [
        kid(cin, "T", A("2023-03-31"), referral="2023-03-01"),
        kid(cin, "N1", A("2023-04-01"), referral="2023-03-01"),
        kid(cin, "N2", A("2023-03-31", auth="2023-04-20"), referral="2023-03-01"),  # completed in the year
    ])
    assert found == [("T", "AssessmentAuthorisationDate, AssessmentActualStartDate", "2023-03-31", at(text, "T"))]


def test_8863q_assessment_starting_while_another_is_ongoing(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "8863Q", [
        # starts the day the first is authorised: still ongoing that day
        kid(cin, "T1", A("2023-07-01", auth="2023-07-20"), A("2023-07-20", auth="2023-08-01")),
        # the first has no authorisation date: ongoing
        kid(cin, "T2", A("2023-07-01"), A("2023-08-01", auth="2023-08-10")),
        kid(cin, "N1", A("2023-07-01", auth="2023-07-20"), A("2023-07-21", auth="2023-08-01")),
        # overlapping assessments of two different episodes
        cin.Child(id="N2", episodes=[
            cin.Episode(referral="2023-06-01", closure="2023-06-30", reason="RC7",
                        assessments=[A("2023-06-05", auth="2023-07-20")]),
            cin.Episode(referral="2023-07-01", assessments=[A("2023-07-02", auth="2023-07-30")])]),
    ])
    fields = "AssessmentActualStartDate, AssessmentAuthorisationDate"
    assert found == [("T1", fields, "2023-07-20", at(text, "T1", nth=2)),
                     ("T2", fields, "2023-08-01", at(text, "T2", nth=2))]


def test_8869_code_21_with_other_factors(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "8869", [
        kid(cin, "T", A("2023-07-01", auth="2023-07-20", factors=["2A", "21"])),
        kid(cin, "N1", A("2023-07-01", auth="2023-07-20", factors=["21"])),
        kid(cin, "N2", A("2023-07-01", auth="2023-07-20", factors=["2A", "3A"])),
        # 21 on one assessment, other codes on another
        kid(cin, "N3", A("2023-07-01", auth="2023-07-20", factors=["21"]),
            A("2023-08-01", auth="2023-08-20", factors=["2A"])),
    ])
    assert found == [("T", "AssessmentFactors", "21", at(text, "T", "<AssessmentFactors>21<"))]


def test_8873q_no_factors_should_close_with_rc8_or_rc9(cin, check):
    # The DfE logic asks for RC8 or RC9 whenever the episode's only assessment found no factors
    # (21), with no condition on a closure: an episode still open (T2) has no reason, so is
    # flagged too, with no value.
    A = cin.Assessment
    one = A("2023-07-01", auth="2023-07-20", factors=["21"])
    text, found = flagged(check, "8873Q", [
        kid(cin, "T", one, closure="2023-08-01", reason="RC7"),
        kid(cin, "T2", one),  # the episode is still open
        kid(cin, "N1", one, closure="2023-08-01", reason="RC8"),
        kid(cin, "N2", one, closure="2023-08-01", reason="RC9"),
        kid(cin, "N3", one, A("2023-07-25", auth="2023-07-30", factors=["2A"]), closure="2023-08-01", reason="RC7"),
        kid(cin, "N4", A("2023-07-01", factors=["21"]), closure="2023-08-01", reason="RC7"),  # not completed
        # open episodes: a second assessment, an assessment not completed, factors other than 21
        kid(cin, "N5", one, A("2023-07-25")),
        kid(cin, "N6", A("2023-07-01", factors=["21"])),
        kid(cin, "N7", A("2023-07-01", auth="2023-07-20", factors=["2A"])),
    ])
    fields = "ReasonForClosure, AssessmentFactors"
    assert found == [("T", fields, "RC7", at(text, "T", "<CINdetails>")),
                     ("T2", fields, None, at(text, "T2", "<CINdetails>"))]


def test_8896_two_open_assessments_in_one_episode(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "8896", [
        kid(cin, "T", A("2023-07-01"), A("2023-08-01")),
        kid(cin, "N1", A("2023-07-01"), A("2023-08-01", auth="2023-08-20")),
        cin.Child(id="N2", episodes=[
            cin.Episode(referral="2023-06-01", closure="2023-06-30", reason="RC7", assessments=[A("2023-06-05")]),
            cin.Episode(referral="2023-07-01", assessments=[A("2023-07-02")])]),
    ])
    assert found == [("T", "AssessmentAuthorisationDate", None, at(text, "T")),
                     ("T", "AssessmentAuthorisationDate", None, at(text, "T", nth=2))]


def test_8897q_completed_assessment_without_factors(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "8897Q", [
        kid(cin, "T", A("2023-07-01", auth="2023-07-20")),
        kid(cin, "N1", A("2023-07-01", auth="2023-07-20", factors=["2A"])),
        kid(cin, "N2", A("2023-07-01")),  # not completed
    ])
    assert found == [("T", "AssessmentAuthorisationDate, AssessmentFactors", None, at(text, "T"))]


def test_8898_the_same_factor_twice(cin, check):
    A = cin.Assessment
    text, found = flagged(check, "8898", [
        kid(cin, "T", A("2023-07-01", auth="2023-07-20", factors=["2A", "3A", "2A"])),
        kid(cin, "N1", A("2023-07-01", auth="2023-07-20", factors=["2A", "2B"])),
        kid(cin, "N2", A("2023-07-01", auth="2023-07-20", factors=["2A"]),
            A("2023-08-01", auth="2023-08-20", factors=["2A"])),  # once in each of two assessments
    ])
    assert found == [("T", "AssessmentFactors", "2A", at(text, "T", "<AssessmentFactors>2A<", nth=2))]


def test_8945q_and_8950q_retired_abuse_codes_from_2024_25(cin, check):
    A = cin.Assessment
    children = [
        kid(cin, "T", A("2024-07-01", auth="2024-07-20", factors=["18A", "19A"]), referral="2024-06-01"),
        kid(cin, "N", A("2024-07-01", auth="2024-07-20", factors=["18B", "18C", "19B", "19C"]),
            referral="2024-06-01"),
    ]
    text, found = flagged(check, "8945Q", children, year=2025)
    assert found == [("T", "AssessmentFactors", "18A", at(text, "T", "<AssessmentFactors>18A<"))]
    text, found = flagged(check, "8950Q", children, year=2025)
    assert found == [("T", "AssessmentFactors", "19A", at(text, "T", "<AssessmentFactors>19A<"))]


def test_8945q_and_8950q_are_not_rules_before_2024_25():
    from munro.validate.registry import ruleset

    assert {"8945Q", "8950Q"} & {r.code for r in ruleset(2024)} == set()
    assert {"8945Q", "8950Q"} <= {r.code for r in ruleset(2025)} & {r.code for r in ruleset(2027)}
