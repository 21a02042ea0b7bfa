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
