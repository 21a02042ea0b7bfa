"""A cold dashboard: the first view of a large LA's dashboard after the service starts, against the goal.

    python benchmarks/dashboard_speed.py [--repeat 3]

The store is report_speed.py's (Birmingham, 330, collection years 2021-2025
with its local records and the packaged published statistics; made once in
benchmarks/out/report/). Each run is a fresh process, as a restarted ``munro
serve`` is: the web application is created over a copy of the store with an
analyst of LA 330 signed in (untimed, with the imports), then the LA's
dashboard page for 2024-25 is asked for once (timed: gathering every item of
the year and its trend, the comparison with the published statistics, and
the page), then once more (the cached view every later visitor gets).
``munro serve`` warms its cache in the background at start; a view before it
has finished, or of an LA it has not reached, is this cold one.

Each run views a fresh copy of the store twice, each time in a new process: *first*, with nothing
beside the store from an earlier process, and *restart*, with the SQL the first process compiled kept
beside the store (munro.engines.sql_cache), as a service restarted on a store it has served has it.
Printed per view: the cold view's seconds, its CPU seconds (which a busy machine changes far less) and its
ratio to the goal of issue 21 (under 1 meets it: 2 s), and the warm view's seconds, the baseline
measured in the same process. Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from report_speed import LA, YEAR, _python, store  # noqa: E402

REPO = HERE.parent
GOAL = 2.0  # seconds (issue 21)

RUN = r"""
import json, re, sys, time
from pathlib import Path
store, folder, la, year = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
from munro.web.app import create_app
from munro.web.config import Config
from munro.web.users import add_user
import munro.report.build, munro.benchmark.compare, munro.indicators.compute, munro.engines.duckdb  # imports: untimed
app = create_app(Config(store=store, app_db=f"sqlite:///{folder}/app.sqlite", secret_key="k" * 48,
                        secure_cookies=False))
add_user(app.extensions["munro_app_db"], "analyst@example.gov.uk", [la], "analyst", "correct horse battery staple")
client = app.test_client()
token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
assert client.post("/sign-in", data={"email": "analyst@example.gov.uk", "password": "correct horse battery staple",
                                     "csrf_token": token}).status_code == 302
times = {}
for name in ("cold", "warm"):
    t, c = time.perf_counter(), time.process_time()
    page = client.get(f"/la/{la}/{year}")
    times[name], times["cpu " + name] = time.perf_counter() - t, time.process_time() - c
    assert page.status_code == 200, page.status_code
print(json.dumps(times))
"""


def run(db: Path) -> dict[str, dict[str, float]]:
    """The first cold view of a store (nothing kept beside it), then a restart's (the SQL the first kept)."""
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "store.duckdb"
        shutil.copyfile(db, copy)  # a store of its own: nothing cached beside it from an earlier run
        for when in ("first", "restart"):
            app = Path(folder) / when  # each process its own accounts; the store and what is beside it shared
            app.mkdir()
            done = subprocess.run([_python(), "-c", RUN, str(copy), str(app), LA, str(YEAR)], capture_output=True,
                                  text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
            out[when] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    db = store()
    print(f"store: {db}; LA {LA}, {YEAR}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for i in range(args.repeat):
        for when, t in run(db).items():
            print(f"run {i + 1}, {when}: cold dashboard {t['cold']:.2f} s ({t['cpu cold']:.2f} CPU s, DuckDB's "
                  f"threads included), ratio to the {GOAL:.0f} s goal {t['cold'] / GOAL:.2f}; "
                  f"warm (baseline) {t['warm']:.3f} s, cold / warm {t['cold'] / t['warm']:.0f}")


if __name__ == "__main__":
    main()
