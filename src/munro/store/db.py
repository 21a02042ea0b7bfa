"""Opening the store: create it on first use; refuse, in one line that names the store and says what to
do, a file that is not a munro store, a damaged one, one written by a newer munro, and one another
process is writing.

Every refusal happens before anything is written, so the store is as it was. DuckDB lets one process
write a database file and no other process read it meanwhile (a lock on the file): a connection that
meets the lock is retried for a few seconds (``wait_seconds``: 5 to read, 20 to write, or
``MUNRO_STORE_WAIT``), then refused with ``StoreBusy``. The web service does not wait (``waiting(0)``):
its pages answer 503 at once, saying the store is being updated.

A damaged file is found in two ways: when it is opened, a file too short for the blocks its header
says are in use (a truncated copy, a disk that filled while it was copied); when it is read, a block
that fails its checksum (DuckDB checks each block as it reads it), whatever the command, and before
any write for the registers of loaded files. ``explain`` turns
DuckDB's and the operating system's errors about the store (locked, damaged, disk full, read-only
folder) into those one-line ``StoreProblem`` messages, wherever they are met.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from ..errors import DiskFull, MunroError, StoreBusy, StoreDamaged, StoreProblem
from ..private import owner_only_from_now, private_dir, tighten
from . import merge, schema
from .identifiers import REGISTERS

READ_WAIT, WRITE_WAIT = 5.0, 20.0  # seconds a connection waits for another process's lock on the store
_RETRY_EVERY = 0.1
_wait: contextvars.ContextVar[float | None] = contextvars.ContextVar("munro_store_wait", default=None)
T = TypeVar("T")
_last_opened: list[Path | None] = [None]  # the store explain() names when not told (the CLI's one store)
_HEADER_BYTES = 3 * 4096  # DuckDB's main header and its two database headers, before the first block


STORE_MEMORY = "256MB"  # a load's, the store's: a national load stays under 500 MB (docs/performance.md)
RUN_MEMORY = "25%"  # a run's (the engine's): a quarter of the memory DuckDB finds on the machine or container


def duckdb_config(memory: str = STORE_MEMORY) -> dict[str, Any]:
    """Every DuckDB connection munro opens: the store's, a validation's (validate.read), an engine's.

    ``memory`` is the connection's own memory limit, unless ``MUNRO_DUCKDB_MEMORY`` sets every
    connection's. A load keeps DuckDB's memory modest (``STORE_MEMORY``), spilling to a temporary folder
    beside the store instead of growing, so that a national load stays well under 500 MB. A run gets a
    quarter of the machine's memory (``RUN_MEMORY``): its copies of a national store's merged history
    alone are larger than a load's limit, and spilling them cost a run of every item over every LA of
    the national pooled store a third of its time (docs/performance.md). A run over one LA's store holds
    far less than either limit.
    """
    limit = os.environ.get("MUNRO_DUCKDB_MEMORY") or memory
    return {"memory_limit": limit, "preserve_insertion_order": False}


def without_progress_bar(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """``con``, set to draw no progress bar (its cursors inherit the setting), for every connection munro opens.

    DuckDB draws one on standard output for a query over two seconds, which put it in the middle of a
    command's JSON on a busy machine. The setting is a connection's own, so it cannot go in the config.
    """
    con.execute("SET enable_progress_bar = false")
    return con


def staging_path(db: str | os.PathLike[str]) -> Path:
    """Where a load stages its rows before publishing them in one transaction."""
    db = Path(db)
    return db.with_name(db.name + ".loading")


def wait_seconds(writing: bool) -> float:
    """How long a connection waits for another process to let go of the store before ``StoreBusy``."""
    chosen = _wait.get()
    if chosen is not None:
        return chosen
    text = os.environ.get("MUNRO_STORE_WAIT", "").strip()
    try:
        return max(0.0, float(text)) if text else (WRITE_WAIT if writing else READ_WAIT)
    except ValueError:
        raise MunroError(f"MUNRO_STORE_WAIT={text!r} is not a number of seconds") from None


@contextlib.contextmanager
def waiting(seconds: float) -> Iterator[None]:
    """Connections opened inside wait at most ``seconds`` for a busy store (the web service: 0)."""
    token = set_wait(seconds)
    try:
        yield
    finally:
        reset_wait(token)


def set_wait(seconds: float | None) -> contextvars.Token[float | None]:
    """``waiting`` in two steps, for a web request (``reset_wait`` when it ends)."""
    return _wait.set(seconds)


def reset_wait(token: contextvars.Token[float | None] | None) -> None:
    if token is not None:
        try:
            _wait.reset(token)
        except ValueError:  # set in another context (another thread): nothing of this one to undo
            pass


def open_store(path: str | os.PathLike[str], read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect to the store at ``path``, creating its tables if it is new.

    Raises a ``StoreProblem`` (one line, the store unchanged) for a file that is not a munro store, a
    damaged or newer one, a folder that cannot be written, and ``StoreBusy`` when another process
    holds the store longer than ``wait_seconds``."""
    path = Path(path)
    if path.is_dir():
        raise MunroError(f"{path}: is a folder, not a munro store (a DuckDB file)")
    if read_only and not path.exists():
        raise MunroError(f"{path}: no munro store here yet (load a return with 'munro ingest' first)")
    if not path.parent.exists():
        raise MunroError(f"{path}: the folder {path.parent} does not exist")
    _last_opened[0] = path
    new = not path.exists()
    if not new:
        sniff(path)
    writing = not read_only
    # Before DuckDB makes any file (the store, its WAL, its spill folder): owner-only (munro.private).
    owner_only_from_now()
    try:
        con = retry_while_busy(lambda: without_progress_bar(duckdb.connect(str(path), read_only=read_only,
                                                                     config=duckdb_config())), path,
                               writing)
    except BaseException as e:
        if not new or isinstance(e, StoreBusy):  # busy: another process made it meanwhile, and it is theirs
            raise
        _remove_new(path)
        raise _not_made(e, path) from None
    try:
        check_intact(con, path)
        if writing:
            _ensure_schema(con, path)
        else:
            check_munro(con, path)
    except BaseException as e:
        con.close()
        if new:  # a store that could not be made (a full disk): no broken file left in its place
            _remove_new(path)
            raise _not_made(e, path) from None
        if not isinstance(e, duckdb.Error):
            raise
        raise explain(e, path, writing) or MunroError(f"{path}: cannot open the store ({str(e).splitlines()[0]})") \
            from None
    opened(path)
    return con


def _not_made(e: BaseException, path: Path) -> BaseException:
    if isinstance(e, DiskFull) or isinstance(explain(e, path, True), DiskFull):
        return DiskFull(f"the disk is full: {path} cannot be made (free some space in {_folder(path)}, then try "
                        "again)")
    if isinstance(e, duckdb.Error):
        return explain(e, path, True) or MunroError(f"{path}: cannot make the store ({str(e).splitlines()[0]})")
    return e


def _folder(path: Path) -> str:
    return "the current folder" if str(path.parent) == "." else str(path.parent)


def _remove_new(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def retry_while_busy(connect: Callable[[], T], path: Path, writing: bool) -> T:
    """``connect()``, tried again while another process holds the store, for ``wait_seconds``; any other
    error about the store becomes its ``StoreProblem`` (or a one-line ``MunroError``)."""
    _last_opened[0] = path
    deadline = time.monotonic() + wait_seconds(writing)
    while True:
        try:
            return connect()
        except duckdb.Error as e:
            problem = explain(e, path, writing)
            if isinstance(problem, StoreBusy) and time.monotonic() < deadline:
                time.sleep(_RETRY_EVERY)
                continue
            if problem is None:
                problem = MunroError(f"{path}: cannot open the store ({str(e).splitlines()[0]})")
            raise problem from None


def sniff(path: Path) -> None:
    """Refuse a file that is plainly not a DuckDB database, before DuckDB reads it (for a SQLite file,
    DuckDB would try to download its SQLite extension)."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if not head:
        raise StoreProblem(f"{path}: an empty file, not a munro store: restore the store from a backup, "
                           "or delete the file and load the returns again to start a new one")
    if head[8:12] == b"DUCK":
        return
    if head.startswith(b"SQLite format 3\0"):
        kind = "a SQLite database"
    elif _is_text(head):
        kind = "a text file"
    else:
        raise StoreProblem(f"{path}: not a DuckDB database (a damaged store, or another kind of file): "
                           "restore the store from a backup, or choose the store with --db")
    raise StoreProblem(f"{path}: {kind}, not a munro store (a DuckDB database): choose the store with --db")


def _is_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head[:-3].decode("utf-8")  # a character cut at the end of the sample
        except UnicodeDecodeError:
            return False
    return all(c.isprintable() or c in "\r\n\t\f" for c in text)


def check_intact(con: duckdb.DuckDBPyConnection, path: Path, catalog: str | None = None) -> None:
    """A file too short to hold the blocks its header says are in use has lost its end (a truncated copy).

    Free blocks may lie beyond the end (DuckDB shortens the file and keeps them listed), so only the used
    ones count: a file cut by less than its free blocks is found when a missing block is read.
    ``catalog``: the store's name on ``con`` when it is attached (default: the connection's own)."""
    # Every result fetched to its end: DuckDB 2.0 refuses new work on a connection with one unfinished.
    (block_size, used), = con.execute("SELECT block_size, used_blocks FROM pragma_database_size() WHERE "
                                      "database_name = coalesce(?, current_database())", [catalog]).fetchall()
    needed, size = _HEADER_BYTES + block_size * used, path.stat().st_size
    if size < needed:
        raise StoreDamaged(_damaged(path, f"cut short: {size:,} bytes, where its blocks need {needed:,}"))


def check_munro(con: duckdb.DuckDBPyConnection, path: Path, catalog: str | None = None) -> None:
    """Refuse a DuckDB database that is not a munro store, or one written by a newer munro."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_catalog = coalesce(?, current_database())",
                                        [catalog]).fetchall()}
    if "munro_meta" not in tables:
        if tables:
            raise StoreProblem(_foreign(path))
        raise StoreProblem(f"{path}: not a munro store (no returns have been loaded into it)")
    _check_version(con, path, catalog)


def _check_version(con: duckdb.DuckDBPyConnection, path: Path, catalog: str | None = None) -> int:
    meta = f'"{catalog}".munro_meta' if catalog else "munro_meta"
    rows = con.execute(f"SELECT value FROM {meta} WHERE key = 'schema_version'").fetchall()
    version = int(rows[0][0]) if rows else 0
    if version > schema.SCHEMA_VERSION:
        raise StoreProblem(f"{path}: the store was written by a newer munro (store schema {version}; this munro "
                           f"reads up to {schema.SCHEMA_VERSION}): upgrade munro to use it")
    return version


def _foreign(path: Path) -> str:
    return (f"{path}: a DuckDB database that is not a munro store: choose the store with --db "
            "(or a new file name to start one)")


def _damaged(path: Path, how: str) -> str:
    return (f"{path}: the store is damaged ({how}): restore it from a backup, or load the returns again "
            "into a new store")


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK, when a transaction is still open: a failed COMMIT (a full disk) has already ended it."""
    try:
        con.execute("ROLLBACK").fetchall()
    except duckdb.TransactionException:
        pass


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The one transaction of every write to the store (a load, retention, the schema, the published
    statistics): everything done inside is committed together, or, on any error or interruption,
    nothing is (``munro.store.Store.transaction`` is this on the store object).

    Every statement is fetched to its end: DuckDB 2 refuses new work on a connection with a result
    left unfinished."""
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        yield
        con.execute("COMMIT").fetchall()
    except BaseException:
        rollback(con)  # a failed COMMIT (a full disk) has already ended the transaction
        raise


_LOCKED = ("could not set lock on file", "conflicting lock is held")
_DAMAGED = ("corrupt database file", "could not read enough bytes", "not a valid duckdb database file",
            "checksum")
_PID = re.compile(r"\(PID (\d+)\)")


def explain(error: BaseException, path: str | os.PathLike[str] | None = None,
            writing: bool = False) -> MunroError | None:
    """The one-line ``StoreProblem`` for an error met while using the store at ``path`` (default: the
    store this process opened last), a ``MunroError`` for a full or read-only disk met while writing
    another file (an export, a report), or None if it is neither (a bug, not the user's to fix, keeps its
    traceback). Follows the chain of exceptions, so a failed ROLLBACK after a failed COMMIT is explained
    by the COMMIT's error."""
    path = Path(path) if path is not None else _last_opened[0]
    seen: set[int] = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        found = _explain_one(e, path, writing)
        if found is not None:
            return found
        e = e.__cause__ or e.__context__
    return None


def _explain_one(e: BaseException, path: Path | None, writing: bool) -> MunroError | None:
    if isinstance(e, MunroError):
        return e if isinstance(e, StoreProblem) else None
    if not isinstance(e, (duckdb.Error, OSError)):
        return None
    text = str(e)
    low = text.lower()
    code = getattr(e, "errno", None)
    named = _named_file(e)
    if path is None:  # no store opened yet: the file the error names is taken for it
        path = named or Path("the store")
    if named is not None and not _of_store(named, path):
        return _other_file(named, low, code)
    if code == errno.ENOSPC or "no space left on device" in low:
        return DiskFull(f"the disk is full: {path} cannot grow (free some space in {_folder(path)}, then try "
                        "again); the store is unchanged")
    if any(s in low for s in _LOCKED):
        pid = _PID.search(text)
        by = f"process {pid.group(1)}" if pid else "another process"
        if writing:
            return StoreBusy(f"{path}: the store is in use by {by} (a load, or munro serve reading it): "
                             "try again shortly")
        return StoreBusy(f"{path}: the store is being updated by {by} (a load?): try again shortly")
    if "trying to read a database file with version number" in low:
        return StoreProblem(f"{path}: the store was written by a newer version of DuckDB than this munro's: "
                            "upgrade munro to use it")
    if any(s in low for s in _DAMAGED) and isinstance(e, duckdb.Error):
        return StoreDamaged(_damaged(path, _damage(low)))
    if code == errno.EROFS or "read-only file system" in low:
        return StoreProblem(f"{path}: cannot write to the store: its folder {_folder(path)} is on a read-only disk "
                            "(copy the store to a folder that can be written, and use that with --db); "
                            "the store is unchanged")
    if code == errno.EACCES or "permission denied" in low:
        if writing:
            return StoreProblem(f"{path}: cannot write to the store: permission denied (it or its folder "
                                f"{_folder(path)} is read-only for this user); the store is unchanged")
        return StoreProblem(f"{path}: cannot read the store: permission denied")
    return None


_QUOTED_FILE = re.compile(r'file "([^"]+)"', re.IGNORECASE)


def _named_file(e: BaseException) -> Path | None:
    """The file an error is about: an OSError's own, or the one DuckDB's message quotes."""
    if isinstance(e, OSError) and e.filename:
        return Path(os.fsdecode(e.filename))
    found = _QUOTED_FILE.search(str(e))
    return Path(found.group(1)) if found else None


def _other_file(named: Path, low: str, code: int | None) -> MunroError | None:
    """A full or read-only disk met while writing something other than the store (an export, a report)."""
    if code == errno.ENOSPC or "no space left on device" in low:
        return MunroError(f"the disk is full: {named} cannot be written; free some space and try again")
    if code == errno.EROFS or "read-only file system" in low:
        return MunroError(f"{named}: cannot be written: the disk is read-only; choose another folder")
    return None


def _of_store(file: Path, store: Path) -> bool:
    """The store's own files: itself, its WAL, its staging folder, DuckDB's temporary folder beside it."""
    try:
        same_folder = file.parent.resolve() == store.parent.resolve()
        return (same_folder and file.name.startswith(store.name)) or \
            staging_path(store).resolve() in file.resolve().parents
    except OSError:
        return False


def _damage(low: str) -> str:
    if "could not read enough bytes" in low:
        return "cut short: a block is missing from the end"
    if "checksum" in low or "corrupt" in low:
        return "a block does not match its checksum"
    return "its header is not valid"


def opened(path: Path) -> None:
    """What every open of the store does once connected (read-only too, and the item engine's ATTACH):
    the store and its WAL made owner-only if they were not, and a staging folder left by a killed load
    removed (it holds children's identifiers in plain files; the store itself never saw it).

    The connection holds DuckDB's lock on the store, so no other process is loading meanwhile; a load of
    this process (another thread of the web service) marks its staging folder with ``loading``."""
    for own in (path, path.with_name(path.name + ".wal")):
        tighten(own)
    stage = staging_path(path)
    if stage.exists():
        with _loading_lock:
            if stage.resolve() not in _loading:
                shutil.rmtree(stage, ignore_errors=True)


_loading: set[Path] = set()
_loading_lock = threading.Lock()


@contextlib.contextmanager
def loading(db: str | os.PathLike[str]) -> Iterator[Path]:
    """The staging folder of a load by this process (made owner-only), which no open of the store removes
    as stale while the load lasts; removed when it ends."""
    stage = staging_path(db)
    with _loading_lock:
        shutil.rmtree(stage, ignore_errors=True)
        private_dir(stage)
        _loading.add(stage.resolve())
    try:
        yield stage
    finally:
        with _loading_lock:
            _loading.discard(stage.resolve())
            shutil.rmtree(stage, ignore_errors=True)


def _check_registers(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """Read every block of the registers of loaded files (a few rows per file), which every write consults:
    a damaged block there refuses the write (DuckDB checks the checksum of each block it reads), rather than
    a load that skips it by its statistics. Blocks elsewhere are checked whenever they are read."""

    for register in REGISTERS:
        if register.table in tables:
            con.execute(f'SELECT bit_xor(hash(COLUMNS(*))) FROM "{register.table}"').fetchall()


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    """What CREATE ... IF NOT EXISTS cannot add to an existing table: schema 5's ``returns.kind``, each
    return's kind read from its reference date and year (``schema.kind_sql``)."""
    columns = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                         "table_name = 'returns' AND table_catalog = current_database()"
                                         ).fetchall()}
    if "kind" not in columns:
        con.execute("ALTER TABLE returns ADD COLUMN kind VARCHAR").fetchall()
    con.execute(f"UPDATE returns SET kind = {schema.kind_sql('returns')} WHERE kind IS NULL").fetchall()


def _ensure_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_catalog = current_database()").fetchall()}
    if tables and "munro_meta" not in tables:
        raise StoreProblem(_foreign(path))
    if "munro_meta" in tables and _check_version(con, path) == schema.SCHEMA_VERSION:
        _check_registers(con, tables)
        return
    with transaction(con):
        for ddl in schema.all_ddl():
            con.execute(ddl).fetchall()
        _migrate(con)
        for ddl in merge.merged_ddl():
            con.execute(ddl).fetchall()
        con.execute("INSERT OR REPLACE INTO munro_meta VALUES ('schema_version', ?)",
                    [str(schema.SCHEMA_VERSION)]).fetchall()
