"""Streaming, hardened reader of CIN census XML returns.

``CensusReader(path).batches()`` yields batches of Arrow tables (one per
store table) a few thousand children at a time, so memory stays flat
whatever the file size. Every problem that stops a file from loading raises
``RejectedFile`` with one line naming the file and, where it applies, the
child's ``LAchildID``, the element and the line number.

Hardening: any DOCTYPE (and so any entity declaration) is refused; entities
are never resolved, no DTD is loaded, the network is never used, and
libxml2's size and depth limits stay on (``huge_tree=False``).

What is structural (rejects the file) and what is left to the validation
rules: element names, nesting, order, repetition, required elements, text
where none belongs, and values that cannot be typed (dates, yes/no, whole
numbers) are structural (``walk.py``). Codes outside the year's code lists
are loaded as they are and counted as warnings: the DfE validation rules
report them.

Large files are read by several threads at once (``parallel.py``): the
body is cut at ``<Child>`` boundaries and each piece is parsed with the same
hardened parser; the result is identical to the sequential read.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
from lxml import etree

from ..errors import MunroError, RejectedFile
from ..localdata import layouts as L
from ..tabular_files import Workbook, sniff
from ..years import is_in_year, year_end, years_label
from . import format as fmt
from . import parallel
from .envelope import PARSER_OPTIONS, Reject, check_children_end, check_message_end
from .parallel import ReadAgainSequentially, plan_chunks, read_parallel
from .walk import KIND_WORDS, ChildWalker, Problem, StructureError

BATCH_CHILDREN = 4096


@dataclass
class Header:
    la_code: str
    collection_year: int
    reference_date: dt.date
    schema_year: int
    collection: str | None = None
    source_level: str | None = None
    software_code: str | None = None
    release: str | None = None
    serial_no: str | None = None
    source_datetime: str | None = None

    @property
    def in_year(self) -> bool:
        """An in-year extract (a ReferenceDate before 31 March in its collection's window), not an annual return."""
        return is_in_year(self.collection_year, self.reference_date)

    @property
    def kind(self) -> str:
        """'in-year' or 'annual': the return's kind in the register (``returns.kind``)."""
        return "in-year" if self.in_year else "annual"


@dataclass
class ReadStats:
    children: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)


# ---------------------------------------------------------------- the reader


class CensusReader:
    """Reads one CIN census return: ``batches()`` yields ``{table: pyarrow.Table}``.

    ``header`` is set before the first batch. ``schema_year`` reads the
    file's structure as that collection year's format instead of the one
    its header names. ``workers`` > 1 reads large files in that many
    threads.
    """

    def __init__(self, path: str | os.PathLike[str], schema_year: int | None = None,
                 batch_children: int = BATCH_CHILDREN, workers: int = 1, tolerant: bool = False) -> None:
        self.path = Path(path)
        # tolerant: read in one process with the Python walker, which records problems in
        # ``problems`` instead of rejecting the file (see ChildWalker); for munro.validate.
        self.tolerant = tolerant
        self.problems: list[Problem] = []
        self.schema_year_override = schema_year
        self.batch_children = batch_children
        self.workers = max(1, workers)
        self.header: Header | None = None
        self.stats = ReadStats()
        self.size = 0

    def _reject(self, reason: str) -> RejectedFile:
        return RejectedFile(self.path, reason)

    def batches(self) -> Generator[dict[str, pa.Table], None, None]:
        """Yield ``{table: pyarrow.Table}`` batches of at most ``batch_children`` children."""
        self._preflight()
        try:
            self._peek_root()

            try:
                plan = None if self.tolerant else plan_chunks(self)
            except ReadAgainSequentially:
                plan = None
            if plan is not None and max(b - a for a, b in zip(plan.bounds, plan.bounds[1:])) > (
                    parallel.CHUNK_BYTES + MAX_GAP_BYTES):
                # A piece is read whole, and a piece this long holds a child no return has:
                # the sequential read refuses it within MAX_GAP_BYTES.
                plan = None
            done = 0
            if plan is not None:
                try:
                    yield from read_parallel(self, plan)
                    return
                except ReadAgainSequentially:
                    # Go on sequentially from the first child not yet given out.
                    done = self.stats.children
            self.header = None
            if done == 0:
                self.stats = ReadStats()
            with open(self.path, "rb") as source:
                yield from self._read_sequential(source, skip=done)
        except Reject as e:
            raise self._reject(str(e)) from None
        except StructureError as e:
            raise self._reject(str(e)) from None
        except etree.XMLSyntaxError as e:
            reason = syntax_message(e)
            if not reason.startswith("the file ends") and self._cut_short():
                reason = f"the file ends part-way through (truncated?) at line {e.lineno}"
            raise self._reject(reason) from None
        except (UnicodeDecodeError, LookupError) as e:
            raise self._reject(f"the file's text is not in the encoding it declares ({e})") from None

    # -- pre-flight: what lxml would report obscurely or slowly

    def _preflight(self) -> None:
        try:
            if self.path.is_dir():
                raise self._reject("is a folder, not a file")
            self.size = self.path.stat().st_size
            with open(self.path, "rb") as f:
                head = f.read(4096)
        except FileNotFoundError:
            raise self._reject("no such file") from None
        except OSError as e:
            raise self._reject(f"cannot read the file ({e.strerror})") from None
        if self.size == 0:
            raise self._reject("the file is empty (0 bytes): copy or export the return again; "
                               f"{IS_XML}")
        reason = not_xml(self.path, head)
        if reason:
            raise self._reject(reason)
        body = head.lstrip(b"\xef\xbb\xbf").lstrip()
        if not body:
            raise self._reject(f"the file holds only white space: {IS_XML}")
        declared = _WIDE_DECLARATION.match(body)
        if declared:  # with 8-bit bytes, libxml2 would only say "Blank needed here"
            raise self._reject(f"the file declares {declared.group(1).decode()} encoding; "
                               "CIN census returns must be UTF-8")
        if not body.startswith(b"<"):
            raise self._reject("not an XML file (it does not start with '<')" + _text_kind(self.path, head))

    def _cut_short(self) -> bool:
        """The parser read to the end of a file that does not end with </Message>."""
        source = getattr(self, "_source", None)
        if source is None or source.total < self.size:
            return False
        with open(self.path, "rb") as f:
            f.seek(max(0, self.size - 256))
            return not f.read().rstrip().endswith(b"</Message>")

    def _peek_root(self) -> None:
        """Refuse a DOCTYPE or a wrong root before reading any further."""
        with open(self.path, "rb") as f:
            source = _Bounded(f, "no root element in the first {mb} MB of the file")
            for _, el in etree.iterparse(source, events=("start",), **PARSER_OPTIONS):
                docinfo = el.getroottree().docinfo
                if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
                    raise Reject("the file has a DOCTYPE; CIN census returns never do, and munro refuses "
                                  "them because they can carry entity attacks")
                if el.tag != "Message":
                    page = (": it is a web page (perhaps a saved login or error page); download or export the "
                            "return's XML file again") if str(el.tag).lower().endswith("html") else ""
                    raise Reject(f"the root element is <{el.tag}>, not <Message>: "
                                  "this is not a CIN census return" + page)
                return
        raise Reject("no XML element found")

    # -- header

    def read_header(self, el: etree._Element) -> Header:
        # Each value of its field's kind (_header_value): Any, as the kind is HEADER_FIELDS' to know.
        values: dict[str, Any] = {}
        for section in el:
            if section.tag not in ("CollectionDetails", "Source"):
                raise Reject(f"unexpected element <{section.tag}> in <Header> at line {section.sourceline}")
            if section.tag == "Source" and "la_code" in values:
                continue  # only the first Source names the LA
            for item in section:
                spec = next((f for f in fmt.HEADER_FIELDS if f.element == item.tag
                             and fmt.HEADER_PATHS[f.element] == section.tag), None)
                if spec is None:
                    raise Reject(f"unexpected element <{item.tag}> in <Header>/<{section.tag}> "
                                  f"at line {item.sourceline}")
                text = (item.text or "").strip()
                if not text:
                    continue
                try:
                    values[spec.column] = _header_value(spec.kind, text)
                except ValueError:
                    raise Reject(f"<Header> element <{item.tag}> at line {item.sourceline} "
                                  f"is not {KIND_WORDS[spec.kind]}") from None
        for f in fmt.HEADER_FIELDS:
            if f.required and values.get(f.column) is None:
                raise Reject(f"the <Header> has no <{f.element}>; munro needs the LA code (LEA), "
                              "the collection Year and the ReferenceDate to place the return")
        la = str(values["la_code"])
        if not (len(la) == 3 and la.isdigit()):
            raise Reject(f"<LEA> must be a 3-digit DfE local authority code, not {la!r}")
        coll = values.get("collection")
        if coll is not None and coll != "CIN":
            raise Reject(f"this is not a CIN census return (<Collection> is {coll!r})")
        year = int(values["collection_year"])
        if not fmt.FIRST_YEAR <= year <= fmt.LATEST_YEAR:
            raise Reject(f"collection year {year} is not supported (munro reads "
                          f"{years_label(fmt.FIRST_YEAR, fmt.LATEST_YEAR)})")
        ref = values["reference_date"]
        # A date inside the collection's window before 31 March is an in-year extract (years.is_in_year),
        # not a mistake; one outside it is the load's to refuse and rule 100's to report.
        if ref != year_end(year) and not is_in_year(year, ref):
            self.stats.warnings[f"ReferenceDate {ref} is not 31 March {year} (DfE rule 100)"] += 1
        header = Header(la_code=la, collection_year=year, reference_date=ref,
                        schema_year=self.schema_year_override or year,
                        **{k: values.get(k) for k in ("collection", "source_level", "software_code",
                                                      "release", "serial_no", "source_datetime")})
        self.header = header
        return header

    # -- the sequential stream

    def _read_sequential(self, source: IO[bytes], skip: int = 0) -> Generator[dict[str, pa.Table], None, None]:
        """Read the whole file with iterparse; the first ``skip`` children were given out already."""
        bounded = self._source = _Bounded(
            source, "no <Child> starts or ends in the {mb} MB of the file after line {line}, "
                    "far more than any child takes: this is not a CIN census return")
        context = etree.iterparse(bounded, events=("start", "end"),
                                  tag=("Message", "Header", "Children", "Child"), **PARSER_OPTIONS)
        root = children_el = None
        walker: ChildWalker | None = None
        pending = 0
        for event, el in context:
            bounded.since, bounded.line = 0, el.sourceline
            tag = el.tag
            if root is None:
                root = el
                continue
            if event == "start":
                if tag == "Children":
                    if el.getparent() is not root:
                        raise Reject(f"<Children> at line {el.sourceline} is not directly inside <Message>")
                    if self.header is None:
                        raise Reject("<Children> comes before the <Header> (or there is no <Header>)")
                    children_el = el
                continue
            if tag == "Child":
                if children_el is None or el.getparent() is not children_el:
                    raise Reject(f"<Child> at line {el.sourceline} is not inside <Message>/<Children>")
                prev = el.getprevious()
                if prev is not None and prev.tag != "Child":
                    raise Reject(f"unexpected element <{prev.tag}> in <Children> at line {prev.sourceline}")
                assert walker is not None  # made with the <Header>, which <Children> follows
                if walker.children < skip:
                    walker.children += 1
                else:
                    walker.walk(el)
                    pending += 1
                # Free what has been read: the element and its earlier siblings.
                el.clear(keep_tail=False)
                while (prev := el.getprevious()) is not None:
                    if prev.tail is not None and prev.tail.strip():
                        raise Reject(f"unexpected text after <Child> in <Children> (line {prev.sourceline})")
                    del children_el[0]
                if pending >= self.batch_children:
                    yield self._finish_batch(walker)
                    pending = 0
            elif tag == "Header":
                if el.getparent() is not root:
                    raise Reject(f"<Header> at line {el.sourceline} is not directly inside <Message>")
                if self.header is not None:
                    raise Reject(f"a second <Header> at line {el.sourceline}")
                counted = Counter(self.stats.warnings)
                header = self.read_header(el)
                if skip:  # the header's warnings were counted by the read that gave out the first children
                    self.stats.warnings = counted
                walker = ChildWalker(header.schema_year, tolerant=self.tolerant)
                self.problems = walker.problems if walker.problems is not None else []
            elif tag == "Children":
                check_children_end(el)
            elif tag == "Message":
                check_message_end(el)
        if self.header is None:
            raise Reject("the file has no <Header>")
        if children_el is None:
            raise Reject("the file has no <Children>")
        assert walker is not None  # made with the <Header>
        if walker.children == 0:
            raise Reject("the return holds no <Child> records")
        if pending:
            yield self._finish_batch(walker)

    def _finish_batch(self, walker: ChildWalker) -> dict[str, pa.Table]:
        tables = walker.tables(walker.take_batch())
        self.absorb(walker.children, walker.rows, walker.warnings)
        walker.rows, walker.warnings = Counter(), Counter()
        return tables

    def absorb(self, children_total: int, rows: Counter[str], warnings: Counter[str]) -> None:
        self.stats.children = children_total
        self.stats.rows.update(rows)
        self.stats.warnings.update(warnings)


MAX_GAP_BYTES = 16 * 1024 * 1024
_WIDE_DECLARATION = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']\s*((?:utf|ucs)-?(?:16|32|2|4)[a-z]*)""", re.I)
IS_XML = "a CIN census return is an XML file"
_LOCAL = "docs/local-data.md"


def not_xml(path: Path, head: bytes) -> str | None:
    """What a file that is plainly not CIN census XML looks like, and what to do; None if it may be XML.

    ``head``: the file's first 4 KB. Text that does not start with '<' is left to the caller.
    """
    looks = sniff(path, head)
    if looks is None or looks.kind in ("xml", "csv", "text", "json", "binary"):
        return None
    if looks.kind in ("utf16", "utf32"):
        codec = "utf-32" if looks.kind == "utf32" else "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else (
            "utf-16-le" if head[1] == 0 else "utf-16-be")
        text = head[:len(head) // 4 * 4].decode(codec, errors="ignore").lstrip("\ufeff").lstrip()
        if text.startswith("<"):
            return ("the file is UTF-16 or UTF-32 encoded; CIN census returns must be UTF-8: export the return again "
                    "as UTF-8, or save it as UTF-8 in a text editor")
        return (f"the file is UTF-16 or UTF-32 encoded; CIN census returns must be UTF-8 XML, and this is "
                f"{looks.what}, not XML: save local records as CSV UTF-8 or .xlsx ({_LOCAL})")
    if looks.kind == "xlsx":
        return f"this is {looks.what}, not CIN census XML" + _workbook_kind(path)
    if looks.kind == "zip" and "cannot be opened" in looks.what:
        return f"this is a zip file (perhaps an Excel workbook), not CIN census XML: it cannot be opened; {IS_XML}"
    if looks.kind == "zip":
        return f"this is {looks.what}, not CIN census XML: unzip it and load the files inside"
    if looks.kind in ("xlsb", "ods", "ole"):
        return (f"this is {looks.what}, not CIN census XML: save local records as an Excel Workbook (.xlsx, "
                f"without a password) or CSV UTF-8 in a layout of {_LOCAL}; {IS_XML}")
    if looks.kind == "html":
        return f"this is {looks.what}, not CIN census XML: download or export the return's XML file again"
    return (f"this is {looks.what}, not CIN census XML: load the return's XML file itself, as exported from the "
            "case management system")


def _workbook_kind(path: Path) -> str:
    """For a workbook given as a return: the local records it holds, or that it holds none munro knows."""
    try:
        with Workbook(path) as wb:
            for sheet in wb.sheets:
                layout = L.detect(wb.header(sheet)[0])
                if layout is not None:
                    return (f": its sheet {sheet} holds {layout.kind} records; name the file .xlsx to load them "
                            f"(or give --kind {layout.kind})")
    except MunroError:
        pass
    return (f", and no sheet's row 1 is the header of a layout of {_LOCAL}: a local record's header row must "
            "match one; a CIN census return is loaded from its XML file, not a workbook made from it")


def _text_kind(path: Path, head: bytes) -> str:
    """For text that is not XML: what it looks like (a CSV of local records, JSON...) and what to do."""

    looks = sniff(path, head)
    if looks is None or looks.kind not in ("csv", "json", "binary", "text"):
        return ""
    if looks.kind == "csv":
        delimiter = "\t" if looks.what.startswith("tab") else ";" if "semicolon" in looks.what else ","
        first = head.decode("utf-8-sig", errors="replace").splitlines()[0]
        header = next(csv.reader([first], delimiter=delimiter), [])
        layout, near = L.detect(header), L.nearest(header)
        if layout is not None:
            return (f"; it looks like a CSV file of {layout.kind} records: name it .csv to load it "
                    f"(or give --kind {layout.kind})")
        if near:
            return (f"; it looks like a CSV file near the {near[0].kind} layout, without its column(s) "
                    f"{', '.join(near[1])} ({_LOCAL}); {IS_XML}")
        return (f"; it looks like {looks.what}: if it is a local record, its header row must match a layout in "
                f"{_LOCAL}; {IS_XML}")
    return f"; it looks like {looks.what}: {IS_XML}"


class _Bounded:
    """The file as lxml reads it, refusing to read on and on between two events of the reader.

    iterparse keeps every element it reports no event for, so garbage outside or inside a
    <Child> would pile up in memory until the file ended; no real child is this big.
    """

    def __init__(self, raw: IO[bytes], message: str) -> None:
        self.raw, self.message = raw, message
        self.since, self.line, self.total = 0, 1, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.since += len(data)
        self.total += len(data)
        if self.since > MAX_GAP_BYTES:
            raise Reject(self.message.format(mb=MAX_GAP_BYTES >> 20, line=self.line))
        return data


def _header_value(kind: str, text: str) -> int | dt.date | str:
    if kind == "int":
        return int(text)
    if kind == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # fromisoformat also takes 20250331
            raise ValueError
        return dt.date.fromisoformat(text)
    if kind == "datetime":
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return text


def syntax_message(e: etree.XMLSyntaxError, line_offset: int = 0) -> str:
    # libxml2 adds a second line (", line N, column M") that would break the one-line report.
    msg = (str(e.msg or e).strip().splitlines() or [""])[0].strip()
    line = e.lineno or (e.position[0] if e.position else None)
    last = e.error_log.last_error if not line and e.error_log else None
    if last is not None:  # iterparse can report "no element found" at line 0; its log has the cause
        msg, line = last.message.strip(), last.line
    if line is not None:
        line += line_offset
    low = msg.lower()
    if "document is empty" in low or "start tag expected" in low:
        return "not an XML document"
    if "premature end" in low or "end of data" in low or "not finished" in low or "eof" in low:
        return f"the file ends part-way through (truncated?) at line {line}"
    if "encoding" in low or "not proper utf-8" in low or "bytes:" in low:
        return f"the file's text is not in the encoding it declares (line {line}): {msg}"
    if "entity" in low:
        return f"entity reference refused at line {line}: CIN census returns never use entities"
    return f"not well-formed XML at line {line}: {msg}"


def read_header(path: str | os.PathLike[str], schema_year: int | None = None) -> Header:
    """Read just the header of a return (stops at the first batch)."""
    reader = CensusReader(path, schema_year=schema_year, batch_children=1, workers=1)
    batches = reader.batches()
    try:
        next(batches, None)
    finally:
        batches.close()
    assert reader.header is not None
    return reader.header
