"""Engines: where the indicator expressions run.

The indicators (``munro.indicators``) are written once, as Ibis expressions
over the store's merged history and the working-day calendar. An *engine*
hands them those tables on one backend:

- ``duckdb`` (default, ``munro.engines.duckdb``): the embedded store itself,
  attached read-only to an in-memory DuckDB database that holds the calendar
  and, for a run over a few LAs, copies of their merged history.

PostgreSQL and Spark come later, each as a module of this package loaded
only when asked for (the way Ibis and pandera keep their backends), so that
``import munro`` never imports psycopg or pyspark:

- add ``munro/engines/<name>.py`` with ``connect(target, **options) -> Engine``
  (a subclass of :class:`Engine` that implements ``_merged``, ``_load_calendar``
  and ``_current_returns``, from which ``history`` and ``extracts`` come);
- register it in ``_BACKENDS`` below and teach ``_engine_name`` its URL form
  (``postgresql://...``, ``spark`` / ``spark://...``);
- the engine's tables must have the store's column names and types (DATE
  dates, 0/1 integer flags), and its calendar the columns of
  ``munro.calendar.calendar_table()`` (``date``, ``is_working_day``, ``wd_index``);
- optionally, ``query_threads`` when the backend can run queries from several
  threads at once (DuckDB, each thread on a cursor of its own): the items then
  run two at a time, one compiled in Python while the other's query runs;
- optionally, ``period_table`` when the backend can keep a small table of the
  run's own (DuckDB): the periods of a computation are then one table every
  item joins, rather than a union of calendar rows compiled into each query.

Nothing else changes: the items never name an engine, and the conformance
tests run the same items on every engine and compare the results.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Ibis is imported only when an engine connects
    import ibis.expr.types as ir

# engine name -> module (relative to this package) that implements it
_BACKENDS = {"duckdb": ".duckdb", "postgresql": ".postgresql", "spark": ".spark"}

# The store's merged views (definitions.md section 1) the indicators read, by short name.
MERGED = ("children", "episodes", "assessments", "assessment_factors", "cin_plans", "section47",
          "cp_plans", "cp_reviews", "pre_proceedings")
# The merged views of the LA's local records beside the census (munro.localdata: docs/local-data.md).
LOCAL = ("looked_after_children", "looked_after_episodes", "cp_visits", "core_groups", "sw_allocations",
         "own_figures")
# Ofsted's Annex A lists the CIN census lacks (contacts, early help), merged over an LA's workbooks
# (munro.annexa.schema: ``merged_annex_a_<name>``).
ANNEX_A = ("contacts", "early_help")


@dataclass(frozen=True)
class Tables:
    """The tables one computation reads, as Ibis expressions (short names, no ``merged_`` prefix)."""

    children: ir.Table
    episodes: ir.Table
    assessments: ir.Table
    assessment_factors: ir.Table
    cin_plans: ir.Table
    section47: ir.Table
    cp_plans: ir.Table
    cp_reviews: ir.Table
    pre_proceedings: ir.Table
    looked_after_children: ir.Table
    looked_after_episodes: ir.Table
    cp_visits: ir.Table
    core_groups: ir.Table
    sw_allocations: ir.Table
    own_figures: ir.Table
    calendar: ir.Table
    contacts: ir.Table
    early_help: ir.Table


class Engine:
    """A connection to the store's data on one backend (subclasses implement the ``_`` methods).

    Use as a context manager, or call :meth:`close`.
    """

    name = "?"

    def __init__(self, backend):
        self.backend = backend  # the Ibis backend (connection)
        self._calendar = None

    # -- what subclasses implement

    def _merged(self, table: str, las: tuple[str, ...] | None) -> ir.Table:
        """``merged_<table>`` as an Ibis table, restricted to ``las`` (None: every LA)."""
        raise NotImplementedError

    def _load_calendar(self) -> ir.Table:
        """Put ``munro.calendar.calendar_table()`` into the engine once; return it as a table."""
        raise NotImplementedError

    def _current_returns(self) -> list[tuple[str, str, int, dt.date]]:
        """(LA, kind 'annual' or 'in-year', collection year, reference date) of every current return."""
        raise NotImplementedError

    def history(self) -> dict[str, list[int]]:
        """LA code -> the collection years of its current (not superseded) annual returns, sorted (an in-year
        extract is no year's return: ``extracts``)."""
        out: dict[str, list[int]] = {}
        for la, kind, year, _ in sorted(self._current_returns(), key=lambda r: (r[0], r[2])):
            if kind == "annual":
                out.setdefault(la, []).append(int(year))
        return out

    def extracts(self) -> dict[str, list[dt.date]]:
        """LA code -> the reference dates of its current in-year extracts, sorted (one at most per collection:
        a later extract, or the collection's annual return, supersedes it)."""
        out: dict[str, list[dt.date]] = {}
        for la, kind, _, day in sorted(self._current_returns(), key=lambda r: (r[0], r[3])):
            if kind == "in-year":
                out.setdefault(la, []).append(day)
        return out

    def _local_loads(self) -> list[tuple[str, str, int]]:
        """(LA, kind, year) of every current load of local records (munro.localdata)."""
        raise NotImplementedError

    def annex_a(self, name: str, las: tuple[str, ...] | None) -> ir.Table:
        """``merged_annex_a_<name>`` (an Annex A list: ``munro.annexa.schema.TABLES``), restricted to ``las``;
        no rows where the store or export has none."""
        raise NotImplementedError

    def annex_a_cover(self) -> dict[str, list[tuple]]:
        """LA code -> (first day, as-at date) of each current Annex A workbook: the days its lists cover."""
        return {}

    def local_history(self) -> dict[str, dict[str, list[int]]]:
        """LA code -> kind of local records (``ssda903-episodes``, ``cp-visits``...) -> the years loaded."""
        out: dict[str, dict[str, list[int]]] = {}
        for la, kind, year in sorted(self._local_loads()):
            out.setdefault(la, {}).setdefault(kind, []).append(int(year))
        return out

    def population(self, la: str, year: int):
        """The 0-17 population a rate for ``la`` in ``year`` divides by (``munro.population.Population``)."""
        raise NotImplementedError

    def close(self) -> None:
        self.backend.disconnect()

    def query_threads(self) -> contextlib.AbstractContextManager[Callable[[ir.Table], Any] | None]:
        """A way to run queries from several threads at once, as ``run(expr) -> pyarrow.Table``, or None
        (the default: one query at a time, each on the expression's own backend). While one item's query
        runs in the engine, the next item's is built and compiled in Python (Ibis: about half of an
        item's time), so an engine that can take them together should say so."""
        return contextlib.nullcontext(None)

    def period_table(self, rows: list[tuple[int, dt.date, dt.date, dt.date | None]]) -> ir.Table | None:
        """The periods of one computation (``munro.indicators.context.Context.period_table``: index, p_start,
        p_end, p_cut) as a small table the engine keeps for the pass, or None (the default: the context
        draws them from the calendar in every query, which needs no table of the run's own)."""
        return None

    # -- shared

    @property
    def calendar(self) -> ir.Table:
        if self._calendar is None:
            self._calendar = self._load_calendar()
        return self._calendar

    def tables(self, las: Iterable[str] | None = None) -> Tables:
        """The merged history of ``las`` (every LA when None) and the calendar."""
        key = None if las is None else tuple(sorted(set(las)))
        return Tables(**{t: self._merged(t, key) for t in MERGED + LOCAL}, calendar=self.calendar,
                      **{t: self.annex_a(t, key) for t in ANNEX_A})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _engine_name(target: str | os.PathLike | None) -> str:
    text = "" if target is None else str(target)
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    if text == "spark" or text.startswith(("spark://", "yarn", "local[")):
        return "spark"
    return "duckdb"


def connect(target: str | os.PathLike, **options) -> Engine:
    """An engine for ``target``: the path of a munro store (DuckDB), or later an engine URL.

    The engine's module is imported here, on first use.
    """
    name = _engine_name(target)
    module = importlib.import_module(_BACKENDS[name], __name__)
    return module.connect(target, **options)


@contextlib.contextmanager
def engine_for(db):
    """``db`` as an engine: a connected :class:`Engine` as it is (its owner closes it), or a store's
    path or an engine URL connected here and closed on leaving."""
    if isinstance(db, Engine):
        yield db
        return
    engine = connect(db)
    try:
        yield engine
    finally:
        engine.close()


__all__ = ["Engine", "Tables", "MERGED", "LOCAL", "ANNEX_A", "connect", "engine_for"]
