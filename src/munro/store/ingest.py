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

A return is one ``CensusReturn`` of the one load procedure (``store.loader``): known by its bytes
before it is read (only when a loaded return has its size), read (staged), checked (its date, a far
smaller replacement), published. The store checks a file's structure only (the reader's). The DfE
validation rules are run by the load procedure above the store (``munro.loading``), which gives
``load_return`` its ``checks``: the findings are recorded in the load's transaction
(``munro.loading.ingest_file`` loads one return so).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, overload

import pyarrow as pa

from .. import __version__
from ..census import format as fmt
from ..census.reader import CensusReader, Header
from ..errors import MunroError, RejectedFile
from ..output import record
from ..progress import Progress, report
from ..years import year_end, year_label, year_window
from .database import Store, StoreLike
from .db import loading
from .loader import Known, Loader, load
from .outcome import LoadOutcome
from .replacement import compare, refuse_if_shrunk, shape_of_read, shape_of_return
from .returns import return_words
from .schema import raw_columns

if TYPE_CHECKING:
    import duckdb

_COUNTED = ("children", "episodes", "assessments", "section47", "cp_plans")
# Files below this are staged as Arrow tables in memory (a few tens of MB at most):
# writing them to disk and reading them back would cost more than reading the file.
MEMORY_STAGING_BYTES = 64 * 1024 * 1024


class ReturnChecks(Protocol):
    """What the load procedure checks a return with, beyond its structure (``munro.loading``: the DfE rules)."""

    def of_rows(self, stage: dict[str, pa.Table], header: Header, threads: int) -> Any:
        """The findings of a return's rows held in memory (run in a thread while they are stored)."""

    def record(self, con: duckdb.DuckDBPyConnection, return_id: int, found: Any | None) -> str:
        """Inside the load's transaction: record the return's findings (``found``, or found now over its
        stored rows); the line of their counts. Raising refuses the load."""


@dataclass
class IngestOutcome(LoadOutcome):
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

    def loaded_summary(self) -> str:
        h = self.header
        what = return_words(h.collection_year, h.reference_date) if h else "?"
        c = self.counts
        line = (f"{self.path}: {self.status} as return {self.return_id} (LA {h.la_code if h else '?'}, {what}): "
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

    def fields(self) -> dict[str, Any]:
        h, c = self.header, self.counts
        found = re.match(r"([\d,]+) errors, ([\d,]+) queries", self.validation or "")
        return record({"kind": "cin-census", "return_id": self.return_id, "la_code": h and h.la_code,
                       "year": h and h.collection_year, "return_kind": h and h.kind,
                       "reference_date": h and h.reference_date.isoformat(), **{k: c.get(k) for k in _COUNTED},
                       "warnings": (self.warning_total if self.warning_total is not None
                                    else sum(self.warnings.values())) if h else None,
                       "warning_messages": [{"message": m, "count": n} for m, n in
                                            sorted(self.warnings.items(), key=lambda kv: (-kv[1], kv[0]))],
                       "validation": {"errors": int(found[1].replace(",", "")),
                                      "queries": int(found[2].replace(",", ""))} if found else None,
                       "replaced_return_id": self.replaced})


@overload
def file_sha256(path: Path, stop: None = None) -> str: ...
@overload
def file_sha256(path: Path, stop: threading.Event) -> str | None: ...
def file_sha256(path: Path, stop: threading.Event | None = None) -> str | None:
    """The file's SHA-256, or None if ``stop`` is set before the end."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            if stop is not None and stop.is_set():
                return None
            digest.update(chunk)
    return digest.hexdigest()


def _header_of(store: Store, return_id: int) -> Header:
    la, year, ref, schema_year = store.rows(
        "SELECT la_code, collection_year, reference_date, schema_year FROM returns WHERE return_id = ?",
        [return_id])[0]
    return Header(la_code=la, collection_year=year, reference_date=ref, schema_year=schema_year)


def _stage(stage: Path, reader: CensusReader, progress: Progress | None = None) -> Path:
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


def _stage_in_memory(reader: CensusReader, progress: Progress | None = None) -> dict[str, pa.Table]:
    """Read the whole file into one Arrow table per store table, rows numbered in the whole file."""
    parts: dict[str, list[pa.Table]] = {}
    for batch in reader.batches():
        for table, data in batch.items():
            parts.setdefault(table, []).append(data)
        report(progress, f"reading {reader.path.name}", sum(t.num_rows for t in parts.get("children", ())))
    return {table: pa.concat_tables(data) for table, data in parts.items()}


def today() -> dt.date:
    """Today's date, the latest a return can be dated (a function, so that tests can move it)."""
    return dt.date.today()


def refuse_misdated(store: Store, path: Path, h: Header) -> None:
    """Before the store is touched: refuse a return whose ReferenceDate cannot be placed (docs/cli.md,
    "In-year extracts"): in the future, outside its collection's window, or an in-year extract older
    than the picture of its collection already current (the annual return, or a later extract)."""
    ref, year = h.reference_date, h.collection_year
    if ref > today():
        raise RejectedFile(path, f"its ReferenceDate {_day(ref)} is in the future (today is {_day(today())}): "
                                 "a return cannot be dated after the day it was made; nothing loaded")
    if ref != year_end(year) and not h.in_year:
        start, end = year_window(year)
        raise RejectedFile(path, f"its ReferenceDate {_day(ref)} is outside its collection year "
                                 f"{year_label(year)} ({_day(start)} to {_day(end)}): an annual return is dated "
                                 f"{_day(end)} and an in-year extract of {year_label(year)} between those dates; "
                                 "check the header's <Year> and <ReferenceDate>; nothing loaded")
    if not h.in_year:
        return
    row = store.one("SELECT return_id, kind, reference_date FROM returns WHERE la_code = ? AND collection_year = ? "
                    "AND status = 'current'", [h.la_code, year])
    if row is None:
        return
    old_id, old_kind, old_ref = row
    if old_kind != "in-year":
        raise RejectedFile(path, f"the {year_label(year)} annual return of LA {h.la_code} is already loaded "
                                 f"(return {old_id}), a later picture of the whole year than this in-year extract "
                                 f"of {_day(ref)}; nothing loaded")
    if old_ref > ref:
        raise RejectedFile(path, f"an in-year extract of {_day(old_ref)} is already loaded for LA {h.la_code}'s "
                                 f"{year_label(year)} (return {old_id}), a later picture than this one of "
                                 f"{_day(ref)}; nothing loaded")


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def _refuse_if_shrunk(store: Store, staged: StagedReturn) -> None:
    """Before the store is touched: refuse a file that falls far short of the return it would replace."""
    h = staged.header
    if store.register("returns").current({"la_code": h.la_code, "collection_year": h.collection_year}) is None:
        return  # nothing to replace: the staged episodes need not be read again
    with contextlib.ExitStack() as done:
        episodes = _staged_rows(staged.rows, "episodes", done)
        parts = [] if episodes is None else [episodes] if isinstance(episodes, pa.Table) else episodes
        new = shape_of_read(staged.reader.stats.rows, parts, h.collection_year)
    refuse_if_shrunk(staged.path, compare(store.con, h.la_code, h.collection_year, new))


def _staged_rows(rows: Path | dict[str, pa.Table], table: str,
                 done: contextlib.ExitStack) -> pa.Table | pa.RecordBatchReader | None:
    """One table's staged rows (held in memory, or streamed from its file until ``done`` closes), or None."""
    if isinstance(rows, dict):
        return rows.get(table)
    if (rows / f"{table}.arrows").exists():
        return pa.ipc.open_stream(done.enter_context(pa.OSFile(str(rows / f"{table}.arrows"))))
    return None


def _publish(store: Store, staged: StagedReturn, return_id: int, outcome: IngestOutcome,
             checks: ReturnChecks | None = None) -> None:
    """Inside the transaction (the return it replaces superseded by the load procedure): the staged rows into
    the store, the return recorded, the checks' findings recorded.

    One INSERT ... SELECT per table lets DuckDB stream the rows to disk
    instead of holding the transaction in memory. ``staged.checked`` is the
    findings of the rows staged in memory, being found while they are
    stored; without it the checks run here over the stored rows (a file
    too large to hold twice in memory).
    """
    h, stats = staged.header, staged.reader.stats
    for table in fmt.TABLES:
        with contextlib.ExitStack() as done:
            data = _staged_rows(staged.rows, table, done)
            if data is not None:
                store.insert_all(table, data, [c for c, _ in raw_columns(table)],
                                 {"return_id": str(return_id), "la_code": "$la"}, {"la": h.la_code})
    counts = {t: stats.rows.get(t, 0) for t in _COUNTED}
    store.rows(
        "INSERT INTO returns VALUES (?, ?, ?, ?, ?, 'current', ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [return_id, h.la_code, h.collection_year, h.reference_date, h.schema_year, staged.path.name,
         staged.file_sha256(), staged.reader.size, dt.datetime.now(), h.software_code, h.release, h.serial_no,
         h.source_datetime, *(counts[t] for t in _COUNTED), sum(stats.warnings.values()), __version__, h.kind],
    )
    outcome.return_id = return_id
    outcome.header = h
    outcome.counts = counts
    outcome.warnings = dict(stats.warnings)
    if checks is not None:  # in this transaction: the return and its findings together
        outcome.validation = checks.record(store.con, return_id, staged.checked and staged.checked.result())


@dataclass
class StagedReturn:
    """A CIN return read whole: its reader (header, counts, warnings), its rows (Arrow tables held in memory,
    or the staging folder of one Arrow stream file per table), its hash (known before it was read, or being
    found while it is), and the checks' findings of rows held in memory (being found while they are stored)."""

    path: Path
    reader: CensusReader
    header: Header
    rows: Path | dict[str, pa.Table]
    helpers: ThreadPoolExecutor
    sha: str | Future[str | None]
    checked: Future[Any] | None = None

    def file_sha256(self) -> str:
        if isinstance(self.sha, Future):
            sha = self.sha.result()
            assert sha is not None  # stopped only once the load has ended
            self.sha = sha
        return self.sha


class CensusReturn(Loader[StagedReturn, IngestOutcome]):
    """A CIN census return (``load_return``): the options are its."""

    register = "returns"
    Outcome = IngestOutcome

    def __init__(self, *, checks: ReturnChecks | None = None, schema_year: int | None = None, workers: int = 1,
                 progress: Progress | None = None, replace: bool = False):
        self.checks, self.schema_year, self.workers = checks, schema_year, workers
        self.progress, self.replace = progress, replace
        self.sha: str | None = None  # hashed before it is read when a loaded return has its size

    def accept(self, path: Path) -> None:
        if self.schema_year is not None and not fmt.FIRST_YEAR <= self.schema_year <= fmt.LATEST_YEAR:
            raise MunroError(f"--schema-year must be between {fmt.FIRST_YEAR} and {fmt.LATEST_YEAR}")
        super().accept(path)

    def known_unread(self, store: Store, path: Path) -> Known[IngestOutcome] | None:
        # Hash up front only if a loaded return has this size: otherwise the file cannot be one
        # already loaded, and a huge garbage file should reach the reader (which refuses it at
        # its first bad bytes) without being read through first. A new file is hashed as it is read.
        if not store.one("SELECT 1 FROM returns WHERE file_bytes = ? LIMIT 1", [path.stat().st_size]):
            return None
        self.sha = file_sha256(path)
        row = store.one("SELECT return_id, status, la_code, collection_year FROM returns WHERE file_sha256 = ? "
                        "ORDER BY status = 'current' DESC, return_id DESC LIMIT 1", [self.sha])
        if row is None:
            return None
        return_id, status, la, year = row
        outcome = IngestOutcome(path, return_id=return_id, header=_header_of(store, return_id))
        *counts, outcome.warning_total = store.rows(
            f"SELECT {', '.join(_COUNTED)}, warnings FROM returns WHERE return_id = ?", [return_id])[0]
        outcome.counts = dict(zip(_COUNTED, counts))
        return Known(return_id, status == "current", {"la_code": la, "collection_year": year}, outcome)

    def may_reinstate(self, store: Store, path: Path, known: Known[IngestOutcome]) -> None:
        """Refused, as a new file would be, if it falls far short of the current one and not ``replace``."""
        if not self.replace:
            refuse_if_shrunk(path, compare(store.con, known.same["la_code"], known.same["collection_year"],
                                           shape_of_return(store.con, known.id), candidate=known.id))

    def read(self, store: Store, path: Path, staging: contextlib.ExitStack) -> StagedReturn:
        """Staged in memory for a file below ``MEMORY_STAGING_BYTES`` (or a store in memory, with no folder
        beside it), else as Arrow stream files in the staging folder beside the store."""
        reader = CensusReader(path, schema_year=self.schema_year, workers=self.workers)
        helpers, stop = ThreadPoolExecutor(max_workers=2), threading.Event()
        folder = staging.enter_context(contextlib.ExitStack())  # closed last: the staged rows removed
        staging.callback(store.con.complete)
        staging.callback(helpers.shutdown)
        staging.callback(stop.set)  # a rejected file need not be hashed to the end
        # Hashed while the file is read: hashlib lets go of the GIL for large reads.
        sha = self.sha if self.sha is not None else helpers.submit(file_sha256, path, stop)
        report(self.progress, f"reading {path.name}")
        beside = store.path
        if path.stat().st_size < MEMORY_STAGING_BYTES or beside is None:
            rows: Path | dict[str, pa.Table] = _stage_in_memory(reader, self.progress)
        else:
            rows = _stage(folder.enter_context(loading(beside)), reader, self.progress)
        assert reader.header is not None  # read before the rows
        return StagedReturn(path, reader, reader.header, rows, helpers, sha)

    def check(self, store: Store, staged: StagedReturn) -> None:
        """Its date, a far smaller replacement; the ``checks`` of rows held in memory begun (recorded as
        they are stored)."""
        refuse_misdated(store, staged.path, staged.header)
        if not self.replace:
            _refuse_if_shrunk(store, staged)
        if isinstance(staged.rows, dict) and self.checks is not None:
            staged.checked = staged.helpers.submit(self.checks.of_rows, staged.rows, staged.header, self.workers)
        report(self.progress, f"checking and storing {staged.path.name}")
        staged.file_sha256()  # the file read to its end before the transaction begins

    def same(self, staged: StagedReturn) -> dict[str, Any]:
        return {"la_code": staged.header.la_code, "collection_year": staged.header.collection_year}

    def write(self, store: Store, staged: StagedReturn, file_id: int) -> IngestOutcome:
        outcome = IngestOutcome(staged.path)
        _publish(store, staged, file_id, outcome, self.checks)
        return outcome


def load_return(db: StoreLike, path: str | os.PathLike[str], *, checks: ReturnChecks | None = None,
                schema_year: int | None = None, workers: int = 1, progress: Progress | None = None,
                replace: bool = False) -> IngestOutcome:
    """Load one CIN census return into the store ``db`` (anything ``Store`` takes), checked by ``checks``.

    Raises ``RejectedFile`` (nothing loaded) when the file cannot be read, and its
    ``store.replacement.ReplacementRefused`` when it would replace the loaded return of its LA and
    year but falls far short of it (fewer children, episodes or plans, a shorter span), unless
    ``replace``.
    ``schema_year`` reads the file in that collection year's format;
    ``workers`` is the number of threads reading a large file. ``progress``: ``munro.progress``.
    """
    return load(db, CensusReturn(checks=checks, schema_year=schema_year, workers=workers, progress=progress,
                                 replace=replace), Path(path))
