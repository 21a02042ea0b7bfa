"""Reading a file that is not loaded into an in-memory store, for validation.

The file is first read as ``munro ingest`` reads it (compiled walker, worker
processes for a large file). If that read refuses the file, it is read again
in tolerant mode (``CensusReader(tolerant=True)``): a value or element the
format does not allow becomes NULL and a recorded problem, so that the DfE
rules still see the rest of the return. A file that is not a CIN census
return at all (not XML, a DOCTYPE, no header) is refused by both reads.
"""

from __future__ import annotations

import os

import duckdb
import pyarrow as pa

from ..census import format as fmt
from ..census.reader import CensusReader, Header
from ..errors import RejectedFile
from ..progress import Progress, report
from ..store.schema import raw_ddl

RETURN_ID = 1


def memory_store() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the store's raw tables."""
    con = duckdb.connect(":memory:", config={"preserve_insertion_order": False})
    for table in fmt.TABLES:
        con.execute(raw_ddl(table))
    return con


def insert_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table], la_code: str) -> None:
    """Rows read from a return (``{table: Arrow table}``) into ``con``'s raw tables as return RETURN_ID."""
    for table, rows in tables.items():
        con.register("munro_batch", rows)
        con.execute(f"INSERT INTO {table} BY NAME SELECT {RETURN_ID} AS return_id, $la AS la_code, * "
                    "FROM munro_batch", {"la": la_code})
        con.unregister("munro_batch")


def _load(con: duckdb.DuckDBPyConnection, reader: CensusReader, progress: Progress | None = None) -> Header:
    # One INSERT per table once the file is read: many small inserts cost DuckDB far more.
    parts: dict[str, list[pa.Table]] = {}
    report(progress, f"reading {reader.path.name}")
    for batch in reader.batches():
        for table, rows in batch.items():
            parts.setdefault(table, []).append(rows)
        report(progress, f"reading {reader.path.name}", sum(t.num_rows for t in parts.get("children", ())))
    assert reader.header is not None  # a read that gave out its batches has read the header
    insert_tables(con, {table: pa.concat_tables(tables, promote_options="permissive")
                        for table, tables in parts.items()}, reader.header.la_code)
    return reader.header


def read_file(path: str | os.PathLike[str], workers: int = 1,
              progress: Progress | None = None) -> tuple[duckdb.DuckDBPyConnection, CensusReader]:
    """The file's rows in a new in-memory store (as return 1), and the reader that read them."""
    con = memory_store()
    try:
        reader = CensusReader(path, workers=workers)
        _load(con, reader, progress)
        return con, reader
    except RejectedFile:
        con.close()
    con = memory_store()
    reader = CensusReader(path, tolerant=True)
    try:
        _load(con, reader, progress)
    except BaseException:
        con.close()
        raise
    return con, reader
