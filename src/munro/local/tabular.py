"""Reading a spreadsheet export (CSV, or an .xlsx workbook) as rows of text, and row-level errors.

Imports check every row before loading any: ``Problems`` collects one line
per bad cell ("row 7, column 'overall': ..."), rows numbered as a
spreadsheet program shows them (the header is row 1), and the import raises
them all together so the user fixes the file once. A workbook is read by
``munro.tabular_files`` (streamed, its cells as the text a CSV would hold):
its first sheet or, of several, the one whose header the import recognises.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import RejectedFile
from ..tabular_files import SAVE_AS, Workbook, is_spreadsheet, sniff

MAX_SHOWN = 50  # problems listed in the error; the rest are counted


class Problems:
    def __init__(self, path, sheet: str | None = None):
        self.path = path
        self.sheet = sheet  # a workbook's sheet, named in the message
        self.items: list[str] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        where = ", ".join(x for x in (f"row {row}" if row else "", f"column {column!r}" if column else "") if x)
        self.items.append(f"{where}: {message}" if where else message)

    def raise_if_any(self) -> None:
        if self.items:
            more = len(self.items) - MAX_SHOWN
            lines = self.items[:MAX_SHOWN] + ([f"... and {more} more"] if more > 0 else [])
            where = f" in sheet {self.sheet}" if self.sheet else ""
            raise RejectedFile(self.path, f"{len(self.items)} problem(s){where}, nothing was loaded:\n  "
                                          + "\n  ".join(lines))


def check_width(rows, width: int, problems: Problems) -> None:
    """A row with a filled cell beyond the last header: a shifted row, whose cells would be misread."""
    for rownum, cells in rows:
        if any(c.strip() for c in cells[width:]):
            problems.add(rownum, None, f"has {len(cells)} cells but the header has {width} columns "
                                       "(a comma inside an answer that is not in quotes?)")


@dataclass
class Table:
    headers: list[list[str]]  # the header rows
    rows: list[tuple[int, list[str]]]  # (row number, cells) under them, blank rows left out
    sheet: str | None = None  # the workbook's sheet read (None for a CSV)


def read_table(path, header_rows: int = 1, fits: Callable[[list[list[str]]], bool] | None = None) -> Table:
    """The header rows and the rows of a CSV or .xlsx file; cells are text (a workbook's as a CSV holds them).

    ``fits(headers)`` tells, in a workbook of several sheets, the one to read (default: the first).
    """
    path = Path(path)
    if not path.is_file():
        raise RejectedFile(path, "no such file")
    sheet = None
    if is_spreadsheet(path):
        with Workbook(path) as wb:
            sheet, _ = wb.choose(fits or (lambda h: False), header_rows)
            numbered = list(wb.rows(sheet))
        rows = [cells for _, cells in numbered]
    else:
        rows = _csv(path)
    if len(rows) < header_rows:
        raise RejectedFile(path, f"sheet {sheet} is empty: no header row" if sheet
                           else "the file is empty: no header row")
    headers = [[c.strip() for c in r] for r in rows[:header_rows]]
    body = [(i, r) for i, r in enumerate(rows[header_rows:], header_rows + 1) if any(c.strip() for c in r)]
    return Table(headers, body, sheet)


def _csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    looks = sniff(path, data[:4096])
    if looks is not None and looks.kind == "xlsx":
        raise RejectedFile(path, f"not a CSV file: it is {looks.what}; name it .xlsx to import it")
    if looks is not None and looks.kind == "utf16":
        raise RejectedFile(path, f"not a CSV file in UTF-8: it is {looks.what}; save it as CSV UTF-8")
    if looks is not None and looks.kind not in ("csv", "text"):
        raise RejectedFile(path, f"not a CSV file: it is {looks.what}; {SAVE_AS}")
    try:
        text = data.decode("utf-8-sig")  # Microsoft Forms and Excel put a byte-order mark first
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise RejectedFile(path, f"not a readable CSV file ({e})") from None


