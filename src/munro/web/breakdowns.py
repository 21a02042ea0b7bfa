"""The drill-down pages' figures (munro.report.drill.shown of munro.indicators.drill.breakdown), kept in
memory until the store file changes, as ``data.py`` keeps the dashboards' ReportData.

A breakdown costs seconds, most of them fixed (docs/performance.md, benchmarks/drill_speed.py): on the
synthetic LA 330 one item by team takes about 4 s, of which about 3 s is the merged history copied and
each child's unit found, and every item at once about 16 s. So the first view of an item computes that
item alone, and is cached; then one background pass computes every item of the same LA, period and
kind of unit, so the next item a manager opens is served from memory (or waits for that pass rather than
computing its figures a second time). Each entry is what a page shows: by team disclosure-controlled,
by worker exact (restricted: only its route's users get it). Only aggregates are held, never a child.

The key is (store, LA, period's end, by, variant) for every item's figures, with the item for one item's;
the store file's modification time and size (as data.py keeps its own) invalidate both when a load changes it.
"""

from __future__ import annotations

import atexit
import logging
import threading
from pathlib import Path
from typing import Any

from ..indicators.drill import breakdown
from ..report.drill import shown
from ..store.db import waiting
from ..years import Period
from .data import cached, store_stamp
from .store_access import once, reading

log = logging.getLogger(__name__)
_cache: dict[tuple, tuple] = {}
KEEP = 64  # breakdowns held at once (every item's, and single items')
BACKGROUND = True  # fill every item's figures after a first view (tests may turn it off)
_filling: dict[tuple, threading.Thread] = {}
_filling_lock = threading.Lock()


def variant(by: str) -> str:
    """The one form each kind of breakdown is shown in: by team controlled, by worker restricted."""
    return "restricted" if by == "worker" else "controlled"


def item_shown(store: Path, la: str, period: Period, by: str, item_id: str) -> dict[str, Any]:
    """``shown(breakdown(...))`` for one item (its ``items`` holding that item alone), from memory when
    this or every item's breakdown is cached for the store as it is now. MunroError as ``breakdown``."""
    whole, stamp = _whole(store, la, period, by), store_stamp(store)
    found = _every_item_now(whole, stamp)
    if found is not None:
        return _one(found, item_id)
    key = (*whole, item_id)
    with once(key):  # the same item asked for twice at once: computed once
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        with reading():
            one = _cached_in(key, stamp, lambda: shown(breakdown(store, la, period, [item_id], by=by)))
    _fill(store, la, period, by, whole, stamp)
    return one


def every_item_shown(store: Path, la: str, period: Period, by: str = "team") -> dict[str, Any]:
    """``shown(breakdown(...))`` for every item, as the drill-down pages show it (the internal report
    download's appendix): from memory, from the background pass if one is running, else computed now and
    kept. MunroError as ``breakdown``."""
    whole, stamp = _whole(store, la, period, by), store_stamp(store)
    found = _every_item_now(whole, stamp)
    if found is not None:
        return found
    with once(whole), reading():
        return _cached_in(whole, stamp, lambda: shown(breakdown(store, la, period, by=by)))


def _whole(store: Path, la: str, period: Period, by: str) -> tuple:
    return (str(store), la, period.end, by, variant(by))


def _every_item_now(whole: tuple, stamp: tuple) -> dict[str, Any] | None:
    """Every item's breakdown from memory, waiting for a background pass computing it rather than competing."""
    found = _every_item(whole, stamp)
    if found is None:
        running = _filling.get(whole)
        if running is not None:
            running.join()
            found = _every_item(whole, stamp)
    return found


def _every_item(whole: tuple, stamp: tuple) -> dict[str, Any] | None:
    hit = _cache.get(whole)
    return hit[1] if hit is not None and hit[0] == stamp else None


def _one(found: dict[str, Any], item_id: str) -> dict[str, Any]:
    entry = found["items"].get(item_id)
    return {**found, "items": {item_id: entry} if entry is not None else {}}


def _cached_in(key: tuple, stamp: tuple, make):
    return cached(key, stamp, make, cache=_cache, keep=KEEP)


def _fill(store: Path, la: str, period: Period, by: str, whole: tuple, stamp: tuple) -> None:
    """Every item's breakdown in one pass, in a background thread (once at a time per key)."""
    if not BACKGROUND:
        return
    with _filling_lock:
        if whole in _filling or _every_item(whole, stamp) is not None:
            return
        thread = threading.Thread(target=_fill_now, args=(store, la, period, by, whole, stamp),
                                  name="munro-breakdown", daemon=True)
        _filling[whole] = thread
    thread.start()


def _fill_now(store: Path, la: str, period: Period, by: str, whole: tuple, stamp: tuple) -> None:
    try:
        with waiting(0), reading():  # as the pages: a load in another process is not waited for
            _cached_in(whole, stamp, lambda: shown(breakdown(store, la, period, by=by)))
    except Exception:  # noqa: BLE001 - a background pass must never stop the service; each page computes its own
        log.warning("the breakdown of every item (LA %s, %s, by %s) could not be computed in the background",
                    la, period.label, by, exc_info=True)
    finally:
        with _filling_lock:
            _filling.pop(whole, None)


def wait() -> None:
    """Wait for every background pass running now (the tests, and a benchmark, use it)."""
    for thread in list(_filling.values()):
        thread.join()


# A pass still running when the process ends is waited for: a thread stopped inside DuckDB aborts the process.
atexit.register(wait)

__all__ = ["item_shown", "every_item_shown", "variant", "wait", "KEEP"]
