"""The CLI while another process writes the store: each command waits a few seconds, then says so in one line.

DuckDB lets one process write a database file, and no other process read it meanwhile. The writer here
is a real second process (store_support.writer_holding), or a real ``munro ingest``."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pytest

from munro.loading import ingest_file
from store_support import release, writer_holding


@pytest.fixture
def loaded(cin, write, db):
    ingest_file(db, write("a.xml", cin.xml(2023, [cin.Child(id="A1")])))
    return db


def _reading(db, pid) -> str:
    return f"munro: {db}: the store is being updated by process {pid} (a load?): try again shortly\n"


def test_a_read_waits_then_says_the_store_is_being_updated(munro_process, munro_env, loaded):
    def timed(args, env=None):
        started = time.monotonic()
        run = munro_process("--db", loaded, *args, env=env)
        return run, time.monotonic() - started

    short = munro_env(MUNRO_STORE_WAIT="1")
    with writer_holding(loaded) as writer, ThreadPoolExecutor(3) as pool:  # the three waits at once
        runs = [pool.submit(timed, ["returns"], short),  # the store
                pool.submit(timed, ["indicators", "--la", "201", "--year", "2023"], short),  # the engine
                pool.submit(timed, ["returns"])]  # by default a read waits 5 seconds
        (returns, waited), (indicators, waited_too), (default, waited_default) = [r.result() for r in runs]
    for run in (returns, indicators):
        assert (run.returncode, run.stderr, run.stdout) == (75, _reading(loaded, writer.pid), ""), run.args
    assert waited >= 1 and waited_too >= 1
    assert (default.returncode, default.stderr) == (75, _reading(loaded, writer.pid))
    assert waited_default >= 5


def test_a_load_waits_then_says_the_store_is_in_use(munro_process, munro_env, loaded, cin, write, store):
    before = store.snapshot(loaded)
    other = write("b.xml", cin.xml(2024, [cin.Child(id="B1")]))
    with writer_holding(loaded) as writer:
        run = munro_process("--db", loaded, "ingest", other, env=munro_env(MUNRO_STORE_WAIT="1"))
        assert (run.returncode, run.stdout) == (75, "")
        assert run.stderr == (f"munro: {loaded}: the store is in use by process {writer.pid} (a load, or munro "
                              "serve reading it): try again shortly\n")
    assert store.snapshot(loaded) == before


def test_a_read_that_waits_long_enough_succeeds(munro_process, loaded):
    with writer_holding(loaded) as writer:
        threading.Timer(1.5, release, [writer]).start()  # the writer finishes while the command waits
        started = time.monotonic()
        run = munro_process("--db", loaded, "returns")
        assert time.monotonic() - started >= 1.5
    assert (run.returncode, run.stderr) == (0, "")
    assert "a.xml" in run.stdout


def test_beside_a_real_load(munro_process, munro_env, loaded, cin, write):
    """``munro ingest`` of a large return in one process, ``munro returns`` in another: it waits for the load
    (here as long as it takes), and then lists it."""
    big = write("big.xml", cin.xml(2024, cin.many(2024, 20000)))
    ingest = subprocess.Popen([sys.executable, "-m", "munro.cli", "--db", str(loaded), "ingest", str(big)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=munro_env())
    deadline = time.monotonic() + 60
    while True:  # until the load holds the store
        try:
            duckdb.connect(str(loaded), read_only=True).close()
        except duckdb.IOException as e:
            assert "Could not set lock" in str(e)
            break
        assert ingest.poll() is None and time.monotonic() < deadline, "the load never held the store"
        time.sleep(0.005)
    run = munro_process("--db", loaded, "returns", env=munro_env(MUNRO_STORE_WAIT="120"))
    out, err = ingest.communicate(timeout=120)
    assert (ingest.returncode, err) == (0, "") and "big.xml: loaded as return 2" in out
    assert (run.returncode, run.stderr) == (0, "")
    assert [line.split()[0] for line in run.stdout.splitlines()[1:]] == ["2", "1"]
