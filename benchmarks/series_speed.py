"""A large LA's monthly series of 24 rolling 12-month points in one pass, against the same 24 points run one
at a time and against the goal.

    python benchmarks/series_speed.py [--repeat 3] [--months 24] [--as-at 2025-02-28] [--items]

The store is report_speed.py's (Birmingham, 330, collection years 2021-2025 with its local records;
made once in benchmarks/out/report/). Each run is a fresh process: the engine is connected (untimed,
with the imports), then every item is computed for the 24 month ends up to the as-at date in one pass
(``munro.indicators.series.compute_series``: one query per item, grouped by period), then the same 24
periods one at a time (``compute_keys`` once per period), the baseline measured in the same process.
Both give the same figures (tests/engines/test_as_at.py asserts it on every engine).

Printed per run: the series' seconds (wall, and CPU of the process, which a busy machine changes far
less), its ratio to the 24 single runs, and its ratio to the goal of issue 22 (under 1 meets it: 5 s on
2 cores, DuckDB). ``--items``: instead, the series once with the items one at a time (no threads), each
item's wall and CPU seconds, costliest first. Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from report_speed import LA, _python, store  # noqa: E402

REPO = HERE.parent
GOAL = 5.0  # seconds (issue 22, deliverable 8)

RUN = r"""
import datetime as dt, json, sys, time
from pathlib import Path
from munro.engines import engine_for
from munro.indicators.compute import compute_keys
from munro.indicators.series import compute_series, series_periods
db, la, end, months = Path(sys.argv[1]), sys.argv[2], dt.date.fromisoformat(sys.argv[3]), int(sys.argv[4])
with engine_for(db) as engine:
    engine.history()  # connected, the calendar loaded: untimed
    t, cpu = time.perf_counter(), time.process_time()
    series = compute_series(engine, la, end, months)
    one_pass, cpu = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    for p in series_periods(end, months):
        compute_keys(engine, [la], [p])
    one_at_a_time = time.perf_counter() - t
ready = sum(1 for p in series["periods"] if any(r["value"] is not None for r in p["items"].values()))
print(json.dumps({"series": one_pass, "cpu": cpu, "singles": one_at_a_time, "points": len(series["periods"]),
                  "ready": ready}))
"""

# The series with each item timed, one at a time (the engine's threads off).
ITEMS = r"""
import contextlib, datetime as dt, json, sys, time
from pathlib import Path
from munro.engines import engine_for
from munro.indicators import compute
from munro.indicators.series import compute_series
db, la, end, months = Path(sys.argv[1]), sys.argv[2], dt.date.fromisoformat(sys.argv[3]), int(sys.argv[4])
spent = {}

def timed(name, fn):
    def run(ctx):
        t, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(ctx)
        finally:
            spent[name] = (time.perf_counter() - t, time.process_time() - cpu)
    return run

compute.ITEMS.update({name: timed(name, fn) for name, fn in compute.ITEMS.items()})
with engine_for(db) as engine:
    engine.history()
    engine.query_threads = lambda: contextlib.nullcontext(None)
    t, cpu = time.perf_counter(), time.process_time()
    compute_series(engine, la, end, months)
    total = (time.perf_counter() - t, time.process_time() - cpu)
print(json.dumps({"total": total, "items": spent}))
"""


def run(db: Path, end: str, months: int, script: str = RUN) -> dict:
    done = subprocess.run([_python(), "-c", script, str(db), LA, end, str(months)], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--items", action="store_true", help="each item's seconds, the items one at a time")
    p.add_argument("--as-at", dest="as_at", default="2025-02-28",
                   help="the last point (default: 28 February 2025, so 24 points reach back into 2023 and every "
                        "point has the two returns it needs)")
    args = p.parse_args()
    db = store()
    print(f"store: {db}; LA {LA}, {args.months} months to {args.as_at}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.items:
        t = run(db, args.as_at, args.months, ITEMS)
        print(f"one item at a time: {t['total'][0]:.2f} s wall, {t['total'][1]:.2f} CPU s; per item (wall, CPU):")
        for name, (wall, cpu) in sorted(t["items"].items(), key=lambda kv: -kv[1][1]):
            print(f"  {name:32} {wall:6.2f} {cpu:6.2f}")
        return
    for i in range(args.repeat):
        t = run(db, args.as_at, args.months)
        print(f"run {i + 1}: {t['points']} points ({t['ready']} with figures) in one pass {t['series']:.2f} s "
              f"({t['cpu']:.2f} CPU s); "
              f"one at a time {t['singles']:.2f} s (ratio {t['series'] / t['singles']:.2f}); "
              f"goal {GOAL:.0f} s (ratio {t['series'] / GOAL:.2f})")


if __name__ == "__main__":
    main()
