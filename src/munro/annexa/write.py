"""``write_annex_a``: lists 1 to 7 as an Annex A workbook in the template's layout.

One sheet per list (``List 1`` ... ``List 7``, the lists given), the template's headers in row 1 in
its order, one row per record; coded values as the template writes them (``a) WBRI``, ``q) 6:
Police``, ``b) No``: ``layout.CodeList.written``), dates as Excel dates shown dd/mm/yyyy, whole
numbers as numbers, ``Age`` as the child's whole years at ``as_at`` (blank without it). Text is never
a formula or a link, and the file is its owner's only: it names children. ``notes``, when given, are
written one a row on a last sheet, ``Notes`` (which a reader of Annex A passes over).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..private import private_file
from . import layout as L


def age_at(birth: dt.date | None, day: dt.date | None) -> int | None:
    """Whole years from ``birth`` to ``day`` (None when either is missing or the child is not yet born)."""
    if birth is None or day is None or birth > day:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def write_annex_a(path, lists: Mapping[int, Iterable], *, as_at: dt.date | None = None,
                  notes: Sequence[str] = ()) -> Path:
    """Write ``lists`` (list number 1-7 -> rows: dicts of munro's column names, or an Arrow table) to ``path``;
    ``notes``: lines of a last sheet, ``Notes``."""
    # lazily: xlsxwriter only when a workbook is written
    import xlsxwriter

    unknown = sorted(set(lists) - set(L.LISTS))
    if unknown:
        raise ValueError(f"Annex A lists {unknown} are not written (lists 1 to 7 are)")
    path = Path(path)
    wb = xlsxwriter.Workbook(str(private_file(path)), {"strings_to_formulas": False, "strings_to_urls": False,
                                                       "strings_to_numbers": False})
    try:
        head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        day = wb.add_format({"num_format": "dd/mm/yyyy"})
        for number in sorted(lists):
            lst = L.LISTS[number]
            rows = lists[number]
            if hasattr(rows, "to_pylist"):
                rows = rows.to_pylist()
            ws = wb.add_worksheet(lst.sheet)
            ws.write_row(0, 0, [c.header for c in lst.columns], head)
            ws.set_column(0, len(lst.columns) - 1, 18)
            ws.freeze_panes(1, 0)
            for r, row in enumerate(rows, start=1):
                for c, col in enumerate(lst.columns):
                    value = age_at(row.get("birth_date"), as_at) if col.kind == "age" else row.get(col.name)
                    _cell(ws, r, c, col, value, day)
        if notes:
            ws = wb.add_worksheet("Notes")
            ws.set_column(0, 0, 120)
            for r, line in enumerate(notes):
                ws.write_string(r, 0, line, head if r == 0 else None)
    finally:
        wb.close()
    return path


def _cell(ws, r: int, c: int, col: L.Column, value, day) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None)
    elif col.kind == "date":
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
    elif col.kind in ("int", "age"):
        ws.write_number(r, c, int(value))
    elif col.kind == "yesno":
        ws.write_string(r, c, L.YES if value else L.NO)
    elif col.kind == "code":
        ws.write_string(r, c, L.CODES[col.codes].written(value))
    else:
        ws.write_string(r, c, str(value))
