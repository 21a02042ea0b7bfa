"""An in-year extract is checked with the rules that apply mid-year (issue 22): the year-end rules do not
run, and the date rules measure to the extract's own ReferenceDate rather than 31 March."""

from __future__ import annotations

from munro.validate import validate_file
from munro.validate.registry import YEAR_END_ONLY, ruleset


def test_the_mid_year_ruleset_is_the_years_less_the_year_end_rules():
    year_end = {r.code for r in ruleset(2026)}
    mid_year = {r.code for r in ruleset(2026, in_year=True)}
    assert year_end - mid_year == {"100", "2887Q"}  # 8995Q is a rule of the 2026-27 draft only
    assert {r.code for r in ruleset(2027)} - {r.code for r in ruleset(2027, in_year=True)} == set(YEAR_END_ONLY)


def test_rule_100_and_2887q_fire_at_year_end_and_not_mid_year(cin, check):
    child = cin.Child(disabilities=["MOB"], episodes=[cin.Episode(referral="2025-06-01")])
    # One disability code used, fewer than 8: 2887Q's value is the number used.
    assert check("2887Q", 2026, [child]) == [(None, "Disability", "1")]
    assert check("2887Q", 2026, [child], reference_date="2025-10-31") == []
    assert check("100", 2026, [child], reference_date="2025-10-31") == []


def test_a_date_rule_measures_to_the_extracts_date(cin, check):
    # Born 15 November 2025: after an extract of 31 October 2025 (8520), before 31 March 2026.
    child = cin.Child(birth="2025-11-15", episodes=[cin.Episode(referral="2025-11-16")])
    assert check("8520", 2026, [child], reference_date="2025-10-31") == [
        ("C1", "PersonBirthDate, ReferenceDate", "2025-11-15")]
    assert check("8520", 2026, [child]) == []


def test_the_report_says_it_checked_an_in_year_extract(cin, write):
    report = validate_file(write("oct.xml", cin.xml(2026, [cin.Child()], reference_date="2025-10-31")))
    assert report.note == ("an in-year extract as at 31 October 2025: checked with the rules that apply mid-year "
                           "(not 100, 2887Q), its dates measured to its own ReferenceDate")
    assert "100" not in {r.code for r in report.rules}
    assert validate_file(write("a.xml", cin.xml(2026, [cin.Child()]))).note is None


# ---------------------------------------------------------------- rules that read "the census year" as the year's end


def test_an_assessment_open_since_march_is_no_error_in_aprils_extract(cin, check):
    # 8736 at the year's end: not completed by 31 March 2026 and started before 1 April 2025 (a year open).
    # In an extract of 30 April 2025 the 12 months to its date run from 1 May 2024: one started on 4 March
    # 2025 has been open eight weeks; one started on 15 April 2024 over a year, as at the year's end.
    march = cin.Child(id="M", episodes=[cin.Episode(referral="2025-03-01", assessments=[cin.Assessment("2025-03-04")])])
    old = cin.Child(id="O", episodes=[cin.Episode(referral="2024-04-01", assessments=[cin.Assessment("2024-04-15")])])
    assert check("8736", 2026, [march, old], reference_date="2025-04-30") == [
        ("O", "AssessmentAuthorisationDate, AssessmentActualStartDate", "2024-04-15")]
    # The annual return of 2025-26 (31 March 2026): both were open before 1 April 2025.
    assert [c for c, _, _ in check("8736", 2026, [march, old])] == ["M", "O"]


def test_an_enquiry_awaiting_its_conference_since_march_is_no_error_in_aprils_extract(cin, check):
    march = cin.Child(id="M", episodes=[cin.Episode(referral="2025-03-10", s47=[cin.S47(start="2025-03-12")])])
    old = cin.Child(id="O", episodes=[cin.Episode(referral="2024-04-10", s47=[cin.S47(start="2024-04-12")])])
    assert [(c, v) for c, _, v in check("8740", 2026, [march, old], reference_date="2025-04-30")] == [
        ("O", "2024-04-12")]
    assert [c for c, _, _ in check("8740", 2026, [march, old])] == ["M", "O"]


def test_an_expected_birth_is_expected_from_the_extracts_month_to_nine_months_after(cin, check):
    # An extract of 30 April 2025 expects births from 1 April 2025 to 31 January 2026; the annual return of
    # 2025-26 (31 March 2026) from 1 March to 31 December 2026.
    def unborn(n, day):
        return cin.Child(id=n, birth=None, expected_birth=day, episodes=[cin.Episode(referral="2025-04-02")])

    kids = [unborn("A", "2025-03-31"), unborn("B", "2025-04-01"), unborn("C", "2026-01-31"),
            unborn("D", "2026-02-01"), unborn("E", "2026-03-01"), unborn("F", "2026-12-31")]
    assert [c for c, _, _ in check("8530Q", 2026, kids, reference_date="2025-04-30")] == ["A", "D", "E", "F"]
    assert [c for c, _, _ in check("8530Q", 2026, kids)] == ["A", "B", "C", "D"]
