"""``munro backup`` and ``munro restore``: a consistent copy of the store and the application database.

The store (DuckDB) is copied file by file while a read-only connection holds it: DuckDB's lock lets
readers share a store (the web service reading it too) but keeps every writer out, so no load can change
it mid-copy; a WAL left beside it is copied with it. The copy is then opened to check it is a munro store.

The application database (SQLite) is copied by SQLite's online backup API, which gives one consistent
snapshot while the web service keeps writing (sessions, survey answers, the audit log). A PostgreSQL
application database is the council's to back up with ``pg_dump``; munro refuses rather than copy half.

``manifest.json`` beside the copies: the munro version, the store's schema version and the application
database's migration, when, and each file's SHA-256. ``restore`` checks every file against it before
anything is replaced, refuses to replace an existing store or application database without ``force``,
and opens what it restored. The manifest finds a damaged or altered copy, not a forger who rewrites the
manifest too: keep backups where only the service's administrators can write (docs/deploy.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import __version__
from .errors import MunroError, StoreBusy
from .local.appdb import MIGRATIONS, app_db_url, open_app_db
from .private import open_private, owner_only_from_now, private_dir, private_file
from .store import db
from .store.schema import SCHEMA_VERSION

MANIFEST = "manifest.json"
STORE_FILE = "store.duckdb"
APP_FILE = "app.sqlite"
_CHUNK = 1 << 20


@dataclass
class Backup:
    """What a backup folder holds (its manifest)."""

    folder: Path
    made_at: str
    munro_version: str
    store_schema: int | None = None
    app_revision: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # name -> SHA-256

    def text(self) -> str:
        parts = []
        if self.store_schema is not None:
            parts.append(f"the store (schema {self.store_schema})")
        if self.app_revision is not None:
            parts.append(f"the application database (migration {self.app_revision})")
        return f"{self.folder}: {' and '.join(parts)}, {len(self.files)} files checked against {MANIFEST}"


def backup(store: str | os.PathLike, folder: str | os.PathLike, app_db: str | None = None,
           store_only: bool = False) -> Backup:
    """Copy the store and the application database (``app_db``: a URL or file, default beside the store)
    into the new or empty ``folder``, consistently while the web service runs; write the manifest last."""
    store, folder = Path(store), Path(folder)
    app_file = None if store_only else _sqlite_file(app_db_url(store, app_db), "back up")
    if app_file is not None and not app_file.exists():
        app_file = None  # no web service, no local information: the store alone
    if not store.exists() and app_file is None:
        raise MunroError(f"{store}: no store and no application database here to back up (choose the store "
                         "with --db)")
    _empty_folder(folder)
    owner_only_from_now()  # DuckDB's and SQLite's own files made while copying: owner-only too
    made = Backup(folder, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), __version__)
    if store.exists():
        made.store_schema = _copy_store(store, folder)
    if app_file is not None:
        made.app_revision = _copy_app_db(app_file, folder / APP_FILE)
    for name in (STORE_FILE, STORE_FILE + ".wal", APP_FILE):
        if (folder / name).exists():
            made.files[name] = sha256(folder / name)
    with open_private(folder / MANIFEST, "w", encoding="utf-8") as f:
        json.dump({"munro_version": made.munro_version, "made_at": made.made_at, "store_schema": made.store_schema,
                   "app_revision": made.app_revision, "files": made.files}, f, indent=2)
        f.write("\n")
    return made


def restore(folder: str | os.PathLike, store: str | os.PathLike, app_db: str | None = None,
            force: bool = False) -> Backup:
    """Put the backup in ``folder`` back as the store and the application database, after checking every
    file against the manifest. Refuses to replace an existing one unless ``force``; the service should be
    stopped (a store in use is refused)."""
    folder, store = Path(folder), Path(store)
    found = read_manifest(folder)
    _check_known(found)
    app_file = _sqlite_file(app_db_url(store, app_db), "restore") if APP_FILE in found.files else None
    targets = ([store] if STORE_FILE in found.files else []) + ([app_file] if app_file else [])
    for target in targets:
        if not target.parent.is_dir():
            raise MunroError(f"{target}: the folder {target.parent} does not exist")
        if target.exists() and not force:
            raise MunroError(f"{target} already exists: restoring would replace it (give --force to replace it, "
                             "after backing it up if it may still be wanted)")
    owner_only_from_now()
    if STORE_FILE in found.files:
        _restore_store(folder, store)
    if app_file is not None:
        _restore_app_db(folder / APP_FILE, app_file)
    return found


def read_manifest(folder: Path) -> Backup:
    """The manifest of ``folder``, every file it lists checked against its SHA-256 (one line if not)."""
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        found = Backup(folder, str(raw["made_at"]), str(raw["munro_version"]), raw.get("store_schema"),
                       raw.get("app_revision"), dict(raw["files"]))
    except FileNotFoundError:
        raise MunroError(f"{folder}: not a munro backup (no {MANIFEST})") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise MunroError(f"{folder / MANIFEST}: not a munro backup manifest (damaged?)") from None
    if not set(found.files) <= {STORE_FILE, STORE_FILE + ".wal", APP_FILE} or not found.files:
        raise MunroError(f"{folder / MANIFEST}: lists files munro does not back up: nothing restored")
    for name, expected in found.files.items():
        file = folder / name
        if not file.is_file():
            raise MunroError(f"{file}: missing from the backup: nothing restored")
        if sha256(file) != expected:
            raise MunroError(f"{file}: does not match the backup's manifest (damaged or altered since the "
                             "backup was made): nothing restored")
    return found


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_file(url: str, doing: str) -> Path:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    if url.startswith("postgresql"):
        raise MunroError("the application database is PostgreSQL, which munro does not copy: back it up with "
                         "pg_dump and restore it with pg_restore (docs/deploy.md); munro backup --store-only "
                         "copies the store alone")
    raise MunroError(f"cannot {doing} the application database {url}: munro copies a SQLite one only")


def _empty_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise MunroError(f"{folder}: already exists and is not an empty folder: choose a new folder for each "
                         "backup (a date in its name)")
    if not folder.parent.is_dir():
        raise MunroError(f"{folder}: the folder {folder.parent} does not exist")
    private_dir(folder)


def _copy_store(store: Path, folder: Path) -> int:
    """Copy the store while a read-only connection keeps writers out; its schema version."""
    con = db.open_store(store, read_only=True)  # waits for a load to finish (MUNRO_STORE_WAIT), then StoreBusy
    try:
        schema, = con.execute("SELECT value FROM munro_meta WHERE key = 'schema_version'").fetchone()
        for name in (store.name, store.name + ".wal"):
            if (store.parent / name).exists():
                _copy_file(store.parent / name, folder / (STORE_FILE + name[len(store.name):]))
    except OSError as e:
        raise db.explain(e, store) or MunroError(f"{folder}: cannot write the backup ({e.strerror})") from None
    finally:
        con.close()
    check = db.open_store(folder / STORE_FILE, read_only=True)  # the copy is a whole munro store
    check.close()
    return int(schema)


def _copy_file(source: Path, target: Path) -> None:
    with open(source, "rb") as src, open_private(target, "wb") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
        dst.flush()
        os.fsync(dst.fileno())


def _copy_app_db(source: Path, target: Path) -> str | None:
    """SQLite's online backup: one snapshot, whatever the web service writes meanwhile; its migration."""
    private_file(target)
    src = sqlite3.connect(source, timeout=30)  # not read-only: SQLite may need to make the WAL's index
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file (no -wal beside it)
        dst.commit()
        (ok,), = dst.execute("PRAGMA integrity_check").fetchall()
        if ok != "ok":
            raise MunroError(f"{target}: the copy of the application database fails SQLite's check ({ok})")
        rows = dst.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error as e:
        raise MunroError(f"{source}: cannot back up the application database ({e})") from None
    finally:
        src.close()
        dst.close()
    return rows[0][0] if rows else None


def _restore_store(folder: Path, store: Path) -> None:
    """The backup's store file put in place in one rename (and its WAL, or none); then opened."""
    if store.exists():
        _not_in_use(store)
    partial = store.with_name(store.name + ".restoring")
    _copy_file(folder / STORE_FILE, partial)
    wal = store.with_name(store.name + ".wal")
    wal.unlink(missing_ok=True)  # the replaced store's WAL would be replayed over the restored one
    os.replace(partial, store)
    if (folder / (STORE_FILE + ".wal")).exists():
        _copy_file(folder / (STORE_FILE + ".wal"), wal)
    db.open_store(store, read_only=True).close()


def _not_in_use(store: Path) -> None:
    """Refuse to replace a store another process has open (munro serve, a load): stop it first."""
    try:
        db.sniff(store)  # not a DuckDB file at all (DuckDB would try to read a SQLite one with an extension)
        with db.waiting(0):
            db.retry_while_busy(lambda: duckdb.connect(str(store)), store, True).close()
    except StoreBusy:
        raise MunroError(f"{store}: in use by another process (stop munro serve and any load first): "
                         "nothing restored") from None
    except MunroError:
        pass  # damaged or not a store: the reason to restore it


def _restore_app_db(backup_file: Path, target: Path) -> None:
    """SQLite's backup API in reverse: the target (and its WAL) replaced in one transaction; then migrated."""
    if target.exists() and not _is_sqlite(target):  # damaged: the reason to restore it (given --force)
        for leftover in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
    private_file(target)
    src = sqlite3.connect(_read_only(backup_file), uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    except sqlite3.DatabaseError as e:
        raise MunroError(f"{target}: cannot be replaced ({e}); stop munro serve first") from None
    finally:
        src.close()
        dst.close()
    open_app_db(url=f"sqlite:///{target.resolve()}").dispose()  # brought up to this munro's migrations


def _read_only(file: Path) -> str:
    """SQLite's URI of ``file`` opened read-only (percent-encoded, so any name and a Windows path work)."""
    return file.resolve().as_uri() + "?mode=ro"


def _is_sqlite(file: Path) -> bool:
    try:
        con = sqlite3.connect(_read_only(file), uri=True)
        try:
            return con.execute("PRAGMA quick_check").fetchone() == ("ok",)
        finally:
            con.close()
    except sqlite3.Error:
        return False


def _check_known(found: Backup) -> None:
    """Refuse, before anything is replaced, a backup this munro could not open (made by a newer one)."""
    # lazily: alembic only when a backup is checked before it is restored
    from alembic.script import ScriptDirectory


    if found.store_schema is not None and int(found.store_schema) > SCHEMA_VERSION:
        raise MunroError(f"{found.folder}: the store was backed up by a newer munro (schema {found.store_schema}; "
                         f"this munro reads up to {SCHEMA_VERSION}): upgrade munro, then restore")
    if found.app_revision is not None:
        try:
            ScriptDirectory(str(MIGRATIONS)).get_revision(found.app_revision)
        except Exception:  # noqa: BLE001 - alembic's errors for an unknown revision vary by version
            raise MunroError(f"{found.folder}: the application database was backed up by a newer munro "
                             f"(migration {found.app_revision}): upgrade munro, then restore") from None
