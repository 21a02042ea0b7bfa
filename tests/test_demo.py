"""`make demo` rebuilds the demo's synthetic data and keeps what a user made beside it: the web service's
accounts, surveys and audits in the application database (issue 18)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_a_second_make_demo_keeps_the_accounts(tmp_path):
    demo = tmp_path / "demo"
    demo.mkdir()
    store = demo / "munro.duckdb"
    store.write_text("an old store, to be rebuilt", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MUNRO_DB", "MUNRO_APP_DB")}
    added = subprocess.run([BIN / "munro", "--db", store, "user", "add", "--la", "330", "--role", "analyst",
                            "analyst@330.example.gov.uk"], input="correct horse battery staple\n",
                           capture_output=True, text=True, env=env)
    assert added.returncode == 0, added.stderr
    app_db = demo / "munro.duckdb.app.sqlite"
    assert app_db.is_file()
    made = subprocess.run(["make", "demo", f"DEMO={demo}", "DEMO_YEARS=2025", "DEMO_SCALE=0.02"], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=600)
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    listed = subprocess.run([BIN / "munro", "--db", store, "user", "list"], capture_output=True, text=True, env=env)
    assert listed.returncode == 0 and "analyst@330.example.gov.uk" in listed.stdout
    returns = subprocess.run([BIN / "munro", "--db", store, "returns"], capture_output=True, text=True, env=env)
    assert returns.returncode == 0 and "2024-25" in returns.stdout  # the store was rebuilt from the synthetic data
    assert (demo / "report" / "index.html").is_file()
