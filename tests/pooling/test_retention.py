"""munro retention --keep-years N: whole old years go, in one transaction, logged; nothing else changes."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from munro.errors import MunroError
from munro.population import set_population
from munro.store.retention import retention, retention_history

TABLES_WITH_RETURN_ID = ("children", "disabilities", "episodes", "assessments", "assessment_factors", "cin_plans",
                         "section47", "cp_plans", "cp_reviews", "pre_proceedings", "validation_findings",
                         "pooled_returns")


def _rows(db, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


def _kept(db, table: str) -> list[tuple]:
    """Every row of the table belonging to returns of 2024 and 2025 (renumbering aside, which retention never does)."""
    return _rows(db, f"SELECT t.* FROM {table} t JOIN returns r USING (return_id) WHERE r.collection_year >= 2024")


@pytest.fixture
def store(pooled, tmp_path):
    db = tmp_path / "pooled.duckdb"
    shutil.copy(pooled, db)
    set_population(db, "805", 2023, 40000, note="kept: not a return's")
    return db


def test_the_old_years_go_whole_and_nothing_else_changes(store):
    kept = {t: _kept(store, t) for t in TABLES_WITH_RETURN_ID}
    returns_kept = _rows(store, "SELECT * FROM returns WHERE collection_year >= 2024")
    overrides = _rows(store, "SELECT * FROM population_overrides")
    old = _rows(store, "SELECT return_id, la_code FROM returns WHERE collection_year = 2023")
    assert len(old) == 3

    outcome = retention(store, 2, run_by="test")

    assert outcome.first_kept_year == 2024
    assert sorted((r["file_id"], r["la_code"]) for r in outcome.removed) == old
    for table in TABLES_WITH_RETURN_ID:  # nothing of 2022-23 is left anywhere
        assert _rows(store, f"SELECT count(*) FROM {table} WHERE return_id IN "
                            f"({', '.join(str(r) for r, _ in old)})") == [(0,)], table
        assert _kept(store, table) == kept[table], table  # and every other row is as it was
    assert _rows(store, "SELECT * FROM returns") == returns_kept
    assert _rows(store, "SELECT * FROM population_overrides") == overrides
    assert outcome.removed[0]["rows_removed"] > 100
    assert "removed 3 file(s)" in outcome.lines()[0]


def test_it_is_logged_in_the_store(store):
    outcome = retention(store, 1, run_by="admin@la.gov.uk")
    log = retention_history(store)
    assert len(log) == len(outcome.removed) == 6
    assert {(r["run_by"], r["keep_years"], r["first_kept_year"], r["register"]) for r in log} == \
           {("admin@la.gov.uk", 1, 2025, "returns")}
    assert sorted(r["year"] for r in log) == [2023] * 3 + [2024] * 3
    assert sum(r["rows_removed"] for r in log) == sum(r["rows_removed"] for r in outcome.removed)


def test_a_dry_run_and_a_second_run_change_nothing(store):
    before = _rows(store, "SELECT return_id FROM returns")
    preview = retention(store, 2, dry_run=True)
    assert len(preview.removed) == 3 and "would remove" in preview.lines()[0]
    assert _rows(store, "SELECT return_id FROM returns") == before and retention_history(store) == []
    retention(store, 2)
    after = _rows(store, "SELECT return_id FROM returns")
    again = retention(store, 2)
    assert again.removed == [] and "nothing older" in again.lines()[0]
    assert _rows(store, "SELECT return_id FROM returns") == after


def test_the_items_of_the_years_kept_see_the_history_that_is_left(store):
    from munro.indicators.compute import compute

    retention(store, 2)
    result = compute(store, "841", 2025, items=["rereferral_12m", "rereferral_after_cpp_24m"])
    assert result["history_years"] == [2024, 2025]
    assert result["items"]["rereferral_after_cpp_24m"].value is None  # its cohort year has gone


def test_keeping_no_year_is_refused(store):
    with pytest.raises(MunroError, match="at least 1"):
        retention(store, 0)


def test_an_export_with_a_removed_year_does_not_bring_it_back(store, las):
    from munro.loading import ingest_files

    retention(store, 2)
    before = _rows(store, "SELECT return_id, status FROM returns")
    [outcome] = ingest_files(store, [las["805"].export])
    assert outcome.too_old == ["2022-23"] and outcome.unchanged == ["2023-24", "2024-25"]
    assert "not loaded, older than retention keeps 2022-23" in outcome.summary()
    assert _rows(store, "SELECT return_id, status FROM returns") == before


def test_local_records_of_an_old_year_go_with_it(las, tmp_path):
    from pooling_helpers import write_visits

    from munro.loading import ingest_local_file

    db = tmp_path / "own.duckdb"
    shutil.copy(las["805"].store, db)
    for year in (2023, 2025):
        ingest_local_file(db, write_visits(db, year, tmp_path / f"cp_visits_{year}.csv"), year=year)
    before = _rows(db, "SELECT count(*) FROM cp_visits v JOIN local_loads l USING (load_id) WHERE l.year = 2025")
    outcome = retention(db, 2)
    assert sorted((r["register"], r["year"]) for r in outcome.removed) == [("local_loads", 2023), ("returns", 2023)]
    assert _rows(db, "SELECT kind, year FROM local_loads") == [("cp-visits", 2025)]
    assert _rows(db, "SELECT count(*) FROM cp_visits") == before and before[0][0] > 30
