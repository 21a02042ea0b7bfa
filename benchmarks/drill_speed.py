"""The web's drill-down by team: a manager's session of views, computed on every view (as before the cache)
against munro.web.breakdowns (the first view computes its item alone, a background pass every item, then
views come from memory), in the same run.

    python benchmarks/drill_speed.py [--repeat 2] [--views 4] [--db STORE]

The store (made once in benchmarks/out/drill/ unless --db names one): munro synth's Birmingham (330),
collection years 2022-2025 with its local records, whose social worker allocations carry each worker's
team. Each run is a fresh process (imports and the connection untimed). Timed, for the reporting year
2024-25 and ``--views`` items that break down:

- before: each view ``shown(breakdown(store, la, year, [item], by="team"))``, as the page did;
- after: each view ``breakdowns.item_shown``; the first, then the background pass over every item
  (waited for, and timed, as a manager reading the first page would), then the rest and the first again.

Printed per run: every view's seconds before and after, the session's totals and their ratio, and a
repeated view's ratio. Results go in docs/performance.md.
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
from report_speed import _munro, _python  # noqa: E402

REPO = HERE.parent
OUT = HERE / "out" / "drill"
LA, YEARS, SEED = "330", "2022-2025", 7
ITEMS = ("assessment_timeliness", "cin_rate", "rereferral_12m", "s47_to_icpc_timeliness", "cpp_repeat",
         "referral_rate")

RUN = r"""
import json, sys, time
from pathlib import Path
from munro.indicators.drill import breakdown
from munro.report.drill import shown
from munro.web import breakdowns
from munro.years import Period
db, la, items = Path(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")
period = Period.of_year(2025)
breakdown(db, la, period, ["cin_rate"], by="team")  # imports and the first connection: untimed
before, after = [], []
for i in items + items[:1]:
    t = time.perf_counter()
    shown(breakdown(db, la, period, [i], by="team"))
    before.append(time.perf_counter() - t)
t = time.perf_counter()
breakdowns.item_shown(db, la, period, "team", items[0])
after.append(time.perf_counter() - t)
t = time.perf_counter()
breakdowns.wait()
fill = time.perf_counter() - t
for i in items[1:] + items[:1]:
    t = time.perf_counter()
    breakdowns.item_shown(db, la, period, "team", i)
    after.append(time.perf_counter() - t)
print(json.dumps({"before": before, "after": after, "fill": fill}))
"""


def store() -> Path:
    db = OUT / "large-with-teams.duckdb"
    if db.exists():
        return db
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / "data"
    _munro("synth", "--la", LA, "--years", YEARS, "--seed", str(SEED), "--out", str(data), "--quiet")
    _munro("--db", str(db), "--quiet", "ingest", *sorted(str(p) for p in data.glob("cin_*.xml")))
    _munro("--db", str(db), "--quiet", "ingest", "--la", LA, *sorted(str(p) for p in data.glob("*.csv")))
    return db


def run(db: Path, views: int) -> dict:
    done = subprocess.run([_python(), "-c", RUN, str(db), LA, ",".join(ITEMS[:views])], capture_output=True,
                          text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--views", type=int, default=4, choices=range(2, len(ITEMS) + 1))
    p.add_argument("--db", type=Path, default=None, help="a store with LA 330's 2024-25 return and allocations")
    args = p.parse_args()
    db = args.db or store()
    print(f"store: {db}; LA {LA}, 2024-25, {args.views} items by team, then the first again; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for k in range(args.repeat):
        t = run(db, args.views)
        b, a = t["before"], t["after"]
        total = sum(a) + t["fill"]
        print(f"run {k + 1}: before, each view {', '.join(f'{x:.2f}' for x in b)} s (total {sum(b):.1f}); "
              f"after {', '.join(f'{x:.3f}' for x in a)} s, the background pass over every item {t['fill']:.1f} s "
              f"after the first view (total with it {total:.1f}, ratio {total / sum(b):.2f}); "
              f"a repeated view {a[-1]:.4f} s against {b[-1]:.2f} s (ratio {a[-1] / b[-1]:.4f})")


if __name__ == "__main__":
    main()
