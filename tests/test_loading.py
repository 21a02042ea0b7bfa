"""The load procedure (munro.loading): every kind of file read, checked and published in one transaction.

For each kind (a CIN census return, a local CSV, a pooled export) a failure while it is checked, and
one after everything was written but before the COMMIT (injected into the one transaction helper),
leave the store exactly as it was; the store itself never imports the DfE rules."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest

import munro.store.database as database
from munro import loading
from munro.store import LoadOutcome, Store
from munro.store.keys import new_key_file
from munro.store.pseudonymise import export_pseudonymised

VISITS = "child_id,plan_start_date,visit_date,seen,seen_alone\nA1,2024-05-01,2024-05-08,Y,Y\n" \
         "A2,2024-05-01,2024-05-09,Y,N\n"


@pytest.fixture
def files(tmp_path, cin, write):
    """A store holding LA 201's 2024-25 return (children A1, A2), and one file of each kind not loaded yet:
    a 2025-26 return, a CSV of visits for 2024-25, and the pseudonymised export of LA 202's store."""
    kids = [cin.Child(id=c, episodes=[cin.Episode(referral="2024-05-01", plans=[cin.Plan("2024-05-01")])])
            for c in ("A1", "A2")]
    db = tmp_path / "store.duckdb"
    first = write("cin_201_2025.xml", cin.xml(2025, kids))
    assert [o.error for o in loading.load_files(db, [first])] == [None]
    other = tmp_path / "other.duckdb"
    assert [o.error for o in loading.load_files(other, [write("cin_202_2025.xml", cin.xml(2025, kids, la="202"))])
            ] == [None]
    key = tmp_path / "202.key"
    new_key_file(key)
    export_pseudonymised(other, tmp_path / "export-202", key)
    return db, {"cin-census": write("cin_201_2026.xml", cin.xml(2026, kids)),
                "cp-visits": write("visits_2025.csv", VISITS),
                "pooled-export": tmp_path / "export-202"}


KINDS = ("cin-census", "cp-visits", "pooled-export")


def _fail_while_checking(kind: str, monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise RuntimeError("failed while checking")

    if kind == "cin-census":  # the DfE rules' findings, recorded inside the transaction with the rows
        monkeypatch.setattr(loading.DfERules, "record", fail)
    elif kind == "cp-visits":  # the children matched to the census, before the store is written
        monkeypatch.setattr("munro.store.local.census_match", fail)
    else:  # one key per LA, checked over the export as read, before the store is written
        monkeypatch.setattr("munro.store.pooled._check_one_key", fail)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_loads_through_the_one_procedure(files, kind, store):
    db, paths = files
    before = store.data_rows(db)
    [outcome] = loading.load_files(db, [paths[kind]], la="201")
    assert isinstance(outcome, LoadOutcome)
    assert (outcome.error, outcome.record()["kind"], outcome.record()["status"]) == (None, kind, "loaded")
    assert store.data_rows(db) > before
    after = store.snapshot(db)
    [again] = loading.load_files(db, [paths[kind]], la="201")  # the same file twice changes nothing
    if kind == "pooled-export":  # an export's files each say theirs
        assert (again.record()["status"], again.loaded, again.unchanged) == ("loaded", [], ["2024-25"])
    else:
        assert again.record()["status"] == "unchanged"
    assert store.snapshot(db) == after


@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_while_checking_leaves_the_store_as_it_was(files, kind, monkeypatch, store):
    db, paths = files
    before = store.snapshot(db)
    _fail_while_checking(kind, monkeypatch)
    with pytest.raises(RuntimeError, match="failed while checking"):
        list(loading.load_files(db, [paths[kind]], la="201"))
    assert store.snapshot(db) == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_before_the_commit_leaves_the_store_as_it_was(files, kind, monkeypatch, store):
    """Everything read, checked and written inside the one transaction; then the COMMIT fails."""
    db, paths = files
    before = store.snapshot(db)
    real = database.transaction

    @contextlib.contextmanager
    def fails_at_commit(con):
        with real(con):
            yield
            raise RuntimeError("killed before the COMMIT")

    monkeypatch.setattr(database, "transaction", fails_at_commit)
    with pytest.raises(RuntimeError, match="killed before the COMMIT"):
        list(loading.load_files(db, [paths[kind]], la="201"))
    assert store.snapshot(db) == before
    assert not (db.parent / "store.duckdb.loading").exists()  # no staged rows left beside the store


def test_a_failed_reinstatement_leaves_the_older_return_superseded(files, monkeypatch, store, write, cin):
    db, _ = files
    newer = write("cin_201_2025_again.xml", cin.xml(2025, [cin.Child(id=c, episodes=[cin.Episode(
        referral="2024-05-01", plans=[cin.Plan("2024-05-01")])]) for c in ("A1", "A2", "A3")]))
    assert [o.status for o in loading.load_files(db, [newer])] == ["replaced"]
    before = store.snapshot(db)
    real = database.transaction

    @contextlib.contextmanager
    def fails_at_commit(con):
        with real(con):
            yield
            raise RuntimeError("killed before the COMMIT")

    monkeypatch.setattr(database, "transaction", fails_at_commit)
    with pytest.raises(RuntimeError, match="killed before the COMMIT"):
        list(loading.load_files(db, [db.parent / "cin_201_2025.xml"]))
    assert store.snapshot(db) == before


def test_the_store_never_imports_the_dfe_rules():
    code = ("import sys, munro.store, munro.store.ingest, munro.store.pooled, munro.store.retention, "
            "munro.store.local, munro.benchmark.reference; "
            "print(sorted(m for m in sys.modules if m.startswith(('munro.validate', 'munro.loading'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_store_object_is_accepted_wherever_a_store_path_is(files, store):
    db, paths = files
    with Store(db) as opened:
        outcomes = list(loading.load_files(opened, [paths["cp-visits"], paths["cin-census"]], la="201"))
        assert opened.rows("SELECT 1") == [(1,)]  # the caller's store stays open
    assert [(o.error, o.status) for o in outcomes] == [(None, "loaded"), (None, "loaded")]
    assert store.query(db, "SELECT kind, status FROM local_loads") == [("cp-visits", "current")]
