"""The drill-down by team and by worker (munro.indicators.drill), worked out by hand.

Reporting year 2025 (R = 31 March 2025), LA 201. Working days between 3 June and 12 August 2024 have
no bank holiday (27 May and 26 August are outside); a span from a to b counts days d with a < d <= b.

The children, their allocations (team, worker) and assessments:
- A1: North/W1 from 1 Apr 2024, open. Assessment Mon 3 Jun -> Mon 10 Jun 2024: 5 working days.
- A2: North/W2 from 1 Apr 2024, open. Assessment Mon 3 Jun -> Mon 17 Jun: 10.
- B1: North/W1 1 Apr - 30 Sep 2024, then South/W3 from 1 Oct 2024, open: moved before R, so South/W3.
  Assessment Mon 3 Jun -> Mon 12 Aug: 50 (10 weeks): not within 45.
- B2: South/W3 1 Apr - 31 Dec 2024, closed with the episode: the last holder, South/W3.
  Assessment Mon 1 Jul -> Mon 8 Jul: 5.
- U1: no allocation: Unallocated. Assessment Mon 3 Jun -> Mon 1 Jul: 20.
- F1: an allocation North/W2 starting 10 Apr 2025, after R (not yet happened): Unallocated. No assessment.

Children in need at 31 March (cin_rate's count): A1, A2, B1, U1, F1 (B2's episode closed) = 5.
assessment_timeliness: North 2 of 2 within 45 (100%), median of 5 and 10 = 7.5; South 1 of 2 (50%),
median of 50 and 5 = 27.5; Unallocated 1 of 1 (100%), median 20; the LA 4 of 5 (80%), median of
5, 5, 10, 20, 50 = 10.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from golden import load

from drill_support import allocations, build
from munro.errors import MunroError
from munro.indicators.catalogue import ITEMS, item
from munro.indicators.drill import NO_TEAM, TOTAL, UNALLOCATED, breakdown
from munro.report.drill import _controlled, shown
from munro.years import Period


@pytest.fixture(scope="module")
def store(tmp_path_factory, cin):
    db = tmp_path_factory.mktemp("drill") / "store.duckdb"
    load(db, build(cin))
    allocations(db)
    return db


@pytest.fixture(scope="module")
def every_item(store):
    """Every item broken down by team and by worker: computed once for the tests that read them."""
    return {by: breakdown(store, "201", 2025, by=by) for by in ("team", "worker")}


def figures(b, item_id, *names):
    return {u: tuple(b.items[item_id][u][n] for n in names) for u in b.units}


def test_by_team_units_counts_percent_and_median_worked_by_hand(store):
    b = breakdown(store, "201", 2025, ["cin_rate", "assessment_timeliness"], by="team")
    assert b.units == ["North", "South", UNALLOCATED]
    assert figures(b, "cin_rate", "count") == {"North": (2,), "South": (1,), UNALLOCATED: (2,)}
    assert b.total["cin_rate"].count == 5
    t = figures(b, "assessment_timeliness", "value", "numerator", "denominator", "median")
    assert t == {"North": (100.0, 2, 2, 7.5), "South": (50.0, 1, 2, 27.5), UNALLOCATED: (100.0, 1, 1, 20.0)}
    total = b.total["assessment_timeliness"]
    assert (total.value, total.numerator, total.denominator, total["median"]) == (80.0, 4, 5, 10.0)


def test_by_worker_moved_and_closed_cases_stay_with_their_last_worker(store):
    b = breakdown(store, "201", Period.of_year(2025), ["cin_rate", "assessment_timeliness"], by="worker")
    assert b.units == ["W1", "W2", "W3", UNALLOCATED]
    assert figures(b, "cin_rate", "count") == {"W1": (1,), "W2": (1,), "W3": (1,), UNALLOCATED: (2,)}
    assert figures(b, "assessment_timeliness", "numerator", "denominator") == {
        "W1": (1, 1), "W2": (1, 1), "W3": (1, 2), UNALLOCATED: (1, 1)}
    assert b.restricted


def test_as_at_a_date_before_the_move(store, cin, tmp_path):
    # At 30 September 2024 B1 is still North's (W1), B2 South's; F1's allocation has not started. The 12
    # months to that day begin in 2023-24, whose return is needed too: one with a child closed before them.
    db = tmp_path / "store.duckdb"
    shutil.copyfile(store, db)
    E = cin.Episode
    load(db, {2024: cin.xml(2024, [cin.Child(id="Z1", episodes=[E(referral="2023-05-01", closure="2023-06-01",
                                                                    reason="RC1")])], la="201")})
    b = breakdown(db, "201", Period(dt.date(2024, 9, 30)), ["assessment_timeliness"], by="team")
    assert figures(b, "assessment_timeliness", "denominator")["North"] == (3,)


def test_every_count_adds_up_to_the_las_for_every_item(every_item):
    for by, b in every_item.items():
        assert b.items, by
        for i, per_unit in b.items.items():
            for name in ("count", "numerator", "denominator"):
                total = getattr(b.total[i], name)
                parts = [getattr(r, name) for r in per_unit.values()]
                if total is None or item(i).unit == "per_10k" and name == "denominator":
                    continue  # a rate's denominator is the population, which is not broken down
                assert sum(parts) == total, (by, i, name, parts, total)


def test_rates_give_counts_only_and_imported_items_are_not_broken_down(every_item):
    b = every_item["team"]
    rates = [i for i in ITEMS if item(i).unit == "per_10k" and item(i).comparability != "published"]
    imported = [i for i in ITEMS if item(i).comparability == "published"]
    assert rates and imported
    for i in rates:
        assert item(i).drill == "count"
        for r in b.items[i].values():
            assert r.value is None and r.denominator is None and "population" in r.reason
    assert sorted(b.not_broken) == sorted(imported)
    assert not set(imported) & set(b.items)


def test_shown_by_team_is_disclosure_controlled(store):
    out = shown(breakdown(store, "201", 2025, ["cin_rate"], by="team"))
    # 2, 1 and 2 of 5: each 1..5, so each is c, and so is the total (5).
    assert out["items"]["cin_rate"]["units"] == {"North": {"count": "c"}, "South": {"count": "c"},
                                                 UNALLOCATED: {"count": "c"}}
    assert out["items"]["cin_rate"]["total"]["count"] == "c"
    assert "disclosure" in out and not out["restricted"]


def test_shown_by_worker_is_restricted_and_marks_small_numbers(store):
    out = shown(breakdown(store, "201", 2025, ["assessment_timeliness"], by="worker"))
    w3 = out["items"]["assessment_timeliness"]["units"]["W3"]
    assert (w3["value"], w3["numerator"], w3["denominator"], w3["small"]) == (50.0, 1, 2, True)
    assert out["restricted"] and "disclosure" not in out


def test_controlled_hides_a_small_cell_and_one_more_so_it_cannot_be_worked_out():
    rows = {"North": {"value": 15.0, "numerator": 3, "denominator": 20},
            "South": {"value": 40.0, "numerator": 12, "denominator": 30},
            UNALLOCATED: {"value": 200 / 3, "numerator": 10, "denominator": 15},
            TOTAL: {"value": 25 / 65 * 100, "numerator": 25, "denominator": 65}}
    out = _controlled(rows)
    # North's 3 is c; the total shows 25, so one more numerator goes: the smallest other, Unallocated's 10.
    assert out["North"] == {"value": "c", "numerator": "c", "denominator": 20}
    assert out[UNALLOCATED] == {"value": "c", "numerator": "c", "denominator": 15}
    assert out["South"] == rows["South"] and out[TOTAL] == rows[TOTAL]


def test_allocations_without_a_team(tmp_path, cin):
    db = tmp_path / "store.duckdb"
    load(db, build(cin))
    allocations(db, "child_id,worker_id,start_date,end_date\nA1,W1,2024-04-01,\n")
    with pytest.raises(MunroError, match="no team"):
        breakdown(db, "201", 2025, ["cin_rate"], by="team")
    assert breakdown(db, "201", 2025, ["cin_rate"], by="worker").units == ["W1", UNALLOCATED]


def test_a_blank_team_is_no_team_recorded(tmp_path, cin):
    db = tmp_path / "store.duckdb"
    load(db, build(cin))
    allocations(db, "child_id,worker_id,start_date,end_date,team\nA1,W1,2024-04-01,,North\nA2,W2,2024-04-01,,\n")
    b = breakdown(db, "201", 2025, ["cin_rate"], by="team")
    assert b.units == ["North", NO_TEAM, UNALLOCATED]
    assert figures(b, "cin_rate", "count") == {"North": (1,), NO_TEAM: (1,), UNALLOCATED: (3,)}


def test_refused_in_one_line(tmp_path, cin, store):
    with pytest.raises(MunroError, match="unknown --by 'region'"):
        breakdown(store, "201", 2025, by="region")
    db = tmp_path / "bare.duckdb"
    load(db, build(cin))
    with pytest.raises(MunroError, match="no social worker allocations are loaded for LA 201"):
        breakdown(db, "201", 2025, by="team")
