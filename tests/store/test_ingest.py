"""Loading returns into the store: idempotent, replacing, reinstating, atomic (even under kill -9)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import munro.store.ingest as ingest_mod
from munro.census.reader import BATCH_CHILDREN, CensusReader
from munro.errors import RejectedFile
from munro.loading import ingest_file
from munro.store import list_returns
from munro.store.db import staging_path

REPO = Path(__file__).resolve().parents[2]


def _two_children(cin, year=2023, first="A1", need="N1"):
    return cin.xml(year, [
        cin.Child(id=first, episodes=[cin.Episode(referral=f"{year - 1}-06-01", need=need, assessments=[
            cin.Assessment(f"{year - 1}-06-02", auth=f"{year - 1}-07-01", factors=["1B", "3B"])],
            s47=[cin.S47(f"{year - 1}-06-03", icpc=f"{year - 1}-06-20")],
            plans=[cin.Plan(f"{year - 1}-06-20", reviews=[f"{year - 1}-09-20"])])]),
        cin.Child(id="B2", disabilities=["MOB"], episodes=[cin.Episode(referral=f"{year - 1}-07-01", nfa="true",
                                                                       need=None)]),
    ])


def test_load_records_the_return(cin, write, db, store):
    path = write("a.xml", _two_children(cin))
    outcome = ingest_file(db, path)
    assert (outcome.status, outcome.return_id, outcome.replaced, outcome.error) == ("loaded", 1, None, None)
    assert outcome.counts == {"children": 2, "episodes": 2, "assessments": 1, "section47": 1, "cp_plans": 1}
    assert store.query(db, "SELECT return_id, la_code, collection_year, reference_date::VARCHAR, schema_year, "
                           "status, file_name, file_sha256, file_bytes, children, episodes, assessments, "
                           "section47, cp_plans, warnings FROM returns") == [
        (1, "201", 2023, "2023-03-31", 2023, "current", "a.xml", hashlib.sha256(path.read_bytes()).hexdigest(),
         path.stat().st_size, 2, 2, 1, 1, 1, 0)]
    rows = {t: len(r) for t, r in store.snapshot(db).items()}
    assert {t: rows[t] for t in ("children", "disabilities", "episodes", "assessments", "assessment_factors",
                                 "cin_plans", "section47", "cp_plans", "cp_reviews", "pre_proceedings")} == {
        "children": 2, "disabilities": 1, "episodes": 2, "assessments": 1, "assessment_factors": 2,
        "cin_plans": 0, "section47": 1, "cp_plans": 1, "cp_reviews": 1, "pre_proceedings": 0}
    assert store.query(db, "SELECT DISTINCT return_id, la_code FROM episodes") == [(1, "201")]


def test_same_file_twice_is_unchanged(cin, write, db, store):
    path = write("a.xml", _two_children(cin))
    ingest_file(db, path)
    before = store.snapshot(db)
    again = ingest_file(db, path)
    assert again.status == "unchanged (already loaded)"
    assert again.return_id == 1
    assert again.counts == {"children": 2, "episodes": 2, "assessments": 1, "section47": 1, "cp_plans": 1}
    assert store.snapshot(db) == before
    # The same bytes under another name are the same return.
    copy = write("copy-of-a.xml", path.read_bytes())
    assert ingest_file(db, copy).status == "unchanged (already loaded)"
    assert store.snapshot(db) == before
    assert [r["return_id"] for r in list_returns(db, include_superseded=True)] == [1]


def test_newer_file_replaces_and_older_is_reinstated(cin, write, db, store, munro):
    old = write("old.xml", _two_children(cin, first="OLD1"))
    new = write("new.xml", _two_children(cin, first="NEW1", need="N4"))
    assert ingest_file(db, old).status == "loaded"
    raw_before = {t: rows for t, rows in store.snapshot(db).items() if not t.startswith(("merged_", "returns"))}

    outcome = ingest_file(db, new)
    assert (outcome.status, outcome.return_id, outcome.replaced) == ("replaced", 2, 1)
    assert [(r["return_id"], r["status"], r["file_name"]) for r in list_returns(db, include_superseded=True)] == [
        (2, "current", "new.xml"), (1, "superseded", "old.xml")]
    assert [r["return_id"] for r in list_returns(db)] == [2]
    # Both returns' rows stay in the raw tables; only the current one feeds the merged tables.
    assert store.query(db, "SELECT return_id, count(*) FROM children GROUP BY ALL ORDER BY 1") == [(1, 2), (2, 2)]
    assert store.query(db, "SELECT la_child_id, return_id FROM merged_children ORDER BY 1") == [
        ("B2", 2), ("NEW1", 2)]
    assert store.query(db, "SELECT la_child_id, primary_need, return_id FROM merged_episodes ORDER BY 1") == [
        ("B2", None, 2), ("NEW1", "N4", 2)]
    for table in ("merged_disabilities", "merged_assessments", "merged_assessment_factors", "merged_section47",
                  "merged_cp_plans", "merged_cp_reviews"):
        assert store.query(db, f"SELECT DISTINCT return_id FROM {table}") == [(2,)], table
    superseded_at = store.query(db, "SELECT superseded_at IS NOT NULL FROM returns WHERE return_id = 1")
    assert superseded_at == [(True,)]

    listing = munro("--db", db, "returns", "--all")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["id", "LA", "year", "status", "children", "episodes", "plans", "warnings",
                                "loaded", "file"]
    assert lines[1].split()[:8] == ["2", "201", "2022-23", "current", "2", "2", "1", "0"]
    assert lines[1].endswith("new.xml")
    assert lines[2].split()[:8] == ["1", "201", "2022-23", "superseded", "2", "2", "1", "0"]
    assert lines[2].endswith("old.xml")
    assert len(lines) == 3
    current_only = munro("--db", db, "returns").stdout.splitlines()
    assert len(current_only) == 2 and current_only[1].endswith("new.xml")

    back = ingest_file(db, old)
    assert (back.status, back.return_id, back.replaced) == ("reinstated", 1, 2)
    assert [(r["return_id"], r["status"]) for r in list_returns(db, include_superseded=True)] == [
        (2, "superseded"), (1, "current")]
    assert store.query(db, "SELECT la_child_id, return_id FROM merged_children ORDER BY 1") == [
        ("B2", 1), ("OLD1", 1)]
    assert store.query(db, "SELECT superseded_at FROM returns WHERE return_id = 1") == [(None,)]
    # Reinstating loads nothing again: the raw rows are the two loads' rows.
    assert store.query(db, "SELECT return_id, count(*) FROM children GROUP BY ALL ORDER BY 1") == [(1, 2), (2, 2)]
    raw_now = {t: [r for r in rows if r[0] == 1] for t, rows in store.snapshot(db).items()
               if not t.startswith(("merged_", "returns")) and t != "munro_meta"}
    assert raw_now == {t: rows for t, rows in raw_before.items() if t != "munro_meta"}
    # And reloading the current one changes nothing.
    snap = store.snapshot(db)
    assert ingest_file(db, old).status == "unchanged (already loaded)"
    assert store.snapshot(db) == snap


def test_same_size_different_content_replaces(cin, write, db, store):
    """The up-front hash is only for files the size of a loaded one; the bytes still decide."""
    a = write("a.xml", _two_children(cin, first="AAAA"))
    b = write("b.xml", _two_children(cin, first="BBBB"))
    assert a.stat().st_size == b.stat().st_size
    ingest_file(db, a)
    outcome = ingest_file(db, b)
    assert (outcome.status, outcome.replaced) == ("replaced", 1)
    assert store.query(db, "SELECT return_id, file_sha256 FROM returns ORDER BY 1") == [
        (1, hashlib.sha256(a.read_bytes()).hexdigest()), (2, hashlib.sha256(b.read_bytes()).hexdigest())]


def test_other_years_and_las_are_separate_returns(cin, write, db, store):
    ingest_file(db, write("a.xml", cin.xml(2023, [cin.Child(id="X")], la="201")))
    ingest_file(db, write("b.xml", cin.xml(2024, [cin.Child(id="X", episodes=[cin.Episode(referral="2023-06-01")])],
                                           la="201")))
    ingest_file(db, write("c.xml", cin.xml(2023, [cin.Child(id="X")], la="202")))
    assert [(r["return_id"], r["la_code"], r["collection_year"], r["status"]) for r in list_returns(db)] == [
        (2, "201", 2024, "current"), (1, "201", 2023, "current"), (3, "202", 2023, "current")]


def test_schema_year_is_recorded(cin, write, db, store):
    text = cin.xml(2025).replace("<Sex>M</Sex>", "<GenderCurrent>1</GenderCurrent>")
    path = write("old-format.xml", text)
    with pytest.raises(RejectedFile):
        ingest_file(db, path)
    outcome = ingest_file(db, path, schema_year=2024)
    assert outcome.status == "loaded"
    assert store.query(db, "SELECT collection_year, schema_year FROM returns") == [(2025, 2024)]
    assert store.query(db, "SELECT gender, sex FROM children") == [("1", None)]


def test_warnings_are_counted(cin, write, db, store):
    text = cin.xml(2025, [cin.Child(id="W", ethnicity="ZZZZ", episodes=[cin.Episode(
        referral="2024-06-01", assessments=[cin.Assessment("2024-06-02", factors=["18A", "19A", "1A"])])])],
        reference_date="2025-03-30")
    outcome = ingest_file(db, write("w.xml", text))
    # A ReferenceDate of 30 March is an in-year extract's (issue 22), no longer a rule 100 warning.
    assert outcome.warnings == {
        "Ethnicity: code not in the 2024-25 code list": 1,
        "AssessmentFactors: code not in the 2024-25 code list": 2,
    }
    assert store.query(db, "SELECT warnings, kind FROM returns") == [(3, "in-year")]
    assert store.query(db, "SELECT factor FROM assessment_factors ORDER BY factor_seq") == [("18A",), ("19A",), ("1A",)]


# ---------------------------------------------------------------- atomicity


class CountingReader(CensusReader):
    """The reader ingest uses, counting the children it handed over to be staged before stopping."""

    handed: list[int] = []

    def batches(self):
        try:
            yield from super().batches()
        finally:
            CountingReader.handed.append(self.stats.children)


def _children_spanning_batches(cin, per_child_bytes: int) -> int:
    """Enough children that the reader hands over at least one batch before it reaches the last:
    more than a batch, and more than one piece when the reader cuts a file into pieces."""
    from munro.census import parallel
    chunk = getattr(parallel, "CHUNK_BYTES", 0)
    return max(BATCH_CHILDREN + 200, int(1.5 * chunk / per_child_bytes) + 200)


def test_error_after_the_first_batch_leaves_the_store_unchanged(cin, write, db, store, monkeypatch):
    ingest_file(db, write("first.xml", _two_children(cin)))
    before = store.snapshot(db)
    per_child = len(cin.xml(2023, cin.many(2023, 2))) - len(cin.xml(2023, cin.many(2023, 1)))
    n = _children_spanning_batches(cin, per_child)
    text = cin.xml(2023, cin.many(2023, n))
    bad_line = cin.line_of(text, f"<LAchildID>K{n - 3:06d}") + 2  # the child's <GenderCurrent>
    lines = text.splitlines()
    assert "<GenderCurrent>1</GenderCurrent>" in lines[bad_line - 1]
    lines[bad_line - 1] = lines[bad_line - 1].replace(">1<", ">1<Oops/><")
    path = write("late-error.xml", "\n".join(lines))

    CountingReader.handed = []
    monkeypatch.setattr(ingest_mod, "CensusReader", CountingReader)
    monkeypatch.setattr(ingest_mod, "MEMORY_STAGING_BYTES", 0)  # staged on disk, batch by batch
    with pytest.raises(RejectedFile) as info:
        ingest_file(db, path, workers=1)
    assert info.value.reason == (f"child K{n - 3:06d}: <GenderCurrent> must hold a value, not elements "
                                 f"(line {bad_line})")
    # Children were staged for the store before the error was met.
    assert len(CountingReader.handed) == 1 and 0 < CountingReader.handed[0] < n
    assert store.snapshot(db) == before
    assert len(list_returns(db, include_superseded=True)) == 1


def test_calendar_error_in_a_late_batch_leaves_the_store_unchanged(cin, write, db, store):
    ingest_file(db, write("first.xml", _two_children(cin)))
    before = store.snapshot(db)
    per_child = len(cin.xml(2023, cin.many(2023, 2))) - len(cin.xml(2023, cin.many(2023, 1)))
    n = _children_spanning_batches(cin, per_child)
    kids = cin.many(2023, n)
    kids[-1].episodes[0].referral = "2022-02-30"
    with pytest.raises(RejectedFile) as info:
        ingest_file(db, write("late-date.xml", cin.xml(2023, kids)))
    assert info.value.reason.startswith(f"child K{n:06d}: <CINreferralDate> is not a date")
    assert store.snapshot(db) == before


def _kill_file(cin, n: int) -> str:
    """n children with a plan and six reviews each; no indentation (smaller, same lines)."""
    kids = [cin.Child(id=f"K{i:06d}", episodes=[cin.Episode(referral="2022-06-01", plans=[
        cin.Plan("2022-06-20", reviews=[f"2022-{m:02d}-01" for m in range(7, 13)])])]) for i in range(1, n + 1)]
    return "\n".join(line.strip() for line in cin.xml(2023, kids).split("\n"))


# `munro ingest` as the CLI runs it, in its own process, with the reader it uses saying on stderr
# when a batch has been staged (the generator resumes only once ingest has staged the batch it
# gave out) and when the whole file has been read (merge and commit next). Staged on disk unless
# STAGE_IN_MEMORY is set (these files are small enough for memory).
DRIVER = r"""
import os, sys, time
import munro.store.ingest as ingest
from munro import cli

if not os.environ.get("STAGE_IN_MEMORY"):
    ingest.MEMORY_STAGING_BYTES = 0

class Signalling(ingest.CensusReader):
    def batches(self):
        for staged, batch in enumerate(super().batches(), 1):
            yield batch
            print(f"staged batch {staged}", file=sys.stderr, flush=True)
            if staged == 1:
                time.sleep(float(os.environ["PAUSE_AFTER_FIRST_BATCH"]))
        print("read all", file=sys.stderr, flush=True)

ingest.CensusReader = Signalling
cli.main(sys.argv[1:])
"""


def _ingest_proc(db, path, pause: float, in_memory: bool = False):
    env = {**{k: v for k, v in os.environ.items() if k not in ("MUNRO_DB", "STAGE_IN_MEMORY")},
           "PYTHONPATH": str(REPO / "src"), "PAUSE_AFTER_FIRST_BATCH": str(pause),
           **({"STAGE_IN_MEMORY": "1"} if in_memory else {})}
    return subprocess.Popen([sys.executable, "-c", DRIVER, "--db", str(db), "ingest", "--workers", "1", str(path)],
                            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _files_state(db: Path):
    return tuple((f.stat().st_size, f.stat().st_mtime_ns) if f.exists() else None
                 for f in (db, Path(f"{db}.wal")))


def test_kill_9_part_way_through_a_load(cin, write, db, store):
    """SIGKILL once a batch of the file is staged and before the file has been read through
    (so before any commit), then reopen: the store is exactly as it was, and the same file loads."""
    ingest_file(db, write("first.xml", _two_children(cin)))
    before = store.snapshot(db)
    per_child = len(_kill_file(cin, 2)) - len(_kill_file(cin, 1))
    n = _children_spanning_batches(cin, per_child)
    path = write("big.xml", _kill_file(cin, n))
    proc = _ingest_proc(db, path, pause=30)
    try:
        first = proc.stderr.readline()
        assert first == "staged batch 1\n", first + proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    assert staging_path(db).is_dir()  # the killed load's staged batch, outside the store
    assert store.snapshot(db) == before  # reopening replays nothing of the killed load
    assert [r["return_id"] for r in list_returns(db, include_superseded=True)] == [1]
    # It held children's identifiers in plain files: the next open of the store, a read too, removed it (issue 19).
    assert not staging_path(db).exists()
    outcome = ingest_file(db, path)
    assert not staging_path(db).exists()
    assert (outcome.status, outcome.counts["children"], outcome.replaced) == ("replaced", n, 1)
    assert store.query(db, "SELECT count(*) FROM cp_reviews WHERE return_id = 2") == [(6 * n,)]
    assert store.query(db, "SELECT count(*) FROM merged_cp_reviews WHERE la_child_id LIKE 'K%'") == [(6 * n,)]


@pytest.mark.parametrize("in_memory", [False, True], ids=["parquet", "memory"])
def test_kill_9_while_the_store_is_being_written(cin, write, db, store, in_memory):
    """SIGKILL as soon as the store's files change after the whole file has been read (the merge
    and the commit). Whether the kill lands before or after the commit is a race, so either outcome
    is allowed, but nothing in between: the store is as before, or holds the whole return."""
    ingest_file(db, write("first.xml", _two_children(cin)))
    before = store.snapshot(db)
    n = 12_000
    path = write("big.xml", _kill_file(cin, n))
    proc = _ingest_proc(db, path, pause=0, in_memory=in_memory)
    try:
        said = []
        while not said or said[-1] not in ("read all\n", ""):
            said.append(proc.stderr.readline())
        assert said[-1] == "read all\n", said
        start = _files_state(db)
        deadline = time.monotonic() + 30
        while proc.poll() is None and _files_state(db) == start and time.monotonic() < deadline:
            time.sleep(0.0005)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.communicate(timeout=60)

    after = store.snapshot(db)
    if after != before:
        # The commit won the race: the whole return is there, nothing missing.
        assert [(r["return_id"], r["status"], r["children"]) for r in list_returns(db)] == [(2, "current", n)]
        counts = dict(store.query(
            db, "SELECT 'children', count(*) FROM children WHERE return_id = 2 UNION ALL "
                "SELECT 'episodes', count(*) FROM episodes WHERE return_id = 2 UNION ALL "
                "SELECT 'cp_plans', count(*) FROM cp_plans WHERE return_id = 2 UNION ALL "
                "SELECT 'cp_reviews', count(*) FROM cp_reviews WHERE return_id = 2 UNION ALL "
                "SELECT 'merged_cp_reviews', count(*) FROM merged_cp_reviews WHERE la_child_id LIKE 'K%'"))
        assert counts == {"children": n, "episodes": n, "cp_plans": n, "cp_reviews": 6 * n,
                          "merged_cp_reviews": 6 * n}
    assert ingest_file(db, path).status in ("replaced", "unchanged (already loaded)")


def _rows(store, db, return_id):
    """Every raw table's rows of one return, without the return id."""
    from munro.census import format as fmt
    return {t: store.query(db, f"SELECT * EXCLUDE (return_id) FROM {t} WHERE return_id = {return_id} ORDER BY ALL")
            for t in fmt.TABLES}


@pytest.mark.parametrize("workers", [1, 2])
def test_pieces_and_the_fallback_read_store_the_same_rows(cin, write, db, store, monkeypatch, workers):
    """A file read in pieces, and the same file with a comment in a late piece (the read starts
    again with iterparse from the first child the pieces did not cover), give the same rows, with
    children numbered and lines counted in the whole file."""
    from munro.census import parallel
    n = 3000
    plain = cin.xml(2023, cin.many(2023, n, disabilities=["MOB"]))
    late = plain.replace(f"<LAchildID>K{n - 10:06d}</LAchildID>", f"<LAchildID>K{n - 10:06d}</LAchildID><!-- x -->")
    monkeypatch.setattr(parallel, "CHUNK_BYTES", len(plain) // 5)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)  # worker processes even for this small file
    first = ingest_file(db, write("plain.xml", plain), workers=workers)
    second = ingest_file(db, write("late.xml", late), workers=workers)
    assert (first.counts["children"], second.counts["children"]) == (n, n)
    a, b = _rows(store, db, first.return_id), _rows(store, db, second.return_id)
    assert a == b
    # numbered in the whole file: the last child is child n, on the line the text says
    last = store.query(db, f"SELECT child_seq, line FROM children WHERE return_id = {first.return_id} "
                           f"AND la_child_id = 'K{n:06d}'")
    assert last == [(n, cin.line_of(plain, f"<LAchildID>K{n:06d}<") - 2)]
