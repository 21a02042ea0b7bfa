"""`munro indicators --by team|worker`: the command over munro.indicators.drill (the store of test_drill.py)."""

from __future__ import annotations

import getpass
import json
import stat

import pytest
import sqlalchemy as sa
from golden import load

from cli_support import run as _run
from drill_support import allocations, build
from munro.local.appdb import open_app_db
from munro.local.schema import audit_log as table


@pytest.fixture
def store(tmp_path, cin, monkeypatch):
    monkeypatch.delenv("MUNRO_APP_DB", raising=False)
    monkeypatch.delenv("MUNRO_DB", raising=False)
    db = tmp_path / "store.duckdb"
    load(db, build(cin))
    return db


def test_by_team_shows_each_team_disclosure_controlled(store, capsys):
    allocations(store)
    assert _run("--db", store, "indicators", "--la", "201", "--year", "2025", "--by", "team",
                "--items", "cin_rate", "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["units"] == ["North", "South", "Unallocated"]
    assert out["items"]["cin_rate"]["units"]["South"] == {"count": "c"}  # 1 child
    assert _run("--db", store, "indicators", "--la", "201", "--as-at", "2025-03-31", "--by", "team",
                "--items", "cin_rate") == 0
    text = capsys.readouterr().out
    assert text.startswith("LA 201, 2024-25, by team: each child counted under the team")
    assert "  North" in text and "  LA total" in text


def test_by_worker_only_to_a_restricted_file_and_recorded(store, tmp_path, capsys):
    allocations(store)
    assert _run("--db", store, "user", "add", "a@201.gov.uk", "--la", "201", "--role", "analyst",
                stdin="correct horse battery staple\n") == 0  # an application database: an audit log
    capsys.readouterr()
    assert _run("--db", store, "indicators", "--la", "201", "--year", "2025", "--by", "worker",
                "--items", "cin_rate") == 2
    assert "--by worker names social workers" in capsys.readouterr().err
    out = tmp_path / "workers.csv"
    assert _run("--db", store, "indicators", "--la", "201", "--year", "2025", "--by", "worker",
                "--items", "cin_rate", "--format", "csv", "--out", out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text().splitlines()
    assert lines[1].startswith("201,2024-25,worker,cin_rate,W1,,,,1,")  # exact: a restricted output
    engine = open_app_db(store=store)
    try:
        with engine.connect() as con:
            rows = con.execute(sa.select(table).order_by(table.c.id)).all()
    finally:
        engine.dispose()
    assert [(r.event, r.email, r.la_code) for r in rows][-1] == ("export", getpass.getuser(), "201")
    assert rows[-1].detail.startswith("munro indicators --la 201 --year 2025")
    assert "--by worker" in rows[-1].detail
    # A breakdown by team is not recorded: it shows nothing that identifies anyone.
    assert _run("--db", store, "indicators", "--la", "201", "--year", "2025", "--by", "team",
                "--items", "cin_rate") == 0
    engine = open_app_db(store=store)
    try:
        with engine.connect() as con:
            assert con.execute(sa.select(sa.func.count()).select_from(table)).scalar() == len(rows)
    finally:
        engine.dispose()


def test_bad_input_is_one_clear_line(store, capsys):
    assert _run("--db", store, "indicators", "--la", "201", "--year", "2025", "--by", "region") == 2
    assert "Invalid value for '--by': 'region' is not one of 'team', 'worker'" in capsys.readouterr().err
    assert _run("--db", store, "indicators", "--la", "201", "--year", "2025", "--by", "team") == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "munro: no social worker allocations are loaded for LA 201: load them with munro ingest "
        "(the sw-allocations layout, docs/local-data.md) to drill down by team"]
    assert _run("--db", store, "indicators", "--la", "all", "--year", "2025", "--by", "team") == 2
    assert "--by breaks down one LA" in capsys.readouterr().err
    assert _run("--db", store, "indicators", "--la", "201", "--by", "team") == 2
    assert "Give one of --year or --as-at." in capsys.readouterr().err
    assert _run("--db", store, "indicators", "--la", "201", "--as-at", "2025-02-30", "--by", "team") == 2
    assert "'2025-02-30' is not a date in the calendar" in capsys.readouterr().err
