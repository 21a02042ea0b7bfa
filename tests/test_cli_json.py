"""Every listing command takes --format json (munro.output): a list of objects with the same keys, a year
as an integer with its year_label, dates in ISO 8601, and never a child's identifier."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner

from munro.cli import cli
from munro.synth import generate

PASSWORD = "a long enough password 42\n"


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    """Two years of LA 330's returns and local records, small."""
    root = tmp_path_factory.mktemp("json")
    return root, generate("330", [2024, 2025], root / "returns", scale=0.01, seed=5)


def run(*args, input=None, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def listing(*args, **kw) -> list[dict]:
    data = json.loads(run(*args, **kw).stdout)
    assert isinstance(data, list) and all(isinstance(d, dict) for d in data)
    assert len({tuple(d) for d in data if d.get("kind") == "cin-census"}) <= 1  # the same keys for each
    return data


def child_ids(paths) -> set[str]:
    return {i for p in paths for i in re.findall(r"<LAchildID>([^<]+)</LAchildID>", p.read_text())}


@pytest.fixture
def loaded(returns, tmp_path):
    """A store with both returns loaded, and the JSON of that ingest."""
    _, results = returns
    db = tmp_path / "store.duckdb"
    return db, listing("--db", db, "ingest", *[r.path for r in results], "--format", "json")


def test_ingest_and_returns_as_json(returns, loaded):
    _, results = returns
    db, ingested = loaded
    assert [(o["file"], o["kind"], o["status"], o["la_code"], o["year"], o["year_label"], o["children"],
             o["episodes"], o["cp_plans"], o["return_id"], o["error"]) for o in ingested] == [
        (str(r.path), "cin-census", "loaded", "330", r.year, f"{r.year - 1}-{r.year % 100:02d}", r.children,
         r.episodes, r.cp_plans, n, None) for n, r in enumerate(results, start=1)]
    assert all(set(o["validation"]) == {"errors", "queries"} for o in ingested)
    assert ingested[1]["year_label"] == "2024-25"

    listed = listing("--db", db, "returns", "--format", "json")
    assert [(r["kind"], r["return_id"], r["la_code"], r["year"], r["year_label"], r["status"], r["file_name"],
             r["children"], r["episodes"], r["cp_plans"]) for r in listed] == [
        ("cin-census", 2, "330", 2025, "2024-25", "current", "cin_330_2025.xml", results[1].children,
         results[1].episodes, results[1].cp_plans),
        ("cin-census", 1, "330", 2024, "2023-24", "current", "cin_330_2024.xml", results[0].children,
         results[0].episodes, results[0].cp_plans)]
    for r in listed:
        assert dt.datetime.fromisoformat(r["loaded_at"]).date() == dt.date.today()
    everything = run("--db", db, "returns", "--format", "json").stdout + json.dumps(ingested)
    assert not any(i in everything for i in child_ids(r.path for r in results))


def test_local_records_in_the_ingest_and_returns_json(returns, loaded):
    _, results = returns
    db, _ = loaded
    visits = results[1].local["cp_visits"]
    with visits.open(newline="") as f:
        rows = sum(1 for _ in csv.reader(f)) - 1
    [o] = listing("--db", db, "ingest", visits, "--format", "json")
    assert (o["kind"], o["status"], o["la_code"], o["year"], o["year_label"], o["rows"], o["error"]) == (
        "cp-visits", "loaded", "330", 2025, "2024-25", rows, None)
    local = [r for r in listing("--db", db, "returns", "--format", "json") if r["kind"] != "cin-census"]
    assert [(r["kind"], r["load_id"], r["year"], r["year_label"], r["rows"], r["file_name"]) for r in local] == [
        ("cp-visits", o["load_id"], 2025, "2024-25", rows, visits.name)]
    # The same file again changes nothing, and says so.
    assert listing("--db", db, "ingest", visits, "--format", "json")[0]["status"] == "unchanged"


def test_a_rejected_file_is_in_the_json_and_the_status_is_1(loaded, tmp_path):
    db, _ = loaded
    bad = tmp_path / "bad.xml"
    bad.write_text("<Message><Header>")
    result = run("--db", db, "ingest", bad, "--format", "json", code=1)
    [o] = json.loads(result.stdout)
    assert (o["file"], o["kind"], o["status"], o["return_id"]) == (str(bad), "cin-census", "rejected", None)
    assert o["error"] and result.stderr.startswith("rejected ")


def test_table_stays_the_default(loaded):
    db, _ = loaded
    table = run("--db", db, "returns").stdout
    assert table == run("--db", db, "returns", "--format", "table").stdout
    assert table.splitlines()[0].split()[:3] == ["id", "LA", "year"] and "2024-25" in table


def test_population_list_as_json(loaded):
    db, _ = loaded
    assert listing("--db", db, "population", "list", "--format", "json") == []
    run("--db", db, "population", "set", "--la", "330", "--year", "2025", "250,000", "--note", "local estimate")
    [p] = listing("--db", db, "population", "list", "--format", "json")
    assert {k: p[k] for k in ("la_code", "la_name", "year", "year_label", "population", "note")} == {
        "la_code": "330", "la_name": "Birmingham", "year": 2025, "year_label": "2024-25", "population": 250000,
        "note": "local estimate"}
    assert isinstance(p["ons_population"], int) and dt.datetime.fromisoformat(p["set_at"])


def test_retention_preview_as_json(loaded, store):
    db, _ = loaded
    before = store.snapshot(db)
    [r] = listing("--db", db, "retention", "--keep-years", "1", "--dry-run", "--format", "json")
    assert {k: r[k] for k in ("register", "file_id", "la_code", "year", "year_label", "status", "file_name",
                              "first_kept_year", "first_kept_year_label", "removed")} == {
        "register": "returns", "file_id": 1, "la_code": "330", "year": 2024, "year_label": "2023-24",
        "status": "current", "file_name": "cin_330_2024.xml", "first_kept_year": 2025,
        "first_kept_year_label": "2024-25", "removed": False}
    assert r["rows_removed"] > 0
    assert store.snapshot(db) == before


def test_surveys_users_and_the_audit_log_as_json(loaded):
    from munro.local.appdb import open_app_db
    from munro.web.audit_log import record

    db, _ = loaded
    assert listing("--db", db, "survey", "list", "--format", "json") == []
    run("--db", db, "survey", "create", "--la", "330", "--instrument", "staff", "--opens", "2026-01-05",
        "--closes", "05/02/2026", "--invited", "40")
    [s] = listing("--db", db, "survey", "list", "--format", "json")
    assert s == {"id": 1, "la_code": "330", "instrument": "staff", "version": 1, "audience": "staff",
                 "title": s["title"], "opens_on": "2026-01-05", "closes_on": "2026-02-05", "closed_at": None,
                 "state": s["state"], "min_group": 5, "invited": 40, "responses": 0}
    assert s["title"] and s["state"] in ("open", "closed")

    assert listing("--db", db, "user", "list", "--format", "json") == []
    run("--db", db, "user", "add", "Ann@Example.org", "--la", "330", "--role", "analyst", input=PASSWORD)
    [u] = listing("--db", db, "user", "list", "--format", "json")
    assert {k: u[k] for k in ("email", "la_code", "role", "locked", "disabled")} == {
        "email": "ann@example.org", "la_code": "330", "role": "analyst", "locked": False, "disabled": False}
    assert run("--db", db, "user", "list").stdout == "ann@example.org\t330\tanalyst\n"

    record(open_app_db(store=db), "sign_in", email="ann@example.org", la="330", detail="", address="10.0.0.1")
    events = listing("--db", db, "audit-log", "--format", "json")
    [e] = [e for e in events if e["event"] == "sign_in"]
    assert {k: e[k] for k in ("event", "email", "la_code", "address")} == {
        "event": "sign_in", "email": "ann@example.org", "la_code": "330", "address": "10.0.0.1"}
    assert dt.datetime.fromisoformat(e["at"]).date() == dt.datetime.now(dt.UTC).date()
    table = run("--db", db, "audit-log").stdout.splitlines()
    assert table[0] == f"{len(events)} event{'' if len(events) == 1 else 's'}" and len(table) == len(events) + 1
