"""Retention: ``munro retention --keep-years N`` removes whole collection years that are too old.

The years kept are the latest N collection years loaded in the store (any
LA's): with 2025 the latest and N = 4, 2022 to 2025 stay and 2021 and
before go. A year goes whole: every return of it (current or superseded, of
every LA) and every row of every table that belongs to those returns (any
table with a ``return_id``: the census tables, validation findings, a pooled
store's lineage, and tables added later), in one transaction, so a failure
removes nothing. Everything else (later years, population overrides,
published statistics) is untouched.

Each removal is logged in the store's ``retention_log`` (one row per return
removed: when, by whom, the rule applied, the LA, year, file and rows
removed) and printed. Items of the years kept that look back (re-referrals,
repeat plans) then see only the history that is left, and say which years
they had.

DuckDB reuses the space of deleted rows but does not overwrite it at once:
to leave no trace in the file, export the store and load the export again.
The web service's administrator page calls ``retention`` and ``retention_history``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from ..errors import MunroError
from .db import open_store

RETENTION_LOG_DDL = """
CREATE TABLE IF NOT EXISTS retention_log (
    run_at          TIMESTAMP NOT NULL,
    run_by          VARCHAR NOT NULL,
    keep_years      INTEGER NOT NULL,
    first_kept_year INTEGER NOT NULL,
    return_id       INTEGER NOT NULL,
    la_code         VARCHAR NOT NULL,
    collection_year INTEGER NOT NULL,
    status          VARCHAR NOT NULL,
    file_name       VARCHAR NOT NULL,
    rows_removed    BIGINT NOT NULL
)
"""
_LOGGED = ("return_id", "la_code", "collection_year", "status", "file_name")


@dataclass
class RetentionOutcome:
    keep_years: int
    first_kept_year: int | None  # None: nothing loaded
    removed: list[dict] = field(default_factory=list)  # per return: _LOGGED and rows_removed
    dry_run: bool = False

    def lines(self) -> list[str]:
        if self.first_kept_year is None:
            return ["No returns loaded: nothing to remove."]
        verb = "would remove" if self.dry_run else "removed"
        head = (f"retention: keep {self.keep_years} collection year(s), {self.first_kept_year - 1}-"
                f"{str(self.first_kept_year)[2:]} onwards")
        if not self.removed:
            return [f"{head}: nothing older is loaded"]
        rows = sum(r["rows_removed"] for r in self.removed)
        out = [f"{head}: {verb} {len(self.removed)} return(s), {rows:,} rows"]
        out += [f"  {verb} return {r['return_id']} (LA {r['la_code']}, {r['collection_year'] - 1}-"
                f"{str(r['collection_year'])[2:]}, {r['status']}, {r['file_name']}): {r['rows_removed']:,} rows"
                for r in self.removed]
        return out


def _tables_with_return_id(con) -> list[str]:
    rows = con.execute("SELECT table_name FROM information_schema.columns WHERE column_name = 'return_id' "
                       "AND table_schema = 'main' AND table_catalog = current_database() AND table_name IN "
                       "(SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE') "
                       "AND table_name NOT IN ('returns', 'retention_log') ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def retention(db: str | os.PathLike, keep_years: int, *, dry_run: bool = False,
              run_by: str | None = None) -> RetentionOutcome:
    """Remove the collection years before the latest ``keep_years`` from the store (``dry_run``: only say which)."""
    if keep_years < 1:
        raise MunroError("--keep-years must be at least 1 (removing every year is not retention)")
    con = open_store(db, read_only=dry_run)
    try:
        latest = con.execute("SELECT max(collection_year) FROM returns").fetchall()[0][0]
        if latest is None:
            return RetentionOutcome(keep_years, None, dry_run=dry_run)
        first = latest - keep_years + 1
        old = con.execute(f"SELECT {', '.join(_LOGGED)} FROM returns WHERE collection_year < ? "
                          "ORDER BY collection_year, la_code, return_id", [first]).fetchall()
        outcome = RetentionOutcome(keep_years, first, [dict(zip(_LOGGED, r)) for r in old], dry_run)
        if not old:
            return outcome
        tables = _tables_with_return_id(con)
        ids = ", ".join(str(int(r["return_id"])) for r in outcome.removed)
        counts: dict[int, int] = {r["return_id"]: 1 for r in outcome.removed}  # the returns row itself
        for table in tables:
            for rid, n in con.execute(f'SELECT return_id, count(*) FROM "{table}" WHERE return_id IN ({ids}) '
                                      "GROUP BY 1").fetchall():
                counts[rid] += n
        for r in outcome.removed:
            r["rows_removed"] = counts[r["return_id"]]
        if dry_run:
            return outcome
        _remove(con, outcome, tables, ids, run_by or _user())
        return outcome
    finally:
        con.close()


def _remove(con, outcome: RetentionOutcome, tables: list[str], ids: str, run_by: str) -> None:
    con.execute(RETENTION_LOG_DDL).fetchall()
    now = dt.datetime.now()
    con.execute("BEGIN TRANSACTION")
    try:
        for table in tables:
            con.execute(f'DELETE FROM "{table}" WHERE return_id IN ({ids})').fetchall()
        con.execute(f"DELETE FROM returns WHERE return_id IN ({ids})").fetchall()
        for r in outcome.removed:
            con.execute("INSERT INTO retention_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [now, run_by, outcome.keep_years, outcome.first_kept_year,
                         *(r[c] for c in _LOGGED), r["rows_removed"]])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("CHECKPOINT").fetchall()  # the deleted rows leave the write-ahead log now


def retention_history(db: str | os.PathLike) -> list[dict]:
    """Every return removed by retention so far, newest run first (empty when none has run)."""
    con = open_store(db, read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_name = 'retention_log'").fetchall()[0][0]:
            return []
        cur = con.execute("SELECT * FROM retention_log ORDER BY run_at DESC, collection_year, la_code")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in a container: still log the run
        return "unknown"


__all__ = ["retention", "retention_history", "RetentionOutcome"]
