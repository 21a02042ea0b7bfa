"""Every information item for a large LA and for a national-scale store, on DuckDB and Spark local mode.

    python benchmarks/indicators_speed.py [--engines duckdb,spark] [--stores large,national] [--repeat 2]

The stores are made once with ``munro synth`` and ``munro ingest`` and kept
in benchmarks/out/indicators/ (with their ``munro export`` folders, which Spark
reads):

- ``large``: Birmingham (330), collection years 2022-2025, seed 7: about
  21,500 children per return, 50,600 distinct children;
- ``national``: every one of the 153 current English LAs, each synthesised
  from its own published 0-17 population scaled by ``NATIONAL_SCALE`` (0.475),
  collection years 2022-2025, seed 7: about a million distinct children. A
  real mix of LA sizes (from the Isles of Scilly to Kent) is what
  ``--la all`` meets in a pooled regional or national store; the scale keeps
  the total at the issue's million children.

Each measurement runs in its own process, like a user's ``munro
indicators`` run; its time starts after the imports and includes opening the
store (and, for Spark, nothing of starting the session, which is reported on
its own line). Printed: seconds (best of ``--repeat``), the ratio to the goal
of issue 3 (under 1 meets it: a large LA in 2 s and the national store in
30 s on DuckDB), peak resident memory, and a baseline measured in the same
run: DuckDB scanning the store's raw tables once (``SELECT count(*)`` of each,
the store ATTACHed read-only as munro does), the least any computation over
the store must do. Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "indicators"
REPO = HERE.parent

YEARS = "2022-2025"  # four collection years; the items are computed for the last
YEAR = 2025
SEED = 7
LARGE_LA = "330"  # Birmingham
NATIONAL_SCALE = 0.475  # 12.18 million children aged 0-17 in England x 0.475 -> about 1 million in 4 years
GOALS = {"large": 2.0, "national": 30.0}  # seconds, DuckDB (issue 3)
RAW_TABLES = ("children", "disabilities", "episodes", "assessments", "assessment_factors", "cin_plans",
              "section47", "cp_plans", "cp_reviews", "pre_proceedings", "returns")


def _python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(REPO / "src"))


def run_memory() -> str:
    """A run's DuckDB memory limit, as munro sets it (store.db.duckdb_config)."""
    sys.path.insert(0, str(REPO / "src"))
    from munro.store.db import RUN_MEMORY, duckdb_config

    return duckdb_config(RUN_MEMORY)["memory_limit"]


def current_las() -> list[str]:
    """The LAs of the DfE's latest data (153), by code."""
    path = REPO / "src" / "munro" / "data" / "local_authorities" / "english_las_dfe_codes.csv"
    with open(path, newline="", encoding="utf-8") as f:
        return sorted(r["old_la_code"] for r in csv.DictReader(f) if int(r["last_year_in_dfe_data"]) >= YEAR)


SYNTH = r"""
import sys
from pathlib import Path
from munro.synth import generate
out, years, seed, scale = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
first, last = (int(y) for y in years.split("-"))
for la in sys.argv[5:]:
    done = out / la / ".done"
    if done.exists():
        continue
    generate(la, list(range(first, last + 1)), out / la, seed=seed, scale=scale)
    done.touch()
    print(la, flush=True)
"""


def synthesise(xml: Path, las: list[str], scale: float) -> None:
    """``munro synth`` of each LA's returns for YEARS into xml/<la>/ (an LA already done is kept)."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(SYNTH)
    try:
        subprocess.run([_python(), f.name, str(xml), YEARS, str(SEED), str(scale), *las], check=True,
                       env=_env(), stdout=subprocess.DEVNULL)
    finally:
        os.unlink(f.name)


def build(name: str) -> Path:
    """The store ``name`` (made once): benchmarks/out/indicators/<name>.duckdb."""
    store = OUT / f"{name}.duckdb"
    if store.exists():
        return store
    las, scale = ([LARGE_LA], 1.0) if name == "large" else (current_las(), NATIONAL_SCALE)
    xml = OUT / f"{name}-xml"
    xml.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    print(f"making the {name} returns with munro synth ({len(las)} LAs, scale {scale}) ...", flush=True)
    synthesise(xml, las, scale)
    print(f"  {time.perf_counter() - t:.0f} s; loading them with munro ingest ...", flush=True)
    t = time.perf_counter()
    files = sorted(str(p) for p in xml.glob("*/cin_*.xml"))
    partial = store.with_suffix(".loading.duckdb")
    partial.unlink(missing_ok=True)
    subprocess.run([_python(), "-m", "munro.cli", "--db", str(partial), "ingest", *files], check=True,
                   env=_env(), stdout=subprocess.DEVNULL)
    partial.rename(store)
    print(f"  {time.perf_counter() - t:.0f} s", flush=True)
    return store


def export(name: str) -> Path:
    """The store's ``munro export`` folder (Parquet), which the Spark engine reads (made once)."""
    folder = OUT / f"{name}-export"
    if not folder.exists():
        print(f"exporting the {name} store for Spark ...", flush=True)
        subprocess.run([_python(), "-m", "munro.cli", "--db", str(build(name)), "export", "--to", str(folder)],
                       check=True, env=_env(), stdout=subprocess.DEVNULL)
    return folder


# Each measurement: one process, JSON on its last line.
SCAN = r"""
import json, os, resource, sys, time
import duckdb
from munro.store.db import RUN_MEMORY, duckdb_config
store, tables = sys.argv[1], sys.argv[2].split(",")
t = time.perf_counter()
con = duckdb.connect(config={"memory_limit": duckdb_config(RUN_MEMORY)["memory_limit"]})  # the engine's own
con.execute(f"ATTACH '{store}' AS store (READ_ONLY)").fetchall()
rows = {name: con.execute(f"SELECT count(*) FROM store.{name}").fetchall()[0][0] for name in tables}
counted = time.perf_counter() - t
t = time.perf_counter()
for name in tables:  # every column read: count(COLUMNS(*)) counts each column's values
    con.execute(f"SELECT count(COLUMNS(*)) FROM store.{name}").fetchall()
read = time.perf_counter() - t
print(json.dumps({"count_seconds": counted, "read_seconds": read, "rows": rows,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

ITEMS = r"""
import json, os, resource, sys, time
from pathlib import Path
from munro.engines import connect
from munro.indicators.compute import compute, compute_all
engine_name, data, la, year = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def jvm_peak_mb():
    # The JVM is this process's child: its peak resident memory, from /proc while it runs.
    peak = 0
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
            except OSError:
                pass
    return peak

cpu = time.process_time()
t = time.perf_counter()
engine = connect(data) if engine_name == "duckdb" else connect("spark", data=data)
opened = time.perf_counter() - t
t = time.perf_counter()
engine.tables(None if la == "all" else [la])  # DuckDB: the run's copy of the merged history
merged = time.perf_counter() - t
t = time.perf_counter()
out = compute_all(engine, year) if la == "all" else [compute(engine, la, year)]
items = time.perf_counter() - t
values = sum(1 for r in out for i in r["items"].values() if i.value is not None)
result = {"open_seconds": opened, "merge_seconds": merged, "items_seconds": items, "las": len(out),
          "cpu_seconds": time.process_time() - cpu,  # this process's threads (DuckDB's included), not the JVM
          "values": values, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if engine_name == "spark":
    result["jvm_rss_mb"] = jvm_peak_mb()
engine.close()
print(json.dumps(result))
"""


def run(code: str, *args: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(code)
    try:
        t = time.perf_counter()
        done = subprocess.run([_python(), f.name, *args], capture_output=True, text=True, env=_env())
        wall = time.perf_counter() - t
    finally:
        os.unlink(f.name)
    if done.returncode:
        sys.exit(f"failed: {' '.join(args)}\n{done.stderr}")
    # process: the whole process, from starting Python to its exit, as a user's command would take
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "process_seconds": wall}


def best(code: str, repeat: int, *args: str) -> dict:
    runs = [run(code, *args) for _ in range(repeat)]
    for r in runs:
        r["seconds"] = r.get("open_seconds", 0) + r.get("merge_seconds", 0) + r.get("items_seconds", 0)
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="large,national")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each DuckDB measurement, best kept")
    parser.add_argument("--spark-repeat", type=int, default=1, help="runs of each Spark measurement")
    parser.add_argument("--build-only", action="store_true", help="make the stores and exports, time nothing")
    args = parser.parse_args()
    stores, engines = args.stores.split(","), args.engines.split(",")
    for name in stores:
        build(name)
        if "spark" in engines or args.build_only:
            export(name)
    if args.build_only:
        return
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, DuckDB memory limit "
          f"{run_memory()}, load average {os.getloadavg()[0]:.1f}")
    rows = []
    for name in stores:
        store = OUT / f"{name}.duckdb"
        la = LARGE_LA if name == "large" else "all"
        scan = best(SCAN, args.repeat, str(store), ",".join(RAW_TABLES))
        children = run(SCAN.replace("count(*)", "count(DISTINCT (la_code, la_child_id))"), str(store),
                       "children")["rows"]["children"]
        print(f"{name}: {children:,} distinct children, {scan['rows']['children']:,} child records, "
              f"{scan['rows']['episodes']:,} episodes in {scan['rows']['returns']} returns", flush=True)
        rows.append((name, "duckdb scan: count(*) of each raw table", scan["count_seconds"], None,
                     scan["rss_mb"], ""))
        rows.append((name, "duckdb scan: every column of each raw table", scan["read_seconds"], None,
                     scan["rss_mb"], ""))
        if "duckdb" in engines:
            r = best(ITEMS, args.repeat, "duckdb", str(store), la, str(YEAR))
            rows.append((name, f"duckdb items, {'LA ' + la if la != 'all' else 'all LAs'}", r["seconds"],
                         r["seconds"] / GOALS[name], r["rss_mb"],
                         f"open {r['open_seconds']:.2f} + merge {r['merge_seconds']:.2f} + items "
                         f"{r['items_seconds']:.2f}; CPU {r['cpu_seconds']:.1f}; process {r['process_seconds']:.2f}; "
                         f"{r['las']} LA(s), {r['values']} values"))
            print(rows[-1], flush=True)
            if name == "national":
                r = best(ITEMS, args.repeat, "duckdb", str(store), LARGE_LA, str(YEAR))
                rows.append((name, f"duckdb items, LA {LARGE_LA} only", r["seconds"], r["seconds"] / GOALS["large"],
                             r["rss_mb"], f"open {r['open_seconds']:.2f} + merge {r['merge_seconds']:.2f} + "
                             f"items {r['items_seconds']:.2f}; CPU {r['cpu_seconds']:.1f}; "
                             f"process {r['process_seconds']:.2f}"))
                print(rows[-1], flush=True)
        if "spark" in engines:
            r = best(ITEMS, args.spark_repeat, "spark", str(export(name)), la, str(YEAR))
            rows.append((name, f"spark local[{os.cpu_count()}] items, {'LA ' + la if la != 'all' else 'all LAs'}",
                         r["seconds"] - r["open_seconds"], None, r["rss_mb"],
                         f"session start {r['open_seconds']:.1f} (not counted) + register "
                         f"{r['merge_seconds']:.1f} + items {r['items_seconds']:.1f}; JVM peak "
                         f"{r['jvm_rss_mb']:.0f} MB"))
            print(rows[-1], flush=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (other work on the machine slows every line)")
    print(f"{'store':<9} {'what':<46} {'seconds':>8} {'/ goal':>7} {'RSS':>7}  detail")
    for name, what, secs, ratio, rss, detail in rows:
        goal = f"{ratio:.2f}" if ratio is not None else "-"
        print(f"{name:<9} {what:<46} {secs:>8.2f} {goal:>7} {rss:>6.0f}M  {detail}")


if __name__ == "__main__":
    main()
