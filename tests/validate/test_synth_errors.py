"""Errors injected by ``munro synth --errors`` are found, and nothing else is an error.

munro synth writes date-coherent returns and, on request, injects errors of
known kinds, each listed in a manifest with the DfE rule that catches it
(munro.synth.errors, written from the rule texts apart from the validator).
Every listed error must be found on its child, and no child without an
injected error may have an error finding: the synthetic return is the near
miss of every rule at once.
"""

from __future__ import annotations

import csv

import pytest

from munro.synth.generate import generate
from munro.validate import validate_file


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    [made] = generate("999", [2025], tmp_path_factory.mktemp("errors"), seed=3, population=40000, errors=80)
    return made


def test_every_injected_error_is_found_and_no_other_child_has_an_error(result):
    with open(result.manifest, newline="") as f:
        injected = list(csv.DictReader(f))
    assert len(injected) == 80
    report = validate_file(result.path)
    assert report.complete, report.failures
    found = {(f.code, f.la_child_id) for f in report.findings}
    assert [r for r in injected if (r["rule"], r["LAchildID"]) not in found] == []
    children = {r["LAchildID"] for r in injected}
    assert [(f.code, f.la_child_id) for f in report.findings
            if f.type == "error" and f.la_child_id not in children] == []


def _key(f):
    return (f[0], f[1] or "", f[2] or 0, f[3] or "", f[4] or "")


def test_every_way_of_running_the_rules_finds_the_same(result, tmp_path, monkeypatch):
    """munro validate in one thread or two; ingest checking the rows it holds in memory (two
    connections, while it stores them); ingest checking the stored rows in its transaction (a file
    too large to hold, made so here by lowering the threshold); and a stored return checked later."""
    import munro.store.ingest as ingest
    from munro.loading import ingest_file
    from munro.store.db import open_store
    from munro.validate import validate_return

    def found(report):
        return sorted(((f.code, f.la_child_id, f.line, f.value, f.fields) for f in report.findings), key=_key)

    def stored(db, return_id):
        con = open_store(db, read_only=True)
        try:
            rows = con.execute("SELECT rule, la_child_id, line, value, fields FROM validation_findings "
                               "WHERE return_id = ?", [return_id]).fetchall()
        finally:
            con.close()
        return sorted(rows, key=_key)

    one, two = validate_file(result.path), validate_file(result.path, workers=2)
    assert one.complete and two.complete
    assert found(one) == found(two) and len(found(one)) > 80
    in_memory = ingest_file(tmp_path / "a.duckdb", result.path, workers=2)
    monkeypatch.setattr(ingest, "MEMORY_STAGING_BYTES", 0)
    in_store = ingest_file(tmp_path / "b.duckdb", result.path, workers=2)
    assert stored(tmp_path / "a.duckdb", in_memory.return_id) == found(one)
    assert stored(tmp_path / "b.duckdb", in_store.return_id) == found(one)
    assert in_memory.validation == in_store.validation == one.counts_line()
    assert found(validate_return(tmp_path / "a.duckdb", in_memory.return_id)) == found(one)
