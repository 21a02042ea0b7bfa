"""Workbooks made in a test as Excel keeps them (real date cells, numbers as numbers), with openpyxl."""

from __future__ import annotations

from openpyxl import Workbook


def workbook(path, sheets: dict[str, list[list]], formats: dict[tuple[str, str], str] | None = None):
    """Write ``path``: ``sheets`` name -> rows of cell values, in order; ``formats`` (sheet, cell) -> number format."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    for (sheet, cell), number_format in (formats or {}).items():
        wb[sheet][cell].number_format = number_format
    wb.save(path)
    return path
