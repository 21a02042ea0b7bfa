"""Golden tests: Timeliness items (definitions.md section 2), worked out by hand.

Working days exclude weekends and England bank holidays; those met here:
2022: Fri 15 Apr and Mon 18 Apr (Easter), Thu 2 and Fri 3 Jun (jubilee),
Mon 19 Sep (state funeral), Mon 26 and Tue 27 Dec; 2023: Mon 2 Jan;
2024: Fri 29 Mar and Mon 1 Apr (Easter), Mon 27 May (spring bank holiday). A
duration from a to b counts the working days d with a < d <= b; one whose end date
is before its start date is negative, whatever that count (a start on Sunday 26 May
2024 and an end on Friday 24 May is 0 working days, yet negative).
"""

from __future__ import annotations

import golden
import pytest
from golden import items, load, run

from munro.calendar import working_days_between
from munro.indicators.compute import ITEMS, compute
from munro.indicators.context import Context, flag, span
from munro.years import Period


def one(cin, cid, referral, **episode):
    """A child with one episode."""
    return cin.Child(id=cid, episodes=[cin.Episode(referral=referral, **episode)])


def A(cin, start, auth=None, factors=None):
    return cin.Assessment(start, auth=auth, factors=factors)


# ---------------------------------------------------------------- assessment_timeliness


@pytest.fixture
def assessments_store(cin, db):
    """Year 2023 (1 Apr 2022 - 31 Mar 2023), one assessment per child; referral = assessment start."""
    cases = [
        # id, start, authorised: working days (worked out by hand)
        ("A1", "2022-09-16", "2022-09-20"),  # Fri -> Tue over Mon 19 Sep (funeral): Tue 20 = 1
        ("A2", "2022-06-01", "2022-06-01"),  # same day = 0
        ("A3", "2022-04-14", "2022-04-19"),  # Thu -> Tue over Easter (Fri 15, Mon 18 off): Tue 19 = 1
        ("A4", "2022-10-01", "2022-10-07"),  # Sat -> Fri: counts from Mon 3, Mon-Fri = 5
        ("A5", "2022-11-10", "2022-11-01"),  # authorised before it started: excluded
        ("A6", "2022-10-03", "2022-12-05"),  # Mon -> Mon 9 weeks later, no holiday: 9 x 5 = 45
        ("A7", "2022-10-03", "2022-12-06"),  # one more day: 46
        ("A8", "2022-12-23", "2023-01-03"),  # Fri -> Tue: Wed 28, Thu 29, Fri 30 Dec, Tue 3 Jan = 4
        ("A10", "2023-03-27", "2023-03-31"),  # authorised on 31 March (in the year): Tue-Fri = 4
        ("A11", "2023-03-27", "2023-04-03"),  # authorised after 31 March: not in the year
        ("A12", "2022-03-01", "2022-03-31"),  # authorised before 1 April 2022: not in the year
        ("A13", "2022-05-03", None),          # not authorised: not in the population
    ]
    children = [one(cin, cid, s, assessments=[A(cin, s, a)]) for cid, s, a in cases]
    return load(db, {2023: cin.xml(2023, children)})


def test_assessment_timeliness(assessments_store):
    r = items(assessments_store, 2023, "assessment_timeliness")["assessment_timeliness"]
    # measured: A1 1, A2 0, A3 1, A4 5, A6 45, A7 46, A8 4, A10 4 -> 8; A5 negative -> excluded
    assert r.count == 8 and r.excluded == 1
    # sorted 0 1 1 4 4 5 45 46; within 45: all but A7 = 7
    assert r["within_45"] == 7 and r.numerator == 7 and r.denominator == 8
    assert r.value == pytest.approx(7 / 8 * 100)  # 87.5
    # numpy linear: p25 at rank 1.75 -> 1 + .75(1-1) = 1; median at 3.5 -> (4+4)/2 = 4;
    # p75 at 5.25 -> 5 + .25(45-5) = 15
    assert (r["p25"], r["median"], r["p75"]) == (1.0, 4.0, 15.0)
    assert r.bands == {"same_day": 1, "1_10": 5, "11_20": 0, "21_30": 0, "31_40": 0, "41_45": 1,
                       "46_50": 1, "51_60": 0, "61_plus": 0}
    assert r.unit == "percent"


def test_assessment_timeliness_from_referral(cin, db):
    """From the episode's referral to the authorisation of its first assessment (year 2023)."""
    f1 = one(cin, "F1", "2022-09-16", assessments=[
        A(cin, "2022-09-20", "2022-09-23"),  # first: start Tue -> Fri = 3; from referral Fri 16 -> Fri 23
        A(cin, "2022-10-03", "2022-10-05"),  # (Mon 19 off) = Tue-Fri 4.  Second: Mon -> Wed = 2
    ])
    # F2: the first assessment was authorised in 2021-22 (only in the 2022 return); the
    # second, authorised in the year, is not the first: F2 is not in from_referral.
    f2_2022 = one(cin, "F2", "2022-02-01", assessments=[A(cin, "2022-02-02", "2022-03-10")])
    f2_2023 = one(cin, "F2", "2022-02-01", assessments=[A(cin, "2022-04-04", "2022-04-08")])  # Mon -> Fri = 4
    f3 = one(cin, "F3", "2022-06-01", assessments=[A(cin, "2022-06-06")])  # first not authorised: neither
    # F4: the assessment started before the referral was recorded: from the referral (Thu 12 Jan)
    # to authorisation (Wed 11 Jan) is negative -> excluded there; start Mon 9 -> Wed 11 = 2.
    f4 = one(cin, "F4", "2023-01-12", assessments=[A(cin, "2023-01-09", "2023-01-11")])
    load(db, {2022: cin.xml(2022, [f2_2022]), 2023: cin.xml(2023, [f1, f2_2023, f3, f4])})
    r = items(db, 2023, "assessment_timeliness")["assessment_timeliness"]
    # all assessments authorised in the year: F1 3 and 2, F2 4, F4 2 -> sorted 2 2 3 4
    assert r.count == 4 and r.excluded == 0 and r["within_45"] == 4 and r.value == 100.0
    assert (r["p25"], r["median"], r["p75"]) == (2.0, 2.5, 3.25)  # ranks .75, 1.5, 2.25
    fr = r["from_referral"]
    assert fr["count"] == 1 and fr["excluded"] == 1  # F1 (4); F4 negative
    assert fr["within_45"] == 1 and fr["value"] == 100.0
    assert fr["median"] == 4.0 and fr["bands"]["1_10"] == 1 and sum(fr["bands"].values()) == 1


def test_assessment_leap_day_easter_and_two_returns(cin, db):
    """An assessment across 29 February 2024, another across Easter 2024 and 31 March, whose
    authorisation is only in the 2025 return (the episode is in both returns)."""
    ep = dict(referral="2024-02-20")
    c24 = cin.Child(id="L1", episodes=[cin.Episode(**ep, assessments=[
        A(cin, "2024-02-28", "2024-03-01"),  # Wed -> Fri: Thu 29 Feb, Fri 1 Mar = 2
        A(cin, "2024-03-28"),                # not yet authorised at 31 March 2024
    ])])
    c25 = cin.Child(id="L1", episodes=[cin.Episode(**ep, assessments=[
        A(cin, "2024-03-28", "2024-04-02"),  # Thu -> Tue: Fri 29 Mar, Mon 1 Apr off: Tue 2 = 1
    ])])
    load(db, {2024: cin.xml(2024, [c24]), 2025: cin.xml(2025, [c25])})
    r24 = items(db, 2024, "assessment_timeliness")["assessment_timeliness"]
    assert r24.count == 1 and r24["median"] == 2.0 and r24.bands["1_10"] == 1
    r25 = items(db, 2025, "assessment_timeliness")["assessment_timeliness"]
    assert r25.count == 1 and r25["median"] == 1.0
    # first assessment of the episode (started 28 Feb) was authorised in 2023-24, not 2024-25
    assert r25["from_referral"]["count"] == 0 and r25["from_referral"]["value"] is None
    # in 2024 it is: referral Tue 20 Feb -> Fri 1 Mar = Wed 21 .. Fri 1 Mar = 8
    assert r24["from_referral"]["median"] == 8.0


# ---------------------------------------------------------------- s47_to_icpc_timeliness


def test_s47_to_icpc_timeliness(cin, db):
    cases = [
        # id, enquiry start, initial conference: working days
        ("S1", "2022-09-05", "2022-09-26"),  # 6-9 Sep 4, 12-16 5, 20-23 4 (19 off), Mon 26 1 = 14
        ("S2", "2022-09-05", "2022-09-27"),  # + Tue 27 = 15 (within 15)
        ("S3", "2022-08-01", "2022-08-24"),  # 2-5 Aug 4, 8-12 5, 15-19 5, 22-24 3 = 17
        ("S4", "2022-07-01", "2022-07-01"),  # same day = 0
        ("S5", "2022-05-29", "2022-06-17"),  # Sun: 30, 31 May, 1 Jun (2, 3 Jun off) 3 + 6-17 Jun 10 = 13
        ("S6", "2022-10-10", "2022-10-07"),  # conference before the enquiry: excluded
        ("S7", "2023-03-20", "2023-04-05"),  # conference after 31 March: not in the year
        ("S8", "2022-06-01", None),          # no conference: not in the population
        ("S9", "2022-11-28", "2023-01-04"),  # 29 Nov-2 Dec 4, 5, 5, 5, 28-30 Dec 3, 3-4 Jan 2 = 24
    ]
    children = [one(cin, cid, s, s47=[cin.S47(s, icpc=i)]) for cid, s, i in cases]
    load(db, {2023: cin.xml(2023, children)})
    r = items(db, 2023, "s47_to_icpc_timeliness")["s47_to_icpc_timeliness"]
    # measured 14 15 17 0 13 24 -> sorted 0 13 14 15 17 24; within 15: 0 13 14 15 = 4 of 6
    assert r.count == 6 and r.excluded == 1 and r["within_15"] == 4
    assert r.value == pytest.approx(4 / 6 * 100)
    # ranks 1.25 -> 13.25, 2.5 -> 14.5, 3.75 -> 15 + .75 x 2 = 16.5
    assert (r["p25"], r["median"], r["p75"]) == (13.25, 14.5, 16.5)
    assert r.bands == {"0_10": 1, "11_15": 3, "16_20": 1, "21_plus": 1}


# ---------------------------------------------------------------- negative spans, told by their dates

# Year 2025 (1 Apr 2024 - 31 Mar 2025). Sat 25, Sun 26 and Mon 27 May 2024 (spring bank holiday) are not
# working days, so a span from any of them back to Fri 24 May has no working day in it: 0 by the count,
# negative by the dates. Sat 25 -> Mon 27 May is 0 too, and valid.


def test_assessments_authorised_before_a_weekend_or_holiday_start_are_excluded(cin, db):
    cases = [
        # id, referral, assessment start, authorised: working days (start -> authorised; from referral)
        ("N1", "2024-05-26", "2024-05-26", "2024-05-24"),  # Sun -> Fri before: negative; and from referral
        ("N2", "2024-05-27", "2024-05-27", "2024-05-24"),  # Mon (holiday) -> Fri before: negative; both
        ("N3", "2024-05-25", "2024-05-25", "2024-05-24"),  # Sat -> Fri before: negative; both
        ("N4", "2024-05-25", "2024-05-25", "2024-05-27"),  # Sat -> Mon (holiday): 0, valid; both
        ("N5", "2024-06-01", "2024-06-01", "2024-06-03"),  # Sat -> Mon 3 Jun: 1; both
        # started the Friday before its referral on the holiday: same day 0; from referral negative
        ("N6", "2024-05-27", "2024-05-24", "2024-05-24"),
        ("N7", "2024-05-24", "2024-05-24", "2024-05-28"),  # Fri -> Tue (Sat, Sun, Mon off): 1; both
    ]
    children = [one(cin, cid, ref, assessments=[A(cin, s, a)]) for cid, ref, s, a in cases]
    load(db, {2025: cin.xml(2025, children)})
    r = items(db, 2025, "assessment_timeliness")["assessment_timeliness"]
    # measured N4 0, N5 1, N6 0, N7 1; N1, N2, N3 excluded
    assert (r.count, r.excluded, r["within_45"], r.denominator) == (4, 3, 4, 4) and r.value == 100.0
    # sorted 0 0 1 1: ranks .75 -> 0, 1.5 -> .5, 2.25 -> 1
    assert (r["p25"], r["median"], r["p75"]) == (0.0, 0.5, 1.0)
    assert r.bands["same_day"] == 2 and r.bands["1_10"] == 2 and sum(r.bands.values()) == 4
    fr = r["from_referral"]
    # N4 0, N5 1, N7 1; N1, N2, N3, N6 excluded. sorted 0 1 1: ranks .5 -> .5, 1 -> 1, 1.5 -> 1
    assert (fr["count"], fr["excluded"], fr["within_45"], fr["value"]) == (3, 4, 3, 100.0)
    assert (fr["p25"], fr["median"], fr["p75"]) == (0.5, 1.0, 1.0)
    assert fr["bands"]["same_day"] == 1 and fr["bands"]["1_10"] == 2


def test_conferences_before_a_weekend_or_holiday_enquiry_start_are_excluded(cin, db):
    cases = [
        # id, enquiry start, initial conference: working days
        ("Q1", "2024-05-26", "2024-05-24"),  # Sun -> Fri before (0 by the count): negative, excluded
        ("Q2", "2024-05-27", "2024-05-24"),  # Mon (holiday) -> Fri before: negative, excluded
        ("Q3", "2024-05-25", "2024-05-24"),  # Sat -> Fri before: negative, excluded
        ("Q4", "2024-05-25", "2024-05-27"),  # Sat -> Mon (holiday): 0, valid
        ("Q5", "2024-06-01", "2024-06-03"),  # Sat -> Mon: 1
        ("Q6", "2024-05-28", "2024-05-24"),  # Tue -> Fri before: negative (-1 by the count too)
        # Sun -> Tue 18 Jun: Mon 27 off; 28-31 May 4, 3-7 Jun 5, 10-14 Jun 5, Mon 17, Tue 18 = 16
        ("Q7", "2024-05-26", "2024-06-18"),
    ]
    children = [one(cin, cid, "2024-05-20", s47=[cin.S47(s, icpc=i)]) for cid, s, i in cases]
    load(db, {2025: cin.xml(2025, children)})
    r = items(db, 2025, "s47_to_icpc_timeliness")["s47_to_icpc_timeliness"]
    # measured 0 1 16; within 15: 2 of 3
    assert (r.count, r.excluded, r["within_15"], r.denominator) == (3, 4, 2, 3)
    assert r.value == pytest.approx(2 / 3 * 100)
    # ranks .5 -> .5, 1 -> 1, 1.5 -> 1 + .5 x 15 = 8.5
    assert (r["p25"], r["median"], r["p75"]) == (0.5, 1.0, 8.5)
    assert r.bands == {"0_10": 2, "11_15": 0, "16_20": 1, "21_plus": 0}


# ---------------------------------------------------------------- cin_duration


def test_cin_duration(cin, db):
    """Year 2025: R = 31 March 2025; 29 February 2024 is inside some spans."""
    open_cases = [
        # id, referral: band (e = R = 2025-03-31), days
        ("O1", "2025-01-01"),  # s+3m = 1 Apr > R: up_to_3m; 30 + 28 + 31 = 89 days
        ("O2", "2024-12-31"),  # s+3m = 31 Mar = R (included): up_to_3m; 31 + 28 + 31 = 90
        ("O3", "2024-12-30"),  # s+3m = 30 Mar < R <= s+6m: 3m_6m; 91
        ("O4", "2024-03-31"),  # s+1y = R: 1y_2y (1 year included); 365
        ("O5", "2024-04-01"),  # s+6m = 1 Oct < R < s+1y = 1 Apr 2025: 6m_1y; 364
        ("O6", "2023-03-31"),  # s+2y = R: 2y_plus; 365 + 366 (29 Feb 2024) = 731
        ("O7", "2023-04-01"),  # s+1y = 1 Apr 2024 <= R < s+2y = 1 Apr 2025: 1y_2y; 730
    ]
    children = [one(cin, cid, s) for cid, s in open_cases]
    children += [
        one(cin, "O8", "2024-06-01", nfa="true"),  # no further action: left out
        # closes on 31 March: not open at R, closed in the year: s+3m = 1 Jan < e <= s+6m = 1 Apr:
        # 3m_6m; 1 Oct -> 31 Mar = 31+30+31+31+28+30 = 181 days
        one(cin, "O9", "2024-10-01", closure="2025-03-31", reason="RC1"),
        # open in the 2025 return, closed 1 May 2025 in the 2026 return: still open at R.
        # s+3m = 1 Feb < R <= s+6m = 1 May: 3m_6m; 1 Nov -> 31 Mar = 30+31+31+28+30 = 150
        one(cin, "O10", "2024-11-01"),
        # closed in the year:
        one(cin, "C1", "2024-02-29", closure="2025-02-28", reason="RC1"),  # s+1y = 28 Feb 2025: 1y_2y; 365
        one(cin, "C2", "2024-06-10", closure="2024-06-10", reason="RC1"),  # same day: up_to_3m; 0
        one(cin, "C3", "2024-09-10", closure="2024-09-01", reason="RC1"),  # closed before referral: excluded
        # referred Sun 26 May 2024, closed Fri 24 May: closed before referral (0 working days between): excluded
        one(cin, "C7", "2024-05-26", closure="2024-05-24", reason="RC1"),
        # referred Sat 25 May, closed Mon 27 May (holiday): 2 calendar days, up_to_3m
        one(cin, "C8", "2024-05-25", closure="2024-05-27", reason="RC1"),
        one(cin, "C4", "2024-01-01", closure="2024-03-31", reason="RC1"),  # closed before the year
        one(cin, "C5", "2024-05-01", closure="2024-05-02", reason="RC1", nfa="true"),  # NFA: left out
        # s+2y = 1 May 2024 = e: 2y_plus; 365 + 366 = 731
        one(cin, "C6", "2022-05-01", closure="2024-05-01", reason="RC1"),
    ]
    later = one(cin, "O10", "2024-11-01", closure="2025-05-01", reason="RC1")
    load(db, {2025: cin.xml(2025, children), 2026: cin.xml(2026, [later])})
    res = run(db, 2025, "cin_duration")
    assert res["history_years"] == [2025, 2026]
    r = res["items"]["cin_duration"]
    o, c = r["open"], r["closed"]
    # open: O1-O7, O10 = 8; 2y_plus: O6 only
    assert o["count"] == 8
    assert o["bands"] == {"up_to_3m": 2, "3m_6m": 2, "6m_1y": 1, "1y_2y": 2, "2y_plus": 1}
    assert o["median"] == (150 + 364) / 2  # sorted 89 90 91 150 364 365 730 731
    assert r.value == pytest.approx(1 / 8 * 100) and r.numerator == 1 and r.denominator == 8
    # closed: C1 365, C2 0, O9 181, C6 731, C8 2; C3, C7 excluded
    assert c["count"] == 5 and c["excluded"] == 2 and r.excluded == 2
    assert c["bands"] == {"up_to_3m": 2, "3m_6m": 1, "6m_1y": 0, "1y_2y": 1, "2y_plus": 1}
    assert c["median"] == 181  # sorted 0 2 181 365 731


# ---------------------------------------------------------------- missing returns, helpers


def test_missing_year_return_gives_null_items_with_reason(cin, db):
    load(db, {2023: cin.xml(2023)})
    res = run(db, 2024)
    assert res["history_years"] == [2023]
    assert set(res["items"]) == set(ITEMS)
    for r in res["items"].values():
        assert r.value is None and r.reason == "needs the 2024 return"
    other = compute(db, "202", 2023, population={"202": 100})
    assert other["history_years"] == [] and "no returns for LA 202" in other["items"]["cin_rate"].reason


def test_empty_population_gives_null_percent_with_reason(cin, db):
    load(db, {2023: cin.xml(2023, [one(cin, "E1", "2022-06-01")])})
    r = items(db, 2023, "s47_to_icpc_timeliness", "assessment_timeliness")
    assert r["s47_to_icpc_timeliness"].value is None and r["s47_to_icpc_timeliness"].count == 0
    assert "no initial child protection conferences" in r["s47_to_icpc_timeliness"].reason
    assert r["assessment_timeliness"].to_dict()["bands"]["same_day"] == 0


def test_working_days_and_percentiles_helpers_match_the_contract(cin, db):
    """The calendar join agrees with munro.calendar, and percentiles with numpy's default, on every
    pair of days around Easter and the funeral (an independent statement of both rules)."""
    import datetime as dt

    import ibis
    import numpy as np
    import pyarrow as pa

    load(db, {2023: cin.xml(2023)})
    days = [dt.date(2022, 4, 10) + dt.timedelta(n) for n in range(12)]
    days += [dt.date(2022, 9, 15) + dt.timedelta(n) for n in range(6)]
    pairs = [(a, b) for a in days for b in days]
    with golden.engine(db) as engine:
        ctx = Context((Period.of_year(2023),), ("201",), engine.tables(["201"]))
        t = ibis.memtable(pa.table({"a": [p[0] for p in pairs], "b": [p[1] for p in pairs]}))
        t = ctx.with_working_days(t, "a", "b", "wd")
        s = span(t.a, t.b, t.wd)
        got = t.mutate(measured=flag(s.measured), excluded=flag(s.excluded), value=s.value).to_pyarrow().to_pylist()
        assert len(got) == len(pairs)
        for row in got:
            if row["a"] <= row["b"]:
                assert row["wd"] == working_days_between(row["a"], row["b"]), row
                assert (row["measured"], row["excluded"], row["value"]) == (1, 0, row["wd"]), row
            else:  # a negative span by its dates, even where the count is 0 (a start on a day off)
                assert row["wd"] <= 0 and (row["wd"] < 0) == (working_days_between(row["b"], row["a"]) > 0)
                assert (row["measured"], row["excluded"], row["value"]) == (0, 1, None), row
        assert any(r["a"] > r["b"] and r["wd"] == 0 for r in got)  # Easter Monday -> Thursday before, etc.
        values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
        v = ibis.memtable(pa.table({"x": values}))
        from munro.indicators.context import percentiles

        q = v.aggregate(**percentiles(v.x)).to_pyarrow().to_pylist()[0]
        assert [q["p25"], q["median"], q["p75"]] == list(np.percentile(values, [25, 50, 75]))


def test_the_period_table_as_the_engine_keeps_it_and_as_drawn_from_the_calendar(cin, db):
    """The periods' rows, where the engine keeps them as a table of the pass (DuckDB) and where every query
    draws them from the calendar (a context without the engine's hook): the same rows, worked out by hand,
    and none for a look-back window that ends before munro's calendar begins (1 January 2000)."""
    import datetime as dt

    load(db, {2023: cin.xml(2023)})
    d = dt.date
    periods = (Period.of_year(2024), Period(d(2024, 10, 31)), Period(d(2000, 12, 31)))
    expected = {
        0: [(0, d(2000, 1, 1), d(2000, 12, 31), d(2000, 12, 31)), (1, d(2023, 4, 1), d(2024, 3, 31), None),
            (2, d(2023, 11, 1), d(2024, 10, 31), d(2024, 10, 31))],
        # the windows 12 months before, under the later period's index and its cut; 31 December 1999 has none
        12: [(1, d(2022, 4, 1), d(2023, 3, 31), None), (2, d(2022, 11, 1), d(2023, 10, 31), d(2024, 10, 31))],
    }
    with golden.engine(db) as engine:
        for hook in (engine.period_table, None):
            ctx = Context(periods, ("201",), engine.tables(["201"]), period_rows=hook)
            for earlier, rows in expected.items():
                got = ctx.period_table(earlier).to_pyarrow().to_pylist()
                assert sorted(tuple(r.values()) for r in got) == rows
                assert ctx.period_table(earlier) is ctx.period_table(earlier)  # one per context, shared by items
