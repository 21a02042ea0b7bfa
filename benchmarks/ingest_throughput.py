"""Ingest throughput and peak memory, against a bare lxml iterparse loop over the same file.

    python benchmarks/ingest_throughput.py [--sizes small,large,national] [--workers N]

For each file (made once with ``munro synth`` and kept in benchmarks/out/):

- the baseline: ``lxml.etree.iterparse(tag="Child")`` with ``clear()``, in one
  process: the parser's own speed, doing nothing with what it reads;
- munro: ``munro ingest`` into a new store, as a user runs it (its worker
  processes included).

Each is run in its own process; the script prints MB/s, the ratio of
munro's speed to the baseline's (both measured in this run, on this
machine), and peak resident memory (the largest process; for munro also the
sum of the main process and its largest worker, an upper bound on the whole).
Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
REPO = HERE.parent

# name -> (LA code, collection year, synth options)
FILES = {
    "small": ("805", 2025, []),  # Hartlepool
    "large": ("330", 2025, []),  # Birmingham
    # A national-scale file: one return of about a million children.
    "national": ("999", 2025, ["--population", "17000000"]),
}

BASELINE = r"""
import json, resource, sys, time
from lxml import etree
t = time.perf_counter()
n = 0
for _, el in etree.iterparse(sys.argv[1], events=("end",), tag="Child", resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False):
    n += 1
    el.clear(keep_tail=False)
    while el.getprevious() is not None:
        del el.getparent()[0]
print(json.dumps({"seconds": time.perf_counter() - t, "children": n,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

INGEST = r"""
import json, os, resource, sys, time
from munro.store.ingest import ingest_file
def main():
    t = time.perf_counter()
    workers = int(sys.argv[3]) if sys.argv[3] != "default" else min(os.cpu_count() or 1, 4)
    out = ingest_file(sys.argv[2], sys.argv[1], workers=workers)
    print(json.dumps({"seconds": time.perf_counter() - t, "children": out.counts["children"],
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
if __name__ == "__main__":
    main()
"""


def _python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def make_file(name: str) -> Path:
    la, year, extra = FILES[name]
    folder = OUT / name
    target = folder / f"cin_{la}_{year}.xml"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    print(f"making the {name} file with munro synth ...", flush=True)
    subprocess.run([_python(), "-m", "munro.cli", "synth", "--la", la, "--years", str(year), "--seed", "7",
                    "--out", str(folder), *extra], check=True, cwd=REPO)
    return target


def run(code: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(code)
    try:
        done = subprocess.run([_python(), f.name, *args], capture_output=True, text=True, env=env, check=True)
    finally:
        os.unlink(f.name)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large,national")
    parser.add_argument("--workers", default="default", help="munro ingest worker processes (default: CPUs)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    rows = []
    for name in args.sizes.split(","):
        path = make_file(name)
        mb = path.stat().st_size / 1e6
        base = min((run(BASELINE, str(path)) for _ in range(args.repeat)), key=lambda r: r["seconds"])
        best = None
        for _ in range(args.repeat):
            store = Path(tempfile.mkdtemp()) / "bench.duckdb"
            try:
                r = run(INGEST, str(path), str(store), args.workers)
            finally:
                shutil.rmtree(store.parent)
            best = r if best is None or r["seconds"] < best["seconds"] else best
        rows.append((name, base["children"], mb, mb / base["seconds"], base["rss_mb"], mb / best["seconds"],
                     best["rss_mb"], best["worker_rss_mb"]))
    print()
    print(f"{'file':<9} {'children':>10} {'MB':>8} {'bare MB/s':>10} {'bare RSS':>9} {'munro MB/s':>11} "
          f"{'ratio':>6} {'munro RSS':>10} {'+worker':>8}")
    for name, children, mb, base_speed, base_rss, speed, rss, wrss in rows:
        print(f"{name:<9} {children:>10,} {mb:>8.1f} {base_speed:>10.1f} {base_rss:>8.0f}M {speed:>11.1f} "
              f"{speed / base_speed:>6.2f} {rss:>9.0f}M {wrss:>7.0f}M")


if __name__ == "__main__":
    main()
