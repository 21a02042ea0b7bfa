"""`munro benchmark` over the packaged published statistics, checked against the DfE file itself."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
D3 = REPO.parent / "shared" / "reference" / "cin_published_stats" / "d3_cpps_subsequent_plan_2013_to_2025.csv"


def _munro(db, *args):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "munro.cli", "--db", str(db), *args], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=600)


def _d3(level: str, la: str = "") -> dict:
    with open(D3, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["time_period"] == "2024" and row["geographic_level"] == level and row["old_la_code"] == la:
                return row
    raise LookupError(level)


def test_csv_for_one_item_carries_the_published_figures(tmp_path):
    done = _munro(tmp_path / "s.duckdb", "benchmark", "--la", "805", "--year", "2024", "--items", "cpp_repeat",
                  "--format", "csv")
    assert done.returncode == 0, done.stderr
    (row,) = list(csv.DictReader(io.StringIO(done.stdout)))
    la, england = _d3("Local authority", "805"), _d3("National")
    assert float(row["value"]) == float(la["CPP_subsequent_percent"])  # 20.9 in the 2025 release
    assert float(row["england"]) == float(england["CPP_subsequent_percent"])  # 24.7
    assert row["value_source"].startswith("DfE") and row["neighbour_model"] == "2025"
    assert int(row["neighbours_with_data"]) <= 10 and row["own"] == ""  # no returns loaded
    # 48 of 230 against England's 24.7%: the Wilson interval holds 24.7, so not significant
    assert row["vs_england"] == "not significantly different from England"
    assert float(row["interval_low"]) < 24.7 < float(row["interval_high"])


def test_bad_options_are_one_line(tmp_path):
    done = _munro(tmp_path / "s.duckdb", "benchmark", "--la", "805", "--year", "2024", "--neighbours", "2019")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    done = _munro(tmp_path / "s.duckdb", "benchmark", "--la", "805", "--year", "2024", "--items", "nope")
    assert done.returncode != 0 and done.stderr.strip() == "munro: unknown item(s): nope"
