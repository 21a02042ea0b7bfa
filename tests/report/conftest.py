"""A small synthetic LA's store and its report, written once for the report tests.

Birmingham's code (330) at 2% of its population: small enough to build in
seconds and to have small counts, real enough that the packaged published
statistics give it England, region and statistical-neighbour benchmarks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from munro.loading import ingest_files
from munro.synth import generate

LA, YEAR = "330", 2025


@pytest.fixture(scope="session")
def report_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report-store")
    generate(LA, [2023, 2024, 2025], root / "returns", seed=5, scale=0.02)
    db = root / "store.duckdb"
    loaded = list(ingest_files(db, sorted((root / "returns").glob("cin_*.xml"))))
    assert len(loaded) == 3
    return db


@pytest.fixture(scope="session")
def internal_report(report_store, tmp_path_factory):
    from munro.report import write_report

    return write_report(report_store, LA, YEAR, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="session")
def published_report(report_store, tmp_path_factory):
    from munro.report import write_report

    return write_report(report_store, LA, YEAR, tmp_path_factory.mktemp("published"), publish=True)
