"""Every DuckDB connection munro opens draws no progress bar: DuckDB writes it to standard output for a query
over two seconds, which put "100% ▕████▏" in front of `munro benchmark --format json` on a busy machine."""

from __future__ import annotations

import duckdb

from munro.engines import connect
from munro.store.db import open_store
from munro.validate import read


def _setting(con, name: str):
    return con.execute(f"SELECT current_setting('{name}')").fetchone()[0]


def test_the_store_and_its_engine_draw_no_progress_bar(db):
    con = open_store(db)
    try:
        assert _setting(con, "enable_progress_bar") is False
        assert _setting(con, "memory_limit") == "244.1 MiB"  # 256 MB, the store's limit, as DuckDB writes it
    finally:
        con.close()
    engine = connect(db)
    try:
        assert _setting(engine.backend.con, "enable_progress_bar") is False
    finally:
        engine.close()


def _quarter_of_the_machine() -> str:
    # DuckDB's own reading of a quarter of the memory it finds (a container's limit included), as it writes it
    con = duckdb.connect(config={"memory_limit": "25%"})
    try:
        return _setting(con, "memory_limit")
    finally:
        con.close()


def test_a_run_gets_a_quarter_of_the_machine_and_a_load_keeps_its_256_mb(db, monkeypatch):
    monkeypatch.delenv("MUNRO_DUCKDB_MEMORY", raising=False)
    con = open_store(db)
    try:
        assert _setting(con, "memory_limit") == "244.1 MiB"
    finally:
        con.close()
    engine = connect(db)
    try:
        assert _setting(engine.backend.con, "memory_limit") == _quarter_of_the_machine()
    finally:
        engine.close()
    with read._disk_store() as checking:  # a large file's validation: 192 MB (validate/read.py)
        assert _setting(checking, "memory_limit") == "183.1 MiB"  # 192,000,000 bytes in MiB


def test_munro_duckdb_memory_sets_every_connection(db, monkeypatch):
    monkeypatch.setenv("MUNRO_DUCKDB_MEMORY", "300MB")
    con = open_store(db)
    try:
        assert _setting(con, "memory_limit") == "286.1 MiB"  # 300,000,000 bytes in MiB
    finally:
        con.close()
    engine = connect(db)
    try:
        assert _setting(engine.backend.con, "memory_limit") == "286.1 MiB"
    finally:
        engine.close()
    with read._disk_store() as checking:
        assert _setting(checking, "memory_limit") == "286.1 MiB"


def test_a_validation_draws_no_progress_bar():
    con = read.memory_store()
    try:
        assert _setting(con, "enable_progress_bar") is False
    finally:
        con.close()
