"""The store object: the one door to the store's data, as sqlite-utils' ``Database(filename_or_conn)`` is.

``Store(db)`` takes the store's path (opened with every check of ``db.open_store``, and closed by
``close()`` or the ``with`` block), an open DuckDB connection to it, or another ``Store`` (both left
open: they belong to the caller). Whatever writes goes through it:

- ``transaction()``: the one transaction of every write (``db.transaction``): all or nothing;
- ``insert_all(table, rows, ...)``: Arrow rows (or staged Arrow streams) into a table in one
  ``INSERT ... SELECT``, which DuckDB streams to disk instead of holding the transaction in memory;
- ``register(table)``: a register of loaded files (``returns``, ``local_loads``; the
  ``identifiers.REGISTERS``) and the one rule of which file is current, superseded or reinstated.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import duckdb

from . import identifiers
from .db import open_store, transaction

if TYPE_CHECKING:
    import pyarrow as pa


class Store:
    """The store at a path, on a connection, or another ``Store``'s (see the module's docstring)."""

    con: duckdb.DuckDBPyConnection

    def __init__(self, db: StoreLike, *, read_only: bool = False):
        self._path: Path | None = None
        if isinstance(db, Store):
            self.con, self._path, self._own = db.con, db._path, False
        elif isinstance(db, duckdb.DuckDBPyConnection):
            self.con, self._own = db, False
        elif isinstance(db, (str, os.PathLike)):
            self._path = Path(db)
            self.con, self._own = open_store(self._path, read_only=read_only), True
        else:
            raise TypeError(f"expected a store path, a DuckDB connection or a Store, not {type(db).__name__}")

    @property
    def path(self) -> Path | None:
        """The store's file (None in memory): where a load stages beside it, what its errors name."""
        if self._path is None:
            row = self.rows("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
            self._path = Path(row[0][0]) if row and row[0][0] else None
        return self._path

    def close(self) -> None:
        """Close the connection if this object opened it (a caller's connection stays open)."""
        if self._own:
            self._own = False
            self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[None]:
        return transaction(self.con)

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Every row of a query (fetched to its end: DuckDB 2 requires it before the next statement)."""
        return self.con.execute(sql, params if params is not None else []).fetchall()

    def one(self, sql: str, params: Params = None) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def records(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Every row of a query as a dict of its columns."""
        cur = self.con.execute(sql, list(params or ()))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def has_table(self, name: str) -> bool:
        return bool(self.rows("SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                              "AND table_catalog = current_database()", [name])[0][0])

    def columns(self, table: str) -> list[str]:
        """The columns of one of the store's own tables, in order."""
        return [r[0] for r in self.rows("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                        "AND table_schema = 'main' AND table_catalog = current_database() "
                                        "ORDER BY ordinal_position", [table])]

    def insert_all(self, table: str, rows: pa.Table | pa.RecordBatchReader, columns: Sequence[str],
                   values: Mapping[str, str] | None = None,
                   params: Mapping[str, Any] | None = None) -> None:
        """Insert ``rows`` (an Arrow table or stream of record batches) into ``table``'s ``columns``.

        A column the rows do not have is NULL (a year's census format lacks other years' columns);
        ``values`` gives a column an SQL expression instead (``$la`` of ``params``, a number)."""
        have = set(rows.schema.names)
        exprs = [(values or {}).get(c) or (f"s.{c}" if c in have else "NULL") for c in columns]
        self.con.register("munro_staged", rows)
        self.rows(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM munro_staged s",
                  params or {})
        # Not in a finally: after a failed insert the transaction is aborted and unregistering would hide why.
        self.con.unregister("munro_staged")

    def register(self, table: str) -> LoadRegister:
        """The register of loaded files ``table`` (``returns`` or ``local_loads``)."""
        found = next((r for r in identifiers.REGISTERS if r.table == table), None)
        if found is None:
            raise ValueError(f"{table} is not a register of loaded files")
        return LoadRegister(self, found)

    def registers(self) -> Iterator[LoadRegister]:
        return (LoadRegister(self, r) for r in identifiers.REGISTERS)


class LoadRegister:
    """The files of one register and which of them count: the one file current for its ``same`` columns
    (an LA and year; a local file's kind too), the others superseded; a superseded file loaded again
    is reinstated (made current again), superseding the one current then."""

    def __init__(self, store: Store, register: identifiers.Register):
        self.store, self.about = store, register

    @property
    def table(self) -> str:
        return self.about.table

    def next_id(self) -> int:
        return int(self.store.rows(f"SELECT coalesce(max({self.about.id}), 0) + 1 FROM {self.table}")[0][0])

    def current(self, same: Mapping[str, Any]) -> int | None:
        """The current file for the values of the register's ``same`` columns."""
        # NULL-safe: a column of the register that only some kinds fill (local_loads' as_at) is NULL alike.
        where = " AND ".join(f"{c} IS NOT DISTINCT FROM ?" for c in self.about.same)
        row = self.store.one(f"SELECT {self.about.id} FROM {self.table} WHERE {where} AND status = 'current'",
                             [same.get(c) for c in self.about.same])  # a column not given is NULL
        return row[0] if row else None

    def supersede(self, file_id: int, at: dt.datetime | None = None) -> None:
        self.store.rows(f"UPDATE {self.table} SET status = 'superseded', superseded_at = ? "
                        f"WHERE {self.about.id} = ?", [at or dt.datetime.now(), file_id])

    def supersede_current(self, same: Mapping[str, Any], at: dt.datetime | None = None) -> int | None:
        """Supersede the file current for ``same`` (inside the transaction of the file replacing it);
        its id, or None when there was none."""
        old = self.current(same)
        if old is not None:
            self.supersede(old, at)
        return old

    def reinstate(self, file_id: int, same: Mapping[str, Any]) -> int | None:
        """Make a superseded file current again, superseding the current one (whose id is returned)."""
        old = self.supersede_current(same)
        self.store.rows(f"UPDATE {self.table} SET status = 'current', superseded_at = NULL "
                        f"WHERE {self.about.id} = ?", [file_id])
        return old


# What Store() takes: a store's path, a DuckDB connection to one, or a Store; a query's parameters.
StoreLike: TypeAlias = "str | os.PathLike[str] | duckdb.DuckDBPyConnection | Store"
Params: TypeAlias = "Sequence[Any] | Mapping[str, Any] | None"

__all__ = ["Store", "LoadRegister"]
