"""Retention: ``munro retention --keep-years N`` removes whole collection years that are too old.

The years kept are the latest N collection years loaded in the store (any
LA's, census or local records): with 2025 the latest and N = 4, 2022 to 2025
stay and 2021 and before go. A year goes whole: every file of it in each
register (``store.identifiers.REGISTERS``: CIN returns, local loads; current
or superseded, of every LA) and every row of every table that belongs to
those files (any table with the register's ``return_id`` or ``load_id``: the
census tables, validation findings, local records, a pooled store's lineage,
and tables added later), in one transaction, so a failure removes nothing.
Everything else (later years, population overrides, published statistics) is
untouched.

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
import getpass
import os
from dataclasses import dataclass, field
from typing import Any

from ..errors import MunroError
from ..output import record
from ..tables import table
from .database import Store
from .identifiers import REGISTERS, Register

RETENTION_LOG = table(
    "retention_log",
    ("run_at", "TIMESTAMP", "NOT NULL"),
    ("run_by", "VARCHAR", "NOT NULL"),
    ("keep_years", "INTEGER", "NOT NULL"),
    ("first_kept_year", "INTEGER", "NOT NULL"),
    ("register", "VARCHAR", "NOT NULL", "'returns' (CIN census) or 'local_loads' (local records)"),
    ("file_id", "INTEGER", "NOT NULL", "its return_id or load_id"),
    ("la_code", "VARCHAR", "NOT NULL"),
    ("year", "INTEGER", "NOT NULL"),
    ("status", "VARCHAR", "NOT NULL"),
    ("file_name", "VARCHAR", "NOT NULL"),
    ("rows_removed", "BIGINT", "NOT NULL"),
)
_LOGGED = ("register", "file_id", "la_code", "year", "status", "file_name")


@dataclass
class RetentionOutcome:
    keep_years: int
    first_kept_year: int | None  # None: nothing loaded
    removed: list[dict[str, Any]] = field(default_factory=list)  # per return: _LOGGED and rows_removed
    dry_run: bool = False

    def lines(self) -> list[str]:
        if self.first_kept_year is None:
            return ["Nothing loaded: nothing to remove."]
        verb = "would remove" if self.dry_run else "removed"
        head = f"retention: keep {self.keep_years} collection year(s), {_label(self.first_kept_year)} onwards"
        if not self.removed:
            return [f"{head}: nothing older is loaded"]
        rows = sum(r["rows_removed"] for r in self.removed)
        out = [f"{head}: {verb} {len(self.removed)} file(s), {rows:,} rows"]
        out += [f"  {verb} {_NOUN[r['register']]} {r['file_id']} (LA {r['la_code']}, {_label(r['year'])}, "
                f"{r['status']}, {r['file_name']}): {r['rows_removed']:,} rows" for r in self.removed]
        return out


    def records(self) -> list[dict[str, Any]]:
        """``munro retention --format json``: each file removed (or that would be, with ``--dry-run``:
        ``removed`` false) as an object; its ``register`` is "returns" (CIN census) or "local_loads"."""

        return [record({**r, "keep_years": self.keep_years, "first_kept_year": self.first_kept_year,
                        "first_kept_year_label": _label(self.first_kept_year) if self.first_kept_year else None,
                        "removed": not self.dry_run})
                for r in self.removed]


_NOUN = {"returns": "return", "local_loads": "local load"}


def _label(year: int) -> str:
    return f"{year - 1}-{str(year)[2:]}"


def _tables_with(store: Store, column: str, register: str) -> list[str]:
    """Every table of the store whose rows belong to the register's files (found, so new tables are covered)."""
    rows = store.rows("SELECT table_name FROM information_schema.columns WHERE column_name = ? "
                       "AND table_schema = 'main' AND table_catalog = current_database() AND table_name IN "
                       "(SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE') "
                       "AND table_name <> ? ORDER BY 1", [column, register])
    return [r[0] for r in rows]


def retention(db: str | os.PathLike[str], keep_years: int, *, dry_run: bool = False,
              run_by: str | None = None) -> RetentionOutcome:
    """Remove the collection years before the latest ``keep_years`` from the store (``dry_run``: only say which)."""
    if keep_years < 1:
        raise MunroError("--keep-years must be at least 1 (removing every year is not retention)")
    with Store(db, read_only=dry_run) as store:
        years = [store.rows(f"SELECT max({r.year}) FROM {r.table}")[0][0] for r in REGISTERS]
        if all(y is None for y in years):
            return RetentionOutcome(keep_years, None, dry_run=dry_run)
        first = max(y for y in years if y is not None) - keep_years + 1
        outcome = RetentionOutcome(keep_years, first, dry_run=dry_run)
        plan: list[tuple[Register, list[str], str]] = []  # (register, tables, ids)
        for r in REGISTERS:
            old = store.rows(f"SELECT {r.id}, la_code, {r.year}, status, file_name FROM {r.table} "
                             f"WHERE {r.year} < ? ORDER BY {r.year}, la_code, {r.id}", [first])
            if not old:
                continue
            tables = _tables_with(store, r.id, r.table)
            ids = ", ".join(str(int(o[0])) for o in old)
            counts = {o[0]: 1 for o in old}  # the register's row itself
            for table in tables:
                for fid, n in store.rows(f'SELECT {r.id}, count(*) FROM "{table}" WHERE {r.id} IN ({ids}) '
                                         "GROUP BY 1"):
                    counts[fid] += n
            outcome.removed += [dict(zip(_LOGGED, (r.table, *o)), rows_removed=counts[o[0]]) for o in old]
            plan.append((r, tables, ids))
        if plan and not dry_run:
            _remove(store, outcome, plan, run_by or _user())
        return outcome


def _remove(store: Store, outcome: RetentionOutcome, plan: list[tuple[Register, list[str], str]], run_by: str) -> None:
    store.rows(RETENTION_LOG.ddl())
    now = dt.datetime.now()
    with store.transaction():
        for register, tables, ids in plan:
            for table in tables:
                store.rows(f'DELETE FROM "{table}" WHERE {register.id} IN ({ids})')
            store.rows(f"DELETE FROM {register.table} WHERE {register.id} IN ({ids})")
        for r in outcome.removed:
            store.rows(f"INSERT INTO retention_log VALUES (?, ?, ?, ?, {', '.join('?' for _ in _LOGGED)}, ?)",
                       [now, run_by, outcome.keep_years, outcome.first_kept_year, *(r[c] for c in _LOGGED),
                        r["rows_removed"]])
    store.rows("CHECKPOINT")  # the deleted rows leave the write-ahead log now


def retention_history(db: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every return removed by retention so far, newest run first (empty when none has run)."""
    with Store(db, read_only=True) as store:
        if not store.has_table("retention_log"):
            return []
        return store.records("SELECT * FROM retention_log ORDER BY run_at DESC, year, la_code")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in a container: still log the run
        return "unknown"


__all__ = ["retention", "retention_history", "RetentionOutcome"]
