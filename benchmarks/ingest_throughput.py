"""Ingest throughput and peak memory, against a bare lxml iterparse loop over the same file.

    python benchmarks/ingest_throughput.py [--sizes tiny,small,large,national] [--workers N]

For each file (made once with ``munro synth`` and kept in benchmarks/out/):

- the baseline: ``lxml.etree.iterparse(tag="Child")`` with ``clear()``, in one
  process: the parser's own speed, doing nothing with what it reads;
- munro: ``munro.loading.ingest_file`` into a new store, as ``munro ingest``
  runs it (reading, checking, flattening, staging, publishing, the DfE
  validation rules, committing and closing the store).

Each is run in its own process, a baseline run then a munro run, ``--repeat``
times: the script prints the best MB/s of each, the ratio of the bests, and
the range of the ratios of each munro run to the baseline run just before it
(both measured in this run, on this machine, so a shared machine's load
moves both). Each run also reports its CPU time (all threads): on a busy
machine it shows how much work each did when wall times cannot (``CPU s``:
bare/munro, the least of the runs); and how long the validation rules took
inside munro's load (``rules s``, the least of the runs; for a file held in
memory they run alongside the storing of its rows, for a larger one after it).

A load has fixed costs that the bare loop does not: creating and opening the
store, planning the 109 rules' queries, committing and closing. The ``tiny``
file (City of London, a few dozen children) measures them in the same run
(``fixed``, its best times); ``beyond fixed`` is the paired ratio with the
tiny file's best times taken from munro's and the bare loop's: the speed at
which a load goes through each further megabyte. Peak resident memory is the
largest of the runs. Results go in docs/performance.md.
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
    "tiny": ("201", 2025, []),  # City of London: a few dozen children, so the load's fixed costs
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
from munro.loading import ingest_file
validating = [0.0]
# The validation rules' time within the load, wherever they run (runner.run serves both of ingest's paths).
import munro.validate.runner as runner
run_rules = runner.run
def timed(*args, **kwargs):
    t = time.perf_counter()
    try:
        return run_rules(*args, **kwargs)
    finally:
        validating[0] += time.perf_counter() - t
runner.run = timed
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
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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
    parser.add_argument("--sizes", default="tiny,small,large,national")
    parser.add_argument("--workers", default="default", help="munro ingest reading threads (default: CPUs)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (baseline then munro)")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    rows = []
    fixed = None  # the tiny file's best times: (bare, munro)
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
                  f"{ours[-1]['validation_seconds']:.3f} s in the validation rules), "
                  f"ratio {bases[-1]['seconds'] / ours[-1]['seconds']:.2f}", flush=True)
        paired = [b["seconds"] / o["seconds"] for b, o in zip(bases, ours)]
        base = min(bases, key=lambda r: r["seconds"])
        best = min(ours, key=lambda r: r["seconds"])
        if name == "tiny":
            fixed = (base["seconds"], best["seconds"])
        beyond = "-"
        if fixed and name != "tiny":
            more = [(b["seconds"] - fixed[0]) / (o["seconds"] - fixed[1]) for b, o in zip(bases, ours)]
            beyond = f"{min(more):.2f}-{max(more):.2f}"
        rows.append((name, base["children"], mb, mb / base["seconds"], mb / best["seconds"],
                     f"{min(paired):.2f}-{max(paired):.2f}", beyond,
                     min(o["validation_seconds"] for o in ours),
                     f"{min(b['cpu'] for b in bases):.2f}/{min(o['cpu'] for o in ours):.2f}",
                     max(b["rss_mb"] for b in bases), max(o["rss_mb"] for o in ours)))
    print()
    if fixed:
        print(f"fixed costs (the tiny file's best): bare {fixed[0]:.3f} s, munro {fixed[1]:.3f} s")
    print(f"{'file':<9} {'children':>10} {'MB':>8} {'bare MB/s':>10} {'munro MB/s':>11} {'ratio':>6} "
          f"{'paired':>10} {'beyond fixed':>13} {'rules s':>8} {'CPU s':>11} {'bare RSS':>9} {'munro RSS':>10}")
    for name, children, mb, base_speed, speed, paired, beyond, rules, cpus, base_rss, rss in rows:
        print(f"{name:<9} {children:>10,} {mb:>8.1f} {base_speed:>10.1f} {speed:>11.1f} {speed / base_speed:>6.2f} "
              f"{paired:>10} {beyond:>13} {rules:>8.3f} {cpus:>11} {base_rss:>8.0f}M {rss:>9.0f}M")


if __name__ == "__main__":
    main()
