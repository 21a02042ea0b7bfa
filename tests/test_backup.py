"""``munro backup`` / ``munro restore`` (issue 20, deliverable 4): a consistent copy while the service runs.

The store is read by another process throughout (as munro serve reads it) and the application database is
written by another thread (sessions, answers, the audit log) while the backup is made; what is restored
must be the store's rows exactly and a consistent moment of the application database: a prefix of the
audit log whose hash chain is whole.
"""

from __future__ import annotations

import contextlib
import json
import stat
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

import munro
from munro.backup import backup, restore
from munro.cli import main
from munro.errors import MunroError
from munro.loading import ingest_file
from munro.local.appdb import open_app_db
from munro.local.schema import audit_log
from munro.store.schema import SCHEMA_VERSION
from munro.web.audit_log import record, verify
from store_support import sha256, writer_holding

_READ = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM returns").fetchone()[0], flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def reader_holding(db):
    """Another process with the store open read-only (as munro serve) for as long as the block runs."""
    proc = subprocess.Popen([sys.executable, "-c", _READ, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline() == "1\n"
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


@contextlib.contextmanager
def writing(engine):
    """A thread appending to the audit log until the block ends; yields the number written so far."""
    stop, written = threading.Event(), [0]

    def run():
        while not stop.is_set():
            record(engine, "sign_in", email=f"user{written[0]}@example.gov.uk", detail="x" * 200)
            written[0] += 1

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield written
    finally:
        stop.set()
        thread.join()


def _events(engine) -> list[tuple]:
    with engine.connect() as con:
        return [tuple(r) for r in con.execute(sa.select(audit_log).order_by(audit_log.c.id)).all()]


def _wait_for(written, n):
    deadline = time.monotonic() + 30
    while written[0] < n:
        assert time.monotonic() < deadline, "the writer thread stopped writing"
        time.sleep(0.01)


@pytest.fixture
def service(cin, write, tmp_path):
    """A store with one return and its application database beside it (as munro serve keeps them)."""
    db = tmp_path / "live" / "store.duckdb"
    db.parent.mkdir()
    ingest_file(db, write("a.xml", cin.xml(2024, cin.many(2024, 30))))
    return db


def test_a_backup_made_while_the_service_reads_and_writes_restores_the_same_content(service, store, tmp_path,
                                                                                    monkeypatch):
    monkeypatch.delenv("MUNRO_APP_DB", raising=False)
    engine = open_app_db(store=service)
    before = store.snapshot(service)
    with reader_holding(service), writing(engine) as written:
        _wait_for(written, 20)
        made = backup(service, tmp_path / "backup")
        at_end = written[0]
        _wait_for(written, at_end + 20)  # and it goes on writing after the backup
    source = _events(engine)
    engine.dispose()

    assert (made.store_schema, made.app_revision, set(made.files)) == (SCHEMA_VERSION, "0006",
                                                                       {"store.duckdb", "app.sqlite"})
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["munro_version"] == munro.__version__
    assert manifest["files"] == {name: sha256(tmp_path / "backup" / name) for name in ("store.duckdb", "app.sqlite")}
    for path in (tmp_path / "backup", *(tmp_path / "backup").iterdir()):  # owner-only
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path

    target = tmp_path / "restored" / "store.duckdb"
    target.parent.mkdir()
    restore(tmp_path / "backup", target)
    assert store.snapshot(target) == before
    restored_engine = open_app_db(store=target)
    try:
        restored = _events(restored_engine)
        # One moment of the database: the events up to it, none half-written, none after the backup ended.
        assert 20 <= len(restored) <= at_end + 1 < len(source)
        assert restored == source[:len(restored)]
        assert verify(restored_engine).intact
    finally:
        restored_engine.dispose()


def test_restore_refuses_to_replace_a_store_without_force_and_checks_every_file(service, store, cin, write,
                                                                               tmp_path, monkeypatch):
    monkeypatch.delenv("MUNRO_APP_DB", raising=False)
    open_app_db(store=service).dispose()
    before = store.snapshot(service)
    backup(service, tmp_path / "backup")
    ingest_file(service, write("b.xml", cin.xml(2025, cin.many(2025, 5, prefix="B"))))  # changed since
    changed = sha256(service)

    with pytest.raises(MunroError, match="already exists: restoring would replace it"):
        restore(tmp_path / "backup", service)
    assert sha256(service) == changed
    with writer_holding(service), pytest.raises(MunroError, match="in use by another process"):
        restore(tmp_path / "backup", service, force=True)
    assert sha256(service) == changed
    restore(tmp_path / "backup", service, force=True)
    assert store.snapshot(service) == before

    # A copy altered (or damaged) since the backup: nothing restored.
    stored = tmp_path / "backup" / "store.duckdb"
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0xFF
    stored.write_bytes(bytes(data))
    elsewhere = tmp_path / "store2.duckdb"
    with pytest.raises(MunroError, match="store.duckdb: does not match the backup's manifest"):
        restore(tmp_path / "backup", elsewhere)
    assert not elsewhere.exists() and not (tmp_path / "store2.duckdb.app.sqlite").exists()
    (tmp_path / "backup" / "manifest.json").unlink()
    with pytest.raises(MunroError, match="not a munro backup"):
        restore(tmp_path / "backup", elsewhere)


def test_backup_refuses_a_used_folder_and_a_postgresql_application_database(service, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("x")
    with pytest.raises(MunroError, match="already exists and is not an empty folder"):
        backup(service, tmp_path / "used")
    with pytest.raises(MunroError, match="PostgreSQL, which munro does not copy: back it up with pg_dump"):
        backup(service, tmp_path / "pg", app_db="postgresql://munro@db.example/munro")
    assert not (tmp_path / "pg").exists()
    made = backup(service, tmp_path / "pg", app_db="postgresql://munro@db.example/munro", store_only=True)
    assert set(made.files) == {"store.duckdb"} and made.app_revision is None


def test_the_commands(service, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MUNRO_APP_DB", raising=False)
    open_app_db(store=service).dispose()
    main(["--db", str(service), "backup", "--to", str(tmp_path / "b")])
    out = capsys.readouterr().out
    assert out == (f"backed up {tmp_path / 'b'}: the store (schema {SCHEMA_VERSION}) and the application database "
                   "(migration 0006), 2 files checked against manifest.json\n")
    target = tmp_path / "r.duckdb"
    main(["--db", str(target), "restore", str(tmp_path / "b")])
    assert capsys.readouterr().out.startswith(f"restored {tmp_path / 'b'}: the store (schema {SCHEMA_VERSION})")
    with pytest.raises(SystemExit) as e:
        main(["--db", str(target), "restore", str(tmp_path / "b")])
    assert e.value.code != 0
    assert capsys.readouterr().err == (f"munro: {target} already exists: restoring would replace it (give --force "
                                       "to replace it, after backing it up if it may still be wanted)\n")


def test_restore_replaces_a_damaged_store_and_application_database(service, store, tmp_path, monkeypatch):
    monkeypatch.delenv("MUNRO_APP_DB", raising=False)
    engine = open_app_db(store=service)
    record(engine, "sign_in", email="someone@example.gov.uk")
    events = _events(engine)
    engine.dispose()
    before = store.snapshot(service)
    backup(service, tmp_path / "backup")
    with open(service, "r+b") as f:  # the store cut short, the application database overwritten
        f.truncate(service.stat().st_size // 2)
    app = service.with_name(service.name + ".app.sqlite")
    app.write_bytes(b"not a database" * 1000)

    restore(tmp_path / "backup", service, force=True)
    assert store.snapshot(service) == before
    engine = open_app_db(store=service)
    try:
        assert _events(engine) == events and len(events) == 1
    finally:
        engine.dispose()
