"""Golden tests of the items as at any date, on every engine, worked out by hand (docs/indicators.md,
"Any as-at date").

One hand-built LA (201) with returns for 2022-23, 2023-24 and 2024-25, computed for the 12 months to
31 October 2024 (1 November 2023 to 31 October 2024: it crosses 29 February 2024), to 29 February 2024
(1 March 2023 to 29 February 2024) and to 28 February 2025 (1 March 2024 to 28 February 2025), and for
the reporting year 2023-24, which is not cut at R (its figures are final: the latest return wins).
For a period ending R on another day, anything dated after R has not yet happened: an episode or plan
ending after R is open at R, a closure reason recorded after R is not known, an assessment authorised
after R is not completed, and a referral after R does not exist.

The population is 10,000 for 2023-24 and 20,000 for 2024-25, so a rate per 10,000 is the count (2023-24)
or half of it (2024-25). A mid-year period takes the population of the 30 June inside its 12 months:
30 June 2024 for the 12 months to 31 October 2024 and to 28 February 2025 (2024-25: 20,000), 30 June 2023
for those to 29 February 2024 (2023-24: 10,000).

The episodes (referral -> closure, reason RC1 unless said), and the returns that hold them:

    A1   2023-11-01 -> 2024-11-15; assessment 2023-11-02 -> authorised 2023-11-30    2024, 2025
    A2   2023-10-31 -> 2024-02-29                                                  2024
    A3   2024-02-29 -> 2024-03-01, RC8 (not in need after assessment)              2024
    A5   2024-03-01 -> 2025-03-01                                                  2024, 2025
    P1   2024-05-01 -> 2024-11-01 (Fri); plan 2024-06-03 -> 2024-10-31 (Thu)        2025
    P2   2023-12-01 -> 2024-02-29; plan 2024-01-10 -> 2024-02-29                    2024
         2025-02-28 -> open                                                        2025
    P3   2023-09-01 -> 2024-12-01 (Sun); plan 2023-09-20 -> 2024-11-20 (Wed)        2024 (open), 2025
    S1   2024-10-01 -> open; assessment 2024-10-02 -> authorised 2024-11-05         2025
    Q1   2022-06-01 -> 2022-12-20; plan 2022-07-01 -> 2022-12-15                    2023
         2023-12-01 -> 2024-01-15                                                  2024
    Q2   2023-01-10 -> 2023-10-31; plan 2023-02-01 -> 2023-10-31                    2023 (open), 2024
         2024-10-31 -> open                                                        2025
    Q3   2022-05-01 -> 2022-11-01; plan 2022-06-01 -> 2022-11-01                    2023
         2023-11-02 -> 2023-11-03                                                  2024
"""

from __future__ import annotations

import datetime as dt

import pytest

import engine_support
from engine_support import differences
from munro.engines import connect
from munro.indicators.compute import as_json, compute_keys, compute_years
from munro.indicators.context import Key
from munro.indicators.series import compute_as_at, compute_series, series_as_json
from munro.loading import ingest_file
from munro.years import Period

LA = "201"
POPULATION = {(LA, 2024): 10_000, (LA, 2025): 20_000}
OCT_2024, FEB_2024, FEB_2025 = dt.date(2024, 10, 31), dt.date(2024, 2, 29), dt.date(2025, 2, 28)
ITEMS = ["referral_rate", "referral_outcome", "cin_rate", "cpp_rate", "cpp_end_outcome", "assessment_rate",
         "assessment_timeliness", "rereferral_after_cpp_12m"]


def _returns(cin) -> dict[int, str]:
    C, E, P, A = cin.Child, cin.Episode, cin.Plan, cin.Assessment

    def ep(referral, closure=None, reason=None, **kw):
        return E(referral=referral, closure=closure, reason=(reason or "RC1") if closure else None, **kw)

    a1 = dict(assessments=[A("2023-11-02", auth="2023-11-30")])
    return {
        2023: cin.xml(2023, [
            C(id="Q1", episodes=[ep("2022-06-01", "2022-12-20", plans=[P("2022-07-01", "2022-12-15")])]),
            C(id="Q2", episodes=[ep("2023-01-10", plans=[P("2023-02-01")])]),
            C(id="Q3", episodes=[ep("2022-05-01", "2022-11-01", plans=[P("2022-06-01", "2022-11-01")])]),
        ]),
        2024: cin.xml(2024, [
            C(id="A1", episodes=[ep("2023-11-01", **a1)]),
            C(id="A2", episodes=[ep("2023-10-31", "2024-02-29")]),
            C(id="A3", episodes=[ep("2024-02-29", "2024-03-01", "RC8")]),
            C(id="A5", episodes=[ep("2024-03-01")]),
            C(id="P2", episodes=[ep("2023-12-01", "2024-02-29", plans=[P("2024-01-10", "2024-02-29")])]),
            C(id="P3", episodes=[ep("2023-09-01", plans=[P("2023-09-20")])]),
            C(id="Q1", episodes=[ep("2023-12-01", "2024-01-15")]),
            C(id="Q2", episodes=[ep("2023-01-10", "2023-10-31", plans=[P("2023-02-01", "2023-10-31")])]),
            C(id="Q3", episodes=[ep("2023-11-02", "2023-11-03")]),
        ]),
        2025: cin.xml(2025, [
            C(id="A1", episodes=[ep("2023-11-01", "2024-11-15")]),
            C(id="A5", episodes=[ep("2024-03-01", "2025-03-01")]),
            C(id="P1", episodes=[ep("2024-05-01", "2024-11-01", plans=[P("2024-06-03", "2024-10-31")])]),
            C(id="P2", episodes=[ep("2025-02-28")]),
            C(id="P3", episodes=[ep("2023-09-01", "2024-12-01", plans=[P("2023-09-20", "2024-11-20")])]),
            C(id="S1", episodes=[ep("2024-10-01", assessments=[A("2024-10-02", auth="2024-11-05")])]),
            C(id="Q2", episodes=[ep("2024-10-31")]),
        ]),
    }


@pytest.fixture(scope="module")
def store(cin, tmp_path_factory):
    db = tmp_path_factory.mktemp("as_at") / "store.duckdb"
    for year, text in sorted(_returns(cin).items()):
        path = db.parent / f"cin_{LA}_{year}.xml"
        path.write_text(text, encoding="utf-8")
        assert ingest_file(db, path, workers=1).error is None
    return db


@pytest.fixture(scope="module", params=engine_support.ENGINES)
def engine(request, store):
    with engine_support.engine_for(request.param, store) as e:
        yield e


@pytest.fixture(scope="module")
def found(engine):
    """Every period of the module computed in one pass: Period -> {item: ItemResult}."""
    periods = [Period(OCT_2024), Period(FEB_2024), Period(FEB_2025), Period.of_year(2024)]
    got = compute_keys(engine, [LA], periods, ITEMS, population=POPULATION)
    return {p: got[Key(LA, p)] for p in periods}


def test_the_12_months_to_31_october_2024(found):
    r = found[Period(OCT_2024)]
    # Referrals 1 Nov 2023 to 31 Oct 2024: A1 (the first day), A3 (29 Feb), A5, P1, P2's first, S1, Q1's and
    # Q3's second, Q2's second (on R itself) = 9; A2 (31 Oct 2023) is the day before, P2's second after R.
    assert (r["referral_rate"].count, r["referral_rate"].value) == (9, pytest.approx(4.5))
    assert r["referral_rate"]["population"] == 20_000
    # A3 closed on 1 March 2024 as not in need (RC8): known at R. service = 9 - 1 = 8.
    assert r["referral_outcome"].groups["not_in_need"]["count"] == 1
    assert (r["referral_outcome"].numerator, r["referral_outcome"].denominator) == (8, 9)
    # Open at R: A1 (closes 15 Nov 2024), A5, P1 (closes 1 Nov 2024, after R: open), P3, S1, Q2 (referred on R).
    assert (r["cin_rate"].count, r["cin_rate"].value) == (6, pytest.approx(3.0))
    # P3's plan ends 20 Nov 2024, after R: open; P1's ends on R: not open.
    assert (r["cpp_rate"].count, r["cpp_rate"].value) == (1, pytest.approx(0.5))
    # Plans ended in the 12 months: P2 (29 Feb 2024; episode closed the same day: closed) and P1 (Thu 31 Oct
    # 2024, on R; its episode closes Fri 1 Nov, after R: not yet closed at R, so stepped down).
    c = r["cpp_end_outcome"]
    assert (c.numerator, c.denominator, c["cin_closed"], c["stepped_down"]) == (1, 2, 1, 1)
    # Authorised in the 12 months: A1's (30 Nov 2023). S1's, authorised 5 Nov 2024, is not completed at R.
    assert r["assessment_rate"].count == 1
    # A1's: Thu 2 Nov 2023 -> Thu 30 Nov 2023 = 20 working days (Nov 3; 6-10; 13-17; 20-24; 27-30).
    t = r["assessment_timeliness"]
    assert (t.numerator, t.denominator, t["median"]) == (1, 1, 20)
    # Look-back: plans that ended in the 12 months to 31 Oct 2023 (1 Nov 2022 to 31 Oct 2023): Q3 (1 Nov 2022;
    # referred again 2 Nov 2023, a day after 12 months), Q1 (15 Dec 2022; again 1 Dec 2023) and Q2 (31 Oct 2023;
    # again 31 Oct 2024, exactly 12 months, on R) -> 2 of 3.
    rr = r["rereferral_after_cpp_12m"]
    assert (rr.numerator, rr.denominator) == (2, 3) and rr.value == pytest.approx(200 / 3)
    assert (rr["cohort_start"], rr["cohort_end"]) == ("2022-11-01", "2023-10-31")


def test_the_12_months_to_29_february_2024(found):
    r = found[Period(FEB_2024)]
    # Referrals 1 Mar 2023 to 29 Feb 2024: A1, A2, A3 (on R), P2's first, P3, Q1's and Q3's second = 7.
    assert (r["referral_rate"].count, r["referral_rate"].value) == (7, pytest.approx(7.0))
    assert r["referral_rate"]["population"] == 10_000
    # A3 closes on 1 March 2024, after R: at R it is open, its reason for closure not yet recorded.
    assert r["referral_outcome"].groups["not_in_need"]["count"] == 0
    assert (r["referral_outcome"].numerator, r["referral_outcome"].denominator) == (7, 7)
    # Open at 29 Feb 2024: A1, A3, P3 (A2 and P2 close on R itself: not open).
    assert (r["cin_rate"].count, r["cin_rate"].value) == (3, pytest.approx(3.0))
    assert (r["cpp_rate"].count, r["cpp_rate"].value) == (1, pytest.approx(1.0))  # P3; P2's ends on R
    # Plans ended: Q2 (31 Oct 2023) and P2 (29 Feb 2024), both episodes closed the same day.
    c = r["cpp_end_outcome"]
    assert (c.numerator, c.denominator, c["cin_closed"]) == (2, 2, 2)
    assert r["assessment_rate"].count == 1  # A1's
    # The cohort of the 12 months to 28 Feb 2023 (1 Mar 2022 to 28 Feb 2023) needs 2021-22, not loaded.
    rr = r["rereferral_after_cpp_12m"]
    assert rr.value is None
    assert rr.reason == "needs the 2022 return (plans that ended between 2022-03-01 and 2023-02-28)"


def test_the_12_months_to_28_february_2025(found):
    r = found[Period(FEB_2025)]
    # Referrals 1 Mar 2024 to 28 Feb 2025: A5 (the first day), P1, S1, Q2's second, P2's second (on R) = 5;
    # A3 (29 Feb 2024) is the day before.
    assert (r["referral_rate"].count, r["referral_rate"].value) == (5, pytest.approx(2.5))
    # Open at 28 Feb 2025: A5 (closes 1 Mar 2025), P2's second, S1, Q2's second.
    assert (r["cin_rate"].count, r["cin_rate"].value) == (4, pytest.approx(2.0))
    assert (r["cpp_rate"].count, r["cpp_rate"].value) == (0, pytest.approx(0.0))
    # Plans ended: P1 (Thu 31 Oct 2024; closed Fri 1 Nov: 1 working day, known by R: closed) and P3 (Wed
    # 20 Nov 2024; closed Sun 1 Dec: 7 working days: stepped down).
    c = r["cpp_end_outcome"]
    assert (c.numerator, c.denominator, c["cin_closed"], c["stepped_down"]) == (1, 2, 1, 1)
    # S1's: Wed 2 Oct 2024 -> Tue 5 Nov 2024 = 24 working days (Oct 3-4; 7-11; 14-18; 21-25; 28-31; Nov 1; 4-5).
    t = r["assessment_timeliness"]
    assert (r["assessment_rate"].count, t.numerator, t.denominator, t["median"]) == (1, 1, 1, 24)
    # The cohort: plans that ended in the 12 months to 29 Feb 2024 (the month end a year before: 1 Mar 2023 to
    # 29 Feb 2024): Q2 (31 Oct 2023; again 31 Oct 2024) and P2 (29 Feb 2024; again 28 Feb 2025, which is
    # 29 Feb 2024 + 12 months) -> 2 of 2.
    rr = r["rereferral_after_cpp_12m"]
    assert (rr.numerator, rr.denominator, rr.value) == (2, 2, pytest.approx(100.0))
    assert (rr["cohort_start"], rr["cohort_end"]) == ("2023-03-01", "2024-02-29")


def test_a_reporting_year_is_final_not_cut_at_31_march(found):
    """2023-24 with the 2024-25 return loaded: A3's closure (1 March 2024) and everything after R as the latest
    return has it, exactly as the reporting year is computed (definitions.md section 1)."""
    r = found[Period.of_year(2024)]
    # Referrals 1 Apr 2023 to 31 Mar 2024: A1, A2, A3, A5, P2's first, P3, Q1's and Q3's second = 8; A3 not in need.
    assert (r["referral_outcome"].numerator, r["referral_outcome"].denominator) == (7, 8)
    assert (r["referral_rate"].count, r["referral_rate"].value) == (8, pytest.approx(8.0))
    # Open at 31 Mar 2024: A1, A5, P3.
    assert r["cin_rate"].count == 3


def test_31_march_as_at_is_the_reporting_year(engine):
    year = compute_years(engine, LA, [2024, 2025], ITEMS, POPULATION)
    for y in (2024, 2025):
        got = compute_as_at(engine, LA, dt.date(y, 3, 31), ITEMS, POPULATION)
        assert (got["period"], got["as_at"], got["start"]) == (f"{y - 1}-{y % 100:02d}", f"{y}-03-31", f"{y - 1}-04-01")
        assert differences(as_json(got)["items"], as_json(year[y])["items"]) == []


@pytest.fixture(scope="module")
def duckdb_series(store):
    with connect(store) as e:
        return compute_series(e, LA, FEB_2025, 24, ITEMS, POPULATION)


def test_a_24_month_series_in_one_pass_is_each_month_alone(store, duckdb_series):
    ends = [p["as_at"] for p in duckdb_series["periods"]]
    assert (len(ends), ends[0], ends[11], ends[-1]) == (24, "2023-03-31", "2024-02-29", "2025-02-28")
    with connect(store) as e:
        for point in duckdb_series["periods"]:
            alone = compute_as_at(e, LA, dt.date.fromisoformat(point["as_at"]), ITEMS, POPULATION)
            assert differences(as_json(point), as_json(alone)) == [], point["as_at"]
    assert duckdb_series["periods"][-1]["items"]["cin_rate"].count == 4  # as the 12 months to 28 February 2025


def test_the_series_is_the_same_on_every_engine(engine, duckdb_series):
    got = compute_series(engine, LA, FEB_2025, 24, ITEMS, POPULATION)
    assert differences(series_as_json(got), series_as_json(duckdb_series)) == []


def test_a_period_says_which_returns_it_needs(engine):
    """31 March 2022 needs its own return; 30 April 2022 (reporting year 2022-23, loaded) the one before too."""
    got = compute_keys(engine, [LA], [Period(dt.date(2022, 3, 31)), Period(dt.date(2022, 4, 30))], ["cin_rate"])
    assert got[Key(LA, Period(dt.date(2022, 3, 31)))]["cin_rate"].reason == "needs the 2022 return"
    assert got[Key(LA, Period(dt.date(2022, 4, 30)))]["cin_rate"].reason == (
        "needs the 2022 return (for the months before 1 April 2022)")
