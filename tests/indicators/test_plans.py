"""Golden tests: Plans items (definitions.md section 2, "Plans") and the items that need data
beyond the CIN census, worked out by hand.

Each store below is small and built for a few items; the expected figures are
worked out in the comments, never taken from munro. Calendar days are end
minus start; "+ 12 months" is calendar arithmetic (29 Feb + 1 year = 28 Feb).
Working days (cpp_end_outcome) exclude weekends and England bank holidays;
those met here: 2023: Mon 8 May (coronation), Mon 29 May (spring bank holiday),
Mon 25 and Tue 26 Dec; 2024: Fri 29 Mar (Good Friday) and Mon 1 Apr (Easter Monday).
A working-day span from a to b counts the working days d with a < d <= b. A span whose
end date is before its start date is negative and excluded, whatever that count: from
Sun 28 or Mon 29 May 2023 back to Fri 26 May is 0 working days, yet negative.
"""

from __future__ import annotations

import json
import re
import types
from pathlib import Path

import golden
import pytest
from golden import items, load, run

from munro.indicators.casework import ITEMS as BEYOND_CENSUS
from munro.indicators.catalogue import item as catalogue_item
from munro.indicators.compute import ITEMS, compute_keys, compute_years
from munro.indicators.context import Key
from munro.indicators.imported import IMPORTED
from munro.indicators.plans import ITEMS as PLANS_ITEMS
from munro.loading import ingest_file
from munro.reference import latest_child_population
from munro.synth import generate
from munro.years import Period

DEFINITIONS = Path(__file__).resolve().parents[3] / "shared" / "framework" / "definitions.md"


def child(cin, cid, *episodes):
    return cin.Child(id=cid, episodes=list(episodes))


# ---------------------------------------------------------------- cpp_lasting_2y, cpp_rate, looked_after_and_cpp


def build_lasting(cin):
    """Reporting year 2024 (1 Apr 2023 - 31 Mar 2024); returns 2023, 2024 and 2025."""
    E, P = cin.Episode, cin.Plan
    y2023 = [
        # open in 2022-23: the 2024 return carries their end dates
        *(child(cin, c, E(referral="2021-05-01", plans=[P("2021-06-01")])) for c in ("L1", "L2", "L3")),
        child(cin, "L4", E(referral="2022-02-01", plans=[P("2022-03-01")])),
        child(cin, "L5", E(referral="2022-02-01", plans=[P("2022-03-01")])),
        child(cin, "L7", E(referral="2022-03-01", plans=[P("2022-04-01")])),
        # ended 31 March 2023: the year before
        child(cin, "L8", E(referral="2020-12-01", closure="2023-03-31", reason="RC1",
                           plans=[P("2021-01-01", "2023-03-31")])),
        child(cin, "O1", E(referral="2022-03-20", plans=[P("2022-04-02")])),
        child(cin, "O2", E(referral="2022-03-20", plans=[P("2022-04-03")])),
    ]
    y2024 = [
        child(cin, "L1", E(referral="2021-05-01", plans=[P("2021-06-01", "2023-05-30")])),
        child(cin, "L2", E(referral="2021-05-01", plans=[P("2021-06-01", "2023-05-31")])),
        child(cin, "L3", E(referral="2021-05-01", plans=[P("2021-06-01", "2023-06-01")])),
        child(cin, "L4", E(referral="2022-02-01", plans=[P("2022-03-01", "2024-02-28")])),
        child(cin, "L5", E(referral="2022-02-01", plans=[P("2022-03-01", "2024-02-27")])),
        child(cin, "L6", E(referral="2023-09-01", plans=[P("2023-10-01", "2024-03-31")])),
        child(cin, "L7", E(referral="2022-03-01",
                           plans=[P("2022-04-01", "2023-04-01"), P("2023-06-01", "2023-12-01")])),
        child(cin, "L9", E(referral="2023-08-01", plans=[P("2023-09-10", "2023-09-01")])),  # ends before it starts
        # starts Sun 28 May 2023 / Mon 29 May (holiday), ends Fri 26 May: before it starts
        child(cin, "L10", E(referral="2023-05-02", plans=[P("2023-05-28", "2023-05-26")])),
        child(cin, "L11", E(referral="2023-05-02", plans=[P("2023-05-29", "2023-05-26")])),
        child(cin, "L12", E(referral="2023-05-02", plans=[P("2023-05-27", "2023-05-29")])),  # Sat -> Mon: 2 days
        child(cin, "O1", E(referral="2022-03-20", plans=[P("2022-04-02")])),
        child(cin, "O2", E(referral="2022-03-20", plans=[P("2022-04-03")])),
        child(cin, "O3", E(referral="2024-03-30", plans=[P("2024-03-31")])),  # starts on 31 March
        child(cin, "O4", E(referral="2023-04-20", plans=[P("2023-05-01")])),
        child(cin, "O5", E(referral="2023-05-20", plans=[P("2023-06-01")]),
              E(referral="2023-08-20", plans=[P("2023-09-01")])),  # two open plans, one child
    ]
    y2025 = [child(cin, "O4", E(referral="2023-04-20", plans=[P("2023-05-01", "2024-04-01")]))]
    return {2023: cin.xml(2023, y2023), 2024: cin.xml(2024, y2024), 2025: cin.xml(2025, y2025)}


@pytest.fixture(scope="module")
def lasting(tmp_path_factory, cin):
    db = load(tmp_path_factory.mktemp("lasting") / "store.duckdb", build_lasting(cin))
    return items(db, 2024, "cpp_lasting_2y", "cpp_rate", "looked_after_and_cpp")


def test_cpp_lasting_2y(lasting):
    r = lasting["cpp_lasting_2y"]
    # Ending in 2023-24 (CPPendDate - CPPstartDate, days):
    #   L1 2021-06-01 -> 2023-05-30 = 728  no    (2021-06-01 -> 2023-06-01 is 365 + 365 = 730)
    #   L2                 2023-05-31 = 729  yes (the boundary: both first and last day counted)
    #   L3                 2023-06-01 = 730  yes
    #   L4 2022-03-01 -> 2024-02-28 = 365 + 364 = 729 yes (over 29 Feb 2024: two days short of 2 years)
    #   L5                 2024-02-27 = 728  no
    #   L6 ends on 31 March 2024 (in the year) = 182 no
    #   L7 ends two plans in the year: 2023-04-01 (1 April, in the year, 365) and 2023-12-01: counts twice
    #   L12 Sat 27 May 2023 -> Mon 29 May = 2 no
    #   L9, L10 (Sun 28 May -> Fri 26 May), L11 (Mon 29 May -> Fri 26 May) end before they start: excluded.
    #   L8 ended 2023-03-31, the year before.
    assert (r.numerator, r.denominator, r.count, r.excluded) == (3, 9, 9, 3)  # L2, L3, L4 of 9
    assert r.value == pytest.approx(3 / 9 * 100) and r.unit == "percent"
    # Open at 31 March 2024 (R - start): O1 2022-04-02 -> 729 yes; O2 2022-04-03 -> 728 no;
    # O3 starts on R (0); O4 ends 2024-04-01 (2025 return), after R: open; O5 two plans; L6 ended on R.
    assert r["open_plans"] == 6 and r["open_2y_count"] == 1
    assert r["open_2y"] == pytest.approx(1 / 6 * 100)


def test_cpp_rate_counts_children_open_at_31_march(lasting):
    r = lasting["cpp_rate"]
    # Children: O1, O2, O3, O4, O5 (two plans, once) = 5; population 10,000 -> 5 per 10,000
    assert r.count == 5 and r.value == pytest.approx(5.0) and r.unit == "per_10k"


def test_looked_after_and_cpp_needs_looked_after_episodes(lasting):
    r = lasting["looked_after_and_cpp"]
    assert r.value is None and "needs looked-after episodes" in r.reason and r.unit == "count"
    assert r.denominator == 5 and r["children_on_plan"] == 5 and r["percent"] is None  # as cpp_rate


# ------------------------------------------------------------ cpp_repeat, further_s47_after_cpp, s47_to_icpc_conversion


def build_repeat(cin):
    """Reporting year 2024; returns 2022, 2023, 2024."""
    E, P, S = cin.Episode, cin.Plan, cin.S47
    y2022 = [
        child(cin, "P3", E(referral="2021-04-20", closure="2022-01-10", reason="RC1",
                           plans=[P("2021-05-01", "2021-11-15")])),
        child(cin, "P4", E(referral="2021-04-20", closure="2022-01-10", reason="RC1",
                           plans=[P("2021-05-01", "2021-11-14")])),
        child(cin, "P5", E(referral="2021-09-01", closure="2022-03-15", reason="RC1",
                           plans=[P("2021-10-01", "2022-02-28")])),
        child(cin, "P6", E(referral="2021-09-01", closure="2022-03-15", reason="RC1",
                           plans=[P("2021-10-01", "2022-02-27")])),
    ]
    p8 = E(referral="2023-03-01", plans=[P("2023-03-15")])
    y2023 = [child(cin, "P8", p8), child(cin, "X1", E(referral="2023-03-01", s47=[S("2023-03-20")]))]
    y2024 = [
        child(cin, "P1", E(referral="2023-04-03", icpc="2023-04-28", s47=[S("2023-04-10", icpc="2023-04-28")],
                           plans=[P("2023-04-28")])),
        child(cin, "P2", E(referral="2023-05-01", plans=[P("2023-05-10", previous="2")])),
        child(cin, "P3", E(referral="2023-10-01", s47=[S("2023-10-20", icpc="2023-11-15")],
                           plans=[P("2023-11-15")])),
        child(cin, "P4", E(referral="2023-10-01", plans=[P("2023-11-15", previous="1")])),
        child(cin, "P5", E(referral="2024-02-01", plans=[P("2024-02-29")])),
        child(cin, "P6", E(referral="2024-02-01", plans=[P("2024-02-29")])),
        child(cin, "P7", E(referral="2023-04-15",
                           s47=[S("2023-08-01"), S("2023-09-15", icpc="2023-10-01")],
                           plans=[P("2023-05-01", "2023-08-01"), P("2023-10-01")])),
        child(cin, "P8", E(referral="2023-03-01", s47=[S("2023-06-01")], plans=[P("2023-03-15")])),
        child(cin, "X1", E(referral="2023-03-01", s47=[S("2023-03-20", icpc="2023-04-05")])),
    ]
    return {2022: cin.xml(2022, y2022), 2023: cin.xml(2023, y2023), 2024: cin.xml(2024, y2024)}


@pytest.fixture(scope="module")
def repeat(tmp_path_factory, cin):
    returns = build_repeat(cin)
    full = load(tmp_path_factory.mktemp("repeat") / "store.duckdb", returns)
    only = load(tmp_path_factory.mktemp("repeat2024") / "store.duckdb", {2024: returns[2024]})
    ids = ("cpp_repeat", "further_s47_after_cpp", "s47_to_icpc_conversion")
    return types.SimpleNamespace(db=full, full=items(full, 2024, *ids), only_2024=items(only, 2024, *ids))


def test_cpp_repeat(repeat):
    r = repeat.full["cpp_repeat"]
    # Starting in 2023-24 (8 plans); previous = NumberOfPreviousCPP; "2y back" = start minus 2 years:
    #   P1 2023-04-28 previous 0, no earlier plan                           ever no,  within no
    #   P2 2023-05-10 previous 2, no earlier plan loaded                    ever yes, within no
    #   P3 2023-11-15 previous 0, earlier plan ended 2021-11-15 = 2y back   ever yes, within yes (on the day)
    #   P4 2023-11-15 previous 1, earlier plan ended 2021-11-14 < 2y back   ever yes, within no
    #   P5 2024-02-29 earlier plan ended 2022-02-28 = 29 Feb 2024 - 2 years ever yes, within yes (leap day)
    #   P6 2024-02-29 earlier plan ended 2022-02-27                         ever yes, within no
    #   P7 2023-05-01 first plan                                            ever no,  within no
    #   P7 2023-10-01 previous 0, earlier plan 2023-05-01 ended 2023-08-01  ever yes, within yes
    # P8's plan started 2023-03-15, the year before.
    assert (r.numerator, r.denominator) == (6, 8)
    assert r.value == pytest.approx(6 / 8 * 100)
    assert r["within_2y_count"] == 3 and r["within_2y"] == pytest.approx(3 / 8 * 100)
    assert r["by_previous_cpp_count"] == 2  # P2, P4
    assert r["by_loaded_history"] == 5  # P3, P4, P5, P6, P7's second
    assert r.note is None


def test_cpp_repeat_from_number_of_previous_cpp_without_history(repeat):
    r = repeat.only_2024["cpp_repeat"]
    # Only the 2024 return: P3, P5, P6's earlier plans are not loaded. ever: P2 and P4 (NumberOfPreviousCPP),
    # P7's second (its first plan is in the same return) = 3 of 8; within_2y: P7's second only.
    assert (r.numerator, r.denominator) == (3, 8) and r["within_2y_count"] == 1
    assert "2023 return is not loaded" in r.note


def test_further_s47_after_cpp(repeat):
    r = repeat.full["further_s47_after_cpp"]
    # Enquiries starting in 2023-24 (5):
    #   P1 2023-04-10: no earlier plan                                     no
    #   P3 2023-10-20: a plan ended 2021-11-15 (2022 return)               yes
    #   P7 2023-08-01: its plan ended 2023-08-01, the same day, not before  no
    #   P7 2023-09-15: that plan ended 2023-08-01                          yes
    #   P8 2023-06-01: its plan is still open                              no
    # X1's enquiry started 2023-03-20, the year before.
    assert (r.numerator, r.denominator, r["count"]) == (2, 5, 2)
    assert r.value == pytest.approx(40.0) and r.note is None
    only = repeat.only_2024["further_s47_after_cpp"]
    assert (only.numerator, only.denominator) == (1, 5) and "2023 return is not loaded" in only.note  # P3's plan unseen


def test_s47_to_icpc_conversion(repeat):
    r = repeat.full["s47_to_icpc_conversion"]
    # The same 5 enquiries; a conference recorded: P1, P3, P7's 2023-09-15 = 3 -> 60%
    assert (r.numerator, r.denominator) == (3, 5) and r.value == pytest.approx(60.0)
    # Conferences in the year as icpc_rate counts them: (P1, 2023-04-28) recorded in both places, once;
    # (P3, 2023-11-15); (P7, 2023-10-01); (X1, 2023-04-05), whose enquiry started the year before = 4
    assert r["conferences"] == 4 and r["crude"] == pytest.approx(4 / 5 * 100)


def test_crude_conversion_counts_conferences_as_icpc_rate_does(repeat):
    got = items(repeat.db, 2024, "icpc_rate", "s47_to_icpc_conversion")
    assert got["s47_to_icpc_conversion"]["conferences"] == got["icpc_rate"].count == 4


# ---------------------------------------------------------------- rereferral_after_cpp_12m / _24m


def build_rereferral(cin, with_2024=True):
    """Reporting year 2025 (1 Apr 2024 - 31 Mar 2025): the 12-month cohort is plans ending in
    2023-24, the 24-month cohort plans ending in 2022-23. Returns 2023, 2024 (optional), 2025."""
    E, P = cin.Episode, cin.Plan

    def ended(referral, start, end):
        return E(referral=referral, closure=end, reason="RC1", plans=[P(start, end)])

    y2023 = [
        child(cin, "Q9", ended("2022-06-01", "2022-07-01", "2023-03-31")),
        child(cin, "Q10", ended("2022-01-10", "2022-02-01", "2022-04-01")),
        child(cin, "Q11", ended("2022-01-10", "2022-02-01", "2022-04-01")),
        child(cin, "Q12", ended("2022-05-01", "2022-06-01", "2022-10-01"),
              E(referral="2023-01-05", closure="2023-02-01", reason="RC8")),
        child(cin, "Q13", ended("2022-05-01", "2022-06-01", "2022-10-01")),
    ]
    y2024 = [
        child(cin, "Q1", ended("2023-04-03", "2023-04-10", "2023-06-15")),
        child(cin, "Q2", ended("2023-04-03", "2023-04-10", "2023-06-15")),
        child(cin, "Q3", ended("2023-10-02", "2023-11-01", "2024-02-29")),
        child(cin, "Q4", ended("2023-10-02", "2023-11-01", "2024-02-29")),
        child(cin, "Q5", ended("2023-04-03", "2023-04-10", "2023-05-01"),
              ended("2023-09-01", "2023-09-20", "2023-12-01")),
        child(cin, "Q6", ended("2023-04-03", "2023-04-10", "2023-08-01"),
              E(referral="2023-08-01", closure="2023-08-20", reason="RC8")),
        child(cin, "Q7", ended("2023-04-03", "2023-04-10", "2023-09-01"),
              E(referral="2024-01-10", nfa="true", closure="2024-01-10", reason="RC8")),
        child(cin, "Q8", E(referral="2023-12-01", plans=[P("2024-01-05")])),
        # made and closed in 2023-24: only the 2024 return holds it
        child(cin, "Q13", E(referral="2023-09-01", closure="2023-10-01", reason="RC8")),
    ]
    later = {"Q1": "2024-06-15", "Q2": "2024-06-16", "Q3": "2025-02-28", "Q4": "2025-03-01",
             "Q9": "2025-03-31", "Q10": "2024-04-01", "Q11": "2024-04-02"}
    y2025 = [child(cin, c, E(referral=d)) for c, d in later.items()]
    y2025.append(child(cin, "Q8", ended("2023-12-01", "2024-01-05", "2024-04-01")))
    returns = {2023: y2023, 2024: y2024, 2025: y2025}
    if not with_2024:
        del returns[2024]
    return returns


def rereferral_xml(cin, la="201", with_2024=True):
    return {y: cin.xml(y, children, la=la) for y, children in build_rereferral(cin, with_2024).items()}


@pytest.fixture(scope="module")
def rereferral(tmp_path_factory, cin):
    db = tmp_path_factory.mktemp("rereferral") / "store.duckdb"
    load(db, rereferral_xml(cin, "201"), la="201")
    load(db, rereferral_xml(cin, "202", with_2024=False), la="202")  # the same LA without its 2024 return
    return db


# The figures worked out by hand, for LA 201 (every return) and LA 202 (no 2024 return).
#
# 12 months: plans ending 2023-04-01 .. 2024-03-31; a referral d counts when end < d <= end + 12 months.
#   Q1 end 2023-06-15, referral 2024-06-15: exactly 12 months, included                 yes
#   Q2 end 2023-06-15, referral 2024-06-16: one day after                                no
#   Q3 end 2024-02-29, referral 2025-02-28: 29 Feb + 12 months = 28 Feb 2025             yes
#   Q4 end 2024-02-29, referral 2025-03-01: one day after                                no
#   Q5 plans end 2023-05-01 and 2023-12-01: the last one counts; its referral
#      2023-09-01 came before that end                                                   no
#   Q6 end 2023-08-01, referral the same day (not after the end)                         no
#   Q7 end 2023-09-01, a no-further-action referral 2024-01-10 (still a referral)        yes
#   Q8's plan ended 2024-04-01, after the window. -> 3 of 7
# 24 months: plans ending 2022-04-01 .. 2023-03-31.
#   Q9  end 2023-03-31, referral 2025-03-31 (= R): exactly 24 months                     yes
#   Q10 end 2022-04-01, referral 2024-04-01: exactly 24 months                           yes
#   Q11 end 2022-04-01, referral 2024-04-02: one day after                               no
#   Q12 end 2022-10-01, referral 2023-01-05 (2023 return)                                yes
#   Q13 end 2022-10-01, referral 2023-09-01, closed 2023-10-01: in the 2024 return only  yes (201), unseen (202)
#   -> 201: 4 of 5; 202: 3 of 5


def test_rereferral_after_cpp_12m(rereferral):
    r = items(rereferral, 2025, "rereferral_after_cpp_12m")["rereferral_after_cpp_12m"]
    assert (r.numerator, r.denominator) == (3, 7) and r.value == pytest.approx(3 / 7 * 100)
    assert r["cohort_year"] == 2024 and r.note is None and r.unit == "percent"


def test_rereferral_after_cpp_24m(rereferral):
    r = items(rereferral, 2025, "rereferral_after_cpp_24m")["rereferral_after_cpp_24m"]
    assert (r.numerator, r.denominator) == (4, 5) and r.value == pytest.approx(80.0)
    assert r["cohort_year"] == 2023 and r.note is None


def test_rereferral_after_cpp_without_the_cohort_return(rereferral):
    got = items(rereferral, 2025, "rereferral_after_cpp_12m", "rereferral_after_cpp_24m", la="202")
    r12 = got["rereferral_after_cpp_12m"]
    assert r12.value is None and r12.numerator is None and "needs the 2024 return" in r12.reason
    r24 = got["rereferral_after_cpp_24m"]
    assert (r24.numerator, r24.denominator) == (3, 5) and "2024 return is not loaded" in r24.note


def _years_in_one_pass(db, la, years, ids):
    """{year: {id: ItemResult}} of the years computed together (one pass per item), after checking that
    each year's results are those of the year computed alone."""
    with golden.engine(db) as engine:
        together = compute_years(engine, la, years, ids, population={la: golden.POP})
    for y in years:
        alone = items(db, y, *ids, la=la)
        for i in ids:
            assert together[y]["items"][i].to_dict() == alone[i].to_dict(), (la, y, i)
    return {y: together[y]["items"] for y in years}


def test_look_back_items_over_consecutive_years_in_one_pass_equal_each_year_alone(rereferral, repeat):
    """Each year of a trend has its own look-back cohort: 12 and 24 months before that year, not the last."""
    ids = ("rereferral_after_cpp_12m", "rereferral_after_cpp_24m", "cpp_repeat")
    _years_in_one_pass(rereferral, "202", (2023, 2024, 2025), ids)  # no 2024 return: notes and reasons
    together = _years_in_one_pass(rereferral, "201", (2023, 2024, 2025), ids)
    r = {y: together[y]["rereferral_after_cpp_12m"] for y in (2023, 2024, 2025)}
    # 2025: plans ending in 2023-24, 3 of 7 (worked above)
    assert (r[2025].numerator, r[2025].denominator, r[2025]["cohort_year"]) == (3, 7, 2024)
    # 2024: plans ending 2022-04-01 .. 2023-03-31 (the 24-month cohort of 2025), followed 12 months:
    #   Q9 end 2023-03-31, referral 2025-03-31: 24 months later       no
    #   Q10, Q11 end 2022-04-01, referrals in April 2024               no
    #   Q12 end 2022-10-01, referral 2023-01-05                        yes
    #   Q13 end 2022-10-01, referral 2023-09-01 (<= 2023-10-01)        yes   -> 2 of 5
    assert (r[2024].numerator, r[2024].denominator, r[2024]["cohort_year"]) == (2, 5, 2023)
    assert r[2024]["cohort_start"] == "2022-04-01" and r[2024]["cohort_end"] == "2023-03-31"
    # 2023: the cohort is plans ending in 2021-22, whose return is not loaded
    assert r[2023].value is None and r[2023].reason == (
        "needs the 2022 return (plans that ended between 2021-04-01 and 2022-03-31)")
    together = _years_in_one_pass(repeat.db, "201", (2022, 2023, 2024), ids)
    c = {y: together[y]["cpp_repeat"] for y in (2022, 2023, 2024)}
    # 2024: 6 of 8, within_2y 3 (test_cpp_repeat)
    assert (c[2024].numerator, c[2024].denominator, c[2024]["within_2y_count"], c[2024].note) == (6, 8, 3, None)
    # 2023: only P8's plan (2023-03-15) starts in 2022-23, its first: 0 of 1; the 2022 return is loaded
    assert (c[2023].numerator, c[2023].denominator, c[2023].note) == (0, 1, None)
    # 2022: P3, P4 (2021-05-01), P5, P6 (2021-10-01), each a first plan: 0 of 4; no 2021 return
    assert (c[2022].numerator, c[2022].denominator) == (0, 4)
    assert c[2022].note.startswith("the 2021 return is not loaded: records that began and ended between "
                                   "2020-04-01 and 2021-03-31 are missing")


def test_two_las_in_one_store_compute_independently(rereferral):
    """One pass over both LAs gives each its own figures (and what compute() gives one LA at a time)."""
    with golden.engine(rereferral) as engine:
        history = engine.history()
        found = compute_keys(engine, ("201", "202"), [Period.of_year(2025)], [*PLANS_ITEMS, *BEYOND_CENSUS],
                             population=lambda la, y: 10_000)
        together = {i: {la: found[Key(la, Period.of_year(2025))][i] for la in ("201", "202")}
                    for i in {**PLANS_ITEMS, **BEYOND_CENSUS}}
    assert history == {"201": [2023, 2024, 2025], "202": [2023, 2025]}
    assert together["rereferral_after_cpp_12m"]["201"].numerator == 3
    assert together["rereferral_after_cpp_12m"]["202"].value is None
    assert (together["rereferral_after_cpp_24m"]["201"].numerator,
            together["rereferral_after_cpp_24m"]["202"].numerator) == (4, 3)
    # cpp_lasting_2y in 2024-25: only Q8's plan ended (2024-01-05 -> 2024-04-01), in both LAs
    assert together["cpp_lasting_2y"]["201"].denominator == together["cpp_lasting_2y"]["202"].denominator == 1
    for la in ("201", "202"):
        alone = items(rereferral, 2025, la=la)
        for i in together:
            assert together[i][la].to_dict() == alone[i].to_dict(), (la, i)


# ---------------------------------------------------------------- cpp_end_outcome


def build_outcome(cin):
    """Reporting year 2024; returns 2023, 2024, 2025 (for a closure just after 31 March)."""
    E, P = cin.Episode, cin.Plan

    def ends(cid, end, closure):
        return child(cin, cid, E(referral="2023-04-03", closure=closure, reason="RC1" if closure else None,
                                 plans=[P("2023-04-20", end)]))

    y2023 = [child(cin, "E10", E(referral="2022-10-01", closure="2023-03-31", reason="RC1",
                                 plans=[P("2022-11-01", "2023-03-31")]))]
    y2024 = [
        ends("E1", "2023-12-22", "2023-12-27"),
        ends("E2", "2023-12-22", "2023-12-28"),
        ends("E3", "2024-03-28", None),
        ends("E4", "2023-09-30", "2023-10-02"),
        ends("E5", "2023-10-01", "2023-10-03"),
        ends("E6", "2023-06-14", "2023-06-14"),
        ends("E8", "2023-10-08", "2023-10-07"),
        ends("E9", "2023-07-03", None),
        ends("E11", "2023-12-26", "2023-12-27"),
        ends("E12", "2023-05-08", "2023-05-10"),
        ends("E13", "2023-05-29", "2023-05-26"),
        ends("E14", "2023-05-28", "2023-05-26"),
        ends("E15", "2023-05-27", "2023-05-29"),
    ]
    y2025 = [ends("E3", "2024-03-28", "2024-04-02")]
    return {2023: cin.xml(2023, y2023), 2024: cin.xml(2024, y2024), 2025: cin.xml(2025, y2025)}


def test_cpp_end_outcome(cin, tmp_path):
    db = load(tmp_path / "store.duckdb", build_outcome(cin))
    r = items(db, 2024, "cpp_end_outcome")["cpp_end_outcome"]
    # Plans ending in 2023-24 and their episode's closure (working days from plan end to closure):
    #   E1  Fri 22 Dec -> Wed 27 Dec (Mon 25, Tue 26 bank holidays) = 1       closed
    #   E2  Fri 22 Dec -> Thu 28 Dec = 2                                       stepped down
    #   E3  Thu 28 Mar 2024 -> Tue 2 Apr (Good Fri, Easter Mon; 2025 return) = 1 closed
    #   E4  Sat 30 Sep -> Mon 2 Oct = 1 (a weekend end counts from Monday)      closed
    #   E5  Sun 1 Oct -> Tue 3 Oct = 2 (Mon 2, Tue 3)                           stepped down
    #   E6  Wed 14 Jun -> the same day = 0                                      closed
    #   E8  Sun 8 Oct, closed Sat 7 Oct: before the end (0 working days, but negative)   excluded
    #   E9  Mon 3 Jul, episode still open                                       stepped down
    #   E11 Tue 26 Dec (bank holiday) -> Wed 27 Dec = 1                         closed
    #   E12 Mon 8 May (coronation holiday) -> Wed 10 May = 2 (Tue 9, Wed 10)    stepped down
    #   E13 Mon 29 May (holiday), closed Fri 26 May: 0 working days, negative   excluded
    #   E14 Sun 28 May, closed Fri 26 May: likewise                              excluded
    #   E15 Sat 27 May -> Mon 29 May (holiday) = 0                              closed
    # E10's plan ended 2023-03-31, the year before.  -> 6 of 10, 3 excluded
    assert (r.numerator, r.denominator, r.count, r.excluded) == (6, 10, 10, 3) and r.value == pytest.approx(60.0)
    assert r["cin_closed"] == 6 and r["stepped_down"] == 4
    assert r["became_looked_after"] is None and "needs looked-after episodes" in r["became_looked_after_reason"]
    assert "cin_closed alone" in r.note


# ---------------------------------------------------------------- items beyond the CIN census, registration


@pytest.mark.parametrize("item_id, needs", [("child_seen_per_cpp", "visit records"),
                                            ("icpc_to_core_group", "core group dates"),
                                            ("sw_changes", "social worker allocations")])
def test_beyond_census_items_are_null_with_the_data_they_need(rereferral, item_id, needs):
    r = items(rereferral, 2025, item_id)[item_id]
    assert r.value is None and needs in r.reason and "CIN census does not collect" in r.reason
    assert r.unit == catalogue_item(item_id).unit


def test_every_section_2_item_is_registered_in_definitions_order():
    text = DEFINITIONS.read_text(encoding="utf-8")
    section = text[text.index("## 2. Items computed from the CIN census"):text.index("## 3.")]
    # then munro's items beyond it (an Annex A's contacts and early help), defined in docs/annex-a.md
    annex_a = (Path(__file__).resolve().parents[2] / "docs" / "annex-a.md").read_text(encoding="utf-8")
    section += annex_a.split("## Contacts and early help", 1)[1].split("\n## ", 1)[0]
    ids = []
    for heading in re.findall(r"^((?:`[a-z0-9_]+`(?:, )?)+) \(unit", section, re.M):
        ids += re.findall(r"`([a-z0-9_]+)`", heading)
    # then the section 3 items an LA imports its own figure for, in catalogue order
    assert list(ITEMS) == ids + list(IMPORTED)


def test_units_agree_with_the_catalogue_and_results_serialise(rereferral):
    got = items(rereferral, 2025, *PLANS_ITEMS, *BEYOND_CENSUS)
    for item_id, r in got.items():
        assert r.unit == catalogue_item(item_id).unit, item_id
        json.dumps(r.to_dict())


# ---------------------------------------------------------------- end to end on a synthetic LA


@pytest.mark.slow
def test_synthetic_authority_plans_land_near_england(tmp_path):
    """Birmingham (330) at a tenth of its size (about 150 plan starts a year, so a few points of
    sampling noise): plan figures land near the England 2024-25 figures synth is calibrated to."""
    la, scale = "330", 0.1
    for r in generate(la, [2023, 2024, 2025], tmp_path / "returns", scale=scale, seed=11):
        ingest_file(tmp_path / "store.duckdb", r.path, workers=1)
    pop = lambda code, year: latest_child_population(code, year)[0] * scale  # noqa: E731
    got = run(tmp_path / "store.duckdb", 2025, la=la, population=pop)["items"]
    assert abs(got["cpp_starts_by_category"].value / 51.0 - 1) <= 0.15  # plan starts per 10k
    assert abs(got["cpp_rate"].value / 40.6 - 1) <= 0.15
    assert abs(got["cpp_repeat"].value - 24.5) <= 5
    assert abs(got["cpp_lasting_2y"].value - 4.4) <= 2
    # looked_after_and_cpp would be a percent of the children counted by cpp_rate
    assert got["looked_after_and_cpp"].denominator == got["cpp_rate"].count
    for item_id in ("rereferral_after_cpp_12m", "rereferral_after_cpp_24m"):
        assert got[item_id].value is not None and 0 < got[item_id].denominator
