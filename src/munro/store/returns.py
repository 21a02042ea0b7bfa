"""What is loaded: the returns table, for people and for code."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from typing import Any

from ..errors import MunroError
from ..output import record, table
from ..reference import local_authorities
from ..years import is_in_year
from .db import open_store
from .outcome import LoadOutcome
from .schema import as_at_sql, kind_sql

_COLUMNS = ("return_id", "la_code", "collection_year", "status", "file_name", "loaded_at",
            "children", "episodes", "assessments", "section47", "cp_plans", "warnings", "reference_date")


def return_words(year: int, reference_date: dt.date) -> str:
    """A return's year as a load's line says it: '2024-25' (an annual return), '2025-26 in-year extract of
    31 October 2025'."""
    if not is_in_year(year, reference_date):
        return year_words(year)
    return f"{year_words(year)} in-year extract of {reference_date.day} {reference_date:%B %Y}"


def list_returns(db: str | os.PathLike[str], include_superseded: bool = False) -> list[dict[str, Any]]:
    """The loaded returns, newest year first (a year's annual return, then its in-year extracts, latest
    first), as dicts; ``kind`` is 'annual' or 'in-year' (its ``reference_date`` says as at when)."""
    con = open_store(db, read_only=True)
    try:
        where = "" if include_superseded else "WHERE status = 'current'"
        # A store of schema 4, opened read-only (not migrated), has no kinds yet: read from the dates.
        kind = "r.kind" if con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                                       "'returns' AND column_name = 'kind'").fetchall()[0][0] else kind_sql("r")
        # A pooled store (store.pooled) also says who sent each return: its export and key.
        pooled = con.execute("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = 'pooled_returns'").fetchall()[0][0]
        sent = ", p.exported_at, p.key_fingerprint" if pooled else ", NULL, NULL"
        join = "LEFT JOIN pooled_returns p USING (return_id, la_code, collection_year)" if pooled else ""
        rows = con.execute(
            f"SELECT {', '.join('r.' + c for c in _COLUMNS)}, {kind}{sent} FROM returns r {join} {where} "
            f"ORDER BY r.la_code, r.collection_year DESC, {as_at_sql('r')} DESC, r.return_id DESC"
        ).fetchall()
    finally:
        con.close()
    return [dict(zip((*_COLUMNS, "kind", "exported_at", "key_fingerprint"), r)) for r in rows]


_LOCAL_COLUMNS = ("load_id", "kind", "la_code", "year", "status", "file_name", "loaded_at", "rows", "children",
                  "unmatched")


def list_local_loads(db: str | os.PathLike[str], include_superseded: bool = False) -> list[dict[str, Any]]:
    """The loaded files of local records (SSDA903, visits, core groups, allocations, own figures), as dicts."""
    con = open_store(db, read_only=True)
    try:
        # A store made before local records (schema 3), opened read-only, has no register of them.
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'local_loads'"
                           ).fetchall()[0][0]:
            return []
        where = "" if include_superseded else "WHERE status = 'current'"
        # An Annex A's as-at date and months (schema 5; NULL before, and for the other kinds).
        annex_a = [c if c in _columns(con, "local_loads") else f"NULL AS {c}" for c in _ANNEX_A_COLUMNS]
        rows = con.execute(f"SELECT {', '.join(_LOCAL_COLUMNS + tuple(annex_a))} FROM local_loads {where} "
                           "ORDER BY la_code, year DESC, kind, as_at DESC NULLS LAST, load_id DESC").fetchall()
    finally:
        con.close()
    return [dict(zip(_LOCAL_COLUMNS + _ANNEX_A_COLUMNS, r)) for r in rows]


_ANNEX_A_COLUMNS = ("as_at", "months")


def _columns(con: Any, table: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                      [table]).fetchall()}


def _local_year(r: dict[str, Any]) -> str:
    """A local load's year; an Annex A's months and the date its lists run to."""
    if r.get("as_at") is not None:
        return f"{r['months']} months to {r['as_at']:%d/%m/%Y}"
    y = r["year"]
    return f"{y - 1}-{str(y)[2:]}"


def format_local_loads(rows: list[dict[str, Any]]) -> str:
    """The local records as a table under a heading ('' when there are none)."""
    if not rows:
        return ""
    lines = [("id", "kind", "LA", "year", "status", "rows", "children", "unmatched", "loaded", "file")]
    for r in rows:
        lines.append((str(r["load_id"]), r["kind"], r["la_code"], _local_year(r), r["status"],
                      f"{r['rows']:,}", f"{r['children'] or 0:,}", f"{r['unmatched'] or 0:,}",
                      r["loaded_at"].strftime("%Y-%m-%d %H:%M"), r["file_name"]))
    return "Local records:\n" + table(lines)


def format_returns(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No returns loaded."
    header = ("id", "LA", "year", "status", "children", "episodes", "plans", "warnings", "loaded", "file")
    lines = [header]
    for r in rows:
        y = r["collection_year"]
        # An in-year extract's year says so, with its date: "2025-26 (in-year, 2025-10-31)".
        extract = f" (in-year, {r['reference_date'].isoformat()})" if r["kind"] == "in-year" else ""
        lines.append((str(r["return_id"]), r["la_code"], f"{y - 1}-{str(y)[2:]}{extract}", r["status"],
                      f"{r['children']:,}", f"{r['episodes']:,}", f"{r['cp_plans']:,}", f"{r['warnings']:,}",
                      r["loaded_at"].strftime("%Y-%m-%d %H:%M"), r["file_name"] + _sent(r)))
    return table(lines)


def format_loaded(loaded: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> str:
    """``munro returns``: the returns (``list_returns``), then the local records (``list_local_loads``) if any."""
    returns, local = loaded
    local_text = format_local_loads(local)
    return format_returns(returns) + ("\n\n" + local_text if local_text else "")


RETURN_KEYS = ("kind", "return_id", "la_code", "year", "return_kind", "reference_date", "status", "file_name",
               "loaded_at", "children", "episodes", "assessments", "section47", "cp_plans", "warnings", "exported_at",
               "key_fingerprint")
LOCAL_KEYS = ("kind", "load_id", "la_code", "year", "status", "file_name", "loaded_at", "rows", "children",
              "unmatched", "as_at", "months")


def loaded_records(loaded: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """``munro returns --format json``: each return (``kind`` "cin-census"; ``return_kind`` "annual" or
    "in-year", as at its ``reference_date``) and each file of local records (``kind`` its layout, e.g.
    "cp-visits") as an object with the same keys (``RETURN_KEYS``, ``LOCAL_KEYS``)."""
    returns, local = loaded
    return ([record({**r, "kind": "cin-census", "return_kind": r["kind"], "year": r["collection_year"]},
                    keys=RETURN_KEYS) for r in returns]
            + [record(r, keys=LOCAL_KEYS) for r in local])


def outcome_record(outcome: LoadOutcome) -> dict[str, Any]:
    """One file's outcome of ``munro ingest`` (``munro.loading.load_files``) as a JSON object: its
    ``LoadOutcome.record()``: ``file``, ``kind`` ("cin-census", a local layout, or "pooled-export"),
    ``status`` ("rejected" with ``error``), what was loaded, and what it made superseded (``replaced``)."""
    return outcome.record()


_COUNTED = ("children", "episodes", "assessments", "section47", "cp_plans")


def _sent(r: dict[str, Any]) -> str:
    """Where a pooled return came from: the LA's pseudonymised export, by date and key."""
    if not r.get("key_fingerprint"):
        return ""
    return f" (sent by LA {r['la_code']}: export of {str(r['exported_at'])[:10]}, key {r['key_fingerprint']})"


# ---------------------------------------------------------------- is the year's return loaded?


from ..years import year_label as year_words  # noqa: E402 - one writing of a year, munro.years


def years_words(years: Iterable[int]) -> str:
    """Reporting years as people write them, runs joined: [2019, 2021, 2022, 2023] -> '2018-19, 2020-21 to 2022-23'."""
    runs: list[list[int]] = []
    for y in sorted({int(y) for y in years}):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(year_words(r[0]) + (f" to {year_words(r[-1])}" if len(r) > 1 else "") for r in runs) or "none"


def la_words(la: str) -> str:
    """'LA 330 Birmingham' (just 'LA 999' for a code munro does not know)."""

    known = local_authorities().get(str(la))
    return f"LA {la} {known.name}" if known else f"LA {la}"


class NoReturn(MunroError):
    """The LA's return for the year is not loaded: its figures for the year cannot be right.

    ``la``, ``year`` and ``loaded`` (the LA's loaded reporting years) let a page say the same in its own
    words; ``what`` is the message without its advice."""

    def __init__(self, la: str, year: int, loaded: Iterable[int], db: str | os.PathLike[str] | None = None,
                 nor: str = "") -> None:
        self.la, self.year, self.loaded = str(la), int(year), sorted({int(y) for y in loaded})
        if self.loaded:
            self.what = (f"no {year_words(year)} return is loaded for {la_words(la)} "
                         f"(loaded: {years_words(self.loaded)})")
            advice = "load it with `munro ingest` or choose a loaded year"
        else:
            self.what = f"no returns for {la_words(la)} are loaded" + (f" in {db}" if db is not None else "")
            advice = "load them with `munro ingest`"
        super().__init__(f"{self.what}{nor}: {advice}")


def years_of(rows: Iterable[dict[str, Any]], la: str) -> list[int]:
    """The reporting years of ``la``'s annual returns among ``list_returns`` rows (an in-year extract is no
    year's return: ``Engine.history`` counts the same)."""
    return sorted({int(r["collection_year"]) for r in rows if r["la_code"] == str(la) and r["kind"] == "annual"})


def require_return(db: str | os.PathLike[str] | None, la: str, year: int,
                   loaded: Iterable[int] | None = None) -> list[int]:
    """The reporting years loaded for LA ``la`` when ``year`` is one of them; else :class:`NoReturn`.

    Every figure of an LA for a year (the report, its items, benchmarks from its returns, child
    lists, audit samples, the web pages) needs the year's own return: without it the merged history
    holds only what later returns repeat, and every figure would be quietly wrong. ``loaded`` is
    the LA's loaded years when the caller already has them (an engine's ``history()``, the web's
    cached list); otherwise they are read from the store ``db``.
    """
    if loaded is None:
        if db is None:
            raise ValueError("require_return needs the store or the years loaded")
        loaded = years_of(list_returns(db), la)
    years = sorted({int(y) for y in loaded})
    if int(year) not in years:
        raise NoReturn(la, year, years, db)
    return years


def require_any_return(db: str | os.PathLike[str], year: int, history: dict[str, list[int]] | None = None) -> list[str]:
    """The LAs with a ``year`` return loaded (``--la all``); a MunroError naming the years loaded if none has.

    ``history`` (LA -> its loaded years) when the caller has it; otherwise read from the store ``db``."""
    if history is None:
        history = {}
        for r in list_returns(db):
            if r["kind"] == "annual":
                history.setdefault(r["la_code"], []).append(int(r["collection_year"]))
    las = sorted(la for la, years in history.items() if int(year) in years)
    if not las:
        every = {y for years in history.values() for y in years}
        where = f" in {db}" if db is not None else ""
        raise MunroError(f"no LA has a {year_words(year)} return loaded{where} (loaded: {years_words(every)}): "
                         "load one with `munro ingest` or choose a loaded year")
    return las


def published_only(db: str | os.PathLike[str], la: str, year: int, published: bool) -> str | None:
    """``munro benchmark`` of a year without the LA's return: None when the return is loaded; a note saying
    that the LA's figures shown are its published ones when there are some (``published``); else NoReturn.

    Published statistics alone are a fair comparison (an LA with no returns loaded at all, or a year
    before its first), but the reader should know that none of the LA's figures comes from its returns."""
    years = years_of(list_returns(db), la)
    if int(year) in years:
        return None
    if not published:
        raise NoReturn(la, year, years, db, nor=f", nor any published figure of it for {year_words(year)}")
    return f"{NoReturn(la, year, years).what}: the LA's figures shown are its published ones only"
