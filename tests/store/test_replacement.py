"""Replacing a loaded return (issue 18): a file far short of the return it would replace (children,
episodes, plans, the span of the year) is refused, the store unchanged, unless --replace; a corrected
return a few per cent smaller and the same file again load as before.

The returns are built by hand (tests/conftest.py): child i is referred on the first day of the i-th
month of 2024-25 (April, May, ..., March, then April again), with one episode and one plan each, so
40 children have 40 episodes and 40 plans, and their referrals run from 1 April 2024 to 1 March 2025
(335 days, both counted).
"""

from __future__ import annotations

import datetime as dt

import pytest

from munro.errors import RejectedFile
from munro.loading import ingest_file, ingest_files, ingest_local_file
from munro.store import ingest as ingest_mod
from munro.store import list_returns
from munro.store.replacement import Comparison, ReplacementRefused, Shape

LA, YEAR = "330", 2025
MONTHS = ["2024-04-01", "2024-05-01", "2024-06-01", "2024-07-01", "2024-08-01", "2024-09-01", "2024-10-01",
          "2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01", "2025-03-01"]


def children(cin, n, months=MONTHS, first=1):
    return [cin.Child(id=f"C{i:03d}", episodes=[cin.Episode(
        referral=months[(i - 1) % len(months)], plans=[cin.Plan(start=months[(i - 1) % len(months)])])])
        for i in range(first, first + n)]


@pytest.fixture
def put(cin, write):
    """``put(name, n, months=MONTHS)``: a return of LA 330 for 2024-25 holding children C001..C<n>."""
    return lambda name, n, months=MONTHS: write(name, cin.xml(YEAR, children(cin, n, months), la=LA))


def loaded_on(db, store, table="returns"):
    at = store.query(db, f"SELECT min(loaded_at) FROM {table}")[0][0]
    return f"{at.day} {at:%B %Y}"


def statuses(db):
    return [(r["return_id"], r["status"], r["children"]) for r in list_returns(db, include_superseded=True)]


# ---------------------------------------------------------------- the library


def test_a_partial_extract_is_refused_and_the_store_is_unchanged(db, put, store):
    assert ingest_file(db, put("cin_330_2025.xml", 40)).status == "loaded"
    before = store.snapshot(db)
    with pytest.raises(ReplacementRefused) as refused:
        ingest_file(db, put("cin_330_2025_partial.xml", 28))
    # 28 of 40 is 70%, under 75%, and 12 fewer (at least 10): children, episodes and plans alike.
    assert str(refused.value) == (
        f"{db.parent / 'cin_330_2025_partial.xml'}: would replace the loaded 2024-25 return for LA 330 Birmingham "
        f"(cin_330_2025.xml, loaded {loaded_on(db, store)}) but has 28 children against 40 (70%), "
        "28 episodes against 40 (70%) and 28 plans against 40 (70%): is it a partial extract or the wrong file? "
        "Load it anyway with --replace")
    assert isinstance(refused.value, RejectedFile) and refused.value.exit_code == 1
    assert store.snapshot(db) == before


def test_replace_loads_it_and_the_old_return_stays_superseded(db, put):
    ingest_file(db, put("cin_330_2025.xml", 40))
    outcome = ingest_file(db, put("cin_330_2025_partial.xml", 28), replace=True)
    assert (outcome.status, outcome.return_id, outcome.replaced) == ("replaced", 2, 1)
    assert statuses(db) == [(2, "current", 28), (1, "superseded", 40)]


def test_75_per_cent_loads_and_one_child_fewer_is_refused(db, put):
    ingest_file(db, put("cin_330_2025.xml", 40))
    with pytest.raises(ReplacementRefused, match="29 children against 40 "):  # 72.5%
        ingest_file(db, put("cin_330_2025_29.xml", 29))
    assert ingest_file(db, put("cin_330_2025_30.xml", 30)).status == "replaced"  # 30 = 75% of 40: not fewer


def test_a_corrected_return_of_98_per_cent_loads_without_replace(db, put):
    ingest_file(db, put("cin_330_2025.xml", 50))
    outcome = ingest_file(db, put("cin_330_2025_corrected.xml", 49))
    assert (outcome.status, outcome.replaced) == ("replaced", 1)
    assert statuses(db) == [(2, "current", 49), (1, "superseded", 50)]


def test_the_same_file_again_is_unchanged_not_refused(db, put, store):
    path = put("cin_330_2025_partial.xml", 28)
    ingest_file(db, put("cin_330_2025.xml", 40))
    ingest_file(db, path, replace=True)
    before = store.snapshot(db)
    assert ingest_file(db, path).status == "unchanged (already loaded)"
    assert store.snapshot(db) == before


def test_a_drop_of_fewer_than_10_is_a_correction(db, put):
    # 3 of 12 is 25%, but only 9 fewer; referred on 1 April, 1 October and 1 March, the same span.
    ingest_file(db, put("cin_330_2025.xml", 12))
    assert ingest_file(db, put("cin_330_2025_small.xml", 3, MONTHS[::5])).status == "replaced"


def test_a_return_covering_part_of_the_year_is_refused(db, put, store):
    # The same 40 children, referred in April to September only: 1 April to 1 September 2024 is 154 days
    # against 335, 181 fewer (more than 61).
    ingest_file(db, put("cin_330_2025.xml", 40))
    before = store.snapshot(db)
    with pytest.raises(ReplacementRefused) as refused:
        ingest_file(db, put("cin_330_2025_half.xml", 40, MONTHS[:6]))
    assert refused.value.reason.endswith(
        "but has referrals and closures in the year from 1 April 2024 to 1 September 2024 against "
        "1 April 2024 to 1 March 2025: is it a partial extract or the wrong file? Load it anyway with --replace")
    assert store.snapshot(db) == before


def test_a_large_file_staged_on_disk_is_compared_the_same_way(db, put, store, monkeypatch):
    ingest_file(db, put("cin_330_2025.xml", 40))
    monkeypatch.setattr(ingest_mod, "MEMORY_STAGING_BYTES", 0)  # every file staged as Arrow stream files
    before = store.snapshot(db)
    with pytest.raises(ReplacementRefused, match=r"from 1 April 2024 to 1 September 2024 against"):
        ingest_file(db, put("cin_330_2025_half.xml", 40, MONTHS[:6]))
    assert store.snapshot(db) == before
    assert not (db.parent / "store.duckdb.staging").exists()
    assert ingest_file(db, put("cin_330_2025_partial.xml", 28), replace=True).status == "replaced"


def test_a_superseded_partial_return_is_not_made_current_again_without_replace(db, put, store):
    full, partial = put("cin_330_2025.xml", 40), put("cin_330_2025_partial.xml", 28)
    ingest_file(db, full)
    ingest_file(db, partial, replace=True)
    assert ingest_file(db, full).status == "reinstated"  # more than the partial one: no question
    before = store.snapshot(db)
    with pytest.raises(ReplacementRefused, match="28 children against 40"):
        ingest_file(db, partial)
    assert store.snapshot(db) == before
    assert ingest_file(db, partial, replace=True).status == "reinstated"
    assert statuses(db) == [(2, "current", 28), (1, "superseded", 40)]


def test_another_year_or_la_is_not_a_replacement(db, cin, write, put):
    ingest_file(db, put("cin_330_2025.xml", 40))
    assert ingest_file(db, write("cin_330_2024.xml", cin.xml(2024, [cin.Child()], la=LA))).status == "loaded"
    assert ingest_file(db, write("cin_331_2025.xml", cin.xml(YEAR, [cin.Child()], la="331"))).status == "loaded"


def test_a_refused_file_does_not_stop_the_others(db, put):
    ingest_file(db, put("cin_330_2025.xml", 40))
    partial = put("cin_330_2025_partial.xml", 28)
    other = put("cin_330_2025_other.xml", 39)
    outcomes = list(ingest_files(db, [partial, other]))
    assert outcomes[0].error.startswith(f"{partial}: would replace the loaded 2024-25 return")
    assert (outcomes[1].error, outcomes[1].status) == (None, "replaced")


# ---------------------------------------------------------------- the threshold, by hand


def comparison(old: Shape, new: Shape) -> Comparison:
    return Comparison("2024-25 return", LA, 1, "old.xml", dt.datetime(2026, 12, 6, 9, 30), old, new)


def shape(children, first="2024-04-01", last="2025-03-31"):
    day = dt.date.fromisoformat
    return Shape({"children": children, "episodes": children, "cp_plans": 0},
                 first and day(first), last and day(last))


@pytest.mark.parametrize("last, refused", [("2024-12-30", False), ("2024-12-29", True)])
def test_the_span_may_be_61_days_shorter_and_not_62(last, refused):
    # Old: 1 April 2024 to 1 March 2025, 335 days. 1 April to 30 December 2024 is 274 days (61 fewer);
    # to 29 December, 273 (62 fewer).
    assert shape(100, last=last).days == (274 if not refused else 273)
    assert comparison(shape(100, last="2025-03-01"), shape(100, last=last)).refused is refused


def test_a_return_of_a_handful_of_episodes_is_compared_by_its_counts_only():
    # 9 episodes have no span to speak of: a correction of one case moves it by months.
    assert comparison(shape(9, last="2025-03-01"), shape(9, last="2024-05-01")).refused is False
    assert comparison(shape(10, last="2025-03-01"), shape(10, last="2024-05-01")).refused is True


def test_the_words_and_the_table():
    c = comparison(shape(21_671), shape(426, last="2024-06-30"))
    assert c.shrunk() == [
        "426 children against 21,671 (2%)", "426 episodes against 21,671 (2%)",
        "referrals and closures in the year from 1 April 2024 to 30 June 2024 against 1 April 2024 to 31 March 2025"]
    assert "(old.xml, loaded 6 December 2026) but has 426 children" in c.reason()
    assert c.rows() == [
        ("Children", "21,671", "426 (2%)", True), ("Episodes", "21,671", "426 (2%)", True),
        ("Plans", "0", "0", False),  # none before: no share, never refused
        ("Referrals and closures in the year", "1 April 2024 to 31 March 2025", "1 April 2024 to 30 June 2024", True)]
    nothing = comparison(shape(40), shape(40, first=None, last=None))
    assert nothing.shrunk() == ["no referral or closure in the year against 1 April 2024 to 31 March 2025"]
    assert comparison(shape(1000), shape(4)).shrunk()[0] == "4 children against 1,000 (under 1%)"


def test_a_closure_counts_in_the_span_and_a_referral_before_the_year_does_not(db, cin, write):
    kids = [cin.Child(id="A", episodes=[cin.Episode(referral="2019-05-01")]),
            cin.Child(id="B", episodes=[cin.Episode(referral="2024-06-10", closure="2025-02-20", reason="RC1")])]
    ingest_file(db, write("cin_330_2025.xml", cin.xml(YEAR, kids, la=LA)))
    from munro.store.db import open_store
    from munro.store.replacement import shape_of_file, shape_of_return

    con = open_store(db)
    try:
        loaded = shape_of_return(con, 1)
    finally:
        con.close()
    expected = Shape({"children": 2, "episodes": 2, "cp_plans": 0}, dt.date(2024, 6, 10), dt.date(2025, 2, 20))
    assert loaded == expected == shape_of_file(db.parent / "cin_330_2025.xml")


# ---------------------------------------------------------------- the command


def test_the_cli_refuses_with_one_line_and_replace_loads(db, put, munro, munro_env, store):
    env = munro_env(MUNRO_DB=str(db))
    full, partial = put("cin_330_2025.xml", 40), put("cin_330_2025_partial.xml", 28)
    assert munro("ingest", full, env=env).returncode == 0
    before = store.snapshot(db)
    done = munro("ingest", partial, env=env)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        f"rejected {partial}: would replace the loaded 2024-25 return for LA 330 Birmingham (cin_330_2025.xml, "
        f"loaded {loaded_on(db, store)}) but has 28 children against 40 (70%), 28 episodes against 40 (70%) and "
        "28 plans against 40 (70%): is it a partial extract or the wrong file? Load it anyway with --replace\n")
    assert store.snapshot(db) == before
    done = munro("ingest", "--replace", partial, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{partial}: replaced as return 2 (LA 330, 2024-25): 28 children")
    assert done.stdout.rstrip().endswith("return 1 is now superseded")
    assert munro("ingest", partial, env=env).stdout.startswith(f"{partial}: unchanged (already loaded)")


# ---------------------------------------------------------------- local records


def visits(write, name, n_children, per_child):
    lines = ["child_id,plan_start_date,visit_date,seen,seen_alone"]
    lines += [f"C{c:03d},2024-05-01,2024-06-{v + 1:02d},Y,Y"
              for c in range(1, n_children + 1) for v in range(per_child)]
    return write(name, "\n".join(lines) + "\n")


def test_a_local_file_far_smaller_than_the_loaded_one_is_refused(db, put, write, store):
    ingest_file(db, put("cin_330_2025.xml", 10))
    big = visits(write, "cp_visits_2025.csv", 10, 2)
    first = ingest_local_file(db, big)  # 20 rows, 10 children
    assert (first.status, first.rows, first.children) == ("loaded", 20, 10)
    before = store.snapshot(db)
    small = visits(write, "cp_visits_2025_b.csv", 3, 2)  # 6 rows (30%, 14 fewer); 3 children (7 fewer: kept)
    with pytest.raises(ReplacementRefused) as refused:
        ingest_local_file(db, small, year=YEAR)
    assert refused.value.reason == (
        "would replace the loaded 2024-25 cp-visits file for LA 330 Birmingham (cp_visits_2025.csv, loaded "
        f"{loaded_on(db, store, 'local_loads')}) but has 6 rows against 20 (30%): "
        "is it a partial extract or the wrong file? "
        "Load it anyway with --replace")
    assert store.snapshot(db) == before
    # 16 rows (80%) is a correction; the first file again is reinstated (more rows, no question).
    assert ingest_local_file(db, visits(write, "cp_visits_2025_c.csv", 8, 2), year=YEAR).status == "replaced"
    assert ingest_local_file(db, small, year=YEAR, replace=True).status == "replaced"
    assert ingest_local_file(db, big).status == "reinstated"
