"""The web service under load: survey submissions and dashboard views from 50 concurrent users.

    python benchmarks/web_load.py [--users 50] [--viewers 10] [--submissions 3000] [--seconds 60] [--threads 8]

Starts ``munro serve`` (waitress) on loopback over a temporary store (Birmingham,
330, 2024-25, made by ``munro synth --scale 0.25`` and ``munro ingest``) and
application database, with a staff survey open and the public pages' rate
limit raised (MUNRO_SURVEY_PER_ADDRESS), then drives it with threads of this
process, each one user on its own keep-alive connection (http.client, cookies
by hand). ``--viewers`` of the users are signed-in analysts who load the LA's
dashboard page again and again; the others answer the survey. Two phases,
each bounded by its count and by ``--seconds``:

1. journeys: each respondent answers the whole survey as a browser does
   (start page, start, every question page and its answer, check your
   answers, send, confirmation), one request after another;
2. submissions: answers prepared beforehand (untimed) for ``--submissions``
   respondents, whose "Send" the respondents then press as fast as the
   service takes them; one in ten is pressed twice (a double click).

Each journey's team answer is a unique tag, so that after the run the
application database shows whether every accepted response was stored
exactly once (and no refused one at all). Printed: throughput, latency
percentiles per kind of request, and the goals of issue 8 (200 submissions a
second; dashboard pages under 300 ms at the 95th percentile). Results go in
docs/performance.md ("Web service").
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
LA, YEAR, SCALE, SEED = "330", 2025, 0.25, 7
PASSWORD = "correct horse battery staple"
SUBMIT_GOAL, DASHBOARD_P95_GOAL = 200.0, 0.300
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class User:
    """One browser: a keep-alive connection and its cookies; every request's latency is recorded by kind."""

    def __init__(self, port: int, record):
        self.port, self.record, self.cookies = port, record, {}
        self.con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, kind: str, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        body = urlencode(form).encode() if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        t = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.con.request(method, path, body=body, headers=headers)
                r = self.con.getresponse()
                text = r.read().decode("utf-8", "replace")
                break
            except (ConnectionError, http.client.HTTPException):
                if attempt == 2:  # an error counts, and the run goes on
                    self.record(kind, time.perf_counter() - t, 0)
                    return 0, "", ""
                self.con.close()
                self.con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.record(kind, time.perf_counter() - t, r.status)
        for header in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in header and "expires=Thu, 01 Jan 1970" not in header:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return r.status, r.headers.get("Location", ""), text


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def __call__(self, kind, seconds, status):
        with self.lock:
            self.times[kind].append(seconds)
            self.status[kind][status] += 1


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))] if values else float("nan")


def prepare(folder: Path) -> tuple[Path, str, int, list[str]]:
    """The store, the application database with an analyst and an open staff survey:
    (store, secret, survey, questions)."""
    import datetime as dt

    from munro.local.appdb import open_app_db
    from munro.local.surveys import create_survey, survey_version
    from munro.web.users import add_user

    munro = [str(REPO / ".venv" / "bin" / "munro")]
    subprocess.run(munro + ["synth", "--la", LA, "--years", str(YEAR), "--seed", str(SEED), "--scale", str(SCALE),
                            "--out", str(folder / "returns"), "--quiet"], check=True)
    store = folder / "store.duckdb"
    subprocess.run(munro + ["--db", str(store), "ingest", *map(str, sorted((folder / "returns").glob("*.xml")))],
                   check=True, stdout=subprocess.DEVNULL)
    db = open_app_db(store)
    add_user(db, "analyst@example.gov.uk", [LA], "analyst", PASSWORD)
    s = create_survey(db, la=LA, instrument="staff", opens_on=dt.date.today(),
                      closes_on=dt.date.today() + dt.timedelta(days=7))
    db.dispose()
    return store, "b" * 48, s.id, [q.id for q in survey_version(s).questions]


def serve(store: Path, secret: str, port: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "MUNRO_SECRET_KEY": secret, "MUNRO_INSECURE_COOKIES": "1",
           "MUNRO_SURVEY_PER_ADDRESS": str(10**9), "MUNRO_PORT": str(port)}
    log = open(store.with_name("serve.log"), "wb")  # a file, not a pipe nobody reads (which would fill and block)
    proc = subprocess.Popen([str(REPO / ".venv" / "bin" / "munro"), "--db", str(store), "serve", "--threads",
                             str(threads)], env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"munro serve stopped: {store.with_name('serve.log').read_text()}") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("munro serve did not start in 60 s")


def answers_for(questions: list[str], tag: str) -> dict:
    """One respondent's answers: a unique team name (the exactly-once check), the rest fixed."""
    fixed = {"role": "social_worker", "supervision_frequency": "monthly", "caseload": "17"}
    return {q: (tag if q == "team" else fixed.get(q, "agree" if q != "what_would_help" else "More time"))
            for q in questions}


def journey(user: User, link: str, questions: list[str], tag: str, prepare_only: bool = False) -> str:
    """Answer the survey as a browser does; returns the CSRF token (to send with) once at the check page."""
    kind = "prepare" if prepare_only else None
    status, _, page = user.request(kind or "start page", "GET", link)
    token = CSRF.search(page).group(1)
    user.request(kind or "answer", "POST", link + "/start", {"csrf_token": token})
    for n, (_q, a) in enumerate(answers_for(questions, tag).items(), 1):
        if not prepare_only:
            user.request("question page", "GET", f"{link}/{n}")
        user.request(kind or "answer", "POST", f"{link}/{n}", {"csrf_token": token, "answer": a})
    if not prepare_only:
        user.request("check page", "GET", link + "/check")
    return token


def send(user: User, link: str, token: str) -> bool:
    status, location, _ = user.request("send", "POST", link + "/check", {"csrf_token": token})
    return status == 302 and location.endswith("/done")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--viewers", type=int, default=10, help="of the users, signed-in analysts viewing the dashboard")
    ap.add_argument("--journeys", type=int, default=400, help="whole surveys answered in phase 1")
    ap.add_argument("--submissions", type=int, default=3000, help="prepared answers sent in phase 2")
    ap.add_argument("--seconds", type=float, default=60.0, help="each phase stops after this, done or not")
    ap.add_argument("--threads", type=int, default=8, help="waitress worker threads (munro serve --threads)")
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    respondents = args.users - args.viewers

    with tempfile.TemporaryDirectory(prefix="munro-web-load-") as tmp:
        folder = Path(tmp)
        print("preparing the store and the survey ...", flush=True)
        store, secret, survey_id, questions = prepare(folder)
        from munro.local.respond import link_key
        link = f"/s/{link_key(secret, survey_id)}"
        proc = serve(store, secret, args.port, args.threads)
        try:
            run(args, respondents, link, questions, store, survey_id, proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc): the service's own work, whatever the load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(args, respondents, link, questions, store, survey_id, pid):
    rec = Recorder()
    dashboard = f"/la/{LA}/{YEAR}"
    # The viewers sign in, and the first view gathers the LA-year's report data (cached afterwards), untimed.
    viewers = []
    for _ in range(args.viewers):
        u = User(args.port, lambda *a: None)
        _, _, page = u.request("", "GET", "/sign-in")
        u.request("", "POST", "/sign-in", {"csrf_token": CSRF.search(page).group(1), "email": "analyst@example.gov.uk",
                                            "password": PASSWORD})
        for _ in range(2):  # the first view also loads the packaged statistics into the store: gathered again
            assert u.request("", "GET", dashboard)[0] == 200, "the dashboard did not load"
        u.record = rec
        viewers.append(u)
    results = {}
    tags_sent, tags_refused = [], []
    accepted = defaultdict(int)  # phase -> responses accepted (a double click's second press not counted)
    stop = threading.Event()

    def view(u):
        while not stop.is_set():
            u.request("dashboard page", "GET", dashboard)

    def phase(name, work, items):
        """Run ``work(user, item)`` over ``items`` with the respondents' threads and the viewers; bounded in time."""
        rec.times.clear(), rec.status.clear()
        stop.clear()
        queue, lock = list(reversed(items)), threading.Lock()
        deadline = time.perf_counter() + args.seconds

        def respondent(u):
            while time.perf_counter() < deadline:
                with lock:
                    if not queue:
                        return
                    item = queue.pop()
                work(u, item)

        users = [User(args.port, rec) for _ in range(respondents)]
        vt = [threading.Thread(target=view, args=(v,)) for v in viewers]
        rt = [threading.Thread(target=respondent, args=(u,)) for u in users]
        t0, c0 = time.perf_counter(), cpu_seconds(pid)
        for t in vt + rt:
            t.start()
        for t in rt:
            t.join()
        stop.set()
        for t in vt:
            t.join()
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds(pid) - c0
        results[name] = (elapsed, {k: list(v) for k, v in rec.times.items()},
                         {k: dict(v) for k, v in rec.status.items()}, cpu)

    def whole(u, i):
        tag = f"journey-{i:06d}"
        token = journey(u, link, questions, tag)
        ok = send(u, link, token)
        (tags_sent if ok else tags_refused).append(tag)
        accepted["journeys"] += ok
        u.request("confirmation page", "GET", link + "/done")

    print(f"phase 1: {respondents} respondents answer whole surveys, {args.viewers} analysts view the dashboard",
          flush=True)
    phase("journeys", whole, list(range(args.journeys)))

    print(f"preparing {args.submissions} respondents' answers (untimed) ...", flush=True)
    prepared = []
    prep_lock = threading.Lock()
    todo = list(range(args.submissions))

    def prep():
        while True:
            with prep_lock:
                if not todo:
                    return
                i = todo.pop()
            u = User(args.port, lambda *a: None)
            token = journey(u, link, questions, f"send-{i:06d}", prepare_only=True)
            u.con.close()
            with prep_lock:
                prepared.append((u, token, f"send-{i:06d}", i % 10 == 0))
    pt = [threading.Thread(target=prep) for _ in range(respondents)]
    [t.start() for t in pt]
    [t.join() for t in pt]

    def press(_, item):
        u, token, tag, twice = item
        u.con, u.record = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60), rec
        ok = send(u, link, token)
        if twice:
            ok2 = send(u, link, token)  # a double click: must store nothing more
            assert ok2 == ok
        (tags_sent if ok else tags_refused).append(tag)
        accepted["submissions"] += ok
        u.con.close()

    print(f"phase 2: {respondents} respondents press Send on prepared answers, {args.viewers} analysts view the "
          "dashboard", flush=True)
    phase("submissions", press, prepared)
    for v in viewers:
        v.con.close()
    report(args, results, survey_id, store, tags_sent, tags_refused, accepted)


def report(args, results, survey_id, store, tags_sent, tags_refused, accepted):
    import sqlalchemy as sa

    from munro.local import schema as t
    from munro.local.appdb import open_app_db

    db = open_app_db(store)
    with db.connect() as con:
        stored = [r[0] for r in con.execute(
            sa.select(t.answers.c.value).join(t.responses, t.responses.c.id == t.answers.c.response_id)
            .where(t.responses.c.survey_id == survey_id, t.answers.c.question_id == "team"))]
        responses = con.execute(sa.select(sa.func.count()).select_from(t.responses)
                                .where(t.responses.c.survey_id == survey_id)).scalar()
    counts = defaultdict(int)
    for tag in stored:
        counts[tag] += 1
    once = all(counts[tag] == 1 for tag in tags_sent) and not any(counts[tag] for tag in tags_refused)
    once = once and responses == len(tags_sent) == len(stored)

    print(f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (1 min) at the end; "
          f"waitress threads {args.threads}; users {args.users} ({args.viewers} viewing the dashboard)")
    for name, (elapsed, times, statuses, cpu) in results.items():
        n = sum(map(len, times.values()))
        print(f"\n{name}: {elapsed:.1f} s, {n} requests ({n / elapsed:.0f}/s), {accepted[name]} responses "
              f"accepted ({accepted[name] / elapsed:.0f}/s); the service's CPU {cpu:.1f} s "
              f"({cpu / n * 1000:.2f} ms a request, {cpu / elapsed:.2f} CPUs busy)")
        print(f"  {'request':<20}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses")
        for kind in sorted(times):
            v = times[kind]
            print(f"  {kind:<20}{len(v):>7}{percentile(v, 50) * 1000:>9.1f}{percentile(v, 95) * 1000:>9.1f}"
                  f"{percentile(v, 99) * 1000:>9.1f}{max(v) * 1000:>9.1f}  {statuses[kind]}")
    rate = accepted["submissions"] / results["submissions"][0]
    p95 = max(percentile(r[1].get("dashboard page", []), 95) for r in results.values())
    print(f"\nexactly once: {'yes' if once else 'NO'} ({len(tags_sent)} accepted, {len(tags_refused)} refused, "
          f"{responses} responses stored)")
    print(f"goal: {SUBMIT_GOAL:.0f} submissions/s: {rate:.0f}/s (ratio {rate / SUBMIT_GOAL:.2f}); dashboard p95 under "
          f"{DASHBOARD_P95_GOAL * 1000:.0f} ms: {p95 * 1000:.0f} ms (ratio {DASHBOARD_P95_GOAL / p95:.2f})")
    if not once:
        sys.exit(1)


if __name__ == "__main__":
    main()
