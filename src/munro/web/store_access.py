"""Who may use the store at once inside the service: many readers together, or one writer alone.

DuckDB refuses, within one process, a read-only connection to a file while a read-write one is open
(and the reverse), so a load (an upload, a retention run) must wait for the pages reading the store
and they for it. Readers never wait for each other: one user's cold dashboard does not hold up
another's list of children. A waiting writer goes first (new readers queue behind it), so a load is
not starved by a stream of pages. Neither side is re-entrant: code holding one never asks again.

The same dashboard asked for by two users at once is gathered once (``once``): the second waits for
the first's result rather than computing it again.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Hashable, Iterator


class ReadWriteLock:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    def acquire_read(self, timeout: float | None = None) -> bool:
        with self._cond:
            if not self._cond.wait_for(lambda: not self._writing and not self._writers_waiting, timeout):
                return False
            self._readers += 1
            return True

    def release_read(self) -> None:
        with self._cond:
            self._readers -= 1
            if not self._readers:
                self._cond.notify_all()

    def acquire_write(self) -> None:
        with self._cond:
            self._writers_waiting += 1
            try:
                self._cond.wait_for(lambda: not self._writing and not self._readers)
            finally:
                self._writers_waiting -= 1
            self._writing = True

    def release_write(self) -> None:
        with self._cond:
            self._writing = False
            self._cond.notify_all()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        self.acquire_read()
        try:
            yield
        finally:
            self.release_read()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        self.acquire_write()
        try:
            yield
        finally:
            self.release_write()


STORE = ReadWriteLock()  # every use of the store by the service's threads
reading, writing = STORE.reading, STORE.writing

_flights: dict[Hashable, threading.Lock] = {}
_flights_lock = threading.Lock()


@contextlib.contextmanager
def once(key: Hashable) -> Iterator[None]:
    """Hold ``key``'s lock: a second thread asking for the same work waits here, then finds it cached."""
    with _flights_lock:
        lock = _flights.setdefault(key, threading.Lock())
    with lock:
        yield
