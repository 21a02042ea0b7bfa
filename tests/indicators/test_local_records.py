"""Golden tests: the items over an LA's local records (SSDA903 episodes, visits, core groups,
allocations, own figures), worked out by hand, on every engine.

Reporting year 2025 (1 April 2024 - 31 March 2025), LA 201, one CIN return. Working days
exclude weekends and England bank holidays; those met here: 2024: Fri 29 Mar (Good Friday),
Mon 1 Apr (Easter Monday). A working-day span from a to b counts the days d with a < d <= b.

The children:
- C1-C4: plan from 2024-03-01, open at 31 March; C5-C8, C10: plans from 2024-03-01 ending in
  the year, episode still open; C9: plan and episode ending Mon 13 Jan 2025.
- V1, V2: plan Mon 3 Jun - Mon 1 Jul 2024; V3: plan Mon 3 Jun - Fri 28 Jun 2024;
  V4: plan Mon 4 Mar - Fri 19 Apr 2024; their episodes close on the plan's end.
  V5: plan from Mon 17 Mar 2025, open at 31 March.
"""

from __future__ import annotations

import pytest
from golden import items, load

from munro.loading import ingest_local_file

ALL = ("looked_after_and_cpp", "cpp_end_outcome", "child_seen_per_cpp", "icpc_to_core_group", "sw_changes",
       "sw_vacancy_rate", "cin_absence", "court_applications_rate")

EPISODES_903 = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
C1,06/01/2025,S,C2,N1,U1,PR1,,,,,,
C2,03/06/2024,S,C2,N1,U1,PR1,30/09/2024,E11,,,,
C3,01/03/2025,S,V3,N1,U1,PR1,,,,,,
C5,16/10/2024,S,C2,N1,U1,PR1,,,,,,
C6,04/11/2024,S,C1,N1,U1,PR1,,,,,,
C7,02/12/2024,S,J2,N1,U1,PR1,,,,,,
C8,04/12/2024,S,C2,N1,U1,PR1,,,,,,
C9,13/01/2025,S,C2,N1,U1,PR1,,,,,,
C10,01/01/2024,S,C2,N1,U1,PR1,10/02/2025,X1,,,,
C10,10/02/2025,P,C2,N1,U4,PR1,,,,,,
X99,01/05/2024,S,C2,N1,U1,PR1,,,,,,
"""

VISITS = """child_id,plan_start_date,visit_date,seen,seen_alone
V1,2024-06-03,2024-06-17,Y,Y
V1,2024-06-03,2024-07-01,Y,Y
V2,2024-06-03,2024-06-18,Y,N
V2,2024-06-03,2024-06-26,Y,
V3,,2024-06-10,Y,
V3,,2024-06-20,N,
V3,,2024-06-28,Y,
V4,2024-03-04,2024-03-25,Y,
V4,2024-03-04,2024-04-05,Y,
"""

CORE_GROUPS = """child_id,plan_start_date,meeting_date
V1,2024-06-03,2024-06-17
V2,2024-06-03,2024-06-18
V2,2024-06-03,2024-07-01
V3,2024-06-03,2024-05-31
C1,2024-03-01,2024-03-14
"""

ALLOCATIONS = """child_id,worker_id,start_date,end_date
C1,W1,2024-01-01,2024-06-30
C1,W2,2024-07-01,2024-12-31
C1,W3,2025-01-01,
C2,W1,2023-01-01,2024-03-31
C2,W2,2024-04-01,2024-09-30
C2,W3,2024-10-01,
C3,W1,2024-04-01,2024-05-01
C3,W2,2024-05-02,2024-06-01
C3,W1,2024-06-02,
C3,W4,2025-04-01,
C4,W5,2024-04-01,2024-06-30
C4,W6,2024-07-01,2024-09-30
C4,W7,2024-10-01,2024-12-31
C4,W8,2025-01-01,
"""

OWN_FIGURES = """item_id,figure,value,numerator,denominator,source
sw_vacancy_rate,,17.5,7,40,LA HR system
cin_absence,value,12.3,,,LA attendance team
cin_absence,persistent,30.1,,,LA attendance team
"""


def build(cin):
    E, P = cin.Episode, cin.Plan

    def child(cid, *episodes):
        return cin.Child(id=cid, episodes=list(episodes))

    kids = [child(c, E(referral="2024-01-02", plans=[P("2024-03-01")])) for c in ("C1", "C2", "C3", "C4")]
    for cid, end in (("C5", "2024-10-15"), ("C6", "2024-11-01"), ("C7", "2024-12-04"), ("C8", "2024-12-05"),
                     ("C10", "2025-02-10")):
        kids.append(child(cid, E(referral="2024-01-02", plans=[P("2024-03-01", end)])))
    kids.append(child("C9", E(referral="2024-01-02", closure="2025-01-13", reason="RC1",
                              plans=[P("2024-03-01", "2025-01-13")])))
    for cid, start, end in (("V1", "2024-06-03", "2024-07-01"), ("V2", "2024-06-03", "2024-07-01"),
                            ("V3", "2024-06-03", "2024-06-28"), ("V4", "2024-03-04", "2024-04-19")):
        kids.append(child(cid, E(referral="2024-02-01", closure=end, reason="RC1", plans=[P(start, end)])))
    kids.append(child("V5", E(referral="2025-03-03", plans=[P("2025-03-17")])))
    return {2025: cin.xml(2025, kids)}


def load_local(db, files: dict[str, str], year: int = 2025):
    for name, text in files.items():
        path = db.parent / name
        path.write_text(text, encoding="utf-8")
        ingest_local_file(db, path, la="201", year=year)


@pytest.fixture
def store(db, cin):
    load(db, build(cin))
    load_local(db, {"episodes.csv": EPISODES_903, "visits.csv": VISITS, "core.csv": CORE_GROUPS,
                    "allocations.csv": ALLOCATIONS, "figures.csv": OWN_FIGURES})
    return db


def test_looked_after_items(store):
    got = items(store, 2025, "looked_after_and_cpp", "cpp_end_outcome")
    r = got["looked_after_and_cpp"]
    # On a plan at 31 March: C1-C4, V5. Looked after then: C1 (from 6 Jan 2025). C2 was looked after
    # from June to September only; C3's open episode is short breaks (V3), not counted; C5-C9 are looked
    # after but their plans ended. -> 1 of 5
    assert (r.value, r.numerator, r.denominator) == (1, 1, 5) and r["percent"] == pytest.approx(20.0)
    assert r.reason is None
    r = got["cpp_end_outcome"]
    # Plans ending in the year: C5-C10, V1-V4 = 10.
    #   cin_closed: V1-V4 and C9 (episode closed on the plan's end date) = 5
    #   became_looked_after (a period of care, RNE S, within 1 working day either side of the end):
    #     C5 Tue 15 Oct -> Wed 16 Oct (+1) yes; C6 Fri 1 Nov -> Mon 4 Nov (+1, a weekend between) yes;
    #     C7 Wed 4 Dec, care from Mon 2 Dec (-2) no; C8 Thu 5 Dec, care from Wed 4 Dec (-1) yes;
    #     C9 the same day yes; C10's episode on 10 Feb 2025 is a placement change (P), its care began
    #     1 Jan 2024: no.  = 4
    #   either: V1-V4, C9, C5, C6, C8 = 8; stepped down: C7, C10
    assert (r.numerator, r.denominator) == (8, 10) and r.value == pytest.approx(80.0)
    assert (r["cin_closed"], r["became_looked_after"], r["stepped_down"]) == (5, 4, 2)
    assert r.note is None


def test_child_seen_per_cpp_at_the_standard_and_one_day_over(store):
    r = items(store, 2025, "child_seen_per_cpp")["child_seen_per_cpp"]
    # Children with a plan open in the year: C1-C10, V1-V5 = 15. C1-C10 have no visits: the gap from the
    # plan's start (1 Mar 2024) to its end or 31 March is far over 10 working days.
    #   V1: Mon 3 Jun -> Mon 17 Jun = 10 (exactly the standard), -> Mon 1 Jul = 10: seen as required
    #   V2: Mon 3 Jun -> Tue 18 Jun = 11 (one day over): a lapse
    #   V3: 3 Jun -> 10 Jun = 5; the 20 Jun visit did not see the child; 10 Jun -> 28 Jun = 14: a lapse
    #   V4: plan from Mon 4 Mar: 4 Mar -> 25 Mar = 15 ends before the year (not this year's);
    #       25 Mar -> Fri 5 Apr = 7 (Good Friday, Easter Monday), -> Fri 19 Apr = 10: seen as required
    #   V5: plan from Mon 17 Mar 2025, no visit yet: 17 Mar -> 31 Mar = 10: seen as required
    # -> 3 of 15; lapses: C1-C10 one each, V2, V3 = 12
    assert (r.numerator, r.denominator) == (3, 15) and r.value == pytest.approx(20.0)
    assert r["lapses"] == 12 and r["visiting_standard"] == 10
    # Seen visits in the year: V1 2, V2 2, V3 2, V4 1 (25 Mar is before it) = 7; seen alone recorded on
    # three (V1 Y, Y; V2 N): 2 of 3
    assert r["visits_seen"] == 7 and r["seen_alone"] == pytest.approx(200 / 3)


def test_visiting_standard_is_configurable(store, engine):
    import golden

    from munro.indicators.compute import compute

    with golden.engine(store) as e:
        r = compute(e, "201", 2025, items=["child_seen_per_cpp"], population={"201": 10_000},
                    visiting_standard=11)["items"]["child_seen_per_cpp"]
    # With 11 working days V2's 11-day gap is within it (its others are 6 and 3); V3's 14 is not. -> 4 of 15
    assert (r.numerator, r.denominator, r["visiting_standard"]) == (4, 15, 11)


def test_icpc_to_core_group_and_sw_changes(store):
    got = items(store, 2025, "icpc_to_core_group", "sw_changes")
    r = got["icpc_to_core_group"]
    # Plans starting in the year: V1, V2, V3 (Mon 3 Jun 2024), V5 (17 Mar 2025); C1's began before it.
    #   V1: first meeting Mon 17 Jun = 10 working days: within 10
    #   V2: first meeting Tue 18 Jun = 11 (its 1 Jul meeting is not the first): not within
    #   V3: meeting recorded on 31 May, before the conference: excluded
    #   V5: no meeting recorded
    assert (r.numerator, r.denominator, r.excluded) == (1, 2, 1) and r.value == pytest.approx(50.0)
    assert (r["plans_started"], r["no_meeting_recorded"], r["median"]) == (4, 1, pytest.approx(10.5))
    r = got["sw_changes"]
    # In need at 31 March: C1-C8, C10 and V5 (open episodes) = 10.
    #   C1: W1, W2, W3 = 3; C2: W1 ended 31 Mar 2024, before the year: W2, W3 = 2;
    #   C3: W1, W2, W1 again = 2 different (W4 starts after 31 March); C4: W5-W8 = 4  -> C1, C4
    # On a plan at 31 March: C1-C4, V5 -> 2 of 5
    assert (r.numerator, r.denominator) == (2, 10) and r.value == pytest.approx(20.0)
    assert (r["cpp_numerator"], r["cpp_denominator"]) == (2, 5) and r["cpp"] == pytest.approx(40.0)


# ---------------------------------------------------------------- negative spans, told by their dates

# Sat 25, Sun 26 and Mon 27 May 2024 (spring bank holiday) are not working days: a span from any of them
# back to Fri 24 May has no working day in it (0 by the count) yet ends before it starts, so it is a
# negative span, excluded and counted in `excluded`. Sat 25 -> Mon 27 May is 0 working days, and valid.

NEGATIVE_VISITS = """child_id,plan_start_date,visit_date,seen,seen_alone
K3,2024-05-25,2024-05-27,Y,Y
"""

NEGATIVE_CORE_GROUPS = """child_id,plan_start_date,meeting_date
G1,2024-05-26,2024-05-24
G2,2024-05-27,2024-05-24
G3,2024-05-25,2024-05-27
G4,2024-06-01,2024-06-17
"""


@pytest.fixture
def negative_store(db, cin):
    E, P = cin.Episode, cin.Plan

    def child(cid, *plans):
        return cin.Child(id=cid, episodes=[E(referral="2024-05-01", plans=list(plans))])

    kids = [
        child("K1", P("2024-05-26", "2024-05-24")),  # Sun -> Fri before: ends before it starts
        child("K2", P("2024-05-27", "2024-05-24")),  # Mon (holiday) -> Fri before: likewise
        child("K3", P("2024-05-25", "2024-05-27")),  # Sat -> Mon (holiday): valid
        child("K4", P("2024-05-26", "2024-05-24"), P("2024-06-03", "2024-06-14")),  # one plan negative
        *(child(g, P(start)) for g, start in (("G1", "2024-05-26"), ("G2", "2024-05-27"), ("G3", "2024-05-25"),
                                              ("G4", "2024-06-01"))),
    ]
    load(db, {2025: cin.xml(2025, kids)})
    load_local(db, {"visits.csv": NEGATIVE_VISITS, "core.csv": NEGATIVE_CORE_GROUPS})
    return db


def test_plans_and_meetings_before_a_weekend_or_holiday_start_are_excluded(negative_store):
    got = items(negative_store, 2025, "child_seen_per_cpp", "icpc_to_core_group")
    r = got["child_seen_per_cpp"]
    # Plans open in the year: K1, K2 and K4's first end before they start (Fri 24 May): excluded, 3 plans.
    #   K3: Sat 25 May -> visit Mon 27 May = 0 -> end Mon 27 May = 0: seen as required
    #   K4: its other plan, Mon 3 Jun -> Fri 14 Jun = 9, no visit: seen as required (the child counts once)
    #   G1-G4: open at 31 March 2025, no visit since their start: a lapse each
    # -> 2 of 6 children (K3, K4, G1-G4); K1, K2 have no plan left to count
    assert (r.numerator, r.denominator, r.excluded) == (2, 6, 3) and r.value == pytest.approx(100 / 3)
    assert r["lapses"] == 4 and r["visits_seen"] == 1 and r["seen_alone"] == 100.0
    r = got["icpc_to_core_group"]
    # Plans starting in the year: K1, K2, K3, K4's two, G1-G4 = 9; no meeting recorded for the K plans = 5.
    #   G1 Sun 26 May, meeting Fri 24 May: negative (0 by the count): excluded
    #   G2 Mon 27 May (holiday), meeting Fri 24 May: excluded
    #   G3 Sat 25 May -> Mon 27 May (holiday) = 0: within 10
    #   G4 Sat 1 Jun -> Mon 17 Jun: 3-7 Jun 5, 10-14 Jun 5, Mon 17 = 11: not within
    assert (r.numerator, r.denominator, r.excluded) == (1, 2, 2) and r.value == pytest.approx(50.0)
    assert (r["plans_started"], r["no_meeting_recorded"]) == (9, 5)
    assert (r["p25"], r["median"], r["p75"]) == (2.75, 5.5, 8.25)  # 0 and 11


def test_own_figures_of_the_items_from_other_sources(store):
    got = items(store, 2025, "sw_vacancy_rate", "cin_absence", "court_applications_rate")
    r = got["sw_vacancy_rate"]
    assert (r.value, r.numerator, r.denominator, r["source"]) == (17.5, 7, 40, "LA HR system")
    assert r.unit == "percent" and "not computed by munro" in r.note
    r = got["cin_absence"]
    assert r.value == pytest.approx(12.3) and r["persistent"] == pytest.approx(30.1)
    r = got["court_applications_rate"]
    assert r.value is None and "not imported" in r.reason


def test_records_of_another_year_do_not_count(db, cin):
    load(db, build(cin))
    load_local(db, {"episodes.csv": EPISODES_903, "visits.csv": VISITS, "core.csv": CORE_GROUPS,
                    "allocations.csv": ALLOCATIONS, "figures.csv": OWN_FIGURES}, year=2024)
    got = items(db, 2025, *ALL)
    assert got["looked_after_and_cpp"].value is None and "needs looked-after episodes" in got[
        "looked_after_and_cpp"].reason
    r = got["cpp_end_outcome"]  # cin_closed alone, and the note says so
    assert (r.numerator, r.denominator, r["became_looked_after"]) == (5, 10, None) and "cin_closed alone" in r.note
    for item_id, needs in (("child_seen_per_cpp", "visit records"), ("icpc_to_core_group", "core group dates"),
                           ("sw_changes", "social worker allocations")):
        assert got[item_id].value is None and needs in got[item_id].reason
    assert got["sw_vacancy_rate"].value is None and "not imported" in got["sw_vacancy_rate"].reason


# ---------------------------------------------------------------- two reporting years in one pass

# LA 201, reporting years 2024 (1 April 2023 - 31 March 2024) and 2025, each with its own records. No bank
# holiday falls in June 2023 or June 2024.
#   A1, A2: plans Mon 5 Jun - Mon 3 Jul 2023 (2024 return), episodes closing with them.
#   A3: in need from 1 May 2023, no plan, still open at 31 March 2025 (both returns).
#   B1: plan Mon 3 Jun - Mon 1 Jul 2024 (2025 return), episode closing with it.

TWO_YEARS_LOCAL = {
    2024: {
        "visits.csv": "child_id,plan_start_date,visit_date,seen,seen_alone\n"
                      "A1,2023-06-05,2023-06-19,Y,Y\nA2,2023-06-05,2023-06-20,Y,N\n",
        "core.csv": "child_id,plan_start_date,meeting_date\nA1,2023-06-05,2023-06-19\nA2,2023-06-05,2023-06-21\n",
        "allocations.csv": "child_id,worker_id,start_date,end_date\nA3,W1,2023-05-01,2023-08-31\n"
                           "A3,W2,2023-09-01,2024-01-31\nA3,W3,2024-02-01,\n",
        "figures.csv": "item_id,figure,value,numerator,denominator,source\nsw_vacancy_rate,,20.0,8,40,LA HR system\n",
    },
    2025: {
        "visits.csv": "child_id,plan_start_date,visit_date,seen,seen_alone\nB1,2024-06-03,2024-06-17,Y,Y\n",
        "core.csv": "child_id,plan_start_date,meeting_date\nB1,2024-06-03,2024-06-14\n",
        "allocations.csv": "child_id,worker_id,start_date,end_date\nA3,W3,2024-02-01,2024-09-30\n"
                           "A3,W4,2024-10-01,\n",
        "figures.csv": "item_id,figure,value,numerator,denominator,source\nsw_vacancy_rate,,17.5,7,40,LA HR system\n",
    },
}
TWO_YEAR_ITEMS = ("child_seen_per_cpp", "icpc_to_core_group", "sw_changes", "sw_vacancy_rate", "cin_absence")


@pytest.fixture
def two_years(db, cin):
    E, P = cin.Episode, cin.Plan

    def short_plan(cid, start, end):
        return cin.Child(id=cid, episodes=[E(referral="2023-05-01" if cid[0] == "A" else "2024-05-01",
                                             closure=end, reason="RC1", plans=[P(start, end)])])

    a3 = cin.Child(id="A3", episodes=[E(referral="2023-05-01")])
    load(db, {2024: cin.xml(2024, [short_plan("A1", "2023-06-05", "2023-07-03"),
                                   short_plan("A2", "2023-06-05", "2023-07-03"), a3]),
              2025: cin.xml(2025, [short_plan("B1", "2024-06-03", "2024-07-01"), a3])})
    for year, files in TWO_YEARS_LOCAL.items():
        folder = db.parent / str(year)
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
            ingest_local_file(db, folder / name, la="201", year=year)
    return db


def test_two_years_in_one_pass_give_each_year_its_own_records(two_years):
    import golden

    from munro.indicators.compute import compute, compute_years

    with golden.engine(two_years) as e:
        together = compute_years(e, "201", [2024, 2025], items=TWO_YEAR_ITEMS, population={"201": 10_000})
        alone = {y: compute(e, "201", y, items=TWO_YEAR_ITEMS, population={"201": 10_000}) for y in (2024, 2025)}
    for y in (2024, 2025):
        assert {i: r.to_dict() for i, r in together[y]["items"].items()} == \
            {i: r.to_dict() for i, r in alone[y]["items"].items()}, y
    y24, y25 = together[2024]["items"], together[2025]["items"]
    # child_seen_per_cpp. 2023-24: A1 Mon 5 Jun -> seen Mon 19 Jun = 10 -> end Mon 3 Jul = 10: as required;
    # A2 Mon 5 Jun -> seen Tue 20 Jun = 11: a lapse (-> 3 Jul = 9). 2024-25: only B1's plan is open (A1's and
    # A2's ended in July 2023): Mon 3 Jun -> seen Mon 17 Jun = 10 -> end Mon 1 Jul = 10: as required.
    r = y24["child_seen_per_cpp"]
    assert (r.numerator, r.denominator, r["lapses"], r["visits_seen"]) == (1, 2, 1, 2)
    assert r["seen_alone"] == pytest.approx(50.0)
    r = y25["child_seen_per_cpp"]
    assert (r.numerator, r.denominator, r["lapses"], r["visits_seen"], r["seen_alone"]) == (1, 1, 0, 1, 100.0)
    # icpc_to_core_group. 2023-24: A1 Mon 19 Jun = 10 (within), A2 Wed 21 Jun = 12 (not): median 11.
    # 2024-25: B1 Mon 3 Jun -> Fri 14 Jun = 9: within.
    r = y24["icpc_to_core_group"]
    assert (r.numerator, r.denominator, r["median"]) == (1, 2, 11.0)
    r = y25["icpc_to_core_group"]
    assert (r.numerator, r.denominator, r["median"]) == (1, 1, 9.0)
    # sw_changes: in need at 31 March, A3 both years (A1, A2 and B1 closed). 2023-24: W1, W2, W3 = 3;
    # 2024-25: W3 (to 30 Sep 2024; W2 ended 31 Jan 2024, before the year), W4 = 2. No plan open at either R.
    r = y24["sw_changes"]
    assert (r.numerator, r.denominator, r["cpp_denominator"], r["cpp"]) == (1, 1, 0, None)
    r = y25["sw_changes"]
    assert (r.numerator, r.denominator, r.value) == (0, 1, 0.0)
    # each year's own figure, imported
    assert (y24["sw_vacancy_rate"].value, y24["sw_vacancy_rate"].numerator) == (20.0, 8)
    assert (y25["sw_vacancy_rate"].value, y25["sw_vacancy_rate"].numerator) == (17.5, 7)
    assert y24["cin_absence"].value is None and "own 2023-24 figure" in y24["cin_absence"].reason


def test_a_period_that_is_not_a_reporting_year_has_no_imported_figure(two_years):
    """An LA's own figures are per reporting year: the 12 months to 15 October 2024 have none, even where the
    reporting year they end in has one; the reporting year computed with it keeps its own."""
    import datetime as dt

    import golden

    from munro.indicators.compute import compute_keys
    from munro.indicators.context import Key
    from munro.years import Period

    october, year = Period(dt.date(2024, 10, 15)), Period.of_year(2025)
    with golden.engine(two_years) as e:
        got = compute_keys(e, ["201"], [october, year], ["sw_vacancy_rate", "child_seen_per_cpp"],
                           population={"201": 10_000})
    r = got[Key("201", october)]["sw_vacancy_rate"]
    assert r.value is None and r.numerator is None
    assert r.reason == ("not imported for the 12 months to 15 October 2024: an LA's own figure is for a whole "
                        "reporting year (1 April to 31 March)")
    assert got[Key("201", year)]["sw_vacancy_rate"].value == 17.5
    # 16 October 2023 to 15 October 2024: B1's plan (June 2024) is open in it, A1's and A2's (to July 2023) are
    # not; the visits are of 2024-25, loaded: 1 of 1
    r = got[Key("201", october)]["child_seen_per_cpp"]
    assert (r.numerator, r.denominator) == (1, 1)
