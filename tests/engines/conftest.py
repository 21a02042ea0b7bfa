"""A store of two synthetic LAs over three years, and its exports, shared by the engine tests."""

from __future__ import annotations

import datetime as dt

import pytest

import engine_support
from munro.loading import ingest_file, ingest_local_file, load_file
from munro.store.export import export_store
from munro.synth import generate


@pytest.fixture(scope="session")
def two_las(tmp_path_factory):
    """Hartlepool (805) and Darlington (841), 2022-23 to 2024-25, at half their size, with the local
    records synth writes beside the returns (SSDA903, visits, core groups, allocations, own figures) and its
    Annex A as at 31 March 2025 (12 months: the contacts and early help of 2024-25)."""
    root = tmp_path_factory.mktemp("two_las")
    db = root / "store.duckdb"
    for la, seed in (("805", 11), ("841", 12)):
        results = generate(la, [2023, 2024, 2025], root / la, seed=seed, scale=0.5, progress=False,
                           annex_a=dt.date(2025, 3, 31))
        for r in results:
            assert ingest_file(db, r.path, workers=1).error is None
        for r in results:
            for path in r.local.values():
                ingest_local_file(db, path, la=la, year=r.year)
            if r.annex_a:
                assert load_file(db, r.annex_a, la=la, as_at=dt.date(2025, 3, 31), months=12).error is None
    return db


@pytest.fixture(scope="session")
def parquet_export(two_las):
    folder = two_las.parent / "export"
    export_store(two_las, folder)
    return folder


@pytest.fixture(scope="session")
def pg_export(two_las):
    """(URL, schema) of the store exported to the test process's PostgreSQL server."""
    url = engine_support.postgres_url()
    export_store(two_las, url, schema="two_las")
    return url, "two_las"
