"""The store tables of Annex A lists 1 to 7 and their merged views, declared from ``layout.py``.

Each list has one raw table holding every loaded workbook as it was: ``load_id`` (the workbook's row in
the ``local_loads`` register, kind ``annex-a``), ``la_code``, the list's columns as ``layout.py`` names
them (the child's identifier as ``la_child_id`` and the allocated worker as ``worker_id``, as the rest
of the store names them, so that a pseudonymised export hashes both) and ``sheet_row``. Yes/no values are
0/1 integers and dates DATE, as the census tables hold them.

``merged_<table>`` puts an LA's workbooks together (docs/annex-a.md, "Several workbooks"): each workbook
covers the months before its as-at date; of two workbooks, the one with the later as-at date wins over
the months it covers. A record of an earlier workbook is kept only where the later one could not hold
it: it is not in the later one (same child and the list's date), and it lies wholly before the later
one's months (lists 1 to 5: the list's date; lists 6 and 7: the episode's or plan's end, an open one
reaching the earlier workbook's as-at date). A record deleted or corrected in the LA's system since is
therefore gone, and months only an earlier workbook covered keep its records.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from ..tables import Table, table
from . import layout as L

KIND = "annex-a"  # the register's kind (local_loads) of an Annex A workbook

# list -> the store table of its records
TABLES: dict[int, str] = {1: "annex_a_contacts", 2: "annex_a_early_help", 3: "annex_a_referrals",
                          4: "annex_a_assessments", 5: "annex_a_section47", 6: "annex_a_cin", 7: "annex_a_cp_plans"}

_SQL = {"id": "VARCHAR", "code": "VARCHAR", "text": "VARCHAR", "date": "DATE", "yesno": "INTEGER", "int": "INTEGER"}
_NAMES = {"child_id": "la_child_id", "worker": "worker_id"}
# lists 6 and 7: the column that ends the record (open: the workbook's as-at date)
_ENDS = {6: "cin_closure_date", 7: "cpp_end_date"}


def store_name(column: L.Column) -> str:
    """The store's name of a list's column."""
    return _NAMES.get(column.name, column.name)


def date_column(number: int) -> str:
    """The list's own date (the required date column: a contact's, a referral's, a plan's start)."""
    return next(c.name for c in L.LISTS[number].read_columns if c.required and c.kind == "date")


def data_columns(number: int) -> list[tuple[str, str]]:
    """(store column, SQL type) of a list's read columns, in the template's order."""
    return [(store_name(c), _SQL[c.kind]) for c in L.LISTS[number].read_columns]


def raw_columns(number: int) -> list[tuple[str, str]]:
    return [("load_id", "INTEGER"), ("la_code", "VARCHAR"), *data_columns(number), ("sheet_row", "INTEGER")]


def merged_columns(number: int) -> list[tuple[str, str]]:
    """merged_<table>'s columns: LA, the list's columns, then lineage (the workbook, the record's row in its
    sheet, which with the workbook identifies the record, and the workbook's as-at date)."""
    return [("la_code", "VARCHAR"), *data_columns(number), ("load_id", "INTEGER"), ("sheet_row", "INTEGER"),
            ("as_at", "DATE")]


def tables() -> list[Table]:
    return [table(name, *raw_columns(n)) for n, name in TABLES.items()]


def merged_select(number: int, raw: str = "") -> str:
    """The SELECT of merged_<table> over ``<raw>local_loads`` and ``<raw><table>`` (module docstring)."""
    name, day = TABLES[number], date_column(number)
    last = f"coalesce(t.{_ENDS[number]}, l.as_at)" if number in _ENDS else f"t.{day}"
    cols = ", ".join(f"t.{c}" for c, _ in merged_columns(number) if c not in ("as_at",))
    loads = f"{raw}local_loads"
    current = f"status = 'current' AND kind = '{KIND}'"
    return (f"SELECT {cols}, l.as_at FROM {raw}{name} t JOIN {loads} l ON l.load_id = t.load_id "
            f"WHERE l.{current.replace(' AND ', ' AND l.')} AND NOT EXISTS ("
            f"SELECT 1 FROM {loads} n WHERE n.{current.replace(' AND ', ' AND n.')} AND n.la_code = l.la_code "
            f"AND (n.as_at > l.as_at OR (n.as_at = l.as_at AND n.load_id > l.load_id)) "
            f"AND ({last} >= n.covers_from OR EXISTS (SELECT 1 FROM {raw}{name} s WHERE s.load_id = n.load_id "
            f"AND s.la_child_id = t.la_child_id AND s.{day} = t.{day})))")


def views() -> list[str]:
    return [f"CREATE OR REPLACE VIEW merged_{name} AS {merged_select(n)}" for n, name in TABLES.items()]


def empty_select(number: int) -> str:
    """merged_<table>'s columns and no rows (an export or store from before Annex A was loaded)."""
    cols = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in merged_columns(number))
    return f"SELECT {cols} WHERE false"


def number_of(name: str) -> int:
    """The list whose table is ``annex_a_<name>`` (``contacts`` is 1)."""
    return next(n for n, t in TABLES.items() if t == f"annex_a_{name}")


def empty_arrow(number: int):
    """merged_<table>'s columns as an Arrow table with no rows (for an engine without Annex A tables)."""

    types = {"VARCHAR": pa.string(), "DATE": pa.date32(), "INTEGER": pa.int32()}
    return pa.table({c: pa.array([], types[t]) for c, t in merged_columns(number)})


def cover(rows) -> dict[str, list[tuple]]:
    """LA -> sorted (first day, as-at date) of its workbooks, from (LA, first day, as-at date) rows."""
    out: dict[str, list[tuple]] = {}
    for la, start, end in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        out.setdefault(la, []).append((start, end))
    return out


def covers(spans, start, end) -> bool:
    """Whether the days ``start`` to ``end`` all fall in the union of ``spans`` (first day, last day)."""
    day = start
    for first, last in sorted(spans):
        if first > day:
            break
        if last >= day:
            day = last + dt.timedelta(days=1)
        if day > end:
            return True
    return day > end
