"""The rules of a period ending on any date, as pure functions: its window and look-backs (munro.years.Period),
the population year, the data it needs (compute._needs) and the dates refused (series.check_as_at).

The values are worked out from docs/indicators.md, "Any as-at date", by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from munro.errors import MunroError
from munro.indicators.compute import _needs
from munro.indicators.series import check_as_at, series_periods
from munro.years import Period, parse_date

D = dt.date


@pytest.mark.parametrize("end, start", [
    (D(2025, 2, 28), D(2024, 3, 1)),   # whole months: from 1 March, across 29 February 2024
    (D(2024, 2, 29), D(2023, 3, 1)),
    (D(2025, 10, 15), D(2024, 10, 16)),  # not a month end: from the day after a year before
    (D(2025, 10, 31), D(2024, 11, 1)),
    (D(2025, 3, 31), D(2024, 4, 1)),   # the reporting year
    (D(2024, 3, 1), D(2023, 3, 2)),
])
def test_the_12_months_to_any_date(end, start):
    assert Period(end).start == start


@pytest.mark.parametrize("end, months, earlier", [
    (D(2025, 2, 28), 12, D(2024, 2, 29)),  # a month end stays a month end
    (D(2024, 2, 29), 12, D(2023, 2, 28)),
    (D(2025, 10, 15), 12, D(2024, 10, 15)),
    (D(2025, 10, 31), 24, D(2023, 10, 31)),
    (D(2025, 5, 31), 3, D(2025, 2, 28)),
])
def test_look_backs_count_calendar_months(end, months, earlier):
    assert Period(end).earlier(months).end == earlier


@pytest.mark.parametrize("end, population_year", [
    (D(2025, 3, 31), 2025),   # mid-2024: the 30 June inside 2024-25
    (D(2025, 10, 31), 2026),  # 1 Nov 2024 - 31 Oct 2025 holds 30 June 2025
    (D(2025, 6, 30), 2026),   # 1 Jul 2024 - 30 Jun 2025 holds 30 June 2025
    (D(2025, 6, 29), 2025),   # 30 Jun 2024 - 29 Jun 2025 holds 30 June 2024
    (D(2025, 2, 28), 2025),
    (D(2024, 2, 29), 2024),
])
def test_a_rate_takes_the_population_of_the_30_june_inside_the_12_months(end, population_year):
    assert Period(end).population_year == population_year


def test_the_years_a_period_touches_and_its_words():
    assert Period(D(2025, 3, 31)).years == (2025,) and Period(D(2025, 3, 31)).end_words == "31 March"
    assert Period(D(2025, 10, 31)).years == (2025, 2026)
    assert Period(D(2025, 10, 31)).years_words == "2024-25 and 2025-26"
    assert Period(D(2025, 10, 31)).end_words == "31 October 2025"
    assert Period(D(2025, 10, 31)).label == "12 months to 31 October 2025"


def test_a_reporting_year_needs_its_own_return():
    assert _needs("330", Period.of_year(2025), {"330": [2025]}, {}) is None
    assert _needs("330", Period.of_year(2025), {"330": [2024]}, {}) == "needs the 2025 return"
    assert _needs("330", Period.of_year(2025), {}, {}) == "needs the 2025 return (no returns for LA 330 are loaded)"


def test_a_mid_year_period_needs_data_covering_r_and_the_previous_return():
    oct_2025 = Period(D(2025, 10, 31))  # reporting year 2025-26
    assert _needs("330", oct_2025, {"330": [2025, 2026]}, {}) is None
    assert _needs("330", oct_2025, {"330": [2025]}, {}) == (
        "needs the 2026 return or an in-year extract dated on or after 31 October 2025")
    # an in-year extract of 2025-26 dated on or after R covers it; one dated before R, or of the next
    # collection, does not
    assert _needs("330", oct_2025, {"330": [2025]}, {"330": [D(2025, 10, 31)]}) is None
    assert _needs("330", oct_2025, {"330": [2025]}, {"330": [D(2026, 1, 31)]}) is None
    assert _needs("330", oct_2025, {"330": [2025]}, {"330": [D(2025, 9, 30)]}) is not None
    assert _needs("330", oct_2025, {"330": [2025]}, {"330": [D(2026, 4, 30)]}) is not None
    assert _needs("330", oct_2025, {"330": [2025]}, {"331": [D(2025, 11, 30)]}) is not None
    assert _needs("330", oct_2025, {"330": [2026]}, {}) == (
        "needs the 2025 return (for the months before 1 April 2025)")
    assert _needs("330", oct_2025, {}, {}) == (
        "needs the 2026 return or an in-year extract dated on or after 31 October 2025 and the 2025 return "
        "(for the months before 1 April 2025) (no returns for LA 330 are loaded)")


def test_a_series_is_the_same_day_of_each_month_before():
    ends = [p.end for p in series_periods(D(2025, 3, 31), 13)]
    assert ends[0] == D(2024, 3, 31) and ends[11] == D(2025, 2, 28) and ends[-1] == D(2025, 3, 31)
    assert [p.end for p in series_periods(D(2024, 4, 30), 3)] == [D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30)]
    assert [p.end for p in series_periods(D(2025, 10, 15), 2)] == [D(2025, 9, 15), D(2025, 10, 15)]


TODAY = D(2026, 12, 7)


@pytest.mark.parametrize("end, months, loaded, message", [
    (D(2027, 1, 31), 1, None, "2027-01-31 is in the future: give an as-at date on or before today (2026-12-07)"),
    (D(2025, 10, 31), 0, None, "a series has 1 to 36 months, not 0"),
    (D(2025, 10, 31), 37, None, "a series has 1 to 36 months, not 37"),
    (D(2019, 10, 31), 1, {"330": [2021, 2022]},
     "2019-10-31 is before any return loaded for LA 330 (the earliest, 2020-21, starts on 1 April 2020)"),
    (D(2025, 10, 31), 1, {"331": [2025]}, "no returns for LA 330 are loaded: load one with `munro ingest`"),
])
def test_what_cannot_be_computed_is_refused_in_one_line(end, months, loaded, message):
    with pytest.raises(MunroError) as e:
        check_as_at(end, months, loaded=loaded, la="330", today=TODAY)
    assert str(e.value) == message


def test_a_date_outside_the_calendar_is_refused():
    with pytest.raises(MunroError, match="outside munro's calendar"):
        check_as_at(D(1990, 3, 31), today=TODAY)


@pytest.mark.parametrize("text, message", [
    ("2025-02-29", "'2025-02-29' is not a date in the calendar: there is no 29 February 2025"),
    ("10 Oct 2025", "'10 Oct 2025' is not a date: give one as YYYY-MM-DD or DD/MM/YYYY, such as 2025-10-31"),
    ("31/02/2025", "'31/02/2025' is not a date in the calendar: there is no 31 February 2025"),
])
def test_a_date_that_is_not_one(text, message):
    with pytest.raises(MunroError) as e:
        parse_date(text)
    assert str(e.value) == message


def test_a_date_is_read_as_the_local_files_and_ingest_read_one():
    # ISO as the census writes dates (a time of day dropped), or day first as LAs do (/, . or -): every date
    # option, local record, import and Annex A cell is read by this one reader.
    got = [parse_date(t) for t in ("2025-10-31", "31/10/2025", " 1/2/2024 ", "31.10.2025", "31-10-2025",
                                  "2025-10-31 09:30:00", "2025-10-31T09:30:00Z")]
    assert got == [D(2025, 10, 31), D(2025, 10, 31), D(2024, 2, 1), *[D(2025, 10, 31)] * 4]


def test_a_date_written_month_first_or_mixed_is_refused_not_guessed():
    for text, why in (("10/31/2025", "there is no month 31"), ("31/10-2025", "give one as YYYY-MM-DD"),
                      ("2025/10/31", "give one as YYYY-MM-DD")):
        with pytest.raises(MunroError, match=why):
            parse_date(text)
