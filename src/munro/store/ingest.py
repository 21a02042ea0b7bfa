"""Loading CIN census returns into the store: atomic, idempotent, columnar.

A file is read (``census.reader``, by several threads for a large file) into
Arrow tables held in memory when the file is small (below
``MEMORY_STAGING_BYTES``), otherwise into Arrow stream files in a staging
folder beside the store. When the whole file has been read, one transaction copies
the staged rows into the store, records the return and supersedes the one it
replaces: an error or a kill at any point leaves the store exactly as it was
(a staging folder, owner-only, left by a kill is removed the next time the store
is opened, even to read). Staging keeps memory flat: DuckDB holds many small appends to
one open transaction in memory, but streams one large INSERT ... SELECT to disk.

The same file twice changes nothing; a different file for the same LA and
year replaces the current one, which stays listed as superseded, unless it
falls far short of it (``store.replacement``: a partial extract or the wrong
file), which is refused without ``replace``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .. import __version__
from ..census import format as fmt
from ..census.reader import CensusReader, Header
from ..errors import MunroError, RejectedFile
from ..progress import report
from .db import explain, loading, open_store, rollback
from .replacement import compare, refuse_if_shrunk, shape_of_read, shape_of_return
from .schema import raw_columns

_COUNTED = ("children", "episodes", "assessments", "section47", "cp_plans")
# Files below this are staged as Arrow tables in memory (a few tens of MB at most):
# writing them to disk and reading them back would cost more than reading the file.
MEMORY_STAGING_BYTES = 64 * 1024 * 1024


@dataclass
class IngestOutcome:
    path: Path
    status: str = ""  # loaded, replaced, unchanged, reinstated; empty when rejected
    return_id: int | None = None
    header: Header | None = None
    counts: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    replaced: int | None = None
    error: str | None = None
    # A return already in the store keeps only its number of warnings, not their messages.
    warning_total: int | None = None
    validation: str | None = None  # the DfE rules' finding counts (munro.validate), for a return loaded now

    def summary(self) -> str:
        if self.error:
            return f"rejected {self.error}"
        h = self.header
        year = f"{h.collection_year - 1}-{str(h.collection_year)[2:]}" if h else "?"
        c = self.counts
        line = (f"{self.path}: {self.status} as return {self.return_id} (LA {h.la_code if h else '?'}, {year}): "
                f"{c.get('children', 0):,} children, {c.get('episodes', 0):,} episodes, "
                f"{c.get('assessments', 0):,} assessments, {c.get('section47', 0):,} section 47 enquiries, "
                f"{c.get('cp_plans', 0):,} plans, "
                f"{self.warning_total if self.warning_total is not None else sum(self.warnings.values()):,} warnings")
        if self.validation:
            line += f"; validation: {self.validation}"
        if self.replaced is not None:
            line += f"; return {self.replaced} is now superseded"
        for message, n in sorted(self.warnings.items(), key=lambda kv: -kv[1])[:8]:
            line += f"\n  warning: {message}" + (f" (x{n:,})" if n > 1 else "")
        return line


def file_sha256(path: Path, stop: threading.Event | None = None) -> str | None:
    """The file's SHA-256, or None if ``stop`` is set before the end."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            if stop is not None and stop.is_set():
                return None
            digest.update(chunk)
    return digest.hexdigest()


def _next_return_id(con) -> int:
    return con.execute("SELECT coalesce(max(return_id), 0) + 1 FROM returns").fetchone()[0]


def _current(con, la: str, year: int):
    return con.execute(
        "SELECT return_id FROM returns WHERE la_code = ? AND collection_year = ? AND status = 'current'",
        [la, year],
    ).fetchone()


def _reinstate_or_skip(con, path: Path, sha: str, replace: bool = False) -> IngestOutcome | None:
    """A file already in the store: nothing to do, or make its superseded return current again
    (refused, as a new file would be, if it falls far short of the current one and not ``replace``)."""
    row = con.execute(
        "SELECT return_id, status, la_code, collection_year FROM returns WHERE file_sha256 = ? "
        "ORDER BY status = 'current' DESC, return_id DESC LIMIT 1", [sha]
    ).fetchone()
    if row is None:
        return None
    return_id, status, la, year = row
    outcome = IngestOutcome(path, return_id=return_id)
    outcome.header = _header_of(con, return_id)
    *counts, outcome.warning_total = con.execute(
        f"SELECT {', '.join(_COUNTED)}, warnings FROM returns WHERE return_id = ?", [return_id]).fetchone()
    outcome.counts = dict(zip(_COUNTED, counts))
    if status == "current":
        outcome.status = "unchanged (already loaded)"
        return outcome
    if not replace:
        refuse_if_shrunk(path, compare(con, la, year, shape_of_return(con, return_id), candidate=return_id))
    con.execute("BEGIN TRANSACTION")
    try:
        old = _current(con, la, year)
        if old:
            _supersede(con, old[0])
            outcome.replaced = old[0]
        con.execute("UPDATE returns SET status = 'current', superseded_at = NULL WHERE return_id = ?", [return_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    outcome.status = "reinstated"
    return outcome


def _header_of(con, return_id: int) -> Header:
    la, year, ref, schema_year = con.execute(
        "SELECT la_code, collection_year, reference_date, schema_year FROM returns WHERE return_id = ?",
        [return_id]).fetchone()
    return Header(la_code=la, collection_year=year, reference_date=ref, schema_year=schema_year)


def _supersede(con, return_id: int) -> None:
    con.execute("UPDATE returns SET status = 'superseded', superseded_at = ? WHERE return_id = ?",
                [dt.datetime.now(), return_id])


def _stage(stage: Path, reader: CensusReader, progress=None) -> Path:
    """Read the whole file into one Arrow stream file per table in the staging folder beside the store
    (``store.db.loading``: owner-only, and removed when the load ends).

    Arrow's own format: writing it is a copy, and DuckDB reads it batch by batch
    (Parquet cost more to write and to read than the rest of staging)."""
    writers: dict[str, pa.ipc.RecordBatchStreamWriter] = {}
    read = 0
    try:
        for batch in reader.batches():
            for table, data in batch.items():
                if table not in writers:
                    writers[table] = pa.ipc.new_stream(str(stage / f"{table}.arrows"), data.schema)
                writers[table].write_table(data)
            read += batch["children"].num_rows if "children" in batch else 0
            report(progress, f"reading {reader.path.name}", read)
    finally:
        for writer in writers.values():
            writer.close()
    return stage


def _stage_in_memory(reader: CensusReader, progress=None) -> dict[str, pa.Table]:
    """Read the whole file into one Arrow table per store table, rows numbered in the whole file."""
    parts: dict[str, list[pa.Table]] = {}
    for batch in reader.batches():
        for table, data in batch.items():
            parts.setdefault(table, []).append(data)
        report(progress, f"reading {reader.path.name}", sum(t.num_rows for t in parts.get("children", ())))
    return {table: pa.concat_tables(data) for table, data in parts.items()}


def _load(con, db: Path, path: Path, sha: str | None, schema_year: int | None, workers: int,
          progress=None, replace: bool = False) -> IngestOutcome:
    reader = CensusReader(path, schema_year=schema_year, workers=workers)
    outcome = IngestOutcome(path)
    return_id = _next_return_id(con)
    helpers, stop = ThreadPoolExecutor(max_workers=2), threading.Event()
    staged = contextlib.ExitStack()
    if sha is None:  # hash while the file is read: hashlib lets go of the GIL for large reads
        pending = helpers.submit(file_sha256, path, stop)
    try:
        checked = None
        report(progress, f"reading {path.name}")
        small = path.stat().st_size < MEMORY_STAGING_BYTES
        stage = _stage_in_memory(reader, progress) if small else \
            _stage(staged.enter_context(loading(db)), reader, progress)
        if not replace:
            _refuse_if_shrunk(con, path, stage, reader)
        if small:  # the rules check the rows held in memory while they are stored (see _publish)
            checked = helpers.submit(_check, stage, reader, workers)
        report(progress, f"checking and storing {path.name}")
        sha = sha or pending.result()
        con.execute("BEGIN TRANSACTION")
        try:
            _publish(con, stage, reader, return_id, path, sha, outcome, checked)
            con.execute("COMMIT")
        except BaseException:
            rollback(con)  # a failed COMMIT (a full disk) has already ended the transaction
            raise
    except Exception as e:  # a full disk while staging or storing: one line (store.db.explain), the store as it was
        problem = explain(e, db, writing=True)
        if problem is None:
            raise
        raise problem from e
    finally:
        stop.set()  # a rejected file need not be hashed to the end
        helpers.shutdown()
        con.complete()
        staged.close()
    return outcome


def _refuse_if_shrunk(con, path: Path, stage: Path | dict[str, pa.Table], reader: CensusReader) -> None:
    """Before the store is touched: refuse a file that falls far short of the return it would replace."""
    h = reader.header
    if not con.execute("SELECT 1 FROM returns WHERE la_code = ? AND collection_year = ? AND status = 'current'",
                       [h.la_code, h.collection_year]).fetchall():
        return  # nothing to replace: the staged episodes need not be read again
    with contextlib.ExitStack() as done:
        if isinstance(stage, dict):
            episodes = [stage["episodes"]] if "episodes" in stage else []
        elif (stage / "episodes.arrows").exists():
            episodes = pa.ipc.open_stream(done.enter_context(pa.OSFile(str(stage / "episodes.arrows"))))
        else:
            episodes = []
        new = shape_of_read(reader.stats.rows, episodes, h.collection_year)
    refuse_if_shrunk(path, compare(con, h.la_code, h.collection_year, new))


def _check(stage: dict[str, pa.Table], reader: CensusReader, threads: int):
    from ..validate import validate_tables

    return validate_tables(stage, reader.header, threads=threads)


def _publish(con, stage: Path | dict[str, pa.Table], reader: CensusReader, return_id: int, path: Path, sha: str,
             outcome: IngestOutcome, checked=None) -> None:
    """Inside the transaction: staged rows into the store, the return recorded, the old one superseded,
    the DfE rules' findings recorded.

    One INSERT ... SELECT per table lets DuckDB stream the rows to disk
    instead of holding the transaction in memory. ``checked`` is the
    findings of the rows staged in memory, being found while they are
    stored; without it the rules run here over the stored rows (a file
    too large to hold twice in memory).
    """
    h = reader.header
    con.complete()

    for table in fmt.TABLES:
        with contextlib.ExitStack() as done:
            if isinstance(stage, dict):
                data = stage.get(table)
            elif (stage / f"{table}.arrows").exists():
                data = pa.ipc.open_stream(done.enter_context(pa.OSFile(str(stage / f"{table}.arrows"))))
            else:
                data = None
            if data is None:
                continue
            names = [c for c, _ in raw_columns(table)]
            staged = set(data.schema.names)  # a year's format lacks other years' columns
            exprs = [{"return_id": str(return_id), "la_code": "$la"}.get(c) or (f"s.{c}" if c in staged else "NULL")
                     for c in names]
            con.register("munro_staged", data)
            con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM munro_staged s",
                        {"la": h.la_code})
            con.complete()
            con.unregister("munro_staged")
    old = _current(con, h.la_code, h.collection_year)
    if old:
        _supersede(con, old[0])
        outcome.replaced = old[0]
    counts = {t: reader.stats.rows.get(t, 0) for t in _COUNTED}
    con.execute(
        "INSERT INTO returns VALUES (?, ?, ?, ?, ?, 'current', ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [return_id, h.la_code, h.collection_year, h.reference_date, h.schema_year, path.name, sha,
         reader.size, dt.datetime.now(), h.software_code, h.release, h.serial_no, h.source_datetime,
         *(counts[t] for t in _COUNTED), sum(reader.stats.warnings.values()), __version__],
    )
    outcome.status = "replaced" if old else "loaded"
    outcome.return_id = return_id
    outcome.header = h
    outcome.counts = counts
    outcome.warnings = dict(reader.stats.warnings)
    from ..validate.store import record_findings  # in this transaction: the return and its findings together

    outcome.validation = record_findings(con, return_id, checked and checked.result()).counts_line()


def ingest_file(db: str | os.PathLike, path: str | os.PathLike, *, schema_year: int | None = None,
                workers: int = 1, con=None, progress=None, replace: bool = False) -> IngestOutcome:
    """Load one CIN census return into the store at ``db``.

    Raises ``RejectedFile`` (nothing loaded) when the file cannot be read, and its
    ``store.replacement.ReplacementRefused`` when it would replace the loaded return of its LA and
    year but falls far short of it (fewer children, episodes or plans, a shorter span), unless
    ``replace``.
    ``schema_year`` reads the file in that collection year's format;
    ``workers`` is the number of threads reading a large file. ``progress``: ``munro.progress``.
    """
    path = Path(path)
    if schema_year is not None and not fmt.FIRST_YEAR <= schema_year <= fmt.LATEST_YEAR:
        raise MunroError(f"--schema-year must be between {fmt.FIRST_YEAR} and {fmt.LATEST_YEAR}")
    if not path.is_file():
        raise RejectedFile(path, "no such file" if not path.exists() else "is not a file")
    own = con is None
    con = con or open_store(db)
    try:
        # Hash up front only if a loaded return has this size: otherwise the file cannot be one
        # already loaded, and a huge garbage file should reach the reader (which refuses it at
        # its first bad bytes) without being read through first. A new file is hashed after it loads.
        sha = None
        if con.execute("SELECT 1 FROM returns WHERE file_bytes = ? LIMIT 1", [path.stat().st_size]).fetchone():
            sha = file_sha256(path)
            done = _reinstate_or_skip(con, path, sha, replace)
            if done is not None:
                return done
        return _load(con, Path(db), path, sha, schema_year, workers, progress, replace)
    finally:
        if own:
            con.close()


def ingest_files(db: str | os.PathLike, paths: Iterable[str | os.PathLike], *,
                 schema_year: int | None = None, workers: int = 1, progress=None,
                 replace: bool = False) -> Iterator[IngestOutcome]:
    """Load several returns, one transaction each; a rejected file (or a refused replacement, without
    ``replace``) does not stop the others.

    A folder is a pseudonymised export of an LA's store, pooled with the others (``store.pooled``)."""
    from .pooled import PooledOutcome, ingest_export

    con = open_store(db)
    try:
        for p in paths:
            try:
                if Path(p).is_dir():
                    report(progress, f"loading the export {Path(p).name}")
                    yield ingest_export(con, p)
                else:
                    yield ingest_file(db, p, schema_year=schema_year, workers=workers, con=con, progress=progress,
                                      replace=replace)
            except RejectedFile as e:
                yield (PooledOutcome if Path(p).is_dir() else IngestOutcome)(Path(p), error=str(e))
    finally:
        con.close()
