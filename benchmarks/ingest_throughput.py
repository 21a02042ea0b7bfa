"""Ingest throughput and peak memory, against a bare lxml iterparse loop over the same file.

    python benchmarks/ingest_throughput.py [--sizes small,large,national] [--workers N]

For each file (made once with ``munro synth`` and kept in benchmarks/out/):

- the baseline: ``lxml.etree.iterparse(tag="Child")`` with ``clear()``, in one
  process: the parser's own speed, doing nothing with what it reads;
- munro: ``munro.store.ingest_file`` into a new store, as ``munro ingest``
  runs it (reading, checking, flattening, staging, publishing, committing
  and closing the store; any worker processes included).

Each is run in its own process, a baseline run then a munro run, ``--repeat``
times: the script prints the best MB/s of each, the ratio of the bests, and
the range of the ratios of each munro run to the baseline run just before it
(both measured in this run, on this machine, so a shared machine's load
moves both). Each run also reports its CPU time (all threads and processes):
on a busy machine it shows how much work each did when wall times cannot
(``CPU s``: bare/munro, the least of the runs); and how long the validation
rules took inside munro's load (``munro.validate`` records its findings in the
load's transaction), so that their share shows (``w/o rules``: the paired
ratios with that time taken out, derived, not measured apart). Peak resident memory is the largest of the runs: munro's main
process, its largest worker process if it started any, and their sum (an
upper bound on all munro processes together). Results go in docs/performance.md.
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
use = resource.getrusage(resource.RUSAGE_SELF)
cpu = use.ru_utime + use.ru_stime
t = time.perf_counter()
n = 0
for _, el in etree.iterparse(sys.argv[1], events=("end",), tag="Child", resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False):
    n += 1
    el.clear(keep_tail=False)
    while el.getprevious() is not None:
        del el.getparent()[0]
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "children": n, "cpu": use.ru_utime + use.ru_stime - cpu,
                  "rss_mb": use.ru_maxrss / 1024}))
"""

INGEST = r"""
import json, os, resource, sys, time
from munro.store.ingest import ingest_file
validating = [0.0]
try:  # the validation rules' share of the load, timed where ingest calls them (it still runs them)
    import munro.validate.store as validate_store
    record_findings = validate_store.record_findings
    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return record_findings(*args, **kwargs)
        finally:
            validating[0] += time.perf_counter() - t
    validate_store.record_findings = timed
except ImportError:
    pass
def cpu():
    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF,
                                                                          resource.RUSAGE_CHILDREN)))
def main():
    workers = int(sys.argv[3]) if sys.argv[3] != "default" else min(os.cpu_count() or 1, 4)
    before = cpu()
    t = time.perf_counter()
    out = ingest_file(sys.argv[2], sys.argv[1], workers=workers)
    print(json.dumps({"seconds": time.perf_counter() - t, "children": out.counts["children"], "cpu": cpu() - before,
                      "validation_seconds": validating[0],
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
    parser.add_argument("--workers", default="default", help="munro ingest reading threads (default: CPUs)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (baseline then munro)")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    rows = []
    for name in args.sizes.split(","):
        path = make_file(name)
        mb = path.stat().st_size / 1e6
        bases, ours = [], []
        for _ in range(args.repeat):
            bases.append(run(BASELINE, str(path)))
            store = Path(tempfile.mkdtemp()) / "bench.duckdb"
            try:
                ours.append(run(INGEST, str(path), str(store), args.workers))
            finally:
                shutil.rmtree(store.parent)
            print(f"  {name}: bare {bases[-1]['seconds']:.3f} s ({bases[-1]['cpu']:.2f} s CPU), "
                  f"munro {ours[-1]['seconds']:.3f} s ({ours[-1]['cpu']:.2f} s CPU, "
                  f"{ours[-1].get('validation_seconds', 0):.3f} s of it validation rules), "
                  f"ratio {bases[-1]['seconds'] / ours[-1]['seconds']:.2f}", flush=True)
        paired = [b["seconds"] / o["seconds"] for b, o in zip(bases, ours)]
        base = min(bases, key=lambda r: r["seconds"])
        best = min(ours, key=lambda r: r["seconds"])
        rss = max(o["rss_mb"] for o in ours)
        wrss = max(o["worker_rss_mb"] for o in ours)
        cpus = f"{min(b['cpu'] for b in bases):.2f}/{min(o['cpu'] for o in ours):.2f}"
        # the load without the validation rules' time (it runs alone, inside the publishing transaction)
        unvalidated = [b["seconds"] / (o["seconds"] - o.get("validation_seconds", 0)) for b, o in zip(bases, ours)]
        rows.append((name, base["children"], mb, mb / base["seconds"], max(b["rss_mb"] for b in bases),
                     mb / best["seconds"], f"{min(paired):.2f}-{max(paired):.2f}",
                     f"{min(unvalidated):.2f}-{max(unvalidated):.2f}", cpus, rss, wrss,
                     max(o["rss_mb"] + o["worker_rss_mb"] for o in ours)))
    print()
    print(f"{'file':<9} {'children':>10} {'MB':>8} {'bare MB/s':>10} {'bare RSS':>9} {'munro MB/s':>11} "
          f"{'ratio':>6} {'paired':>10} {'w/o rules':>10} {'CPU s':>11} {'munro RSS':>10} {'+worker':>8} {'sum':>6}")
    for name, children, mb, base_speed, base_rss, speed, paired, unvalidated, cpus, rss, wrss, total in rows:
        print(f"{name:<9} {children:>10,} {mb:>8.1f} {base_speed:>10.1f} {base_rss:>8.0f}M {speed:>11.1f} "
              f"{speed / base_speed:>6.2f} {paired:>10} {unvalidated:>10} {cpus:>11} {rss:>9.0f}M {wrss:>7.0f}M {total:>5.0f}M")


if __name__ == "__main__":
    main()
