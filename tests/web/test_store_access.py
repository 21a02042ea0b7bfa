"""The service's store access: readers together, a writer alone and first, one gather per dashboard."""

from __future__ import annotations

import threading
import time

from munro.web import data
from munro.web.store_access import ReadWriteLock


def _in_thread(fn):
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    return t


def test_readers_read_together():
    lock = ReadWriteLock()
    assert lock.acquire_read()
    got = []
    _in_thread(lambda: got.append(lock.acquire_read(timeout=2))).join(3)
    assert got == [True]


def test_a_writer_waits_for_the_readers_and_then_has_the_store_alone():
    lock = ReadWriteLock()
    lock.acquire_read()
    wrote = threading.Event()

    def write():
        with lock.writing():
            wrote.set()
            time.sleep(0.3)

    writer = _in_thread(write)
    assert not wrote.wait(0.3)  # a reader holds it
    lock.release_read()
    assert wrote.wait(2)
    assert lock.acquire_read(timeout=0.05) is False  # the writer has it alone
    writer.join(3)
    assert lock.acquire_read(timeout=1) is True


def test_a_waiting_writer_goes_before_new_readers():
    lock = ReadWriteLock()
    lock.acquire_read()
    writer = _in_thread(lambda: (lock.acquire_write(), lock.release_write()))
    time.sleep(0.2)  # the writer is waiting for the first reader
    assert lock.acquire_read(timeout=0.2) is False  # a new page queues behind the load
    lock.release_read()
    writer.join(3)
    assert not writer.is_alive()
    assert lock.acquire_read(timeout=1) is True


def test_two_users_opening_one_dashboard_gather_it_once(tmp_path, monkeypatch):
    from munro.report import build

    store = tmp_path / "store.duckdb"
    store.write_bytes(b"x")
    calls = []

    def slow_gather(db, la, year):
        calls.append((la, year))
        time.sleep(0.3)
        return object()

    monkeypatch.setattr(build, "gather", slow_gather)
    monkeypatch.setattr(data, "_check", lambda *a: None)
    got = []
    threads = [_in_thread(lambda: got.append(data._report(store, "330", 2025))) for _ in range(3)]
    for t in threads:
        t.join(5)
    assert calls == [("330", 2025)]
    assert len(got) == 3 and got[0] is got[1] is got[2]


def test_different_dashboards_are_gathered_at_the_same_time(tmp_path, monkeypatch):
    """One LA's cold dashboard does not hold up another's: both gathers run at once."""
    from munro.report import build

    store = tmp_path / "store.duckdb"
    store.write_bytes(b"x")
    inside, both = [], threading.Event()

    def gather(db, la, year):
        inside.append(la)
        if len(inside) == 2:
            both.set()
        both.wait(2)
        return la

    monkeypatch.setattr(build, "gather", gather)
    monkeypatch.setattr(data, "_check", lambda *a: None)
    threads = [_in_thread(lambda la=la: data._report(store, la, 2025)) for la in ("330", "331")]
    for t in threads:
        t.join(5)
    assert both.is_set()
