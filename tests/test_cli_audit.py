"""Every command that changes something is in the audit log, as the operating-system user "cli on <host>";
``munro audit-log verify`` checks the chain (issue 19, deliverable 5)."""

from __future__ import annotations

import getpass
import socket

import click
import pytest
import sqlalchemy as sa

from cli_support import run as _run
from munro import cli as cli_module
from munro.cli import READ_ONLY, RECORDED, commands
from munro.local.appdb import open_app_db
from munro.local.schema import audit_log as table
from munro.web.audit_log import EVENTS


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.delenv("MUNRO_APP_DB", raising=False)
    monkeypatch.delenv("MUNRO_DB", raising=False)
    return tmp_path / "store.duckdb"




def _rows(store):
    engine = open_app_db(store=store)
    try:
        with engine.connect() as con:
            return con.execute(sa.select(table).order_by(table.c.id)).all()
    finally:
        engine.dispose()


def test_every_command_is_recorded_or_declared_read_only():
    assert set(commands()) == set(RECORDED) | READ_ONLY, "name a new command in munro.cli.RECORDED or READ_ONLY"
    assert not set(RECORDED) & READ_ONLY
    for path, event in RECORDED.items():
        named = {event} if isinstance(event, str) else {event({}), event({"new_key_file": "k", "dry_run": True,
                                                                          "with_child_lists": True})}
        assert named - {None} <= set(EVENTS), path
    assert RECORDED["export"]({"new_key_file": "k"}) == "key_created" and RECORDED["export"]({}) == "export"
    assert RECORDED["retention"]({"dry_run": True}) is None and RECORDED["report"]({}) is None


def test_a_change_is_recorded_as_the_operating_system_user_and_a_read_is_not(store, capsys):
    assert _run("--db", store, "user", "add", "a@330.gov.uk", "--la", "330", "--role", "analyst",
                stdin="correct horse battery staple\n") == 0
    assert _run("population", "set", "--la", "330", "--year", "2024-25", "250,000", "--db", store) == 0
    assert _run("--db", store, "population", "list") == 0
    assert _run("--db", store, "retention", "--keep-years", "1", "--dry-run") == 0
    assert _run("--db", store, "population", "set", "--la", "330", "--year", "2025", "250000",
                "--note", "two\nlines") == 2  # refused: nothing changed, nothing recorded
    rows = _rows(store)
    where = f"cli on {socket.gethostname()}"[:64]
    assert [(r.event, r.email, r.role, r.la_code, r.address, r.detail) for r in rows] == [
        ("user_added", getpass.getuser(), None, "330", where, "munro user add a@330.gov.uk --la 330 --role analyst"),
        ("population_set", getpass.getuser(), None, "330", where, "munro population set --la 330 --year 2025 250000"),
    ]
    capsys.readouterr()
    assert _run("--db", store, "audit-log", "verify") == 0
    assert capsys.readouterr().out.startswith("2 entries, chain intact\nlatest hash ")


def test_a_command_named_nowhere_is_recorded_all_the_same(store):
    @cli_module.cli.command("made-up")
    @click.option("--la", default=None)
    def made_up(la):
        """A command someone added without naming it in RECORDED or READ_ONLY."""

    try:
        open_app_db(store=store).dispose()
        assert _run("--db", store, "made-up", "--la", "331") == 0
    finally:
        del cli_module.cli.commands["made-up"]
    assert [(r.event, r.la_code, r.detail) for r in _rows(store)] == [("command", "331", "munro made-up --la 331")]


def test_without_an_application_database_none_is_made(store):
    assert _run("--db", store, "population", "set", "--la", "330", "--year", "2025", "250000") == 0
    assert store.exists() and not store.with_name("store.duckdb.app.sqlite").exists()


def test_verify_fails_on_a_changed_entry_or_an_anchor_not_in_the_chain(store, capsys):
    _run("--db", store, "user", "add", "a@330.gov.uk", "--la", "330", "--role", "analyst",
         stdin="correct horse battery staple\n")
    _run("--db", store, "user", "add", "b@330.gov.uk", "--la", "330", "--role", "manager",
         stdin="correct horse battery staple\n")
    capsys.readouterr()
    assert _run("--db", store, "audit-log", "verify", "--expect", "ab" * 32) == 1
    assert capsys.readouterr().out == (f"audit log: no entry has the expected hash {'ab' * 32}: entries were cut off "
                                       "the end of the log, or the chain was rewritten, since it was taken (or it "
                                       "is another database's)\n")
    engine = open_app_db(store=store)
    with engine.begin() as con:  # as someone who can write the database would
        con.execute(sa.text("DROP TRIGGER audit_log_no_update"))
        con.execute(sa.text("UPDATE audit_log SET role = 'administrator' WHERE id = 2"))
        at = con.execute(sa.text("SELECT at FROM audit_log WHERE id = 2")).scalar()
    engine.dispose()
    assert _run("--db", store, "audit-log", "verify") == 1
    assert capsys.readouterr().out == (f"audit log: entry 2 ({at[:19]}, user_added) has been altered since it was "
                                       "written: its content does not match its hash\n")
