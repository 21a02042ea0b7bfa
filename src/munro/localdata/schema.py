"""The store tables of local records, their load register and their merged views.

Each layout (``layouts.py``) has one raw table holding every load as it was
(``load_id``, ``la_code``, the layout's columns, ``line``). ``local_loads``
registers each loaded file: its kind, LA, reporting year, hash and status.
A load supersedes the current one of the same kind, LA and year, as a CIN
return supersedes the one for its LA and year.

The ``merged_<table>`` views put an LA's loads together as the CIN census's
merged history does (definitions.md section 1): for each row's key (an
episode of care by child and start date, a visit by child and date, ...)
the copy in the latest year's current load wins and rows only in earlier
loads are kept. They carry ``year`` (the load's reporting year) for lineage.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..tables import Table, table
from . import layouts as L

LOCAL_LOADS = table(
    "local_loads",
    ("load_id", "INTEGER", "PRIMARY KEY"),
    ("kind", "VARCHAR", "NOT NULL", "a layout of munro.localdata.layouts"),
    ("la_code", "VARCHAR", "NOT NULL"),
    ("year", "INTEGER", "NOT NULL", "the reporting year the file covers"),
    ("status", "VARCHAR", "NOT NULL", "'current' or 'superseded'"),
    ("file_name", "VARCHAR", "NOT NULL"),
    ("file_sha256", "VARCHAR", "NOT NULL"),
    ("file_bytes", "BIGINT", "NOT NULL"),
    ("rows", "INTEGER", "NOT NULL"),
    ("children", "INTEGER", "", "distinct children in the file"),
    ("unmatched", "INTEGER", "", "of them, not in the LA's CIN census when loaded"),
    ("loaded_at", "TIMESTAMP", "NOT NULL"),
    ("superseded_at", "TIMESTAMP"),
    ("munro_version", "VARCHAR"),
    # An Annex A workbook (kind annex-a, munro.annexa.schema) only: the date its lists run to, the months
    # they cover and the first day of them. A workbook supersedes one of the same LA and as-at date.
    ("as_at", "DATE"),
    ("months", "INTEGER"),
    ("covers_from", "DATE"),
)

TABLES = tuple(x.table for x in L.LAYOUTS.values())


def raw_columns(layout: L.Layout) -> list[tuple[str, str]]:
    cols = [("load_id", "INTEGER"), ("la_code", "VARCHAR")]
    cols += [(c.store, L.SQL[c.type]) for c in layout.columns]
    return cols + [("line", "BIGINT")]


def merged_columns(layout: L.Layout) -> list[tuple[str, str]]:
    """Columns of merged_<table>: LA, the layout's columns, then lineage."""
    cols = [("la_code", "VARCHAR")] + [(c.store, L.SQL[c.type]) for c in layout.columns]
    return cols + [("load_id", "INTEGER"), ("year", "INTEGER")]


def tables() -> list[Table]:
    """The register and one raw table per layout."""
    return [LOCAL_LOADS, *(table(layout.table, *raw_columns(layout)) for layout in L.LAYOUTS.values())]


def views() -> list[str]:
    """The CREATE statements of the merged views."""
    return [f"CREATE OR REPLACE VIEW merged_{layout.table} AS {merged_select(layout)}" for layout in L.LAYOUTS.values()]


def ddl() -> list[str]:
    """CREATE statements of the register, the raw tables and the merged views."""
    return [t.ddl() for t in tables()] + views()


def merged_select(layout: L.Layout, raw: str = "", las: Sequence[str] | None = None,
                  absent: Collection[str] = ()) -> str:
    """The SELECT of merged_<table>, reading ``<raw>local_loads`` and ``<raw><table>``; ``las`` keeps those LAs.

    ``absent``: optional columns added since the raw table was made (a store of an older schema opened
    read-only, so not upgraded), given as NULL."""
    partition = ", ".join(["t.la_code", *(f"t.{k}" for k in layout.key), *(["l.year"] if layout.per_year else [])])
    where = "l.status = 'current'"
    if las is not None:
        codes = ", ".join("'" + str(la).replace("'", "''") + "'" for la in las) or "NULL"
        where += f" AND t.la_code IN ({codes})"
    cols = ", ".join(f"CAST(NULL AS {t}) AS {c}" if c in absent else c
                     for c, t in merged_columns(layout) if c != "year")
    # dense_rank: every row of the winning load is kept (two visits on one day are two visits).
    return (f"SELECT {cols}, year FROM (SELECT t.*, l.year AS year, dense_rank() OVER (PARTITION BY {partition} "
            f"ORDER BY l.year DESC, l.load_id DESC) AS merge_rank "
            f"FROM {raw}{layout.table} t JOIN {raw}local_loads l ON l.load_id = t.load_id WHERE {where}) "
            f"WHERE merge_rank = 1")


def empty_select(layout: L.Layout) -> str:
    """A SELECT with merged_<table>'s columns and no rows (a store from before these tables)."""
    cols = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in merged_columns(layout))
    return f"SELECT {cols} WHERE false"
