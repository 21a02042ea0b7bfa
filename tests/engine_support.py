"""The engines under test, and how a test's store reaches them (as a user's would: `munro export`).

``ENGINES`` lists every engine; ``engine_for(name, db)`` exports the DuckDB store
at ``db`` to that engine and connects to it:

- duckdb: the store itself;
- postgresql: one throw-away server for the whole test process (tests/pg_server.py),
  each export in a schema of its own;
- spark: a Parquet export folder beside the store, read by local-mode Spark (one
  JVM for the whole test process).
"""

from __future__ import annotations

import atexit
import itertools
import math
from pathlib import Path

from munro.engines import connect
from munro.store.export import export_store
from pg_server import PostgresServer

ENGINES = ("duckdb", "postgresql", "spark")

_server: PostgresServer | None = None
_schemas = itertools.count(1)


def postgres_url() -> str:
    """The URL of the test process's PostgreSQL server, started on first use."""
    global _server
    if _server is None:
        _server = PostgresServer().start()
        atexit.register(_server.stop)
    return _server.url


def fresh_postgres_database(name: str) -> str:
    """The URL of database ``name`` on the test server, dropped and created empty."""
    import psycopg

    url = postgres_url()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name}")
        con.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def engine_for(name: str, db: Path):
    """An engine of kind ``name`` over the data of the store at ``db``."""
    if name == "duckdb":
        return connect(db)
    if name == "postgresql":
        schema = f"t{next(_schemas)}"
        export_store(db, postgres_url(), schema=schema)
        return connect(postgres_url(), schema=schema)
    if name == "spark":
        folder = db.with_name(db.stem + "-export")
        export_store(db, folder)
        return connect("local[2]", data=folder)
    raise ValueError(name)


def differences(a, b, path="") -> list[str]:
    """Where two JSON-like results differ (floats to 1e-12 relative: engines may sum in another order)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}: keys {sorted(set(a) ^ set(b))}"] if set(a) != set(b) else []
        for k in set(a) & set(b):
            out += differences(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, float) and isinstance(b, (int, float)):
        return [] if math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
