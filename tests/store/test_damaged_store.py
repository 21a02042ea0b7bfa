"""A store that cannot be used as it is: damaged, foreign, newer, on a full or read-only disk.

Each is one line on stderr naming the store and what to do, a non-zero exit, and the store's bytes as
they were; a load into it is refused the same way (store.db)."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
from pathlib import Path

import duckdb
import pytest

import munro.store.ingest as ingest_mod
from munro.errors import DiskFull, StoreDamaged, StoreProblem
from munro.loading import ingest_file
from munro.store import list_returns
from munro.store.db import open_store, staging_path
from munro.store.schema import SCHEMA_VERSION
from store_support import sha256


@pytest.fixture
def loaded(cin, write, db) -> Path:
    """A munro store holding one small return."""
    ingest_file(db, write("a.xml", cin.xml(2023, [cin.Child(id="A1")])))
    return db


@pytest.fixture
def another(cin, write) -> Path:
    """A return to try to load."""
    return write("b.xml", cin.xml(2024, [cin.Child(id="B1")]))


def refused(munro, db: Path, message: str, another: Path, exit_code: int = 2) -> None:
    """Reading and loading ``db`` each give ``message`` as one line and ``exit_code``; its bytes stay as they were."""
    before = sha256(db)
    for args in (["returns"], ["ingest", another]):
        run = munro("--db", db, *args)
        assert (run.returncode, run.stderr, run.stdout) == (exit_code, f"munro: {message}\n", ""), args
    assert sha256(db) == before
    assert not staging_path(db).exists()


def _used_bytes(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        block_size, used = con.execute("SELECT block_size, used_blocks FROM pragma_database_size()").fetchall()[0]
    finally:
        con.close()
    return 3 * 4096 + block_size * used


def test_a_truncated_store_is_refused(munro, loaded, another):
    needed = _used_bytes(loaded)
    with open(loaded, "r+b") as f:
        f.truncate(1_000_000)  # a copy cut short
    # Before: a load went into it, its blocks beyond the end unread.
    refused(munro, loaded, f"{loaded}: the store is damaged (cut short: 1,000,000 bytes, where its blocks need "
                           f"{needed:,}): restore it from a backup, or load the returns again into a new store",
            another)


def test_a_store_cut_to_a_few_bytes_is_refused(munro, loaded, another):
    with open(loaded, "r+b") as f:
        f.truncate(100)  # DuckDB's magic bytes survive; its headers do not
    refused(munro, loaded, f"{loaded}: the store is damaged (cut short: a block is missing from the end): "
                           "restore it from a backup, or load the returns again into a new store", another)


def _damage_block_of(db: Path, table: str) -> None:
    """Overwrite the data of the first block of ``table``, its checksum kept (a disk's bad sector)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        block = con.execute(f"SELECT min(block_id) FROM pragma_storage_info('{table}') WHERE block_id >= 0"
                            ).fetchall()[0][0]
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchall()[0][0]
    finally:
        con.close()
    with open(db, "r+b") as f:
        f.seek(3 * 4096 + block * block_size + 8)
        f.write(random.Random(1).randbytes(4096))


CHECKSUM = "the store is damaged (a block does not match its checksum): restore it from a backup, or load the " \
           "returns again into a new store"


def test_a_damaged_block_of_the_returns_refuses_reads_and_loads(munro, loaded, another):
    # A load read the returns table only where its statistics pointed, and went in.
    _damage_block_of(loaded, "returns")
    refused(munro, loaded, f"{loaded}: {CHECKSUM}", another)


def test_a_damaged_block_elsewhere_is_found_when_it_is_read(munro, loaded):
    _damage_block_of(loaded, "children")
    before = sha256(loaded)
    run = munro("--db", loaded, "indicators", "--la", "201", "--year", "2023")
    assert (run.returncode, run.stderr, run.stdout) == (2, f"munro: {loaded}: {CHECKSUM}\n", "")
    assert sha256(loaded) == before


def test_random_bytes_are_refused(munro, db, another):
    db.write_bytes(random.Random(2).randbytes(300_000))
    refused(munro, db, f"{db}: not a DuckDB database (a damaged store, or another kind of file): restore the "
                       "store from a backup, or choose the store with --db", another)


def test_an_empty_file_is_refused(munro, db, another):
    db.write_bytes(b"")
    refused(munro, db, f"{db}: an empty file, not a munro store: restore the store from a backup, or delete the "
                       "file and load the returns again to start a new one", another)


def test_a_duckdb_database_that_is_not_a_munro_store_is_refused(munro, db, another):
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE sales AS SELECT 1 AS amount")
    con.close()
    refused(munro, db, f"{db}: a DuckDB database that is not a munro store: choose the store with --db (or a new "
                       "file name to start one)", another)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT table_name FROM information_schema.tables").fetchall() == [("sales",)]
    con.close()


def test_a_sqlite_file_is_refused_without_duckdb_reading_it(munro, db, another):
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    # DuckDB itself would try to download its SQLite extension to read the file.
    refused(munro, db, f"{db}: a SQLite database, not a munro store (a DuckDB database): choose the store with --db",
            another)


def test_a_text_file_named_duckdb_is_refused(munro, db, another):
    db.write_text("la,year\n330,2025\n", encoding="utf-8")
    refused(munro, db, f"{db}: a text file, not a munro store (a DuckDB database): choose the store with --db",
            another)


def test_a_store_written_by_a_newer_munro_is_refused(munro, loaded, another):
    con = duckdb.connect(str(loaded))
    con.execute("UPDATE munro_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.close()
    refused(munro, loaded, f"{loaded}: the store was written by a newer munro (store schema {SCHEMA_VERSION + 1}; "
                           f"this munro reads up to {SCHEMA_VERSION}): upgrade munro to use it", another)


def test_the_library_raises_the_same(loaded):
    with open(loaded, "r+b") as f:
        f.truncate(1_000_000)
    for read_only in (True, False):
        with pytest.raises(StoreDamaged, match=r"the store is damaged \(cut short"):
            open_store(loaded, read_only=read_only)
    with pytest.raises(StoreDamaged):
        list_returns(loaded)


# ---------------------------------------------------------------- a full disk, a read-only one


@pytest.fixture
def small_disk(tmp_path):
    """``small_disk(kb)``: a folder on a disk of its own of that size (a tmpfs), or None where this system
    cannot mount one (not root, no mount in a container): the tests then inject the error instead."""
    mounted: list[Path] = []

    def make(kb: int) -> Path | None:
        where = tmp_path / f"disk{len(mounted)}"
        where.mkdir()
        if os.geteuid() != 0:
            return None
        run = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", str(where)], capture_output=True)
        if run.returncode:
            return None
        mounted.append(where)
        return where

    yield make
    for where in mounted:  # lazily: a connection of a failed load may still be held by its traceback
        subprocess.run(["umount", "--lazy", str(where)], check=True)


def _remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True, capture_output=True)


def _disk_full(db: Path) -> str:
    return (f"the disk is full: {db} cannot grow (free some space in {db.parent}, then try again); "
            "the store is unchanged")


def test_a_full_disk_during_a_load(munro, cin, write, loaded, small_disk, store):
    disk = small_disk(loaded.stat().st_size // 1024 + 256)  # room for the store and 256 KB more
    if disk is None:
        pytest.skip("cannot mount a small disk here: see the injected test below")
    db = disk / "store.duckdb"
    db.write_bytes(loaded.read_bytes())
    big = write("big.xml", cin.xml(2024, cin.many(2024, 5000)))  # its rows need more than 256 KB
    before, rows = sha256(db), store.snapshot(db)
    run = munro("--db", db, "ingest", big)
    assert (run.returncode, run.stderr, run.stdout) == (2, f"munro: {_disk_full(db)}\n", "")
    assert sha256(db) == before and store.snapshot(db) == rows and not staging_path(db).exists()
    # Staged on disk, as a large file is: the staging folder fills the disk first.
    with pytest.MonkeyPatch.context() as m:
        m.setattr(ingest_mod, "MEMORY_STAGING_BYTES", 0)
        with pytest.raises(DiskFull) as e:
            ingest_file(db, big)
    assert str(e.value) == _disk_full(db)
    assert sha256(db) == before and store.snapshot(db) == rows and not staging_path(db).exists()
    # Space freed: the same load goes in.
    _remount(disk, "size=64m")
    run = munro("--db", db, "ingest", big)
    assert run.returncode == 0 and "loaded as return 2" in run.stdout
    assert [r["return_id"] for r in list_returns(db)] == [2, 1]


def test_a_full_disk_during_a_load_injected(munro, cin, write, loaded, store, monkeypatch, capsys):
    """The same where no small disk can be mounted: the COMMIT fails as DuckDB fails on a full disk."""
    from munro.cli import main

    publish = ingest_mod._publish

    def fills_the_disk(con, *args, **kwargs):
        publish(con, *args, **kwargs)
        raise duckdb.TransactionException(
            f'TransactionContext Error: Failed to commit: Could not write file "{loaded}.wal": No space left on device')

    monkeypatch.setattr(ingest_mod, "_publish", fills_the_disk)
    big = write("big.xml", cin.xml(2024, cin.many(2024, 50)))
    before, rows = sha256(loaded), store.snapshot(loaded)
    with pytest.raises(DiskFull) as e:
        ingest_file(loaded, big)
    assert str(e.value) == _disk_full(loaded)
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(loaded), "ingest", str(big)])
    assert (exit_.value.code, capsys.readouterr().err) == (2, f"munro: {_disk_full(loaded)}\n")
    assert sha256(loaded) == before and store.snapshot(loaded) == rows


def test_a_store_in_a_read_only_folder(munro, loaded, another, small_disk, monkeypatch):
    disk = small_disk(loaded.stat().st_size // 1024 + 1024)
    message = ("cannot write to the store: its folder {folder} is on a read-only disk (copy the store to a "
               "folder that can be written, and use that with --db); the store is unchanged")
    if disk is not None:
        db = disk / "store.duckdb"
        db.write_bytes(loaded.read_bytes())
        _remount(disk, "ro")
        run = munro("--db", db, "returns")  # reading is fine
        assert run.returncode == 0 and "a.xml" in run.stdout
        before = sha256(db)
        for target in (db, disk / "new.duckdb"):  # the store, and a new one there
            run = munro("--db", target, "ingest", another)
            assert (run.returncode, run.stdout) == (2, "")
            assert run.stderr == f"munro: {target}: " + message.format(folder=disk) + "\n"
        assert sha256(db) == before and sorted(p.name for p in disk.iterdir()) == ["store.duckdb"]
        return
    # Injected: DuckDB's own error on a read-only disk.
    connect = duckdb.connect

    def read_only_disk(database, read_only=False, **kwargs):
        if not read_only:
            raise duckdb.IOException(f'IO Error: Cannot open file "{database}": Read-only file system')
        return connect(database, read_only=read_only, **kwargs)

    monkeypatch.setattr(duckdb, "connect", read_only_disk)
    with pytest.raises(StoreProblem) as e:
        open_store(loaded)
    assert str(e.value) == f"{loaded}: " + message.format(folder=loaded.parent)
    assert [r["return_id"] for r in list_returns(loaded)] == [1]


def test_a_new_store_on_a_full_disk_leaves_no_file_behind(munro, another, small_disk):
    disk = small_disk(16)  # room for DuckDB's headers, not for the store's tables
    if disk is None:
        pytest.skip("cannot mount a small disk here")
    db = disk / "store.duckdb"
    run = munro("--db", db, "ingest", another)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (f"munro: the disk is full: {db} cannot be made (free some space in {disk}, "
                          "then try again)\n")
    assert list(disk.iterdir()) == []  # not a broken store that the next command would call damaged
