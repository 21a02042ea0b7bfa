"""The SQL an item compiles to, in the dialect of an analyst's own warehouse.

``item_sql("assessment_timeliness", 2025, dialect="postgres")`` runs the
item's own code over *unbound* tables (the store's ``merged_*`` tables and
``munro_calendar``, by name and column type, with no data) and collects every
query the item would run, instead of running it. Each query groups by
``la_code``, so it serves one LA or all of them; the reporting year is in its
date literals. ``munro export`` writes tables of exactly these names, so the
SQL runs as printed against an exported PostgreSQL schema or Parquet folder.

An item may run more than one query (for example the headline and its
``from_referral`` figure); they are returned in the order the item runs them.
Items over an LA's local records (visits, looked-after episodes...) run their
queries whether or not any are loaded, so their SQL prints too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from ..annexa import schema as annex_a_schema
from ..calendar import CALENDAR_COLUMNS
from ..engines import ANNEX_A, LOCAL, MERGED, Tables
from ..errors import MunroError
from ..localdata import schema as local
from ..localdata.layouts import LAYOUTS
from ..store.merge import merged_columns
from ..years import Period
from .compute import ITEMS
from .context import Context

# Ibis names the dialects by its backends; users know them by their products.
DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "postgresql": "postgres", "mssql": "mssql",
            "spark": "pyspark", "pyspark": "pyspark"}
_TYPES = {"VARCHAR": dt.string, "DATE": dt.date, "INTEGER": dt.int32, "BIGINT": dt.int64,
          "TIMESTAMP": dt.timestamp, "DOUBLE": dt.float64}
CALENDAR_TABLE = "munro_calendar"


def unbound_tables() -> Tables:
    """The tables the items read, as Ibis tables with names and types but no backend."""
    def table(name: str, columns: Iterable[tuple[str, str]]) -> ir.Table:
        return ibis.table(ibis.schema({c: _TYPES[t] for c, t in columns}), name=name)

    merged = {t: table(f"merged_{t}", merged_columns(t)) for t in MERGED}
    layouts = {x.table: x for x in LAYOUTS.values()}
    merged |= {t: table(f"merged_{t}", local.merged_columns(layouts[t])) for t in LOCAL}
    annex_a = {t: table(f"merged_annex_a_{t}", annex_a_schema.merged_columns(annex_a_schema.number_of(t)))
               for t in ANNEX_A}
    return Tables(**merged, calendar=table(CALENDAR_TABLE, CALENDAR_COLUMNS), **annex_a)


class _Collecting(Context):
    """A context whose queries are kept, not run (the item sees no rows)."""

    def __init__(self, year: int):
        super().__init__(periods=(Period.of_year(year),), las=(), t=unbound_tables(), population=lambda la, year: None)
        self.queries: list[Any] = []

    def rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        self.queries.append(expr)
        return []


def item_expressions(item: str, year: int) -> list[ir.Table]:
    """The Ibis expressions item ``item`` runs for reporting year ``year``, in order."""

    if item not in ITEMS:
        raise MunroError(f"unknown item {item!r} (known: {', '.join(ITEMS)})")
    ctx = _Collecting(int(year))
    ITEMS[item](ctx)
    return ctx.queries


def _compiler_ready(dialect: str) -> None:
    if dialect == "pyspark":
        try:  # the Spark compiler reads options that its backend registers when first used
            # lazily: pyspark, the spark extra, only for the Spark SQL of an item
            from ibis.backends.pyspark import Backend
        except ImportError:
            raise MunroError("the Spark dialect needs munro's spark extra: pip install 'munro[spark]'") from None
        Backend.register_options()


def item_sql(item: str, year: int, dialect: str = "duckdb") -> list[str]:
    """The SQL statements item ``item`` runs for reporting year ``year``, in ``dialect``.

    ``dialect`` is one of duckdb, postgres (postgresql), mssql, spark. An item that uses
    an operation the dialect cannot express raises a MunroError that names it.
    """
    name = DIALECTS.get(dialect.lower())
    if name is None:
        raise MunroError(f"unknown SQL dialect {dialect!r} (choose from duckdb, postgres, mssql, spark)")
    _compiler_ready(name)
    out = []
    for expr in item_expressions(item, year):
        try:
            out.append(ibis.to_sql(expr, dialect=name).strip())
        except ibis.common.exceptions.OperationNotDefinedError as e:
            raise MunroError(f"{item} cannot be written in {dialect} SQL: {_operation(e)}") from None
    return out


def _operation(error: Exception) -> str:
    text = str(error)
    # "Compilation rule for 'Quantile' operation is not defined"
    if "'Quantile'" in text or "'MultiQuantile'" in text:
        return ("it takes percentiles (PERCENTILE_CONT), which SQL Server has only as a window function "
                "and Ibis cannot compile as an aggregate")
    return text


def format_sql(item: str, year: int, dialect: str = "duckdb") -> str:
    """``item_sql`` as one script, each statement headed by a comment and ended by a semicolon."""
    statements = item_sql(item, year, dialect)
    if not statements:
        return (f"-- {item}: computes nothing from the census tables "
                "(it needs data munro does not hold yet; see docs/indicators.md)\n")
    parts = []
    for n, sql in enumerate(statements, 1):
        parts.append(f"-- {item}, reporting year {year}: query {n} of {len(statements)}\n{sql};\n")
    return "\n".join(parts)


__all__ = ["item_sql", "item_expressions", "format_sql", "unbound_tables", "DIALECTS"]
