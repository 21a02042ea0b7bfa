"""Reading a spreadsheet export (CSV, or XLSX through openpyxl) as rows of text, and row-level errors.

Imports check every row before loading any: ``Problems`` collects one line
per bad cell ("row 7, column 'overall': ..."), rows numbered as a
spreadsheet program shows them (the header is row 1), and the import raises
them all together so the user fixes the file once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from ..errors import RejectedFile

MAX_SHOWN = 50  # problems listed in the error; the rest are counted


class Problems:
    def __init__(self, path):
        self.path = path
        self.items: list[str] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        where = ", ".join(x for x in (f"row {row}" if row else "", f"column {column!r}" if column else "") if x)
        self.items.append(f"{where}: {message}" if where else message)

    def raise_if_any(self) -> None:
        if self.items:
            more = len(self.items) - MAX_SHOWN
            lines = self.items[:MAX_SHOWN] + ([f"... and {more} more"] if more > 0 else [])
            raise RejectedFile(self.path, f"{len(self.items)} problem(s), nothing was loaded:\n  " + "\n  ".join(lines))


def check_width(rows, width: int, problems: Problems) -> None:
    """A row with a filled cell beyond the last header: a shifted row, whose cells would be misread."""
    for rownum, cells in rows:
        if any(c.strip() for c in cells[width:]):
            problems.add(rownum, None, f"has {len(cells)} cells but the header has {width} columns "
                                       "(a comma inside an answer that is not in quotes?)")


def read_rows(path, header_rows: int = 1) -> tuple[list[list[str]], list[tuple[int, list[str]]]]:
    """``(headers, [(row number, cells)])`` of a CSV or XLSX file; blank rows are left out.

    ``headers`` has ``header_rows`` lists. Cells are text: XLSX dates become
    ISO dates and whole numbers lose their ".0", so both formats read alike.
    """
    path = Path(path)
    if not path.is_file():
        raise RejectedFile(path, "no such file")
    rows = _xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv(path)
    if len(rows) < header_rows:
        raise RejectedFile(path, "the file is empty: no header row")
    headers = [[c.strip() for c in r] for r in rows[:header_rows]]
    body = [(i, r) for i, r in enumerate(rows[header_rows:], header_rows + 1) if any(c.strip() for c in r)]
    return headers, body


def _csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise RejectedFile(path, "not a CSV file (binary content; save the export as CSV or XLSX)")
    try:
        text = data.decode("utf-8-sig")  # Microsoft Forms and Excel put a byte-order mark first
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise RejectedFile(path, f"not a readable CSV file ({e})") from None


def _xlsx(path: Path) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise RejectedFile(path, f"not a readable XLSX workbook ({e.__class__.__name__})") from None
    try:
        ws = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def parse_date(text: str) -> dt.date:
    """An ISO date (2025-03-31) or a UK one (31/03/2025); ValueError otherwise."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a date (2025-03-31 or 31/03/2025)")
