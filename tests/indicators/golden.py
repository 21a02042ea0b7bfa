"""Hand-made returns for the golden tests of the indicators.

``load(db, {year: xml_text, ...})`` writes each return beside the store and
ingests it (years in order, so later returns win in the merged history);
``items(db, la, year, *ids)`` computes items with a population of 10,000 by
default, so that every rate per 10,000 equals its count, on the engine under
test (``ENGINE``: every golden test runs on DuckDB, PostgreSQL and Spark).

The returns are written with ``tests/conftest.py``'s builder (the ``cin``
fixture), which follows the DfE element order independently of munro.
"""

from __future__ import annotations

from pathlib import Path

import engine_support
from munro.indicators.compute import compute
from munro.loading import ingest_file

POP = 10_000  # rates per 10,000 are then the counts themselves

# The engine the golden tests run on: each runs on every engine (tests/indicators/conftest.py).
ENGINE = "duckdb"


def engine(db: Path):
    """The engine under test over the store at ``db`` (a context manager)."""
    return engine_support.engine_for(ENGINE, db)


def load(db: Path, returns: dict[int, str], la: str = "201") -> Path:
    for year in sorted(returns):
        path = db.parent / f"cin_{la}_{year}.xml"
        path.write_text(returns[year], encoding="utf-8")
        outcome = ingest_file(db, path, workers=1)
        assert outcome.error is None, outcome.error
    return db


def run(db: Path, year: int, *ids: str, la: str = "201", population=None) -> dict:
    """compute()'s whole result (population 10,000 unless given)."""
    if population is None:
        population = {la: POP}
    with engine(db) as e:
        return compute(e, la, year, items=list(ids) or None, population=population)


def items(db: Path, year: int, *ids: str, la: str = "201", population=None) -> dict:
    """{id: ItemResult}."""
    return run(db, year, *ids, la=la, population=population)["items"]
