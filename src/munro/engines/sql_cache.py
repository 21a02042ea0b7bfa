"""The SQL Ibis compiles for each query, kept by the query's expression, in memory and beside the store.

Compiling an expression (Ibis's rewrites, then sqlglot writing the SQL) is about a third of what every item
costs in Python, and a pass asks the same queries again and again: a dashboard after a restart, the same
report run twice, the web's warm-up of every LA (the items read the run's copies of an LA's history by the
same table names whichever LA it is). As dbt keeps what it parsed between runs (partial parsing), munro
keeps what Ibis compiled: the first pass compiles, later ones look the SQL up.

The key is a digest of the expression itself, so a different query can never be given another's SQL: the
expression's whole tree (every operation, its arguments, literal values, table names and schemas), with
the Ibis, sqlglot and munro versions and the SQL dialect. Two things in a tree are not the same from one
process to the next and are made so for the digest: the backend a table belongs to (its temporary folder
differs; the dialect is in the key) and the order of a set of names (Python randomises string hashes).
A tree holding anything else unordered is not kept.

Beside the store: ``<store>.sql-cache`` (SQLite, owner-only like the store), at most ``KEEP`` queries, the
least recently compiled dropped first. It holds SQL text only (table and column names, the periods' dates,
LA codes, the published populations): never a child's record. A cache that cannot be opened or written
(a read-only folder, a damaged file, another process writing) is left alone and the SQL compiled as
before: it can make a pass slower, never wrong.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import sqlite3
import threading
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend
from ibis.common.graph import Node

from .. import __version__
from ..private import private_file

# sqlglot writes the SQL for Ibis (Ibis's dependency, not munro's): its version is part of the key.
_SQLGLOT = version("sqlglot")

KEEP = 20_000  # queries kept beside a store (a pass of every item asks about 50; a monthly series as many)
SUFFIX = ".sql-cache"


class _Unordered(Exception):
    """The expression holds an unordered collection whose order cannot be fixed: not kept."""


class _Digest(pickle.Pickler):
    # Never unpickled: the bytes only need to be the same for the same expression in every process.
    def persistent_id(self, obj: Any) -> Any:
        return ("backend", obj.name) if isinstance(obj, BaseBackend) else None

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Node):
            return type(obj), tuple(_ordered(a) for a in obj.__args__)
        return NotImplemented


def _ordered(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        if not all(isinstance(v, str) for v in value):
            raise _Unordered
        return ("set", tuple(sorted(value)))
    return value


def digest(expr: Any, dialect: str) -> str | None:
    """The key of ``expr``'s SQL in ``dialect``, or None when the expression cannot be keyed."""
    out = io.BytesIO()
    try:
        _Digest(out, protocol=5).dump(expr.op())
    except (_Unordered, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None
    versions = f"{ibis.__version__}|{_SQLGLOT}|{__version__}|{dialect}|{ibis.options.sql.fuse_selects}|"
    versions = versions.encode()
    return hashlib.sha256(versions + out.getvalue()).hexdigest()


class SqlCache:
    """Compiled SQL by expression for one store (``path``: the store; None keeps it in memory only)."""

    def __init__(self, store: Path | None):
        self.file = None if store is None else Path(store).with_name(Path(store).name + SUFFIX)
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._opened = False

    def compiling(self, compile: Callable[..., str], dialect: str) -> Callable[..., str]:
        """``compile`` (a backend's ``compile(expr, *, limit, params, ...)``) looking its SQL up here first."""
        def cached(expr, *args: Any, **kwargs: Any) -> str:
            if args or kwargs.get("params") or kwargs.get("limit") is not None or kwargs.get("pretty"):
                return compile(expr, *args, **kwargs)
            key = digest(expr, dialect)
            if key is None:
                return compile(expr, *args, **kwargs)
            sql = self._get(key)
            if sql is None:
                sql = compile(expr, *args, **kwargs)
                self._put(key, sql)
            return sql
        return cached

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- the file beside the store

    def _get(self, key: str) -> str | None:
        with self._lock:
            sql = self._memory.get(key)
            if sql is None and (db := self._open()) is not None:
                try:
                    row = db.execute("SELECT sql FROM queries WHERE key = ?", (key,)).fetchone()
                except sqlite3.Error:
                    row = None
                    self._give_up()
                if row is not None:
                    sql = self._memory[key] = row[0]
            return sql

    def _put(self, key: str, sql: str) -> None:
        with self._lock:
            self._memory[key] = sql
            if (db := self._open()) is not None:
                try:
                    db.execute("INSERT OR REPLACE INTO queries (key, sql, made) VALUES (?, ?, ?)",
                               (key, sql, time.time()))
                except sqlite3.Error:
                    self._give_up()

    def _open(self) -> sqlite3.Connection | None:
        if self._opened:
            return self._db
        self._opened = True
        if self.file is None or not self.file.parent.is_dir():
            return None
        try:
            private_file(self.file)
            db = sqlite3.connect(self.file, timeout=0.2, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA synchronous = OFF")  # a cache: a write lost to a crash is compiled again
            db.execute("CREATE TABLE IF NOT EXISTS queries (key TEXT PRIMARY KEY, sql TEXT NOT NULL, "
                       "made REAL NOT NULL)")
            db.execute("DELETE FROM queries WHERE key IN (SELECT key FROM queries ORDER BY made DESC "
                       "LIMIT -1 OFFSET ?)", (KEEP,))  # the least recently compiled beyond KEEP
        except (OSError, sqlite3.Error):
            return None
        self._db = db
        return db

    def _give_up(self) -> None:
        # Busy or damaged: this run compiles without the file (the memory part still serves it).
        if self._db is not None:
            self._db.close()
        self._db = None


__all__ = ["SqlCache", "digest", "KEEP", "SUFFIX"]
