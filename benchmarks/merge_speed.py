"""The run's copy of the merged history (``DuckDBEngine._materialise``) alone, for one LA or every LA.

    python benchmarks/merge_speed.py [--store PATH] [--la 330|all] [--repeat 5]

The store defaults to report_speed.py's (Birmingham, 330, collection years 2021-2025 with its local
records; made once in benchmarks/out/report/); ``--store benchmarks/out/pooled/pooled.duckdb --la all``
is the national pooled store of pooled_speed.py. Each run is a fresh engine (connected and the store
attached, untimed), then every merged table of the LA (or of every LA) copied once: the cost an item,
the report or a cold dashboard pays before its first query. Printed: wall and CPU seconds of each run
(CPU counts DuckDB's threads, and a busy machine changes it far less than wall), and the load average.
Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from report_speed import LA, _python, store  # noqa: E402

RUN = r"""
import json, sys, time
from munro.engines.duckdb import DuckDBEngine
engine = DuckDBEngine(sys.argv[1])
engine.raw.execute("SELECT 1").fetchall()
las = None if sys.argv[2] == "all" else (sys.argv[2],)
t, cpu = time.perf_counter(), time.process_time()
engine._materialise(las)
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu}))
engine.close()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a munro store (default: report_speed.py's)")
    parser.add_argument("--la", default=LA, help="an LA code, or 'all' (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = args.store or store()
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([_python(), "-c", RUN, str(path), args.la], check=True, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO / "src")})
        runs.append(json.loads(out.stdout))
        print(f"{runs[-1]['seconds']:.3f} s, CPU {runs[-1]['cpu']:.3f} s", flush=True)
    walls, cpus = sorted(r["seconds"] for r in runs), sorted(r["cpu"] for r in runs)
    print(f"merge of {args.la} on {path.name}: {walls[0]:.2f}-{walls[-1]:.2f} s, CPU {cpus[0]:.2f}-{cpus[-1]:.2f} s "
          f"(load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
