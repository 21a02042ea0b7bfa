"""In-year CIN census extracts (issue 22): loaded apart from the annual returns, merged latest first,
superseded by a later picture of their collection, refused in one line when their date cannot be placed.

LA 201, worked by hand. Child M1 has one episode, referred 2024-11-01, in every file:

| file                    | Year | ReferenceDate | M1's PrimaryNeedCode | other children |
|-------------------------|------|---------------|----------------------|----------------|
| annual 2024-25          | 2025 | 2025-03-31    | N1                   | A1             |
| extract of October      | 2026 | 2025-10-31    | N2 (a correction)    | X1             |
| extract of November     | 2026 | 2025-11-30    | N4                   | X1             |
| annual 2025-26          | 2026 | 2026-03-31    | N3                   | X1             |

The October extract is as at 31 October 2025: later than the 2024-25 return (31 March 2025), so its N2
wins over N1; earlier than the 2025-26 return (31 March 2026), which supersedes it, so N3 wins then.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from munro.loading import ingest_file
from munro.store import ingest
from munro.store.returns import list_returns


def _m1(cin, need):
    return cin.Child(id="M1", episodes=[cin.Episode(referral="2024-11-01", need=need)])


def annual_2025(cin):
    return cin.xml(2025, [_m1(cin, "N1"), cin.Child(id="A1", episodes=[cin.Episode(referral="2024-06-01")])])


def october(cin):
    return cin.xml(2026, [_m1(cin, "N2"), cin.Child(id="X1", episodes=[cin.Episode(referral="2025-06-01")])],
                   reference_date="2025-10-31")


def november(cin):
    return cin.xml(2026, [_m1(cin, "N4"), cin.Child(id="X1", episodes=[cin.Episode(referral="2025-06-01")])],
                   reference_date="2025-11-30")


def annual_2026(cin):
    return cin.xml(2026, [_m1(cin, "N3"), cin.Child(id="X1", episodes=[cin.Episode(referral="2025-06-01")])])


def _register(store, db):
    return store.query(db, "SELECT return_id, collection_year, reference_date::VARCHAR, kind, status FROM returns "
                           "ORDER BY return_id")


def _need(store, db):
    return store.query(db, "SELECT primary_need, return_id, collection_year FROM merged_episodes "
                           "WHERE la_child_id = 'M1'")


def test_an_extract_loads_as_an_in_year_extract_of_its_collection(cin, write, db, store, munro):
    ingest_file(db, write("a2025.xml", annual_2025(cin)))
    outcome = ingest_file(db, write("oct.xml", october(cin)))
    assert outcome.status == "loaded" and outcome.replaced is None
    assert "(LA 201, 2025-26 in-year extract of 31 October 2025)" in outcome.summary()
    assert outcome.record()["return_kind"] == "in-year" and outcome.record()["reference_date"] == "2025-10-31"
    assert _register(store, db) == [(1, 2025, "2025-03-31", "annual", "current"),
                                    (2, 2026, "2025-10-31", "in-year", "current")]
    # The 2025-26 collection has no annual return yet: the extract is not the year's return.
    rows = list_returns(db)
    assert [(r["return_id"], r["kind"]) for r in rows] == [(2, "in-year"), (1, "annual")]

    listing = munro("--db", db, "returns").stdout.splitlines()
    assert listing[1].split()[:5] == ["2", "201", "2025-26", "(in-year,", "2025-10-31)"]
    assert listing[2].split()[:4] == ["1", "201", "2024-25", "current"]
    records = json.loads(munro("--db", db, "returns", "--format", "json").stdout)
    assert [(r["return_id"], r["year"], r["return_kind"], r["reference_date"]) for r in records] == [
        (2, 2026, "in-year", "2025-10-31"), (1, 2025, "annual", "2025-03-31")]


def test_the_extract_beats_the_earlier_annual_return_and_loses_to_the_later_one(cin, write, db, store):
    ingest_file(db, write("a2025.xml", annual_2025(cin)))
    assert _need(store, db) == [("N1", 1, 2025)]
    ingest_file(db, write("oct.xml", october(cin)))
    assert _need(store, db) == [("N2", 2, 2026)]
    # M1's episode is held by the 2024-25 return and the extract (of collection 2025-26).
    assert store.query(db, "SELECT first_year, last_year FROM merged_episodes WHERE la_child_id = 'M1'") == [
        (2025, 2026)]
    # A1, in the 2024-25 return only, is kept; X1 comes from the extract.
    assert store.query(db, "SELECT la_child_id, return_id FROM merged_children ORDER BY 1") == [
        ("A1", 1), ("M1", 2), ("X1", 2)]
    outcome = ingest_file(db, write("a2026.xml", annual_2026(cin)))
    assert (outcome.status, outcome.replaced) == ("replaced", 2)
    assert _need(store, db) == [("N3", 3, 2026)]


def test_a_later_annual_return_supersedes_its_extracts_and_they_can_be_reinstated(cin, write, db, store, munro):
    ingest_file(db, write("a2025.xml", annual_2025(cin)))
    oct_path = write("oct.xml", october(cin))
    ingest_file(db, oct_path)
    ingest_file(db, write("a2026.xml", annual_2026(cin)))
    assert _register(store, db) == [(1, 2025, "2025-03-31", "annual", "current"),
                                    (2, 2026, "2025-10-31", "in-year", "superseded"),
                                    (3, 2026, "2026-03-31", "annual", "current")]
    everything = munro("--db", db, "returns", "--all").stdout.splitlines()
    assert [line.split()[:3] for line in everything[1:]] == [["3", "201", "2025-26"], ["2", "201", "2025-26"],
                                                             ["1", "201", "2024-25"]]
    assert "superseded" in everything[2]
    # Loaded again, the extract is current again (as any superseded return), superseding the annual one.
    again = ingest_file(db, oct_path)
    assert (again.status, again.replaced) == ("reinstated", 3)
    assert [r[4] for r in _register(store, db)] == ["current", "current", "superseded"]
    assert _need(store, db) == [("N2", 2, 2026)]


def test_a_later_extract_supersedes_an_earlier_one(cin, write, db, store):
    ingest_file(db, write("a2025.xml", annual_2025(cin)))
    ingest_file(db, write("oct.xml", october(cin)))
    outcome = ingest_file(db, write("nov.xml", november(cin)))
    assert (outcome.status, outcome.replaced) == ("replaced", 2)
    assert [r[3:] for r in _register(store, db)] == [("annual", "current"), ("in-year", "superseded"),
                                                     ("in-year", "current")]
    assert _need(store, db) == [("N4", 3, 2026)]


# ---------------------------------------------------------------- dates that cannot be placed


def test_an_extract_dated_in_the_future_is_refused(cin, write, db, store, monkeypatch):
    ingest_file(db, write("a2025.xml", annual_2025(cin)))
    before = store.snapshot(db)
    monkeypatch.setattr(ingest, "today", lambda: dt.date(2025, 11, 15))
    with pytest.raises(Exception) as refused:
        ingest_file(db, write("nov.xml", november(cin)))
    assert str(refused.value) == (
        f"{db.parent / 'nov.xml'}: its ReferenceDate 30 November 2025 is in the future (today is 15 November 2025): "
        "a return cannot be dated after the day it was made; nothing loaded")
    assert store.snapshot(db) == before


def test_a_date_outside_the_collection_is_refused_in_one_line(cin, write, db, store, munro):
    ingest_file(db, write("a2025.xml", annual_2025(cin)))
    before = store.snapshot(db)
    path = write("wrong.xml", cin.xml(2025, [_m1(cin, "N2")], reference_date="2025-10-31"))
    run = munro("--db", db, "ingest", path)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == (
        f"rejected {path}: its ReferenceDate 31 October 2025 is outside its collection year 2024-25 "
        "(1 April 2024 to 31 March 2025): an annual return is dated 31 March 2025 and an in-year extract of "
        "2024-25 between those dates; check the header's <Year> and <ReferenceDate>; nothing loaded\n")
    assert store.snapshot(db) == before


def test_an_extract_of_a_collection_whose_annual_return_is_loaded_is_refused(cin, write, db, store, munro):
    ingest_file(db, write("a2025.xml", annual_2025(cin)))
    ingest_file(db, write("a2026.xml", annual_2026(cin)))
    before = store.snapshot(db)
    path = write("oct.xml", october(cin))
    run = munro("--db", db, "ingest", path)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == (
        f"rejected {path}: the 2025-26 annual return of LA 201 is already loaded (return 2), a later picture of "
        "the whole year than this in-year extract of 31 October 2025; nothing loaded\n")
    assert store.snapshot(db) == before


def test_an_extract_older_than_the_current_one_is_refused(cin, write, db, store):
    ingest_file(db, write("nov.xml", november(cin)))
    before = store.snapshot(db)
    with pytest.raises(Exception) as refused:
        ingest_file(db, write("oct.xml", october(cin)))
    assert str(refused.value).endswith(
        "oct.xml: an in-year extract of 30 November 2025 is already loaded for LA 201's 2025-26 (return 1), a "
        "later picture than this one of 31 October 2025; nothing loaded")
    assert store.snapshot(db) == before


# ---------------------------------------------------------------- a store made before kinds


def test_a_store_of_schema_4_gains_kinds_read_from_its_dates(cin, write, db, store):
    import duckdb

    from munro.store.db import open_store

    ingest_file(db, write("a2025.xml", annual_2025(cin)))
    ingest_file(db, write("oct.xml", october(cin)))
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE returns DROP COLUMN kind")
    con.execute("UPDATE munro_meta SET value = '4' WHERE key = 'schema_version'")
    con.close()
    # Read-only (not migrated), the kinds are read from the dates.
    assert [(r["return_id"], r["kind"]) for r in list_returns(db)] == [(2, "in-year"), (1, "annual")]
    open_store(db).close()  # opened to write: migrated
    assert store.query(db, "SELECT return_id, kind FROM returns ORDER BY 1") == [(1, "annual"), (2, "in-year")]
    assert store.query(db, "SELECT value FROM munro_meta WHERE key = 'schema_version'") == [("5",)]
