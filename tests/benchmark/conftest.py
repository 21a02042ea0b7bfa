"""The packaged published statistics loaded once for the benchmark tests (loading takes seconds)."""

from __future__ import annotations

import shutil

import pytest

from munro.benchmark.reference import load_reference


@pytest.fixture(scope="session")
def reference_load(tmp_path_factory):
    """(store, load summary) of a store holding only the packaged statistics. Read it, or copy it first."""
    db = tmp_path_factory.mktemp("reference") / "store.duckdb"
    return db, load_reference(db)


@pytest.fixture
def reference_copy(reference_load, tmp_path):
    """A copy of ``reference_load``'s store, for a test that writes to it."""
    db = tmp_path / "store.duckdb"
    shutil.copyfile(reference_load[0], db)
    return db
