"""The compiled SQL kept beside the store (munro.engines.sql_cache): the same figures with it as without,
no compiling at all in a later process, nothing about a child in it, and a pass never stopped by it."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import ibis
import pytest

from munro.engines.sql_cache import SUFFIX, SqlCache, digest
from munro.indicators.compute import compute_years

YEARS = [2023, 2024, 2025]
ROOT = Path(__file__).resolve().parents[2]

# A pass in a process of its own: every item of LA 805 for three years, printed as JSON.
PASS = """
import json, sys
from munro.indicators.compute import compute_years
found = compute_years(sys.argv[1], "805", [2023, 2024, 2025])
print(json.dumps({y: {i: [r.value, r.numerator, r.denominator] for i, r in f["items"].items()}
                  for y, f in found.items()}, sort_keys=True, default=str))
"""


@pytest.fixture
def store(two_las, tmp_path):
    copy = tmp_path / "store.duckdb"
    shutil.copyfile(two_las, copy)
    return copy


def kept(store: Path) -> dict[str, float]:
    """key -> when it was compiled, of every query kept beside ``store``."""
    con = sqlite3.connect(store.with_name(store.name + SUFFIX))
    try:
        return dict(con.execute("SELECT key, made FROM queries").fetchall())
    finally:
        con.close()


def a_pass(store: Path, hash_seed: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", PASS, str(store)], capture_output=True, text=True, env=env,
                          check=True)
    return json.loads(done.stdout)


def test_a_later_process_compiles_nothing_and_gets_the_same_figures(store):
    first = a_pass(store, "1")
    queries = kept(store)
    assert len(queries) >= 30  # every item's queries (about 45 for a pass)
    # Another process, whose strings hash differently (so sets of names iterate in another order): every
    # query is found, none compiled again (a compiled one would be written again, with a new time).
    assert a_pass(store, "2") == first
    assert kept(store) == queries
    assert stat.S_IMODE(store.with_name(store.name + SUFFIX).stat().st_mode) == 0o600


def test_without_the_file_the_figures_are_the_same(store, tmp_path, monkeypatch):
    with_cache = compute_years(store, "805", YEARS)
    again = compute_years(store, "805", YEARS)  # every query from the file
    plain = tmp_path / "plain.duckdb"
    shutil.copyfile(store, plain)
    monkeypatch.setattr(SqlCache, "_open", lambda self: None)  # as when the file cannot be opened
    without = compute_years(plain, "805", YEARS)
    assert not plain.with_name(plain.name + SUFFIX).exists()
    for y in YEARS:
        for item, r in with_cache[y]["items"].items():
            assert (r.value, r.numerator, r.denominator, r.reason) == \
                (again[y]["items"][item].value, again[y]["items"][item].numerator,
                 again[y]["items"][item].denominator, again[y]["items"][item].reason)
            w = without[y]["items"][item]
            assert (r.value, r.numerator, r.denominator, r.reason) == (w.value, w.numerator, w.denominator, w.reason)


def test_no_child_is_named_in_it(store):
    compute_years(store, "805", YEARS)
    con = duckdb.connect(str(store), read_only=True)
    try:
        children = {r[0] for r in con.execute("SELECT DISTINCT la_child_id FROM children").fetchall()}
    finally:
        con.close()
    assert len(children) > 100
    sql = sqlite3.connect(store.with_name(store.name + SUFFIX)).execute("SELECT group_concat(sql, ' ') "
                                                                          "FROM queries").fetchone()[0]
    assert "805" not in children and not [c for c in children if f"'{c}'" in sql]


def test_a_damaged_file_is_left_alone(store):
    store.with_name(store.name + SUFFIX).write_bytes(b"not a database" * 100)
    found = compute_years(store, "805", [2025])
    assert found[2025]["items"]["cin_rate"].value is not None


def test_the_key_is_the_expression_itself():
    t = ibis.table({"la": "string", "n": "int64"}, name="m1_children")
    one, same = (t.filter(t.la == "805").n.sum().name("n").as_table() for _ in range(2))
    other = t.filter(t.la == "841").n.sum().name("n").as_table()
    assert digest(one, "duckdb") == digest(same, "duckdb") != digest(other, "duckdb")
    assert digest(one, "duckdb") != digest(one, "postgres")
    # A set of names is one key whatever order a process gives it: test_a_later_process_compiles_nothing...
    # checks that across processes whose strings hash differently (within one process it cannot fail).


def test_a_query_is_compiled_once_per_cache(tmp_path):
    calls = []

    def compile(expr, **kwargs):
        calls.append(expr)
        return f"SELECT {len(calls)}"

    t = ibis.table({"n": "int64"}, name="t")
    cache = SqlCache(tmp_path / "store.duckdb")
    compiled = cache.compiling(compile, "duckdb")
    assert compiled(t.n.sum().as_table(), limit=None) == compiled(t.n.sum().as_table(), limit=None) == "SELECT 1"
    assert compiled(t.n.sum().as_table(), limit=10) == "SELECT 2"  # a limit is not kept
    cache.close()
    # Another cache over the same file finds it.
    again = SqlCache(tmp_path / "store.duckdb").compiling(compile, "duckdb")
    assert again(t.n.sum().as_table(), limit=None) == "SELECT 1" and len(calls) == 2
