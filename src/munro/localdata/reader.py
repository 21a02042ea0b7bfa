"""One CSV of a local layout, checked row by row into typed columns.

Every row is checked before anything is loaded. The first problems are
reported on one line naming the file, the row (its line in the file, the
header being row 1) and the column, and nothing of the file is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..errors import RejectedFile
from . import layouts as L

MAX_REPORTED = 3  # problems named in the one-line message; the rest are counted
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
_FLAGS = {"y": 1, "yes": 1, "1": 1, "true": 1, "t": 1, "n": 0, "no": 0, "0": 0, "false": 0, "f": 0}
_ARROW = {"VARCHAR": pa.string(), "DATE": pa.date32(), "INTEGER": pa.int32(), "DOUBLE": pa.float64()}


@dataclass
class ReadFile:
    layout: L.Layout
    table: pa.Table  # the store columns and ``line``
    ignored: list[str] = field(default_factory=list)  # header columns the layout does not use


class _Bad(Exception):
    def __init__(self, column: str, problem: str):
        self.column, self.problem = column, problem


def header_row(path: Path) -> list[str]:
    """The first row of a CSV (for telling its kind), or RejectedFile when it is not readable text."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            return next(csv.reader(f), [])
    except UnicodeDecodeError as e:
        raise RejectedFile(path, f"not UTF-8 text ({e.reason} at byte {e.start}); save the CSV as UTF-8") from None
    except csv.Error as e:
        raise RejectedFile(path, f"row 1: not a CSV file ({e})") from None


def _date(text: str, col: L.Column) -> dt.date:
    day = text.split(" ")[0].split("T")[0]  # an SSD datetime keeps its date
    for f in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(day, f).date()
        except ValueError:
            pass
    raise _Bad(col.name, f"{text!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)")


def _value(text: str, col: L.Column):
    if col.type == "date":
        return _date(text, col)
    if col.type == "flag":
        if text.lower() not in _FLAGS:
            raise _Bad(col.name, f"{text!r} is not Y or N (or 1/0, true/false)")
        return _FLAGS[text.lower()]
    if col.type == "number":
        try:
            v = float(text.replace(",", ""))
        except ValueError:
            raise _Bad(col.name, f"{text!r} is not a number") from None
        if not math.isfinite(v):
            raise _Bad(col.name, f"{text!r} is not a finite number")
        return v
    if col.type == "code":
        if col.codes and text not in col.codes:
            raise _Bad(col.name, f"{text!r} is not one of {', '.join(col.codes)}")
        if col.pattern and not re.fullmatch(col.pattern, text):
            raise _Bad(col.name, f"{text!r} is not a {col.name} code")
        return text
    if col.type == "id" and len(text) > 40:
        raise _Bad(col.name, f"{text[:12]!r}... is longer than 40 characters")
    return text


def imported_items() -> dict[str, str]:
    """id -> unit of the items an LA can import its own figure for (definitions.md section 3)."""
    from ..indicators.catalogue import CATALOGUE

    return {i.id: i.unit for i in CATALOGUE if i.comparability == "published"}


def _check_row(layout: L.Layout, values: dict) -> None:
    """Rules across a row's columns."""
    if layout is L.OWN_FIGURES and values["item_id"] not in imported_items():
        raise _Bad("item_id", f"{values['item_id']!r} is not an item from another source "
                              f"({', '.join(imported_items())})")
    start, end = values.get("start_date"), values.get("end_date")
    if start is not None and end is not None and end < start:
        raise _Bad(layout.column("end_date").name, f"{end.isoformat()} is before the start {start.isoformat()}")
    if layout is L.SSDA903_EPISODES and (values.get("end_date") is None) != (values.get("reason_ceased") is None):
        col = "REC" if values.get("end_date") is not None else "DEC"
        raise _Bad(col, "empty: DEC and REC are given together or not at all")


def read_local_csv(path: Path, layout: L.Layout) -> ReadFile:
    """Every row of ``path`` in ``layout``, checked; RejectedFile (one line) at any bad row."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            return _read(path, layout, csv.reader(f))
    except UnicodeDecodeError as e:
        raise RejectedFile(path, f"not UTF-8 text ({e.reason} at byte {e.start}); save the CSV as UTF-8") from None
    except csv.Error as e:
        raise RejectedFile(path, f"not a CSV file ({e})") from None


def _read(path: Path, layout: L.Layout, rows) -> ReadFile:
    header = next(rows, None)
    if not header:
        raise RejectedFile(path, "empty file: no header row")
    where = L.header_map(layout, header)
    missing = [c.name for c in layout.columns if c.required and c.store not in where]
    if missing:
        raise RejectedFile(path, f"row 1 (header): missing column(s) {', '.join(missing)} of the {layout.kind} "
                                 f"layout (docs/local-data.md)")
    used = set(where.values())
    ignored = [h for i, h in enumerate(header) if i not in used]
    data: dict[str, list] = {c.store: [] for c in layout.columns}
    data["line"] = []
    problems: list[str] = []
    seen: dict[tuple, int] = {}
    n_bad = 0
    for values_row in rows:
        line = rows.line_num
        if not any(v.strip() for v in values_row):
            continue  # a blank line (spreadsheets add them at the end)
        try:
            if len(values_row) > len(header):
                raise _Bad("(after the last)", "more cells than the header has columns")
            values = {}
            for c in layout.columns:
                i = where.get(c.store)
                text = values_row[i].strip() if i is not None and i < len(values_row) else ""
                if text == "":
                    if c.required:
                        raise _Bad(c.name, "empty")
                    values[c.store] = None
                else:
                    values[c.store] = _value(text, c)
            _check_row(layout, values)
            if layout is L.OWN_FIGURES:
                values["figure"] = values["figure"] or "value"
            key = tuple(values.get(k) for k in layout.key)
            if layout.unique and key in seen:
                raise _Bad(layout.column(layout.key[-1]).name, f"the same {', '.join(layout.key)} as row {seen[key]}")
            seen[key] = line
        except _Bad as e:
            n_bad += 1
            if len(problems) < MAX_REPORTED:
                problems.append(f"row {line}, column {e.column}: {e.problem}")
            continue
        for k, v in values.items():
            data[k].append(v)
        data["line"].append(line)
    if problems:
        more = f" (and {n_bad - len(problems)} more bad rows)" if n_bad > len(problems) else ""
        raise RejectedFile(path, "; ".join(problems) + more + "; nothing was loaded")
    if not data["line"]:
        raise RejectedFile(path, "no rows under the header: nothing to load")
    arrays = {c.store: pa.array(data[c.store], type=_ARROW[L.SQL[c.type]]) for c in layout.columns}
    arrays["line"] = pa.array(data["line"], type=pa.int64())
    return ReadFile(layout, pa.table(arrays), ignored)
