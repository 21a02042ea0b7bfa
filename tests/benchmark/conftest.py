"""The packaged published statistics loaded once for the benchmark tests (loading takes seconds)."""

from __future__ import annotations

import pytest

from munro.benchmark.reference import load_reference


@pytest.fixture(scope="session")
def reference_load(tmp_path_factory):
    """(store, load summary) of a store holding only the packaged statistics. Read it, or copy it first."""
    db = tmp_path_factory.mktemp("reference") / "store.duckdb"
    return db, load_reference(db)
