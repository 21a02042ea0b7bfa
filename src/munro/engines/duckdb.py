"""The DuckDB engine: the embedded munro store, read through Ibis.

The store file is ATTACHed read-only (as ``store``) to an in-memory DuckDB
database, so a computation never writes to the store and can run while other
readers have it open. The in-memory side holds what a run adds:

- ``munro_calendar``: ``munro.calendar.calendar_table()`` (date,
  is_working_day, wd_index), loaded once per connection;
- for a run over named LAs, a copy of each ``merged_*`` view restricted to
  those LAs (the views re-merge every return each time they are read; the
  items read them a dozen times). A run over every LA reads the views.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import MunroError
from . import MERGED, Engine

CALENDAR = "munro_calendar"


def _config() -> dict:
    # Same budget as the store (store/db.py): modest, so a national run stays small.
    return {"memory_limit": os.environ.get("MUNRO_DUCKDB_MEMORY", "256MB"),
            "preserve_insertion_order": False}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBEngine(Engine):
    # DuckDB 2.0 refuses new work on a connection with an unfinished result (Ibis shares this
    # connection): every raw statement here is fetched to the end with fetchall().

    name = "duckdb"

    def __init__(self, path: str | os.PathLike):
        import duckdb
        import ibis

        path = Path(path)
        if not path.is_file():
            raise MunroError(f"{path}: no munro store here yet (load a return with 'munro ingest' first)")
        backend = ibis.duckdb.connect(**_config())
        super().__init__(backend)
        self.path = path
        raw = self.raw
        try:
            raw.execute(f"ATTACH {_quote(str(path))} AS store (READ_ONLY)").fetchall()
        except duckdb.Error as e:
            backend.disconnect()
            text = str(e).splitlines()[0]
            if "lock" in text.lower():
                raise MunroError(f"{path}: the store is being written by another process") from None
            raise MunroError(f"{path}: cannot open the store ({text})") from None
        has_meta = raw.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'store' "
                               "AND table_name = 'munro_meta'").fetchall()[0][0]
        if not has_meta:
            backend.disconnect()
            raise MunroError(f"{path}: not a munro store (no returns have been loaded into it)")
        self._copies: dict[tuple[str, ...], str] = {}

    @property
    def raw(self):
        """The underlying duckdb connection (for loading data; items use Ibis only)."""
        return self.backend.con

    def _load_calendar(self):
        from ..calendar import calendar_table

        raw = self.raw
        raw.register("munro_calendar_arrow", calendar_table())
        try:
            # Ibis 12's create_table from an Arrow table emits an invalid DROP VIEW with
            # sqlglot 30 (see the package notes), so the copy is plain SQL.
            raw.execute(f"CREATE OR REPLACE TABLE main.{CALENDAR} AS SELECT CAST(date AS DATE) AS date, "
                        "CAST(is_working_day AS INTEGER) AS is_working_day, "
                        "CAST(wd_index AS INTEGER) AS wd_index FROM munro_calendar_arrow ORDER BY date").fetchall()
        finally:
            raw.unregister("munro_calendar_arrow")
        return self.backend.table(CALENDAR)

    def _merged(self, table: str, las):
        if las is None:
            return self.backend.table(f"merged_{table}", database="store")
        prefix = self._copies.get(las)
        if prefix is None:
            prefix = f"m{len(self._copies) + 1}"
            marks = ", ".join("?" for _ in las)
            for t in MERGED:
                self.raw.execute(f"CREATE OR REPLACE TABLE main.{prefix}_{t} AS "
                                 f"SELECT * FROM store.merged_{t} WHERE la_code IN ({marks})", list(las)).fetchall()
            self._copies[las] = prefix
        return self.backend.table(f"{prefix}_{table}")

    def population(self, la: str, year: int):
        """The population of a rate: the store's override (``munro population set``), else ONS."""
        from ..population import population_for

        return population_for(self.path, la, year)

    def history(self) -> dict[str, list[int]]:
        rows = self.raw.execute("SELECT la_code, collection_year FROM store.returns WHERE status = 'current' "
                                "ORDER BY la_code, collection_year").fetchall()
        out: dict[str, list[int]] = {}
        for la, year in rows:
            out.setdefault(la, []).append(int(year))
        return out


def connect(target: str | os.PathLike, **options) -> DuckDBEngine:
    text = str(target)
    if text.startswith("duckdb://"):
        text = text[len("duckdb://"):]
    return DuckDBEngine(text, **options)
