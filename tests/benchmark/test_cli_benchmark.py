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
    # published figures alone are a fair comparison, and the reader is told that is all they are
    assert done.stderr == ("munro: no returns for LA 805 Hartlepool are loaded: the LA's figures shown are its "
                           "published ones only\n")
    # 48 of 230 against England's 24.7%: the Wilson interval holds 24.7, so not significant
    assert row["vs_england"] == "not significantly different from England"
    assert float(row["interval_low"]) < 24.7 < float(row["interval_high"])


def test_bad_options_are_one_line(tmp_path):
    done = _munro(tmp_path / "s.duckdb", "benchmark", "--la", "805", "--year", "2024", "--neighbours", "2019")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    done = _munro(tmp_path / "s.duckdb", "benchmark", "--la", "805", "--year", "2024", "--items", "nope")
    assert done.returncode != 0 and done.stderr.strip() == "munro: unknown item(s): nope"


def test_a_year_without_the_las_return_shows_published_figures_only_or_is_refused(cin, reference_load, tmp_path):
    """805 has only its 2024-25 return loaded: 2023-24 is DfE's figures alone (said so); 2029-30 has nothing of 805."""
    import shutil

    db = tmp_path / "s.duckdb"
    shutil.copy(reference_load[0], db)
    xml = tmp_path / "cin_805_2025.xml"
    xml.write_text(cin.xml(2025, [cin.Child(id="A1", episodes=[cin.Episode(referral="2024-05-01")])], la="805"))
    assert _munro(db, "ingest", xml).returncode == 0
    done = _munro(db, "benchmark", "--la", "805", "--year", "2024", "--items", "cpp_repeat", "--format", "csv")
    assert done.returncode == 0
    (row,) = list(csv.DictReader(io.StringIO(done.stdout)))
    assert row["value_source"].startswith("DfE") and row["own"] == ""
    assert done.stderr == ("munro: no 2023-24 return is loaded for LA 805 Hartlepool (loaded: 2024-25): the LA's "
                           "figures shown are its published ones only\n")
    done = _munro(db, "benchmark", "--la", "805", "--year", "2025", "--items", "cpp_repeat", "--format", "csv")
    assert (done.returncode, done.stderr) == (0, "")  # the year's return is loaded: nothing to say
    done = _munro(db, "benchmark", "--la", "805", "--year", "2030", "--items", "cpp_repeat")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("munro: no 2029-30 return is loaded for LA 805 Hartlepool (loaded: 2024-25), nor any "
                           "published figure of it for 2029-30: load it with `munro ingest` or choose a loaded year\n")
    done = _munro(db, "benchmark", "--la", "all", "--year", "2024")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"munro: no LA has a 2023-24 return loaded in {db} (loaded: 2024-25): "
                           "load one with `munro ingest` or choose a loaded year\n")
