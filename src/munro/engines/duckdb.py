"""The DuckDB engine: the embedded munro store, read through Ibis.

The store file is ATTACHed read-only (as ``store``) to an in-memory DuckDB
database, so a computation never writes to the store and can run while other
readers have it open. The in-memory side holds what a run adds:

- ``munro_calendar``: ``munro.calendar.calendar_table()`` (date,
  is_working_day, wd_index), loaded once per connection;
- the merged history (``merged_*``) of the run's LAs, or of every LA,
  materialised once per run as ``m<n>_<table>``: the store's views re-merge
  every return each time they are read, and the items read them a few dozen
  times. The copies are made from the raw tables with the views' own SQL
  (``munro.store.merge.merged_selects``), the LA filter applied before the
  merge and each follower (factors, reviews) joining its parent's copy.
  DuckDB keeps them within a run's memory limit (a quarter of the
  machine's memory, or ``MUNRO_DUCKDB_MEMORY``: ``store.db.duckdb_config``),
  spilling beyond it to a temporary folder of the run's own, removed when
  the engine closes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..annexa import schema as annex_a_schema
from ..calendar import calendar_table
from ..errors import MunroError
from ..localdata.layouts import LAYOUTS
from ..population import population_among, read_overrides
from ..store.db import (
    RUN_MEMORY,
    check_intact,
    check_munro,
    duckdb_config,
    explain,
    opened,
    retry_while_busy,
    sniff,
    without_progress_bar,
)
from ..store.merge import merged_selects
from ..store.schema import kind_sql
from . import LOCAL, MERGED, Engine

if TYPE_CHECKING:
    from .sql_cache import SqlCache

CALENDAR = "munro_calendar"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBEngine(Engine):
    # DuckDB 2.0 refuses new work on a connection with an unfinished result (Ibis shares this
    # connection): every raw statement here is fetched to the end with fetchall().

    name = "duckdb"

    def __init__(self, path: str | os.PathLike):
        # lazily: Ibis (slow to import) only when an engine connects
        import duckdb
        import ibis

        path = Path(path)
        if not path.is_file():
            raise MunroError(f"{path}: no munro store here yet (load a return with 'munro ingest' first)")
        # What the run's copies spill beyond the memory limit goes here, not into the working directory
        # (an in-memory DuckDB's default), which may be anywhere or read-only.
        self._spill = tempfile.mkdtemp(prefix="munro-duckdb-")
        # Removed by close(), else when the engine is collected or Python exits.
        self._remove_spill = weakref.finalize(self, shutil.rmtree, self._spill, True)
        backend = ibis.duckdb.connect(**duckdb_config(RUN_MEMORY), temp_directory=self._spill)
        without_progress_bar(backend.con)
        super().__init__(backend)
        self.path = path
        raw = self.raw
        try:
            sniff(path)
            # Waits a few seconds for a load in another process to finish (store.db.wait_seconds).
            retry_while_busy(lambda: raw.execute(f"ATTACH {_quote(str(path))} AS store (READ_ONLY)").fetchall(),
                             path, writing=False)
            check_intact(raw, path, "store")
            check_munro(raw, path, "store")
            opened(path)  # as every open of the store: owner-only, a killed load's staging folder removed
        except duckdb.Error as e:
            self.close()
            raise explain(e, path) or MunroError(f"{path}: cannot open the store ({str(e).splitlines()[0]})") \
                from None
        except BaseException:
            self.close()
            raise
        self._copies: dict[tuple[str, ...] | None, str] = {}
        self._annex_a_copies: dict[tuple, str] = {}
        self._overrides: list[dict] | None = None
        self._period_tables: dict[tuple, str] = {}  # the periods' rows -> their table (period_table)
        self._sql_cache: SqlCache | None = None  # the queries' compiled SQL (engines.sql_cache), made when used
        self._lock = threading.Lock()  # period_table is called from the items' threads

    def close(self) -> None:
        super().close()
        self._remove_spill()
        cache = getattr(self, "_sql_cache", None)  # None too when __init__ failed before making it
        if cache is not None:
            cache.close()

    @contextlib.contextmanager
    def query_threads(self) -> Iterator[Callable]:
        """Queries from several threads, each thread on a cursor of its own: a DuckDB connection runs one
        statement at a time, while its cursors share the database (the attached store, the calendar, the
        run's merged copies) and each releases the GIL while DuckDB works."""
        import ibis  # lazily: Ibis (slow to import) only when an engine runs, as in __init__

        from .sql_cache import SqlCache  # lazily: it imports Ibis

        if self._sql_cache is None:
            self._sql_cache = SqlCache(self.path)
        sql_cache = self._sql_cache
        local, lock, cursors = threading.local(), threading.Lock(), []
        self._read_overrides()  # now, on this connection, not by two threads at once

        def run(expr):
            backend = getattr(local, "backend", None)
            if backend is None:
                with lock:
                    cursor = self.raw.cursor()  # inherits the connection's settings (no progress bar)
                    cursors.append(cursor)
                backend = local.backend = ibis.duckdb.from_connection(cursor)
                backend.compile = sql_cache.compiling(backend.compile, backend.name)
            return backend.to_pyarrow(expr)

        try:
            yield run
        finally:
            for cursor in cursors:
                cursor.close()

    @property
    def raw(self):
        """The underlying duckdb connection (for loading data; items use Ibis only)."""
        return self.backend.con

    def _load_calendar(self):
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
        prefix = self._copies.get(las)
        if prefix is None:
            prefix = self._materialise(las)
            self._copies[las] = prefix
        return self.backend.table(f"{prefix}_{table}")

    def _materialise(self, las) -> str:
        """Copy the merged history of ``las`` (None: every LA) into this run's tables, once.

        The merge runs from the store's raw tables (``store.merge.merged_selects``), parents
        first, each follower joining its parent's copy, so nothing is merged twice; an LA
        filter is applied to the raw tables before merging.
        """
        prefix = f"m{len(self._copies) + 1}"
        # A store from before the local records (opened read-only, so not upgraded) has none of them.
        local = self._store_has("local_loads")
        absent = self._absent_columns() if local else {}
        for name, select in merged_selects(raw="store.", merged=f"main.{prefix}_", las=las, local=local,
                                           absent=absent):
            if name in MERGED + LOCAL:
                self.raw.execute(f"CREATE OR REPLACE TABLE main.{prefix}_{name} AS {select}").fetchall()
        return prefix

    def period_table(self, rows):
        """The periods as a table of the run's (``p<n>``), made once per set of periods: every item joins it,
        and the calendar's union of one row per period cost each query's compilation and planning time in
        proportion to the periods (24 for a monthly series). A window ending outside the calendar has no
        row, as in the calendar's union."""
        def day(d: dt.date | None) -> str:
            return "NULL" if d is None else f"DATE '{d.isoformat()}'"

        key = tuple(rows)
        with self._lock:
            name = self._period_tables.get(key)
            if name is None:
                name = self._period_tables[key] = f"p{len(self._period_tables) + 1}"
                values = ", ".join(f"({int(i)}, {day(start)}, {day(end)}, {day(cut)})" for i, start, end, cut in rows)
                self.raw.execute(
                    f"CREATE OR REPLACE TABLE main.{name} AS SELECT CAST(v.i AS BIGINT) AS period, "
                    "CAST(v.s AS DATE) AS p_start, c.date AS p_end, CAST(v.x AS DATE) AS p_cut "
                    f"FROM (VALUES {values}) AS v(i, s, e, x) JOIN main.{CALENDAR} c ON c.date = CAST(v.e AS DATE) "
                    "ORDER BY period").fetchall()
            return self.backend.table(name)

    def annex_a(self, name: str, las):
        copy = self._annex_a_copies.get((name, las))
        if copy is not None:
            return self.backend.table(copy)
        number = annex_a_schema.number_of(name)
        # A store from before Annex A (opened read-only, so not upgraded) has none of it.
        select = (annex_a_schema.merged_select(number, raw="store.") if self._store_has(annex_a_schema.TABLES[number])
                  else annex_a_schema.empty_select(number))
        if las is not None:
            select = f"SELECT * FROM ({select}) WHERE la_code IN ({', '.join(_quote(la) for la in las) or 'NULL'})"
        # Copied once per run and LAs, as the merged history is (_materialise).
        copy = self._annex_a_copies[(name, las)] = f"a{len(self._annex_a_copies) + 1}_{name}"
        self.raw.execute(f"CREATE OR REPLACE TABLE main.{copy} AS {select}").fetchall()
        return self.backend.table(copy)

    def annex_a_cover(self) -> dict[str, list[tuple]]:
        if not self._store_has(annex_a_schema.TABLES[1]):
            return {}
        return annex_a_schema.cover(self.raw.execute(
            "SELECT la_code, covers_from, as_at FROM store.local_loads WHERE status = 'current' AND kind = ?",
            [annex_a_schema.KIND]).fetchall())

    def _absent_columns(self) -> dict[str, set[str]]:
        """Local records' table -> the columns of its layout that the store's raw table lacks (a store of an
        older schema, opened read-only, so not upgraded: ``sw_allocations.team``)."""
        have: dict[str, set[str]] = {}
        for t, c in self.raw.execute("SELECT table_name, column_name FROM information_schema.columns "
                                     "WHERE table_catalog = 'store'").fetchall():
            have.setdefault(t, set()).add(c)
        return {layout.table: {c.store for c in layout.columns} - have.get(layout.table, set())
                for layout in LAYOUTS.values()}

    def _store_has(self, table: str) -> bool:
        return bool(self.raw.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'store' "
                                     "AND table_name = ?", [table]).fetchall()[0][0])

    def _local_loads(self) -> list[tuple[str, str, int]]:
        if not self._store_has("local_loads"):
            return []
        return self.raw.execute("SELECT la_code, kind, year FROM store.local_loads WHERE status = 'current'").fetchall()

    def population(self, la: str, year: int):
        """The population of a rate: the store's override (``munro population set``), else ONS."""
        return population_among(self._read_overrides(), la, year)

    def _read_overrides(self) -> list[dict]:
        if self._overrides is None:
            self._overrides = read_overrides(self.raw, catalog="store")
        return self._overrides

    def _current_returns(self) -> list[tuple[str, str, int, dt.date]]:
        # A store of schema 4 (attached read-only, so not migrated) has no kinds: read from the dates.
        kind = "r.kind" if self.raw.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_catalog = 'store' AND table_name = "
            "'returns' AND column_name = 'kind'").fetchall()[0][0] else kind_sql("r")
        return self.raw.execute(f"SELECT r.la_code, {kind}, r.collection_year, r.reference_date FROM store.returns r "
                                "WHERE r.status = 'current'").fetchall()


def preload() -> None:
    """Import what connecting and running need (Ibis and its DuckDB backend, about 0.2 s; the backend's
    converter of results, which Ibis imports at the first query and which imports pandas, about 0.3 CPU s):
    a long-running service calls it when it starts, so that its first request does not pay for them (the
    CLI does not)."""
    import ibis  # lazily, as in DuckDBEngine: only a service preloads

    ibis.duckdb  # noqa: B018 - the attribute imports the backend's module
    # lazily too: Ibis's to_pyarrow imports it (and pandas) at a run's first query
    import ibis.backends.duckdb.converter  # noqa: F401


def connect(target: str | os.PathLike, **options) -> DuckDBEngine:
    text = str(target)
    if text.startswith("duckdb://"):
        text = text[len("duckdb://"):]
    return DuckDBEngine(text, **options)
