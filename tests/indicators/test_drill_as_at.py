"""The drill-down as at a date that only an in-year extract covers (munro.indicators.drill.breakdown).

tests/indicators/test_drill.py's LA 201 as an analyst would have it on 30 September 2024: the 2023-24
return (one child closed before the window) and a 2024-25 in-year extract dated 30 September 2024 holding
what had happened by then (B2's episode still open; F1 not yet referred), with the same allocations. At 30
September 2024, worked out by hand: B1's North allocation (W1) ended that day, so it is not open at R, and
its South one (W3) starts on 1 October: B1 stays with W1, who last held it. Assessments in the 12 months
(1 October 2023 to 30 September 2024): A1 5 working days (W1), A2 10 (W2), B1 50 (W1; not within 45), B2 5
(W3), U1 20 (no allocation). So by worker W1 1 of 2, W2 1 of 1, W3 1 of 1, Unallocated 1 of 1; by team
North (A1, A2, B1) 2 of 3, South (B2) 1 of 1.
"""

from __future__ import annotations

import datetime as dt

import pytest
from golden import load

from drill_support import allocations
from munro.errors import MunroError
from munro.indicators.drill import UNALLOCATED, breakdown
from munro.loading import ingest_file
from munro.years import Period

R = dt.date(2024, 9, 30)


@pytest.fixture(scope="module")
def store(tmp_path_factory, cin):
    db = tmp_path_factory.mktemp("drill-extract") / "store.duckdb"
    E, A = cin.Episode, cin.Assessment

    def child(cid, start, auth):
        return cin.Child(id=cid, episodes=[E(referral="2024-05-01", assessments=[A(start, auth=auth)])])

    kids = [child("A1", "2024-06-03", "2024-06-10"), child("A2", "2024-06-03", "2024-06-17"),
            child("B1", "2024-06-03", "2024-08-12"), child("B2", "2024-07-01", "2024-07-08"),
            child("U1", "2024-06-03", "2024-07-01")]
    load(db, {2024: cin.xml(2024, [cin.Child(id="Z1", episodes=[E(referral="2023-05-01", closure="2023-06-01",
                                                                   reason="RC1")])])})
    path = db.parent / "cin_201_2024-09-30.xml"
    path.write_text(cin.xml(2025, kids, reference_date=R.isoformat()), encoding="utf-8")
    assert ingest_file(db, path, workers=1).error is None
    allocations(db)
    return db


def test_as_at_the_extracts_date_without_the_years_return(store):
    b = breakdown(store, "201", Period(R), ["assessment_timeliness"], by="worker")
    got = {u: (r.numerator, r.denominator) for u, r in b.items["assessment_timeliness"].items()}
    assert got == {"W1": (1, 2), "W2": (1, 1), "W3": (1, 1), UNALLOCATED: (1, 1)}
    t = breakdown(store, "201", Period(R), ["assessment_timeliness"], by="team")
    assert {u: r.denominator for u, r in t.items["assessment_timeliness"].items()} == {
        "North": 3, "South": 1, UNALLOCATED: 1}
    assert (t.total["assessment_timeliness"].numerator, t.total["assessment_timeliness"].denominator) == (4, 5)


def test_a_date_after_the_extract_is_one_line(store):
    with pytest.raises(MunroError, match=r"^cannot break down LA 201's figures for the 12 months to 31 October "
                                         r"2024: the period needs the 2025 return or an in-year extract dated on "
                                         r"or after 31 October 2024 \(munro ingest loads it\)$"):
        breakdown(store, "201", Period(dt.date(2024, 10, 31)), ["assessment_timeliness"], by="team")


def test_a_figure_without_records_says_its_own_12_months(store):
    # No section 47 enquiry is in the returns: the reason names the 12 months, not "the year" (which would
    # read as 2024-25, still under way on 30 September 2024).
    t = breakdown(store, "201", Period(R), ["s47_to_icpc_timeliness"], by="team")
    assert t.total["s47_to_icpc_timeliness"].reason == (
        "no initial child protection conferences in the 12 months to 30 September 2024")
