"""The dashboard's data: the report's ReportData, gathered once per LA, year and store state.

Gathering runs every item over the store and renders charts (seconds), so it
is kept in memory until the store file changes (a new return loaded), a reporting year's and an
as-at date's alike. Only aggregates are held here: ReportData has no child-level rows.

Which figures a user sees of an LA is decided here, once (``published_only``):
the internal ones (unsuppressed small numbers) only for that LA's own staff,
the published ones (munro.report.publish, definitions.md section 1) for
anyone else. Routes get an LA's figures only through ``report_for``, which
applies that rule; the two variants are cached apart, so a page, a chart, its
CSV and a download all draw from the same variant and none can forget.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from pathlib import Path

from werkzeug.exceptions import Forbidden

from ..errors import MunroError
from ..indicators.series import check_as_at
from ..output import csv_writer
from ..report import build
from ..report import charts as charts_mod
from ..report.publish import make_safe
from ..store.db import waiting
from ..store.returns import list_returns, require_return, years_of
from .store_access import once, reading

_cache: dict[tuple, tuple] = {}
KEEP = 16  # LA-years held at once (each variant counts)
VARIANTS = ("internal", "published")


def store_stamp(store: Path) -> tuple:
    """What changes when a load writes to the store file (its modification time and size): a cached value
    kept under an older stamp is stale."""
    st = Path(store).stat()
    return (st.st_mtime_ns, st.st_size)


def published_only(user, la: str) -> bool:
    """Whether ``user`` may see only the published (disclosure-controlled) figures of ``la``.

    The one rule for every page, chart, CSV and download: the internal figures are for a user of
    that LA alone; anyone else (a regional user, who sees LAs other than their own organisation's)
    gets the published ones. Failing closed: a user of several LAs is never shown the internal ones.
    """
    return tuple(user.las) != (la,)


def variants(user, la: str) -> tuple[str, ...]:
    """The variants of ``la``'s figures ``user`` may have, the one their pages show first."""
    return ("published",) if published_only(user, la) else VARIANTS


AS_AT_MONTHS = 24  # the points of an as-at view's monthly series, as `munro report --as-at`'s default


def report_for(store: Path, user, la: str, year: int | dt.date, variant: str | None = None):
    """The ReportData of ``la`` and ``year`` that ``user`` may see (the route has authorised the LA).

    ``year`` a date: the as-at view of the 12 months to it, each item with its monthly series
    (``report.build.gather_as_at``), cached and made safe the same way.

    ``variant``: ``internal`` or ``published`` (default: the user's first of ``variants``); one the
    user may not have is refused (403). MunroError (``NoReturn``) if the store has no such return.
    """
    allowed = variants(user, la)
    variant = variant or allowed[0]
    if variant not in allowed:
        raise Forbidden("Your role may see only the published figures of this authority.")
    return _published(store, la, year) if variant == "published" else _report(store, la, year)


def _check(store: Path, la: str, year: int | dt.date) -> None:
    if not Path(store).exists():
        raise MunroError("the store does not exist yet: load a return first")
    if isinstance(year, dt.date):
        loaded = {la: [int(r["collection_year"]) for r in loaded_returns(store) if r["la_code"] == la]}
        check_as_at(year, AS_AT_MONTHS, loaded=loaded, la=la)
        return
    require_return(store, la, year, years_of(loaded_returns(store), la))


def _gather(store: Path, la: str, year: int | dt.date):
    # build.gather looked up when called: the tests give it a gather of their own
    return (build.gather_as_at(store, la, year, AS_AT_MONTHS) if isinstance(year, dt.date)
            else build.gather(store, la, year))


def latest_extract(store: Path, la: str) -> dt.date | None:
    """The date of ``la``'s latest in-year extract loaded (the as-at date a dashboard offers first), or None."""
    dates = [r["reference_date"] for r in loaded_returns(store) if r["la_code"] == la and r["kind"] == "in-year"]
    return max(dates) if dates else None


def cached(key: tuple, stamp: tuple, make, cache: dict | None = None, keep: int = 2 * KEEP):
    """``make()``, kept in ``cache`` (default: the ReportData's) under ``key`` while the store's ``stamp``
    is unchanged; the oldest entries go beyond ``keep``."""
    cache = _cache if cache is None else cache
    hit = cache.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    data = make()
    while len(cache) >= keep:
        cache.pop(next(iter(cache)))
    cache[key] = (stamp, data)
    return data


def _report(store: Path, la: str, year: int | dt.date):
    """The internal ReportData (unsuppressed): only through ``report_for``, or to warm the cache."""
    _check(store, la, year)
    key = (str(store), la, year)
    with once(key):  # two users opening the same dashboard: gathered once
        stamp = store_stamp(store)
        hit = _cache.get(key)
        if hit and hit[0] == stamp:
            return hit[1]
        with reading():
            return cached(key, stamp, lambda: _gather(store, la, year))


def _published(store: Path, la: str, year: int | dt.date):
    """The published ReportData: a copy of the internal one through munro.report.publish.make_safe."""
    key = (str(store), la, year, "published")
    with once(key):
        internal = _report(store, la, year)
        stamp = store_stamp(store)

        def make():
            views = internal.items()
            drawn = [v.__dict__.pop("_web_charts", None) for v in views]  # drawn from internal figures: not copied
            try:
                safe = copy.deepcopy(internal)
            finally:
                for v, charts in zip(views, drawn):
                    if charts is not None:
                        v._web_charts = charts
            with reading():
                make_safe(safe, store)
            return safe
        return cached(key, stamp, make)


def warm(store: Path, limit: int = KEEP) -> list[tuple[str, int]]:
    """Gather each LA's latest year into the cache (``munro serve`` does it in the background at start),
    so that the first person to open a dashboard after a restart does not wait for it. Returns what was
    gathered; an LA-year that cannot be gathered is left for its page to report."""
    with waiting(0):  # a load in another process: no waiting while reading the store (pages do the same)
        return _warm(store, limit)


def _warm(store: Path, limit: int) -> list[tuple[str, int]]:
    latest: dict[str, int] = {}
    try:
        rows = loaded_returns(store)
    except MunroError:  # busy or unreadable: each page says so when it is asked for
        return []
    for r in (r for r in rows if r["kind"] == "annual"):  # an in-year extract is no year's return
        latest[r["la_code"]] = max(latest.get(r["la_code"], 0), int(r["collection_year"]))
    done = []
    for la, year in sorted(latest.items())[:limit]:
        try:
            _report(store, la, year)
        except Exception:  # noqa: BLE001 - a warm-up must never stop the service; the page shows the error
            continue
        done.append((la, year))
    return done


_returns: dict[str, tuple] = {}


def loaded_returns(store: Path) -> list[dict]:
    """The store's current returns (munro.store.returns.list_returns), kept until the store file changes.

    Every dashboard page asks which years are loaded, and opening the store takes
    tens of milliseconds: asked every time, 50 users' pages would spend their time on it.
    """
    if not Path(store).exists():
        return []
    stamp = store_stamp(store)  # before reading: a load during the read leaves a stamp that no longer matches
    hit = _returns.get(str(store))
    if hit and hit[0] == stamp:
        return hit[1]
    with reading():
        rows = list_returns(store)
    _returns[str(store)] = (stamp, rows)
    return rows


def charts(view) -> list:
    """The item's charts with their SVG, rendered on first view (the dashboard itself draws none)."""
    rendered = getattr(view, "_web_charts", None)
    if rendered is None:
        rendered = charts_mod.render(charts_mod.charts_for(view))
        view._web_charts = rendered  # lives with the cached ReportData, so it goes when the store changes
    return rendered


def find_item(data, item_id: str):
    for s in data.sections:
        for v in s.items:
            if v.item.id == item_id:
                return s, v
    return None, None


def chart_csv(chart) -> str:
    """The chart's table as CSV, the same formatted cells the page shows."""
    out = io.StringIO()
    w = csv_writer(out)
    w.writerow(chart.columns)
    w.writerows(chart.rows)
    return out.getvalue()
