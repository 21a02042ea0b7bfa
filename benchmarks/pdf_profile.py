"""Where Chromium's printing of the report goes: its own trace, thread CPU seconds by phase and process.

    python benchmarks/pdf_profile.py PAGE [PAGE ...] [--repeat 2]

PAGE is a written report page (``index.html`` of ``munro report``, e.g. report_speed.py's LA 330). Each
is loaded and printed as the report does (``report.devtools``: the DevTools pipe, ``devtools.PRINT``)
with Chromium's tracing on, in a browser started for it; printed per run: the wall seconds of loading
the page and of printing it, and the thread CPU seconds (the trace's ``tdur``, which a busy machine
changes far less than wall seconds) of Blink's main thread (*renderer*: style, layout, paint), the
print compositor's (*compositor*: the pages to PDF; its events are sometimes lost) and every other thread
(*other*), in each phase, beside the CPU of all Chromium's processes from /proc (Linux);
then the renderer's style and layout passes while printing, in order. Compare pages to see what costs:
the same page without its charts (``<svg>...</svg>`` taken out) or its stylesheet. Results in
docs/performance.md ("Where the time goes").
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import time
from pathlib import Path

from munro.report import devtools
from munro.report.devtools import PipeBrowser
from munro.report.pdf import FLAGS, browser

CATEGORIES = ["toplevel", "blink", "devtools.timeline", "printing", "loading", "benchmark"]


class Traced(PipeBrowser):
    """The report's browser, its page loaded and printed with tracing on; ``marks``: the monotonic
    clock (the trace's) at navigating, at the page's load and at the PDF."""

    def _run(self) -> None:
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self._call("Page.enable", session=session)
            self._call("Page.setLifecycleEventsEnabled", {"enabled": True}, session)
            self.asked.wait()
            page, out = self.job
            self._call("Tracing.start", {"traceConfig": {"includedCategories": CATEGORIES},
                                         "transferMode": "ReportEvents"})
            self.marks, self.trace, self.cpu = [time.monotonic()], [], [group_cpu(self.process.pid)]
            self.events.clear()
            went = self._call("Page.navigate", {"url": page.resolve().as_uri()}, session)
            self._until(lambda e: e.get("method") == "Page.lifecycleEvent" and e["params"]["name"] == "load"
                        and e["params"].get("loaderId") == went["loaderId"])
            self.marks.append(time.monotonic())
            self.cpu.append(group_cpu(self.process.pid))
            printed = self._call("Page.printToPDF", devtools.PRINT, session)
            self.marks.append(time.monotonic())
            self.cpu.append(group_cpu(self.process.pid))
            self._send("Tracing.end")
            while (m := self._until(lambda m: m.get("method") in ("Tracing.dataCollected",
                                                                 "Tracing.tracingComplete"))):
                if m in self.events:  # kept while waiting for another reply: taken, or found again
                    self.events.remove(m)
                if m["method"] == "Tracing.tracingComplete":
                    break
                self.trace.extend(m["params"]["value"])
            out.write_bytes(base64.b64decode(printed["data"]))
            self.written = out
        except BaseException as e:  # noqa: BLE001 - told by wait()
            self.failure = e


def group_cpu(session: int) -> float:
    """CPU seconds of every process of Chromium's session (the pipe's browser starts one of its own), from /proc."""
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[3]) == session:
            ticks += sum(int(v) for v in stat[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def profile(page: Path) -> tuple[dict, list[str]]:
    b = Traced(browser(), FLAGS, 120)
    time.sleep(1.5)  # started, as the report's is by the time its page is written
    try:
        b.print(page, page.with_suffix(".profile.pdf"))
        b.wait()
    finally:
        b.close()
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in b.trace
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    processes = {e["pid"]: e["args"]["name"] for e in b.trace if e.get("ph") == "M" and e.get("name") == "process_name"}
    loaded = b.marks[1] * 1e6
    cpu: dict = collections.Counter()
    by_thread = collections.defaultdict(list)
    for e in b.trace:
        if e.get("ph") == "X" and "tdur" in e and e["ts"] >= b.marks[0] * 1e6:
            by_thread[(e["pid"], e["tid"])].append(e)
    passes = []
    for key, events in by_thread.items():
        name = names.get(key, "")
        part = ("renderer" if name == "CrRendererMain" and processes.get(key[0]) == "Renderer"
                else "compositor" if name.startswith("printing") else "other")
        end = -1
        for e in sorted(events, key=lambda e: (e["ts"], -e["dur"])):
            if part == "renderer" and e["ts"] >= loaded and e["name"] in (
                    "Blink.Style.UpdateTime", "Blink.Layout.UpdateTime") and e["tdur"] > 5000:
                passes.append((e["ts"], f"{e['name'].split('.')[1].lower()} {e['tdur'] / 1e6:.2f}"))
            if e["ts"] >= end:  # a top-level event: its thread CPU, once
                end = e["ts"] + e["dur"]
                cpu[("load" if e["ts"] < loaded else "print", part)] += e["tdur"] / 1e6
    cpu["wall load"], cpu["wall print"] = b.marks[1] - b.marks[0], b.marks[2] - b.marks[1]
    cpu["all load"], cpu["all print"] = b.cpu[1] - b.cpu[0], b.cpu[2] - b.cpu[1]
    return cpu, [p for _, p in sorted(passes)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("pages", nargs="+", type=Path)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for i in range(args.repeat):
        for page in args.pages:
            cpu, passes = profile(page.resolve())
            print(f"run {i + 1} {page}: wall load {cpu['wall load']:.2f} print {cpu['wall print']:.2f}; Chromium's "
                  f"CPU load {cpu['all load']:.2f} print {cpu['all print']:.2f}; thread CPU "
                  + ", ".join(f"{phase} {part} {cpu[(phase, part)]:.2f}" for phase in ("load", "print")
                              for part in ("renderer", "compositor", "other")))
            print("  printing, style and layout passes:", json.dumps(passes))


if __name__ == "__main__":
    main()
