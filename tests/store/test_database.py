"""The store object (munro.store.Store): one door to the data, whatever the caller holds; the one
transaction helper; Arrow rows into a table; the register of current, superseded and reinstated files."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from munro.store import Store, open_store


def _local_load(store: Store, load_id: int, status: str, year: int = 2025, kind: str = "cp-visits") -> None:
    store.rows("INSERT INTO local_loads (load_id, kind, la_code, year, status, file_name, file_sha256, file_bytes, "
               "rows, children, unmatched, loaded_at, superseded_at, munro_version) "
               "VALUES (?, ?, '201', ?, ?, 'f.csv', ?, 10, 3, 2, 0, ?, NULL, 'test')",
               [load_id, kind, year, status, f"{load_id:064d}", dt.datetime(2025, 5, 1)])


def _statuses(store: Store) -> list[tuple]:
    return store.rows("SELECT load_id, status, superseded_at IS NULL FROM local_loads ORDER BY load_id")


def test_a_path_is_opened_and_closed_by_the_object(db):
    with Store(db) as store:
        assert store.path == db
        assert store.has_table("returns") and store.has_table("local_loads")
    with pytest.raises(duckdb.ConnectionException):  # closed: it was the object's own
        store.rows("SELECT 1")


def test_a_callers_connection_or_store_is_left_open(db):
    con = open_store(db)
    try:
        with Store(con) as store:
            assert store.path == db  # found from the connection: a load stages beside it
            with Store(store) as same:
                assert same.con is con and same.path == db
            assert store.rows("SELECT 1") == [(1,)]
        assert con.execute("SELECT 2").fetchall() == [(2,)]
    finally:
        con.close()


def test_anything_else_is_refused():
    with pytest.raises(TypeError, match="expected a store path, a DuckDB connection or a Store, not int"):
        Store(3)


def test_a_transaction_commits_everything_or_nothing(db):
    with Store(db) as store:
        with store.transaction():
            _local_load(store, 1, "current")
        with pytest.raises(RuntimeError, match="after the second row"), store.transaction():
            _local_load(store, 2, "current", year=2024)
            _local_load(store, 3, "current", year=2023)
            raise RuntimeError("after the second row")
        assert _statuses(store) == [(1, "current", True)]
        with pytest.raises(KeyboardInterrupt), store.transaction():  # an interruption too
            _local_load(store, 4, "current", year=2022)
            raise KeyboardInterrupt
        assert _statuses(store) == [(1, "current", True)]


def test_insert_all_puts_missing_columns_as_null_and_computed_ones(db):
    rows = pa.table({"la_child_id": ["A1", "A2"], "visit_date": pa.array([dt.date(2025, 1, 6), None]),
                     "line": pa.array([2, 3], pa.int64())})
    with Store(db) as store:
        columns = store.columns("cp_visits")
        store.insert_all("cp_visits", rows, columns, {"load_id": "7", "la_code": "$la"}, {"la": "201"})
        got = store.records("SELECT * FROM cp_visits ORDER BY line")
    assert [(r["load_id"], r["la_code"], r["la_child_id"], r["visit_date"], r["line"]) for r in got] == \
        [(7, "201", "A1", dt.date(2025, 1, 6), 2), (7, "201", "A2", None, 3)]
    assert all(r[c] is None for r in got for c in columns if c not in ("load_id", "la_code", "la_child_id",
                                                                         "visit_date", "line"))


def test_the_register_keeps_one_current_file_per_kind_la_and_year(db):
    with Store(db) as store:
        loads = store.register("local_loads")
        assert loads.next_id() == 1
        same = {"kind": "cp-visits", "la_code": "201", "year": 2025}
        assert loads.current(same) is None
        assert loads.supersede_current(same) is None  # nothing to supersede
        _local_load(store, 1, "current")
        _local_load(store, 2, "current", kind="core-groups")  # another kind: not the same file
        assert loads.next_id() == 3
        assert loads.current(same) == 1
        assert loads.supersede_current(same) == 1
        _local_load(store, 3, "current")
        assert _statuses(store) == [(1, "superseded", False), (2, "current", True), (3, "current", True)]
        # load 1 loaded again: current again, load 3 superseded
        assert loads.reinstate(1, same) == 3
        assert _statuses(store) == [(1, "current", True), (2, "current", True), (3, "superseded", False)]
        assert loads.current(same) == 1
        assert loads.current({**same, "kind": "core-groups"}) == 2


def test_the_registers_are_the_declared_ones(db):
    with Store(db) as store:
        assert [r.table for r in store.registers()] == ["returns", "local_loads"]
        assert store.register("returns").current({"la_code": "201", "collection_year": 2025}) is None
        with pytest.raises(ValueError, match="benchmark is not a register of loaded files"):
            store.register("benchmark")
