"""The published statistics' loads on the one load template (store.loader): each gives a LoadOutcome,
``benchmark_loads`` records what is loaded now, and a failed import leaves the store as it was."""

from __future__ import annotations

import hashlib

import pytest

from munro.benchmark import reference
from munro.benchmark.reference import ensure_reference, import_reference
from munro.store import LoadOutcome

HEADER = "area_level,area_code,year,item_id,figure,value,numerator,denominator,unit,symbol,source,vintage\n"
# Two sources in one file: three rows of one, one of the other.
GOOD = HEADER + (
    "la,330,2026,cpp_repeat,value,21.4,150,701,percent,,Mine A,v1\n"
    "la,805,2026,cpp_repeat,value,,,,percent,c,Mine A,v1\n"
    "england,E92000001,2026,cpp_repeat,value,24.1,15000,62240,percent,,Mine A,v1\n"
    "region,E12000001,2025,offences_against_children_rate,value,55.5,,,per_10k,,Mine B,v1\n"
)


@pytest.fixture
def loaded(reference_copy):
    return reference_copy


@pytest.fixture
def rows(store):
    return store.query  # tests/conftest.py: a read-only query of a store


@pytest.fixture
def state(rows):
    def _state(db):
        return {t: rows(db, f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {t} t")
                for t in ("benchmark", "statistical_neighbours", "benchmark_loads")}
    return _state


def test_an_import_is_a_load_outcome_and_recorded_per_source(loaded, tmp_path, rows):
    path = tmp_path / "mine.csv"
    path.write_text(GOOD, encoding="utf-8")
    sha = hashlib.sha256(GOOD.encode()).hexdigest()
    outcome = import_reference(loaded, path)
    assert isinstance(outcome, LoadOutcome)
    assert (outcome.status, outcome.rows, outcome.replaced_rows) == ("loaded", 4, 0)
    assert outcome.summary() == ("mine.csv: 4 rows imported; years 2024-25 to 2025-26; items: cpp_repeat (3), "
                                 "offences_against_children_rate (1)")
    recorded = [("user import mine.csv: Mine A", str(path.resolve()), sha, 3),
                ("user import mine.csv: Mine B", str(path.resolve()), sha, 1)]
    assert rows(loaded, "SELECT source, file, sha256, rows FROM benchmark_loads WHERE source LIKE 'user import%' "
                        "ORDER BY source") == recorded
    # Again, with source B left out: its record goes with its rows; A's is the new file's.
    path.write_text(GOOD.rsplit("region,", 1)[0], encoding="utf-8")
    again = import_reference(loaded, path)
    assert (again.status, again.rows, again.replaced_rows) == ("replaced", 3, 4)
    assert "replacing 4 rows of an earlier import of it" in again.summary()
    assert rows(loaded, "SELECT source, sha256, rows FROM benchmark_loads WHERE source LIKE 'user import%'") == [
        ("user import mine.csv: Mine A", hashlib.sha256(path.read_bytes()).hexdigest(), 3)]


def test_a_failed_import_leaves_the_store_as_it_was(loaded, tmp_path, monkeypatch, state):
    path = tmp_path / "mine.csv"
    path.write_text(GOOD, encoding="utf-8")
    import_reference(loaded, path)
    before = state(loaded)
    real = reference._insert_arrow

    def fail(con, table, *a, **k):
        if table == "benchmark":  # after the earlier import's rows and record were deleted
            raise RuntimeError("disk full")
        return real(con, table, *a, **k)

    monkeypatch.setattr(reference, "_insert_arrow", fail)
    path.write_text(GOOD.replace("21.4", "22.0"), encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk full"):
        import_reference(loaded, path)
    assert state(loaded) == before


def test_an_import_into_a_new_store_loads_the_packaged_statistics_in_the_same_transaction(tmp_path, monkeypatch):
    db = tmp_path / "new.duckdb"
    path = tmp_path / "mine.csv"
    path.write_text(GOOD, encoding="utf-8")
    real = reference._record_load

    def fail(con, source, *a, **k):
        if source.startswith("user import"):  # the packaged statistics written already
            raise RuntimeError("disk full")
        return real(con, source, *a, **k)

    monkeypatch.setattr(reference, "_record_load", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_reference(db, path)
    assert ensure_reference(db) is not None  # nothing of the packaged load was kept


def test_the_packaged_statistics_already_loaded_are_unchanged(loaded):
    assert ensure_reference(loaded) is None
    outcome = reference.load_reference(loaded)
    assert isinstance(outcome, LoadOutcome) and outcome.status == "replaced"
    assert outcome.record()["status"] == "replaced" and outcome.record()["kind"] == "published-statistics"
