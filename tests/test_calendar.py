"""England working days, checked against counts made by hand from a printed calendar."""

import datetime as dt

import pytest

from munro.calendar import add_working_days, bank_holidays, calendar_table, is_working_day, working_days_between

D = dt.date


@pytest.mark.parametrize(
    "a,b,expected",
    [
        (D(2024, 1, 8), D(2024, 1, 8), 0),     # same day
        (D(2024, 1, 8), D(2024, 1, 9), 1),     # Mon -> Tue: the end day counts, the start does not
        (D(2024, 1, 5), D(2024, 1, 8), 1),     # Fri -> Mon: the weekend is not counted
        (D(2024, 1, 6), D(2024, 1, 8), 1),     # a Saturday start counts from Monday
        (D(2022, 9, 16), D(2022, 9, 20), 1),   # Fri -> Tue over the Queen's state funeral (Mon 19th)
        (D(2023, 5, 5), D(2023, 5, 9), 1),     # Fri -> Tue over the coronation bank holiday (Mon 8th)
        (D(2024, 3, 28), D(2024, 4, 2), 1),    # Thu -> Tue over Good Friday and Easter Monday
        (D(2024, 12, 24), D(2024, 12, 27), 1), # Christmas Eve -> Fri 27th: 25th and 26th are holidays
        (D(2024, 4, 1), D(2025, 3, 31), 254),  # 2 Apr 2024 to 31 Mar 2025: 52 weeks (260 weekdays) less 6 bank holidays
        (D(2024, 1, 9), D(2024, 1, 8), -1),    # a negative span is negative (the items exclude it)
    ],
)
def test_working_days_between(a, b, expected):
    assert working_days_between(a, b) == expected


def test_forty_five_working_days_after_a_referral():
    # Counted on a calendar: 45 working days after Mon 2 Dec 2024, skipping 25-26 Dec and 1 Jan.
    assert add_working_days(D(2024, 12, 2), 45) == D(2025, 2, 6)
    assert add_working_days(D(2024, 12, 2), 0) == D(2024, 12, 2)


def test_one_off_and_weekend_days():
    assert not is_working_day(D(2022, 9, 19))
    assert not is_working_day(D(2023, 5, 8))
    assert not is_working_day(D(2022, 6, 3))  # platinum jubilee
    assert not is_working_day(D(2024, 1, 6))  # Saturday
    assert is_working_day(D(2024, 1, 8))
    assert D(2022, 9, 19) in bank_holidays()


def test_calendar_table_index_gives_the_same_durations():
    table = calendar_table(D(2024, 1, 1), D(2024, 12, 31)).to_pydict()
    index = dict(zip(table["date"], table["wd_index"]))
    assert index[D(2024, 4, 2)] - index[D(2024, 3, 28)] == 1
    assert index[D(2024, 12, 31)] - index[D(2024, 1, 1)] == 254  # 262 weekdays in 2024 less its 8 weekday bank holidays


def test_outside_the_calendar_is_an_error():
    with pytest.raises(ValueError, match="outside munro's calendar"):
        working_days_between(D(1999, 12, 31), D(2000, 1, 5))


def test_the_shipped_holidays_are_the_pinned_packages():
    """data/bank_holidays.csv must be what the installed ``holidays`` package says: after upgrading
    it, run ``python -m munro.calendar`` to write the file again."""
    import csv
    from importlib import resources

    from munro.calendar import package_holidays

    text = resources.files("munro.data").joinpath("bank_holidays.csv").read_text()
    shipped = [D.fromisoformat(row["date"]) for row in
               csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))]
    assert shipped == package_holidays()
    assert D(2023, 5, 8) in shipped and D(2012, 6, 4) in shipped and D(2012, 5, 28) not in shipped
