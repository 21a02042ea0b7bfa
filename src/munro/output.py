"""What a command lists, for people and for programs: one table or JSON for every listing.

A listing command (``munro returns``, ``ingest``'s summary, ``population list``,
``survey list``, ``user list``, ``audit-log``, ...) takes ``--format table``
(the default, for people) or ``--format json`` (for programs), and passes
its rows to :func:`render` with the function that makes its table and the
one that makes its records. The two formats are the ``listing`` kind of
``munro.renderers``, registered here. JSON is a list of objects with the same keys in
the same order whatever the rows hold: a reporting year as an integer
(``year``) followed by its ``year_label`` ("2024-25"), dates and times in
ISO 8601, counts as numbers. A listing never holds a child's identifier.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any

from .renderers import register_output_renderer
from .renderers import render as render_as
from .years import year_label


def plain(value: Any) -> Any:
    """A value JSON has no type for: dates and times in ISO 8601, paths and the rest as text."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def to_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=plain)


def record(row: Mapping[str, Any], *, year: str | None = "year", keys: Iterable[str] | None = None) -> dict[str, Any]:
    """A row as a JSON object: ``keys`` (default all) in order, the reporting year (column ``year``)
    as ``year`` and ``year_label``, dates and times as ISO 8601 text."""
    out: dict[str, Any] = {}
    for key in row if keys is None else keys:
        value = row.get(key)
        if year is not None and key == year:
            out["year"] = None if value is None else int(value)
            out["year_label"] = None if value is None else year_label(int(value))
        else:
            out[key] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    return out


def table(rows: Sequence[Sequence[str]]) -> str:
    """Text columns padded to line up; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows)


Records = Callable[[Any], list[dict[str, Any]]]


def _as_table(rows: Any, as_table: Callable[[Any], str], as_records: Records | None) -> str:
    return as_table(rows)


def _as_json(rows: Any, as_table: Callable[[Any], str], as_records: Records | None) -> str:
    return to_json(as_records(rows) if as_records is not None else [record(r) for r in rows])


register_output_renderer("listing", "table", _as_table)
register_output_renderer("listing", "json", _as_json)


def render(fmt: str, rows: Any, as_table: Callable[[Any], str],
           as_records: Records | None = None) -> str:
    """``rows`` in format ``fmt``: ``as_table(rows)`` for "table", the JSON list of
    ``as_records(rows)`` (default: each row through :func:`record`) for "json"."""
    text = render_as("listing", fmt, rows, as_table, as_records)
    assert text is not None  # every listing format returns its text
    return text


# A spreadsheet opening a CSV takes a cell beginning with one of these as a formula (or, for tab and carriage
# return, strips them and then does): "=HYPERLINK(...)" as a child's ID would run on an analyst's machine.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)(e[+-]?\d+)?%?", re.IGNORECASE)


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet will run: text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return is prefixed with an apostrophe (OWASP's advice), which Excel and LibreOffice show as text.
    Numbers, and text that is a number ("-3", "-0.5%"), are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, f: IO[str], **options: Any) -> None:
        self._writer = csv.writer(f, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(f: IO[str], **options: Any) -> _SafeWriter:
    """``csv.writer(f, **options)`` whose every text cell goes through :func:`safe_cell`: the one way munro
    writes a CSV for people to open (listings, validation findings, child lists, charts' tables)."""
    return _SafeWriter(f, **options)


__all__ = ["csv_writer", "plain", "record", "render", "safe_cell", "table", "to_json", "year_label"]
