"""Files about children are their owner's only, whatever the user's umask (issue 19, deliverable 4): the store and
its WAL, the application database and its -wal and -shm, the restricted child lists, the unmatched children, keys,
the web service's secret, an export, and a load's staging folder, which a killed load leaves and the next open of
the store, of any kind, removes."""

from __future__ import annotations

import os
import stat
import warnings

import pytest

from munro.private import FilesTightened

FILE, FOLDER = 0o600, 0o700


@pytest.fixture(autouse=True)
def usual_umask():
    """The umask most systems give users (022: files readable by everyone), restored after."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_store_its_wal_and_the_application_database(tmp_path):
    from munro.local.appdb import open_app_db
    from munro.store.db import open_store
    from munro.web.audit_log import record

    db = tmp_path / "store.duckdb"
    con = open_store(db)
    con.execute("CREATE TABLE t (a INTEGER)")
    con.execute("INSERT INTO t VALUES (1)")  # DuckDB writes its WAL beside the store
    try:
        assert (mode(db), mode(f"{db}.wal")) == (FILE, FILE)
    finally:
        con.close()
    engine = open_app_db(store=db)
    record(engine, "sign_in", email="a@330.gov.uk")
    try:
        assert [mode(f"{db}.app.sqlite{end}") for end in ("", "-wal", "-shm")] == [FILE, FILE, FILE]
    finally:
        engine.dispose()


def test_what_munro_writes_for_people(tmp_path, monkeypatch):
    import munro.report.child_lists as child_lists
    from munro.localdata.matching import write_report
    from munro.store.db import open_store
    from munro.store.export import export_store
    from munro.store.keys import new_key_file
    from munro.web.config import _secret_file

    monkeypatch.setattr(child_lists, "child_lists", lambda db, la, year: [])
    restricted = child_lists.write_child_lists(None, "330", 2025, tmp_path / "child-lists-restricted.xlsx")
    unmatched = write_report(tmp_path / "visits.csv.unmatched.csv", tmp_path / "visits.csv", "visits", "330", ["C1"])
    new_key_file(tmp_path / "la.key")
    _secret_file(f"sqlite:///{tmp_path}/app.sqlite", tmp_path / "store.duckdb")
    assert [mode(p) for p in (restricted, unmatched, tmp_path / "la.key", tmp_path / "app.sqlite.secret")] == \
        [FILE] * 4
    db = tmp_path / "store.duckdb"
    open_store(db).close()
    export_store(db, tmp_path / "export")
    assert mode(tmp_path / "export") == FOLDER
    assert {mode(p) for p in (tmp_path / "export").iterdir()} == {FILE}


def test_a_killed_loads_staging_folder_is_removed_by_the_next_open_even_to_read(tmp_path):
    from munro.engines import connect
    from munro.store.db import open_store, staging_path

    db = tmp_path / "store.duckdb"
    open_store(db).close()
    for opening in (lambda: open_store(db, read_only=True).close(), lambda: open_store(db).close(),
                    lambda: connect(db).close()):
        stage = staging_path(db)
        stage.mkdir()  # what a load killed part-way leaves: the children's rows in plain files
        (stage / "children.arrows").write_bytes(b"LAchildID, UPN, date of birth")
        opening()
        assert not stage.exists()


def test_a_load_of_this_process_keeps_its_staging_folder_while_it_lasts(tmp_path):
    from munro.store.db import loading, open_store

    db = tmp_path / "store.duckdb"
    open_store(db).close()
    with loading(db) as stage:
        assert mode(stage) == FOLDER
        (stage / "children.arrows").write_bytes(b"rows")
        open_store(db, read_only=True).close()  # another thread of the web service reads the store meanwhile
        assert (stage / "children.arrows").exists()
    assert not stage.exists()


def test_a_file_of_munros_others_could_read_is_narrowed_and_said_once(tmp_path):
    from munro.store.db import open_store

    db = tmp_path / "store.duckdb"
    open_store(db).close()
    os.chmod(db, 0o644)
    with pytest.warns(FilesTightened, match="could be read by other users of this computer: munro has made it"):
        open_store(db, read_only=True).close()
    assert mode(db) == FILE
    os.chmod(db, 0o640)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once per file: narrowed again, quietly
        open_store(db, read_only=True).close()
    assert mode(db) == FILE


def test_the_command_line_says_it_in_one_line(tmp_path, capsys, monkeypatch):
    from munro.cli import main
    from munro.store.db import open_store

    monkeypatch.delenv("MUNRO_APP_DB", raising=False)
    db = tmp_path / "other.duckdb"
    open_store(db).close()
    os.chmod(db, 0o664)
    main(["--db", str(db), "returns"])
    assert capsys.readouterr().err == (f"munro: warning: {db} could be read by other users of this computer: munro has "
                                       "made it its owner's only (600)\n")


def test_every_file_the_command_line_writes(cin, write, tmp_path, monkeypatch):
    """Findings name children too: whatever the command writes is its owner's only."""
    from munro.cli import main

    monkeypatch.delenv("MUNRO_APP_DB", raising=False)
    path = write("cin_201_2025.xml", cin.xml(2025))
    try:
        main(["--db", str(tmp_path / "s.duckdb"), "validate", str(path), "--format", "csv",
              "--out", str(tmp_path / "findings.csv")])
    except SystemExit as e:  # its exit status says whether there were findings
        assert e.code in (0, 1)
    assert mode(tmp_path / "findings.csv") == FILE


def test_a_store_on_a_read_only_disk_is_read_as_it_is(tmp_path, monkeypatch):
    import errno

    from munro.local.appdb import open_app_db
    from munro.store.db import open_store

    db = tmp_path / "disk" / "store.duckdb"
    db.parent.mkdir()
    open_store(db).close()
    open_app_db(store=db).dispose()
    for own in (db, f"{db}.app.sqlite"):
        os.chmod(own, 0o644)

    def read_only(path, mode, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(os, "chmod", read_only)
    with pytest.warns(FilesTightened, match=r"store.duckdb can be read by other users of this computer, and munro "
                                            r"cannot change that \(Read-only file system\)"):
        open_store(db, read_only=True).close()
    with pytest.warns(FilesTightened, match="app.sqlite can be read by other users"):
        open_app_db(store=db).dispose()
