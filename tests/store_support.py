"""A real second process writing the store, for tests of a busy store (DuckDB: one writer, no reader beside it)."""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import sys
from pathlib import Path

# Opens the store for writing, starts a transaction with a change in it, says so, and holds it until its
# stdin closes; then it ends without committing, so the store is as it was.
_HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("BEGIN TRANSACTION")
con.execute("CREATE TABLE munro_test_holding (x INTEGER)")
print("holding", flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def writer_holding(db: Path):
    """Another process with a write transaction open on ``db`` for as long as the block runs; its PID."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(db)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "holding\n"
        yield proc
    finally:
        release(proc)


def release(proc: subprocess.Popen) -> None:
    """End the holding process (no commit) and wait until the store is free."""
    if proc.poll() is None:
        proc.stdin.close()
        proc.wait(timeout=60)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
