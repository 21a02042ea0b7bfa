"""Validation speed: every rule of a return's year over returns of about 1k, 20k, 200k and 1.25 million children.

    python benchmarks/validate_speed.py [--sizes small,large,county,national] [--workers N] [--repeat N]

Each file is made once with ``munro synth`` and kept in benchmarks/out/ (the
small, large and national files are the ingest benchmark's). Each run is a
fresh process calling ``munro.validate.validate_file`` as ``munro validate``
does (worker processes reading a large file), timed from the call to the
report (after one warm-up call on the small file, which pays the imports and
the England calendar once per process), with the time spent in the rules'
queries apart from the read. The
script prints seconds and children per second, so that linear growth shows as
a steady rate. Goal (issue 4): 20,000 children in under 3 s, a million in
under 2 minutes. Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_throughput import FILES, make_file, run  # noqa: E402  (the same files, made the same way)

# A county-sized return of about 200,000 children (munro synth scales the LA to this 0-17 population).
SIZES = {**FILES, "county": ("999", 2025, ["--population", "2720000"])}

VALIDATE = r"""
import json, os, resource, sys, time
def main():
    from munro.validate import runner, validate_file
    import munro.validate.rules  # noqa: F401  (loaded before the clock starts, as in a long-lived process)
    spent = {}
    run = runner.run
    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return run(*args, **kwargs)
        finally:
            spent["rules"] = time.perf_counter() - t
    runner.run = timed
    workers = int(sys.argv[2]) if sys.argv[2] != "default" else min(os.cpu_count() or 1, 4)
    t = time.perf_counter()
    validate_file(sys.argv[3])  # warm-up: imports and the England calendar, once per process
    warm_up = time.perf_counter() - t
    t = time.perf_counter()
    report = validate_file(sys.argv[1], workers=workers)
    print(json.dumps({"seconds": time.perf_counter() - t, "rules_seconds": spent["rules"], "warm_up": warm_up,
                      "children": report.children, "findings": len(report.findings), "rules": len(report.rules),
                      "failures": len(report.failures),
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
if __name__ == "__main__":
    main()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large,county,national")
    parser.add_argument("--workers", default="default", help="threads reading a large file (default: CPUs)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'file':<9} {'children':>10} {'MB':>7} {'seconds':>8} {'reading':>8} {'rules':>7} "
          f"{'children/s':>11} {'findings':>9} {'RSS':>7}")
    warm_up = make_file("small")
    for name in args.sizes.split(","):
        FILES.setdefault(name, SIZES[name])  # make_file looks the file up in FILES
        path = make_file(name)
        best = min((run(VALIDATE, str(path), args.workers, str(warm_up)) for _ in range(args.repeat)),
                   key=lambda r: r["seconds"])
        if best["failures"]:
            raise SystemExit(f"{name}: {best['failures']} rule(s) failed to run")
        s = best["seconds"]
        print(f"{name:<9} {best['children']:>10,} {path.stat().st_size / 1e6:>7.1f} {s:>8.2f} "
              f"{s - best['rules_seconds']:>8.2f} {best['rules_seconds']:>7.2f} {best['children'] / s:>11,.0f} "
              f"{best['findings']:>9,} {best['rss_mb']:>6.0f}M", flush=True)
    print(f"(each process first validated the small file once, which took {best['warm_up']:.2f} s with the imports "
          "and the England calendar; that is not in the times above)")


if __name__ == "__main__":
    main()
