"""Every golden test (a test that builds hand-made returns with ``cin``) runs on every engine.

The store is built with DuckDB, as munro always builds it, and reaches the other
engines the way a user's does (``munro export``: tests/engine_support.py). A known
gap of an engine is listed in ``KNOWN_GAPS`` with its reason: the test is then
expected to fail there (strictly: it fails the run if it starts to pass).
"""

from __future__ import annotations

import golden
import pytest

from engine_support import ENGINES

GOLDEN_MODULES = {"test_timeliness", "test_plans", "test_activity", "test_local_records", "test_drill_engines"}

# (engine, test name) -> why that engine cannot pass it
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def pytest_generate_tests(metafunc):
    names = metafunc.fixturenames
    if metafunc.module.__name__ in GOLDEN_MODULES and ("cin" in names or "db" in names):
        params = []
        for name in ENGINES:
            gap = KNOWN_GAPS.get((name, metafunc.function.__name__))
            marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
            params.append(pytest.param(name, id=name, marks=marks))
        if "engine" not in names:
            names.append("engine")
        metafunc.parametrize("engine", params, indirect=True)


@pytest.fixture
def engine(request):
    golden.ENGINE = getattr(request, "param", "duckdb")
    yield golden.ENGINE
    golden.ENGINE = "duckdb"


@pytest.fixture
def db(tmp_path, engine):
    """The store a golden test builds (always DuckDB), with the engine it is computed on set."""
    return tmp_path / "store.duckdb"
