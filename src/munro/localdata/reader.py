"""One file of a local layout, CSV or Excel workbook, checked row by row into typed columns.

Every row is checked before anything is loaded. The first problems are
reported on one line naming the file, the sheet of a workbook, the row (its
line in the file, the header being row 1) and the column, and nothing of the
file is kept. A workbook's rows are turned into the text a CSV would hold
(``munro.tabular_files``) and go through the same checks.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..errors import RejectedFile
from ..tabular_files import Workbook, is_spreadsheet, sniff
from ..years import NotADate, parse_date
from . import layouts as L

MAX_REPORTED = 3  # problems named in the one-line message; the rest are counted
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
    """The header row (for telling a file's kind): a CSV's first row, or that of a workbook's sheet
    (``detect_layout`` says which); RejectedFile when the file cannot be read."""
    path = Path(path)
    if is_spreadsheet(path):
        with Workbook(path) as wb:
            sheet, _ = wb.choose(lambda h: L.detect(h[0]) is not None)
            return wb.header(sheet)[0]
    _check_csv(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            return next(csv.reader(f), [])
    except UnicodeDecodeError as e:
        raise RejectedFile(path, f"not UTF-8 text ({e.reason} at byte {e.start}); save the CSV as UTF-8") from None
    except csv.Error as e:
        raise RejectedFile(path, f"row 1: not a CSV file ({e})") from None


def _check_csv(path: Path) -> None:
    """RejectedFile when a file named as a CSV is another kind of file (a workbook, a PDF, UTF-16 text)."""
    if not path.is_file():
        raise RejectedFile(path, "no such file" if not path.exists() else "is not a file")
    looks = sniff(path)
    if looks is None or looks.kind in ("csv", "text"):
        return
    if looks.kind == "xlsx":
        raise RejectedFile(path, f"not a CSV file: it is {looks.what}; name it .xlsx to load it")
    if looks.kind == "utf16":
        raise RejectedFile(path, f"not UTF-8 text: it is {looks.what}; save it as CSV UTF-8")
    if looks.kind == "xml":
        raise RejectedFile(path, "not a CSV file: it is XML (a CIN census return is loaded from its .xml file)")
    raise RejectedFile(path, f"not a CSV file: it is {looks.what}; save the records as CSV UTF-8 or as an "
                             "Excel Workbook (.xlsx) in a layout of docs/local-data.md")


def _fits(layout: L.Layout, header: list[str]) -> bool:
    found = L.header_map(layout, header)
    return all(c.store in found for c in layout.columns if c.required)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def detect_layout(path, kind: str | None = None) -> L.Layout:
    """The layout ``path`` is read in: ``kind``'s, else the one its header row fits.

    A workbook's sheet is its only one or, of several, the one whose row 1 is a layout's header.
    RejectedFile (one line, naming the sheet) when no layout, or more than one sheet, fits.
    """
    path = Path(path)
    layout = L.layout(kind) if kind else None
    if not is_spreadsheet(path):
        header = header_row(path)
        return layout or _detected(path, "", header)
    with Workbook(path) as wb:
        sheet, fitting = wb.choose(lambda h: _fits(layout, h[0]) if layout else L.detect(h[0]) is not None)
        if len(fitting) > 1:
            raise _several(path, wb, fitting, layout)
        if layout is not None:
            return layout
        if fitting or len(wb.sheets) == 1:
            return _detected(path, f"sheet {sheet}, ", wb.header(sheet)[0], workbook=True)
        for s in wb.sheets:  # several sheets, none a layout's: the one that comes near, if any
            if L.nearest(wb.header(s)[0]):
                return _detected(path, f"sheet {s}, ", wb.header(s)[0], workbook=True)
        raise RejectedFile(path, f"no sheet's row 1 is the header of a layout munro knows (sheets "
                                 f"{_listed(wb.sheets)}; docs/local-data.md lists the layouts: {', '.join(L.KINDS)}); "
                                 "give --kind to name it; a CIN census return is loaded from its XML file")


def _detected(path: Path, at: str, header: list[str], workbook: bool = False) -> L.Layout:
    layout = L.detect(header)
    if layout is not None:
        return layout
    near = L.nearest(header)
    if near:
        raise RejectedFile(path, f"{at}row 1 (header): missing column(s) {', '.join(near[1])} of the "
                                 f"{near[0].kind} layout (docs/local-data.md)")
    cin = "; a CIN census return is loaded from its XML file, not a workbook" if workbook else ""
    raise RejectedFile(path, f"{at}row 1 (header): not a layout munro knows (docs/local-data.md lists them: "
                             f"{', '.join(L.KINDS)}); give --kind to name it{cin}")


def _several(path: Path, wb: Workbook, sheets: list[str], layout: L.Layout | None) -> RejectedFile:
    found = {L.detect(wb.header(s)[0]) for s in sheets}
    if layout is not None or len(found) == 1:
        layout = layout or found.pop()
        return RejectedFile(path, f"sheets {_listed(sheets)} all have the columns of the {layout.kind} layout in "
                                  "row 1: keep the records in one sheet")
    kinds = [f"{s} ({L.detect(wb.header(s)[0]).kind})" for s in sheets]
    return RejectedFile(path, f"sheets {_listed(kinds)} each hold a layout's records: give --kind to load one "
                              "of them, or save each sheet as its own file")


def _date(text: str, col: L.Column) -> dt.date:
    try:
        return parse_date(text)
    except NotADate as e:
        raise _Bad(col.name, str(e)) from None


def _value(text: str, col: L.Column):
    if col.type == "date":
        return _date(text, col)
    if col.type == "flag":
        if text.lower() not in _FLAGS:
            raise _Bad(col.name, f"{text!r} is not Y or N (or 1/0, true/false)")
        return _FLAGS[text.lower()]
    if col.type == "number":
        try:  # 1,234 and 18% (as Excel writes a cell formatted as a percentage) are read as 1234 and 18
            v = float(text.replace(",", "").removesuffix("%"))
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


def _check_row(layout: L.Layout, values: dict, own_items: Mapping[str, str] | None) -> None:
    """Rules across a row's columns."""
    if layout is L.OWN_FIGURES and own_items is not None and values["item_id"] not in own_items:
        raise _Bad("item_id", f"{values['item_id']!r} is not an item from another source "
                              f"({', '.join(own_items)})")
    start, end = values.get("start_date"), values.get("end_date")
    if start is not None and end is not None and end < start:
        raise _Bad(layout.column("end_date").name, f"{end.isoformat()} is before the start {start.isoformat()}")
    if layout is L.SSDA903_EPISODES and (values.get("end_date") is None) != (values.get("reason_ceased") is None):
        col = "REC" if values.get("end_date") is not None else "DEC"
        raise _Bad(col, "empty: DEC and REC are given together or not at all")


def read_local_file(path, layout: L.Layout, own_items: Callable[[], Mapping[str, str]] | None = None) -> ReadFile:
    """Every row of ``path`` (CSV or workbook) in ``layout``, checked; RejectedFile (one line) at any bad row.

    ``own_items``: gives id -> unit of the items an LA may give its own figure for (definitions.md section 3,
    the catalogue's: ``munro.loading.own_items``), which a file of own figures must name; called only for such
    a file. None: the names are not checked here."""
    path = Path(path)
    if is_spreadsheet(path):
        with Workbook(path) as wb:
            sheet, fitting = wb.choose(lambda h: _fits(layout, h[0]))
            if len(fitting) > 1:
                raise _several(path, wb, fitting, layout)
            return _read(path, layout, wb.rows(sheet), own_items, f"sheet {sheet}")
    _check_csv(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            return _read(path, layout, ((reader.line_num, row) for row in reader), own_items)
    except UnicodeDecodeError as e:
        raise RejectedFile(path, f"not UTF-8 text ({e.reason} at byte {e.start}); save the CSV as UTF-8") from None
    except csv.Error as e:
        raise RejectedFile(path, f"not a CSV file ({e})") from None


read_local_csv = read_local_file  # the name it had when only CSV was read


def _read(path: Path, layout: L.Layout, rows, own_items: Callable[[], Mapping[str, str]] | None,
          sheet: str = "") -> ReadFile:
    """``rows``: ``(row number, cells)`` from row 1, the header; ``sheet``: how messages name a workbook's sheet."""
    at = f"{sheet}, " if sheet else ""
    _, header = next(rows, (1, None))
    if header is None:
        raise RejectedFile(path, f"{sheet} is empty: no header row" if sheet else "empty file: no header row")
    if not any(h.strip() for h in header):
        raise RejectedFile(path, f"{at}row 1 (header) is blank: the column names must be in the first row")
    where = L.header_map(layout, header)
    missing = [c.name for c in layout.columns if c.required and c.store not in where]
    if missing:
        raise RejectedFile(path, f"{at}row 1 (header): missing column(s) {', '.join(missing)} of the {layout.kind} "
                                 f"layout (docs/local-data.md)")
    used = set(where.values())
    ignored = [h for i, h in enumerate(header) if i not in used and h.strip()]
    data: dict[str, list] = {c.store: [] for c in layout.columns}
    data["line"] = []
    problems: list[str] = []
    seen: dict[tuple, int] = {}
    items = own_items() if own_items is not None and layout is L.OWN_FIGURES else None
    n_bad = 0
    for line, values_row in rows:
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
            _check_row(layout, values, items)
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
        raise RejectedFile(path, at + "; ".join(problems) + more + "; nothing was loaded")
    if not data["line"]:
        raise RejectedFile(path, f"{sheet + ': ' if sheet else ''}no rows under the header: nothing to load")
    arrays = {c.store: pa.array(data[c.store], type=_ARROW[L.SQL[c.type]]) for c in layout.columns}
    arrays["line"] = pa.array(data["line"], type=pa.int64())
    return ReadFile(layout, pa.table(arrays), ignored)
