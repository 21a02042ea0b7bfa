"""Reading a file that is not loaded into an in-memory store, for validation.

The file is first read as ``munro ingest`` reads it (compiled walker, worker
processes for a large file). If that read refuses the file, it is read again
in tolerant mode (``CensusReader(tolerant=True)``): a value or element the
format does not allow becomes NULL and a recorded problem, so that the DfE
rules still see the rest of the return. A file that is not a CIN census
return at all (not XML, a DOCTYPE, no header) is refused by both reads.

A small file is read into an in-memory DuckDB. A large one (as large as ``munro ingest`` stages
on disk) goes into a DuckDB file in a private temporary folder, with the store's memory limit, and
is inserted a slice at a time: memory then stays near ingest's whatever the file's size, where a
national return held in memory took 1.5 GB. The folder is removed when the check ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from ..census import format as fmt
from ..census.reader import CensusReader, Header
from ..errors import RejectedFile
from ..private import private_dir
from ..progress import Progress, report
from ..store.db import duckdb_config, without_progress_bar
from ..store.ingest import MEMORY_STAGING_BYTES
from ..store.schema import raw_ddl

RETURN_ID = 1
# Children read before their rows are inserted, for a file checked on disk: large enough that
# DuckDB gets few big inserts (many small ones cost it far more), small enough to bound memory.
SLICE_CHILDREN = 200_000
VALIDATE_MEMORY = "192MB"  # DuckDB's memory for a file checked on disk, unless MUNRO_DUCKDB_MEMORY says


def memory_store() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the store's raw tables."""
    con = without_progress_bar(duckdb.connect(":memory:", config={"preserve_insertion_order": False}))
    _create_tables(con)
    return con


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for table in fmt.TABLES:
        con.execute(raw_ddl(table))


@contextmanager
def _disk_store() -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB file with the store's raw tables in a private temporary folder, removed afterwards."""
    folder = private_dir(tempfile.mkdtemp(prefix="munro-validate-"))
    try:
        # The file's reading threads hold their pieces while DuckDB fills its buffers: a national return
        # peaked at 506 MB with the store's 256 MB and at 478 MB with VALIDATE_MEMORY (docs/performance.md).
        config = {**duckdb_config(VALIDATE_MEMORY), "temp_directory": str(folder / "spill")}
        con = without_progress_bar(duckdb.connect(str(folder / "check.duckdb"), config=config))
        try:
            _create_tables(con)
            yield con
        finally:
            con.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def insert_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table], la_code: str) -> None:
    """Rows read from a return (``{table: Arrow table}``) into ``con``'s raw tables as return RETURN_ID."""
    for table, rows in tables.items():
        con.register("munro_batch", rows)
        con.execute(f"INSERT INTO {table} BY NAME SELECT {RETURN_ID} AS return_id, $la AS la_code, * "
                    "FROM munro_batch", {"la": la_code})
        con.unregister("munro_batch")


def _load(con: duckdb.DuckDBPyConnection, reader: CensusReader, progress: Progress | None = None,
          slice_children: int | None = None) -> Header:
    """Every row of the file into ``con``: in one INSERT per table, or per slice of that many children."""
    parts: dict[str, list[pa.Table]] = {}
    read = held = 0
    report(progress, f"reading {reader.path.name}")
    for batch in reader.batches():
        for table, rows in batch.items():
            parts.setdefault(table, []).append(rows)
        children = batch["children"].num_rows if "children" in batch else 0
        read, held = read + children, held + children
        if slice_children and held >= slice_children:
            assert reader.header is not None  # read before the first batch
            _insert_parts(con, parts, reader.header.la_code)
            parts, held = {}, 0
        report(progress, f"reading {reader.path.name}", read)
    assert reader.header is not None  # a read that gave out its batches has read the header
    _insert_parts(con, parts, reader.header.la_code)
    return reader.header


def _insert_parts(con: duckdb.DuckDBPyConnection, parts: dict[str, list[pa.Table]], la_code: str) -> None:
    insert_tables(con, {table: pa.concat_tables(tables, promote_options="permissive")
                        for table, tables in parts.items()}, la_code)


@contextmanager
def read_file(path: str | os.PathLike[str], workers: int = 1,
              progress: Progress | None = None) -> Iterator[tuple[duckdb.DuckDBPyConnection, CensusReader]]:
    """The file's rows in a new store of their own (as return 1), and the reader that read them.

    A context manager: the store is closed (and a large file's temporary folder removed) on leaving it.
    """
    try:
        on_disk = Path(path).stat().st_size >= MEMORY_STAGING_BYTES
    except OSError:  # the reader says what is wrong with the path, in the words of every other command
        on_disk = False
    for tolerant in (False, True):
        with (_disk_store() if on_disk else _closing(memory_store())) as con:
            reader = CensusReader(path, tolerant=True) if tolerant else CensusReader(path, workers=workers)
            try:
                _load(con, reader, progress, SLICE_CHILDREN if on_disk else None)
            except RejectedFile:
                if tolerant:
                    raise
                continue  # read again, tolerantly, into a new store
            yield con, reader
            return


@contextmanager
def _closing(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        yield con
    finally:
        con.close()
