"""A national pooled store: every English LA's pseudonymised export in one store, all items, DuckDB and Spark.

    python benchmarks/pooled_speed.py [--engines duckdb,spark] [--repeat 1] [--build-only]

Made once, in benchmarks/out/pooled/ (steps skipped when their output exists):

1. ``source.duckdb``: every one of the 153 current English LAs synthesised by
   ``munro synth`` at its real ONS 0-17 population (scale 1.0), collection
   years 2022-2025, seed 7, loaded by ``munro ingest`` (the synthesis of
   ``indicators_speed.py``, at full scale). It stands for the LAs' own
   stores: each LA's export below reads only that LA's rows.
2. ``exports/<la>/``: each LA's ``munro export --pseudonymise`` with a key
   of its own (``keys/<la>.key``), as an LA would send it.
3. ``pooled.duckdb``: ``munro ingest`` of the 153 export folders.
4. ``pooled-export/``: ``munro export`` of the pooled store, which Spark reads.

Then every item for every LA (``--la all``) on the pooled store, on DuckDB
and on Spark local mode, each in its own process (time after the imports,
peak resident memory; for Spark the JVM's peak too). Results go in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from indicators_speed import ITEMS, YEAR, YEARS, _env, _python, best, current_las, run, run_memory, synthesise  # noqa: E402

OUT = HERE / "out" / "pooled"
SCALE = 1.0  # each LA at its real 0-17 population


def _munro(*args: str) -> None:
    subprocess.run([_python(), "-m", "munro.cli", *args], check=True, env=_env(), stdout=subprocess.DEVNULL)


def _step(text: str) -> float:
    print(text, flush=True)
    return time.perf_counter()


def build_source(las: list[str]) -> Path:
    """Every LA synthesised and loaded into one store (the LAs' own stores, side by side)."""
    store = OUT / "source.duckdb"
    if store.exists():
        return store
    xml = OUT / "xml"
    xml.mkdir(parents=True, exist_ok=True)
    t = _step(f"munro synth: {len(las)} LAs at scale {SCALE}, {YEARS} ...")
    synthesise(xml, las, SCALE)
    t = _step(f"  {time.perf_counter() - t:.0f} s; munro ingest ...")
    partial = store.with_suffix(".loading.duckdb")
    partial.unlink(missing_ok=True)
    _munro("--db", str(partial), "ingest", "--workers", "1", *sorted(str(p) for p in xml.glob("*/cin_*.xml")))
    partial.rename(store)
    print(f"  {time.perf_counter() - t:.0f} s", flush=True)
    return store


# Each step: one process, JSON on its last line (time after the imports, peak resident memory).
EXPORTS = r"""
import json, resource, sys, time
from pathlib import Path
from munro.store.keys import new_key_file
from munro.store.pseudonymise import export_pseudonymised
source, out, las = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
(out / "keys").mkdir(parents=True, exist_ok=True)
(out / "exports").mkdir(exist_ok=True)
t = time.perf_counter()
slowest = 0.0
for la in las:
    key = out / "keys" / f"{la}.key"
    if not key.exists():
        new_key_file(key)
    one = time.perf_counter()
    export_pseudonymised(source, out / "exports" / la, key, la=la)
    slowest = max(slowest, time.perf_counter() - one)
print(json.dumps({"seconds": time.perf_counter() - t, "slowest_la_seconds": slowest, "las": len(las),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

POOL = r"""
import json, resource, sys, time
from munro.loading import ingest_files
db, folders = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
outcomes = list(ingest_files(db, folders))
bad = [o.error for o in outcomes if o.error]
assert not bad, bad[:3]
print(json.dumps({"seconds": time.perf_counter() - t, "exports": len(outcomes),
                  "files": sum(len(o.loaded) for o in outcomes),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

SAME = r"""
import json, sys
from munro.indicators.compute import as_json, compute_all
a = [as_json(r) for r in compute_all(sys.argv[1], int(sys.argv[3]))]
b = [as_json(r) for r in compute_all(sys.argv[2], int(sys.argv[3]))]
diff = [r["la"] for r, s in zip(a, b) if r != s]
print(json.dumps({"las": len(a), "values": sum(1 for r in a for v in r["items"].values() if v["value"] is not None),
                  "differ": diff}))
"""


def build_pooled(source: Path, las: list[str]) -> tuple[Path, dict, dict]:
    """Every LA's pseudonymised export (own key), then all of them pooled in one store."""
    store = OUT / "pooled.duckdb"
    exported = pooled = {}
    if not store.exists():
        t = _step(f"munro export --pseudonymise of {len(las)} LAs ...")
        exported = run(EXPORTS, str(source), str(OUT), *las)
        print(f"  {time.perf_counter() - t:.0f} s {exported}", flush=True)
        partial = store.with_suffix(".loading.duckdb")
        partial.unlink(missing_ok=True)
        t = _step("munro ingest of the export folders into the pooled store ...")
        pooled = run(POOL, str(partial), *(str(OUT / "exports" / la) for la in las))
        partial.rename(store)
        print(f"  {time.perf_counter() - t:.0f} s {pooled}", flush=True)
    folder = OUT / "pooled-export"
    if not folder.exists():
        _step("munro export of the pooled store for Spark ...")
        _munro("--db", str(store), "export", "--to", str(folder))
    return store, exported, pooled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement, best kept")
    parser.add_argument("--build-only", action="store_true", help="make the stores, time nothing")
    parser.add_argument("--source-only", action="store_true", help="make only the synthetic source store")
    args = parser.parse_args()
    las = current_las()
    source = build_source(las)
    if args.source_only:
        return
    store, exported, pooled = build_pooled(source, las)
    if args.build_only:
        return
    print(f"machine: {os.cpu_count()} CPUs, DuckDB memory limit {run_memory()}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    same = run(SAME, str(source), str(store), str(YEAR))
    print(f"every item of every LA, pooled store against the LAs' own (plain) rows: {same['las']} LAs, "
          f"{same['values']} values, differing LAs: {same['differ'] or 'none'}", flush=True)
    rows = []
    if "duckdb" in args.engines:
        for name, db in (("source (plain identifiers)", source), ("pooled (pseudonymised)", store)):
            r = best(ITEMS, args.repeat, "duckdb", str(db), "all", str(YEAR))
            rows.append((f"duckdb, all items, all LAs, {name}", r["seconds"], r["rss_mb"],
                         f"open {r['open_seconds']:.2f} + merge {r['merge_seconds']:.2f} + items "
                         f"{r['items_seconds']:.2f}; CPU {r['cpu_seconds']:.1f}; process {r['process_seconds']:.1f}"))
            print(rows[-1], flush=True)
    if "spark" in args.engines:
        r = best(ITEMS, 1, "spark", str(OUT / "pooled-export"), "all", str(YEAR))
        rows.append((f"spark local[{os.cpu_count()}], all items, all LAs, pooled", r["seconds"] - r["open_seconds"],
                     r["rss_mb"], f"session start {r['open_seconds']:.1f} (not counted) + register "
                                  f"{r['merge_seconds']:.1f} + items {r['items_seconds']:.1f}; JVM peak "
                                  f"{r['jvm_rss_mb']:.0f} MB"))
        print(rows[-1], flush=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    for what, secs, rss, detail in rows:
        print(f"{what:<58} {secs:>8.1f} s {rss:>6.0f} MB  {detail}")


if __name__ == "__main__":
    main()
