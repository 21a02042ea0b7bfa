"""The files analysts keep records in: CSV text and Excel workbooks (.xlsx), read as rows of text.

One shape for both, ``(row number, [cell text])`` with the header as row 1,
so that one checker reads either (``munro.localdata.reader`` for local
records, ``munro.local.tabular`` for survey exports and audits).

A workbook is read with openpyxl in read-only mode: a sheet's XML is
streamed row by row, so memory stays flat whatever its size, and a formula
gives its last computed value. Its cells become the text Excel would write
to a CSV, so both read alike:

- a date cell -> ``2025-03-31`` (``2025-03-31 10:30:00`` with a time of day);
- a whole number -> its digits: ``12.0`` is ``12``, and an ID typed as a number
  keeps its text form (``123456``, never ``123456.0``);
- a cell formatted as a percentage -> ``18%`` (as Excel's CSV has it);
- TRUE/FALSE -> ``true``/``false``; text as it is (a date typed as text is read
  as in a CSV).

Which sheet: the first, or, in a workbook of several sheets, the one whose
header fits what the caller reads (``Workbook.choose``). Old (.xls), binary
(.xlsb) and OpenDocument (.ods) spreadsheets, password-protected and damaged
workbooks, and workbooks whose parts would unpack to more than munro reads (a zip
bomb), are refused with one line saying what to do. ``sniff`` tells what
a file looks like from its first bytes, for the messages of readers that
get the wrong kind of file.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import MunroError, RejectedFile

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Spreadsheets munro does not read: refused, saying what to do, rather than misread.
OTHER_SPREADSHEETS = {".xls": "an old Excel workbook (.xls)", ".xlsb": "an Excel binary workbook (.xlsb)",
                      ".ods": "an OpenDocument spreadsheet (.ods)"}
SPREADSHEET_SUFFIXES = WORKBOOK_SUFFIXES + tuple(OTHER_SPREADSHEETS)
SAVE_AS = "open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV UTF-8"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of old Office files and of encrypted workbooks
# What a workbook's parts may unpack to. zipfile stops each part at its stated size, so stated sizes bound
# the work; openpyxl holds the shared strings whole in memory, so they have a bound of their own.
MAX_UNPACKED = 4 * 1024**3
MAX_SHARED_STRINGS = 256 * 1024**2


def is_spreadsheet(path) -> bool:
    """Whether ``path`` is named as a spreadsheet (read as a workbook, or refused saying what to do)."""
    return Path(path).suffix.lower() in SPREADSHEET_SUFFIXES


# ---------------------------------------------------------------- what a file looks like


@dataclass(frozen=True)
class Looks:
    kind: str  # xlsx, xlsb, ods, docx, pptx, odf, zip, ole, pdf, rtf, html, utf16, utf32, json, binary, csv, text, xml
    what: str  # in words: "an Excel workbook (.xlsx)"


_DELIMITERS = {",": "a CSV file (comma-separated text)", "\t": "tab-separated text",
               ";": "a CSV file (semicolon-separated text)"}


def sniff(path, head: bytes | None = None) -> Looks | None:
    """What ``path`` looks like from its first bytes (``head``: its first 4 KB, when already read).

    None for an empty file or one of white space only.
    """
    if head is None:
        with open(path, "rb") as f:
            head = f.read(4096)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path)
    if head.startswith(_OLE):
        return Looks("ole", "an old Microsoft Office file (an .xls workbook or .doc document) "
                            "or a password-protected workbook")
    if head.startswith(b"%PDF-"):
        return Looks("pdf", "a PDF document")
    if head.startswith(b"{\\rtf"):
        return Looks("rtf", "an RTF document (Word)")
    if head[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        return Looks("utf32", "UTF-32 text")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head):
        return Looks("utf16", "UTF-16 text (as Excel saves 'Unicode Text')")
    body = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not body:
        return None
    low = body[:64].lower()
    if low.startswith((b"<!doctype html", b"<html")):
        return Looks("html", "an HTML web page (perhaps a saved login or error page)")
    if body.startswith(b"<"):
        return Looks("xml", "XML")
    if body.startswith((b"{", b"[")):
        return Looks("json", "JSON")
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head[:1024]) > 2:
        return Looks("binary", "binary data, not text")
    first = body.split(b"\n", 1)[0]
    for sep, what in _DELIMITERS.items():
        if sep.encode() in first:
            return Looks("csv", what)
    return Looks("text", "plain text")


def _utf16_without_bom(head: bytes) -> bool:
    """Text of which every other byte is zero: UTF-16 written without its byte-order mark."""
    if len(head) < 8:
        return False
    for zeros, chars in ((head[1::2], head[0::2]), (head[0::2], head[1::2])):
        if zeros.count(0) >= 0.9 * len(zeros) and all(31 < b < 127 or b in b"\t\r\n" for b in chars[:64]):
            return True
    return False


def _zip_kind(path) -> Looks:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            mimetype = z.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, NotImplementedError):
        return Looks("zip", "a zip file (perhaps an Excel workbook) that cannot be opened")
    if "xl/workbook.xml" in names:
        return Looks("xlsx", "an Excel workbook (.xlsx)")
    if "xl/workbook.bin" in names:
        return Looks("xlsb", OTHER_SPREADSHEETS[".xlsb"])
    if "word/document.xml" in names:
        return Looks("docx", "a Word document (.docx)")
    if "ppt/presentation.xml" in names:
        return Looks("pptx", "a PowerPoint presentation (.pptx)")
    if mimetype.endswith("opendocument.spreadsheet"):
        return Looks("ods", OTHER_SPREADSHEETS[".ods"])
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return Looks("odf", "an OpenDocument file")
    files = [n for n in names if not n.endswith("/")]
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return Looks("zip", f"a zip archive ({shown or 'empty'})")


# ---------------------------------------------------------------- cells


def cell_text(value, number_format: str | None = None) -> str:
    """A cell's value as the text Excel would write to a CSV (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        percent = number_format is not None and "%" in number_format
        if percent:
            value = round(value * 100, 10)  # 0.18 * 100 is 18.000000000000004
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return f"{value}%" if percent else str(value)
    return str(value)


def trim(cells: list[str]) -> list[str]:
    """Without the empty cells at the end (a workbook's formatted but empty columns)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


# ---------------------------------------------------------------- workbooks


class Workbook:
    """An .xlsx workbook open for streaming its sheets' rows (a context manager).

    Opening refuses, with one line saying what to do, a file that is not an
    .xlsx workbook: an old .xls, .xlsb, .ods, a password-protected or damaged
    workbook, or another kind of file given an Excel name.
    """

    def __init__(self, path):
        self.path = Path(path)
        check_workbook(self.path)
        # lazily: openpyxl (slow to import) only when a workbook is read
        from openpyxl import load_workbook

        self._file = open(self.path, "rb")  # a file object: openpyxl would refuse a name it does not know
        try:
            self._wb = load_workbook(self._file, read_only=True, data_only=True, keep_links=False)
            self.sheets = [ws.title for ws in self._wb.worksheets]
        except Exception as e:  # noqa: BLE001 - whatever a damaged archive makes openpyxl raise
            self._file.close()
            raise damaged(self.path, e) from None
        if not self.sheets:
            self.close()
            raise RejectedFile(self.path, "the workbook has no worksheet: nothing to read")
        self._headers: dict[str, list[list[str]]] = {}

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._wb.close()
        finally:
            self._file.close()

    def where(self, sheet: str) -> str:
        """How messages name the sheet: ``sheet Visits``."""
        return f"sheet {sheet}"

    def header(self, sheet: str, rows: int = 1) -> list[list[str]]:
        """The first ``rows`` rows of ``sheet`` (blank ones included), each without its empty end."""
        got = self._headers.get(sheet)
        if got is None or len(got) < rows:
            got = [cells for _, cells in self.rows(sheet, last=rows)]
            got += [[]] * (rows - len(got))
            self._headers[sheet] = got
        return got[:rows]

    def choose(self, fits: Callable[[list[list[str]]], bool], header_rows: int = 1) -> tuple[str, list[str]]:
        """``(sheet, the sheets that fit)``: the first sheet, or, of several, the one whose header ``fits``.

        Of several sheets, when none fits, the first (its header is then reported as wrong); when
        several fit, the first of them, and the caller refuses the workbook if it must.
        """
        if len(self.sheets) == 1:
            return self.sheets[0], self.sheets
        fitting = [s for s in self.sheets if fits(self.header(s, header_rows))]
        return (fitting[0] if fitting else self.sheets[0]), fitting

    def rows(self, sheet: str, last: int | None = None) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cells as text)`` of ``sheet`` from row 1 (to ``last``), blank rows included."""
        try:
            ws = self._wb[sheet]
            ws.reset_dimensions()  # a sheet's stated size can be wrong; read every cell there is
            for n, row in enumerate(ws.iter_rows(max_row=last), 1):
                yield n, trim([cell_text(c.value, c.number_format if isinstance(c.value, (int, float)) else None)
                               for c in row])
        except MunroError:
            raise
        except Exception as e:  # noqa: BLE001 - a damaged sheet fails part-way through, in openpyxl or its parser
            raise damaged(self.path, e, sheet) from None


def check_workbook(path: Path) -> None:
    """RejectedFile when ``path`` is not an .xlsx workbook munro can read, saying what to do."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise RejectedFile(path, "no such file" if not path.exists() else "is not a file")
    if suffix in OTHER_SPREADSHEETS:
        raise RejectedFile(path, f"{OTHER_SPREADSHEETS[suffix]}, which munro does not read: {SAVE_AS}")
    with open(path, "rb") as f:
        head = f.read(4096)
    if not head:
        raise RejectedFile(path, "the file is empty: no header row")
    looks = sniff(path, head)
    if looks is not None and looks.kind == "xlsx":
        _check_unpacked(path)
        return
    if looks is not None and looks.kind == "ole":
        raise RejectedFile(path, "a password-protected (encrypted) workbook, or an old .xls workbook renamed, "
                                 f"which munro cannot read: remove the password and {SAVE_AS}")
    if looks is not None and looks.kind == "zip":
        raise RejectedFile(path, f"not a readable XLSX workbook: it is {looks.what}; {SAVE_AS}")
    if looks is not None and looks.kind == "csv":
        raise RejectedFile(path, f"not a readable XLSX workbook: it is {looks.what}; name it .csv to load it")
    raise RejectedFile(path, f"not a readable XLSX workbook: it is {looks.what if looks else 'white space'}; "
                             f"{SAVE_AS}")


def _check_unpacked(path: Path) -> None:
    """RejectedFile when the workbook's parts would unpack to more than munro reads (a zip bomb)."""
    with zipfile.ZipFile(path) as z:  # sniff opened it already
        parts = z.infolist()
    total = sum(p.file_size for p in parts)
    strings = sum(p.file_size for p in parts if p.filename.lower().endswith("sharedstrings.xml"))
    if total > MAX_UNPACKED or strings > MAX_SHARED_STRINGS:
        raise RejectedFile(path, f"the workbook would unpack to {total / 1024**3:,.1f} GB, its text to "
                                 f"{strings / 1024**2:,.0f} MB: more than munro reads (at most "
                                 f"{MAX_UNPACKED // 1024**3} GB, text {MAX_SHARED_STRINGS // 1024**2} MB); "
                                 "save the sheet as CSV UTF-8")


def damaged(path: Path, error: Exception, sheet: str | None = None) -> RejectedFile:
    where = f"sheet {sheet}: " if sheet else ""
    detail = re.sub(r"\s+", " ", str(error)).strip()[:80]
    cause = error.__class__.__name__ + (f": {detail}" if detail else "")
    return RejectedFile(path, f"{where}not a readable XLSX workbook (damaged: {cause}); open it in Excel and "
                              "save it again as .xlsx, or save the sheet as CSV UTF-8")
