"""Rule 100: the header's ReferenceDate must be 31 March of its collection Year."""

from __future__ import annotations


def test_100_flags_a_reference_date_other_than_31_march(cin, check):
    # A date outside the collection's window (a date inside it is an in-year extract's: issue 22).
    assert check("100", 2024, [cin.Child()], reference_date="2024-04-30") == [(None, "ReferenceDate", "2024-04-30")]
    # A date of the right day in another year is wrong too.
    assert check("100", 2024, [cin.Child()], reference_date="2023-03-31") == [(None, "ReferenceDate", "2023-03-31")]


def test_100_near_miss(cin, check):
    assert check("100", 2024, [cin.Child()]) == []
    assert check("100", 2026, [cin.Child()], reference_date="2026-03-31") == []


def test_a_wrong_reference_date_does_not_move_the_census_year(cin, check):
    # Census-year rules measure from 31 March of the Year, so a closure on 31 March 2024 is
    # inside the 2023-24 year even when the header says 2024-04-02 (only rule 100 reports it; a date
    # inside the year is an in-year extract's, issue 22).
    child = cin.Child(episodes=[cin.Episode(referral="2023-06-01", closure="2024-03-31", reason="RC7")])
    assert check("8620", 2024, [child], reference_date="2024-04-02") == []
