"""Opening the store: create it on first use, refuse a file that is not a munro store."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from ..errors import MunroError
from . import merge, schema


def _config() -> dict:
    # Keep DuckDB's own memory modest so that a national load stays well under 500 MB:
    # it spills to a temporary folder beside the store instead of growing.
    return {"memory_limit": os.environ.get("MUNRO_DUCKDB_MEMORY", "256MB"),
            "preserve_insertion_order": False}


def staging_path(db: str | os.PathLike) -> Path:
    """Where a load stages its rows before publishing them in one transaction."""
    db = Path(db)
    return db.with_name(db.name + ".loading")


def open_store(path: str | os.PathLike, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect to the store at ``path``, creating its tables if it is new."""
    path = Path(path)
    if path.is_dir():
        raise MunroError(f"{path}: is a folder, not a munro store (a DuckDB file)")
    if read_only and not path.exists():
        raise MunroError(f"{path}: no munro store here yet (load a return with 'munro ingest' first)")
    if not path.parent.exists():
        raise MunroError(f"{path}: the folder {path.parent} does not exist")
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=_config())
    except duckdb.IOException as e:
        text = str(e)
        if "lock" in text.lower():
            raise MunroError(f"{path}: the store is in use by another process") from None
        raise MunroError(f"{path}: cannot open the store ({text.splitlines()[0]})") from None
    except duckdb.Error as e:
        raise MunroError(f"{path}: not a munro store ({str(e).splitlines()[0]})") from None
    if not read_only:
        _ensure_schema(con, path)
        _remove_stale_staging(path)
    elif not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'munro_meta'").fetchall()[0][0]:
        con.close()
        raise MunroError(f"{path}: not a munro store (no returns have been loaded into it)")
    return con


def _remove_stale_staging(path: Path) -> None:
    """A load killed part-way leaves its staging folder; the store itself never saw it."""
    shutil.rmtree(staging_path(path), ignore_errors=True)


def _ensure_schema(con, path) -> None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if tables and "munro_meta" not in tables:
        raise MunroError(f"{path}: this DuckDB file is not a munro store")
    if "munro_meta" in tables:
        row = con.execute("SELECT value FROM munro_meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > schema.SCHEMA_VERSION:
            raise MunroError(f"{path}: the store was written by a newer munro (schema {version}); upgrade munro")
        if version == schema.SCHEMA_VERSION:
            return
    con.execute("BEGIN TRANSACTION")
    for ddl in schema.all_ddl():
        con.execute(ddl)
    for ddl in merge.merged_ddl():
        con.execute(ddl)
    con.execute("INSERT OR REPLACE INTO munro_meta VALUES ('schema_version', ?)", [str(schema.SCHEMA_VERSION)])
    con.execute("COMMIT")
