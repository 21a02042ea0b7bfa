"""The application database: where it is, opening it, bringing its schema up to date.

SQLite by default, beside the store (``<store>.app.sqlite``) or
``./munro-app.sqlite`` without one; ``MUNRO_APP_DB`` names another file or a
database URL (``postgresql://user@host/db``). The CLI and the web service open
it the same way and every open runs the Alembic migrations to the latest
revision, so a database is never used half-migrated.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from ..errors import MunroError
from ..private import private_file, tighten

MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_FILE = "munro-app.sqlite"


def app_db_url(store: str | os.PathLike | None = None, url: str | None = None) -> str:
    """The SQLAlchemy URL of the application database (see the module docstring for the order)."""
    target = url or os.environ.get("MUNRO_APP_DB")
    if target is None:
        target = str(Path(store).with_name(Path(store).name + ".app.sqlite")) if store else DEFAULT_FILE
    if "://" not in target:
        return f"sqlite:///{Path(target).resolve()}"
    # psycopg 3 (already munro's PostgreSQL driver) rather than SQLAlchemy's default psycopg2.
    for plain in ("postgresql://", "postgres://"):
        if target.startswith(plain):
            return "postgresql+psycopg://" + target[len(plain):]
    return target


def open_app_db(store=None, url: str | None = None) -> sa.Engine:
    """An engine on the application database, its schema migrated to the latest revision."""
    full = app_db_url(store, url)
    if full.startswith("sqlite:///"):
        file = Path(full[len("sqlite:///"):])
        if not file.parent.is_dir():
            raise MunroError(f"{file.parent}: the folder of the application database does not exist")
        _private(file)
    engine = sa.create_engine(full)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        upgrade(engine)
    except sa.exc.OperationalError as e:
        engine.dispose()
        raise MunroError(f"cannot open the application database {engine.url!r}: "
                         f"{str(e.orig).splitlines()[0]}") from None
    return engine


def _private(file: Path) -> None:
    """The database owner-only (password hashes, survey answers, triage notes, the audit log): made empty
    and 0600 before SQLite opens it, whose -wal and -shm files then take the same mode; an existing
    database and its -wal and -shm narrowed if others could read them (munro.private)."""
    for own in (file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
        tighten(own)
    private_file(file)


def _sqlite_pragmas(dbapi_con, _record):
    # SQLite ignores foreign keys unless asked, and waits for a lock instead of failing at once
    # when the web service and the CLI write together.
    dbapi_con.execute("PRAGMA foreign_keys = ON")
    dbapi_con.execute("PRAGMA busy_timeout = 5000")
    # Write-ahead log: readers never wait for the writer, and a commit is one append rather than a
    # rewritten journal; with synchronous=NORMAL a commit survives a crash of munro, and a power cut
    # loses at most the last moments (never corrupts). This is what lets the web service store
    # hundreds of survey responses a second (docs/performance.md, "Web service").
    dbapi_con.execute("PRAGMA journal_mode = WAL")
    dbapi_con.execute("PRAGMA synchronous = NORMAL")


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` in one transaction."""
    # lazily: alembic only when the application database is migrated
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as con:
        cfg.attributes["connection"] = con
        command.upgrade(cfg, revision)


def current_revision(engine: sa.Engine) -> str | None:
    # lazily: alembic only when the application database is migrated
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as con:
        return MigrationContext.configure(con).get_current_revision()
