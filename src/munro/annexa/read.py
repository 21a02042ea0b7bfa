"""``read_annex_a``: an Annex A workbook's lists 1 to 7, read tolerantly into typed Arrow tables.

The workbook is opened through ``munro.tabular_files.Workbook``, as an LA's local records are: it
refuses what is not an .xlsx workbook (old .xls, .xlsb, .ods, encrypted, damaged, another file given an
Excel name, an archive whose contents would unpack to more than munro reads) with one line, and
streams each sheet's rows read-only, cells turned into the text a CSV would hold (a date cell is
``2025-03-31``, a formula its last computed value). What is read and how tolerantly: docs/annex-a.md.

Two kinds of problem. What makes the workbook or a list unreadable is a ``RejectedFile`` (one line
naming the file, the sheet and, where there is one, the row and column): no sheet holds any of lists
1 to 7, a list the caller requires has no sheet, two sheets or two columns say they are the same, a
required column is missing. A value that cannot be read is a ``Finding`` (one line naming the file,
sheet, row and column, never a child's identifier): a row without its child or its list's date is
skipped; any other unreadable value is left empty and the row kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..errors import RejectedFile
from ..tabular_files import Workbook
from ..years import NotADate, parse_date
from . import layout as L

EXCEL_MAX_ROWS = 1_048_576  # a sheet claiming more rows than Excel allows was not written by Excel
MAX_ID = 100  # characters of a child's identifier (the census allows 20)
_ARROW = {"id": pa.string(), "code": pa.string(), "text": pa.string(), "date": pa.date32(), "yesno": pa.bool_(),
          "int": pa.int32()}
_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}
_UNKNOWN = {"", "unknown", "u", "not known"}
_LETTER = re.compile(r"^[a-z]\d?\)\s*")  # the template's ``a) ``, ``p1) ``: never read as the value


@dataclass(frozen=True)
class Finding:
    """A value that could not be read: where it is, and what is wrong (never a child's identifier)."""

    file: str
    sheet: str
    row: int
    column: str
    problem: str
    skipped: bool  # the row was not read (no child, or no date of its list); else only the value is empty

    def __str__(self) -> str:
        tail = "; the row is not read" if self.skipped else ""
        return f'{self.file}, sheet "{self.sheet}", row {self.row}, column "{self.column}": {self.problem}{tail}'


@dataclass
class AnnexA:
    """What ``read_annex_a`` found: per list read, a table of munro's columns (``layout.LISTS``) and ``row``."""

    path: Path
    tables: dict[int, pa.Table] = field(default_factory=dict)
    sheets: dict[int, str] = field(default_factory=dict)  # list -> the sheet it was read from
    not_found: list[int] = field(default_factory=list)  # lists 1-7 no sheet holds
    not_read: dict[int, str] = field(default_factory=dict)  # lists 8-11 found: known, not read
    ignored_sheets: list[str] = field(default_factory=list)
    ignored_columns: dict[int, list[str]] = field(default_factory=dict)  # headers no column of the list has
    absent_columns: dict[int, list[str]] = field(default_factory=dict)  # the list's optional columns not there
    findings: list[Finding] = field(default_factory=list)


def read_annex_a(path, *, required: tuple[int, ...] = ()) -> AnnexA:
    """Read lists 1 to 7 of the Annex A workbook ``path``; see the module docstring.

    ``required``: lists whose absence refuses the workbook. Whatever lists are required, a workbook
    holding none of lists 1 to 7 is refused.
    """
    path = Path(path)
    out = AnnexA(path)
    with Workbook(path) as wb:
        chosen = _choose_sheets(path, wb.sheets, out)
        for number in sorted(L.LISTS):
            if number not in chosen:
                out.not_found.append(number)
        missing = [n for n in required if n in out.not_found]
        if missing or len(out.not_found) == len(L.LISTS):
            which = " or ".join(str(L.LISTS[n]) for n in missing) if missing else "any of Annex A's lists 1 to 7"
            shown = ", ".join(f'"{s}"' for s in wb.sheets)
            raise RejectedFile(path, f"no sheet holds {which} (sheets: {shown}); name each list's sheet "
                                     "\"List N\" or by its title (docs/annex-a.md)")
        for number, sheet in sorted(chosen.items()):
            out.tables[number] = _read_list(path, wb, sheet, L.LISTS[number], out)
            out.sheets[number] = sheet
    return out


def _choose_sheets(path: Path, sheets: list[str], out: AnnexA) -> dict[int, str]:
    chosen: dict[int, str] = {}
    for sheet in sheets:
        number = L.sheet_list(sheet)
        if number is None:
            out.ignored_sheets.append(sheet)
        elif number not in L.LISTS:
            out.not_read[number] = sheet
        elif number in chosen:
            raise RejectedFile(path, f'sheets "{chosen[number]}" and "{sheet}" both hold {L.LISTS[number]}: '
                                     "keep one of them")
        else:
            chosen[number] = sheet
    return chosen


def _header(path: Path, sheet: str, lst: L.AnnexList, cells: list[str], out: AnnexA) -> dict[int, L.Column]:
    """Position -> column of ``lst`` for a sheet's row 1."""
    names = {L.header_key(n): c for c in lst.columns for n in (c.header, *c.variants)}
    found: dict[int, L.Column] = {}
    where: dict[str, str] = {}
    ignored = []
    for i, text in enumerate(cells):
        if not text.strip():
            continue
        col = names.get(L.header_key(text))
        if col is None:
            ignored.append(text.strip())
        elif col.name in where:
            raise RejectedFile(path, f'sheet "{sheet}", row 1: columns "{where[col.name]}" and "{text.strip()}" '
                                     f'are both "{col.header}" of {lst}: keep one of them')
        else:
            where[col.name] = text.strip()
            found[i] = col
    for col in lst.read_columns:
        if col.required and col.name not in where:
            raise RejectedFile(path, f'sheet "{sheet}", row 1: no column "{col.header}", which {lst} requires '
                                     "(docs/annex-a.md lists the headers read)")
    if ignored:
        out.ignored_columns[lst.number] = ignored
    absent = [c.header for c in lst.read_columns if c.name not in where]
    if absent:
        out.absent_columns[lst.number] = absent
    return {i: c for i, c in found.items() if c.kind != "age"}


def _read_list(path: Path, wb: Workbook, sheet: str, lst: L.AnnexList, out: AnnexA) -> pa.Table:
    columns = lst.read_columns
    values: dict[str, list] = {"row": [], **{c.name: [] for c in columns}}
    rows = wb.rows(sheet)
    _, head = next(rows, (1, []))
    at = _header(path, sheet, lst, head, out)
    readers = {i: (c, _reader(c)) for i, c in at.items()}
    for n, cells in rows:
        if n > EXCEL_MAX_ROWS:
            raise RejectedFile(path, f'sheet "{sheet}": more than {EXCEL_MAX_ROWS:,} rows, more than Excel allows')
        if not any(cell.strip() for cell in cells):
            continue
        got: dict[str, object] = {}
        problems: list[Finding] = []
        skip = False
        for i, (col, read) in readers.items():
            text = cells[i].strip() if i < len(cells) else ""
            try:
                got[col.name] = read(text)
            except _Unreadable as e:
                got[col.name] = None
                problems.append(Finding(path.name, sheet, n, head[i].strip(), e.problem, col.required))
                skip = skip or col.required
                continue
            if col.required and got[col.name] is None:
                what = "no child identifier" if col.kind == "id" else "no date, which every row of the list has"
                problems.append(Finding(path.name, sheet, n, head[i].strip(), what, True))
                skip = True
        if skip:
            out.findings += [_skipped(f) for f in problems]
            continue
        out.findings += problems
        values["row"].append(n)
        for col in columns:
            values[col.name].append(got.get(col.name))
    schema = pa.schema([("row", pa.int32()), *((c.name, _ARROW[c.kind]) for c in columns)])
    return pa.table(values, schema=schema)


def _skipped(f: Finding) -> Finding:
    """Every problem of a row not read says so."""
    return f if f.skipped else Finding(f.file, f.sheet, f.row, f.column, f.problem, True)


# ---------------------------------------------------------------- values


class _Unreadable(Exception):
    def __init__(self, problem: str):
        self.problem = problem


def _shown(text: str) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return f'"{text[:40]}..."' if len(text) > 40 else f'"{text}"'


def _reader(col: L.Column):
    if col.kind == "id":
        return _identifier
    if col.kind == "date":
        return read_date
    if col.kind == "yesno":
        return read_yes_no
    if col.kind == "int":
        return _whole
    if col.kind == "code":
        lookup = code_lookup(L.CODES[col.codes])
        return lambda text: _code(text, lookup, col.codes)
    return lambda text: text or None


def _identifier(text: str):
    if len(text) > MAX_ID:  # the value itself is a child's identifier, however wrong: never shown
        raise _Unreadable(f"the child's identifier is longer than {MAX_ID} characters")
    return text or None


def read_date(text: str) -> dt.date | None:
    """A date cell's text (``2025-03-31``, with a time of day or not) or a date typed as text
    (``31/03/2025``, ``31.03.2025``, ``31-03-2025``); None for a blank."""
    if not text:
        return None
    try:
        return parse_date(text)
    except NotADate as e:
        raise _Unreadable(f"{_shown(text)} is {e.reason}") from None


def read_yes_no(text: str) -> bool | None:
    key = _LETTER.sub("", text.casefold()).strip()
    if key in _YES:
        return True
    if key in _NO:
        return False
    if key in _UNKNOWN:
        return None
    raise _Unreadable(f"{_shown(text)} is not yes or no (a) Yes, b) No, Y, N or Unknown)")


def _whole(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise _Unreadable(f"{_shown(text)} is not a whole number")
    return int(text)


def code_lookup(codes: L.CodeList) -> tuple[list[str], dict[str, str]]:
    """(values, longest first; label key -> value) of a code list: labels that two values share are
    left out, so that only a value's own label reads as it."""
    labels: dict[str, set[str]] = {}
    for _, value, label in codes.entries:
        labels.setdefault(L.header_key(label), set()).add(value)
        labels.setdefault(L.header_key(codes.written(value)), set()).add(value)
    for label, value in codes.aliases:
        labels.setdefault(L.header_key(label), set()).add(value)
    return (sorted(codes.values, key=len, reverse=True),
            {k: next(iter(v)) for k, v in labels.items() if len(v) == 1})


def _code(text: str, lookup: tuple[list[str], dict[str, str]], name: str) -> str | None:
    """A coded cell as its value: the template's text (``q) 6: Police``), the code (``6``, ``wbri``), the code
    and any label (``N1 - anything``), or the label alone (``White British``), the letter never counting."""
    if not text:
        return None
    values, labels = lookup
    rest = _LETTER.sub("", text.casefold()).strip()
    for value in values:
        v = value.casefold()
        if rest == v or (rest.startswith(v) and re.match(r"[\s:\-\u2013.)]", rest[len(v):])):
            return value
    found = labels.get(L.header_key(rest)) or labels.get(L.header_key(text))
    if found is not None:
        return found
    raise _Unreadable(f"{_shown(text)} is not a code of the Annex A list {name.replace('_', ' ')}")
