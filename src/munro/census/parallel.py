"""Reading a large return in several threads at once.

The body of a return is a run of ``<Child>`` elements, so it can be cut at
``<Child>`` boundaries and each piece parsed on its own (wrapped in
``<Children>``) with the same hardened parser and the same ``ChildWalker``.
The pieces come back in file order; their child numbers and line numbers
are shifted to their place in the whole file, so the result is identical to
the sequential read.

A file is read in parallel only when it is large, declares UTF-8 (or
nothing), and its prologue, header and ending are plain. A piece holding a
comment, CDATA or a processing instruction, or failing to parse, could have
been cut in the wrong place: the reader then raises ``ReadAgainSequentially``
and the caller starts over with one sequential read, which gives the exact answer.
"""

from __future__ import annotations

import ctypes
import gc
import re
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Generic, Literal, Protocol, TypeAlias, TypeVar

import numpy as np
import pyarrow as pa
from lxml import etree

from . import format as fmt
from . import walk as walk_module
from .envelope import PARSER_OPTIONS, Reject, check_children_end, check_message_end
from .walk import ChildWalker, StructureError

T = TypeVar("T")
Tables: TypeAlias = "dict[str, pa.Table]"
# What reading one piece found: "again" (read the file sequentially), a structural error (child, what,
# line, approximate), or "ok" with the batches, children, rows and warnings counted, and its newlines.
Piece: TypeAlias = (
    "tuple[Literal['again']] | tuple[Literal['structure'], str | None, str, int | None, bool]"
    " | tuple[Literal['ok'], list[Tables], int, Counter[str], Counter[str], int]")
Scanner: TypeAlias = "Callable[[bytes | bytearray | memoryview, Sequence[bytes]], tuple[int, bool, list[np.ndarray]]]"

# Files smaller than this are read in one thread: a second one would have little to do.
MIN_PARALLEL_BYTES = 12 * 1024 * 1024
CHUNK_BYTES = 4 * 1024 * 1024  # a piece parsed whole takes about 4 times its size; two are read at once
_CHILD = b"<Child>"
_OPEN, _CLOSE = b"<Children>", b"</Children>"
_TRAILER = re.compile(rb"</Children>\s*</Message>\s*")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class _Header(Protocol):
    @property
    def schema_year(self) -> int: ...


class Reader(Protocol):
    """What the parallel read uses of the reader it reads for (``reader.CensusReader``, which calls it)."""

    @property
    def path(self) -> Path: ...
    @property
    def size(self) -> int: ...
    @property
    def workers(self) -> int: ...
    @property
    def batch_children(self) -> int: ...
    @property
    def header(self) -> _Header | None: ...

    def read_header(self, el: etree._Element) -> object: ...

    def absorb(self, children_total: int, rows: Counter[str], warnings: Counter[str]) -> None: ...


class ReadAgainSequentially(Exception):
    """The parallel read cannot vouch for its answer: read the file again sequentially."""


@dataclass
class Plan:
    bounds: list[int]  # byte offsets: first <Child>, each cut, the closing </Children>
    prefix_lines: int  # newlines before the first <Child>


def plan_chunks(reader: Reader) -> Plan | None:
    """Where to cut the file, or None to read it sequentially.

    Only a few kilobytes around each cut are read: mapping the whole file would
    count its cached pages in the process's resident memory (some 900 MB for a
    national return) without any need to."""
    size = reader.size
    with open(reader.path, "rb") as f:
        head = _read_at(f, 0, 1 << 20)
        first = head.find(_CHILD)
        tail_at = max(0, size - 4096)
        tail = _read_at(f, tail_at, size - tail_at)
        last = tail.rfind(b"</Children>")
        if first < 0 or last < 0 or tail_at + last < first or not _TRAILER.fullmatch(tail[last:]):
            return None
        last += tail_at
        prefix = head[:first]
        m = _ENCODING.match(prefix.lstrip(b"\xef\xbb\xbf"))
        if m and m.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
            return None
        bounds = [first]
        pos = first + CHUNK_BYTES
        while pos < last:
            cut = _find(f, _CHILD, pos, last)
            if cut < 0:
                break
            before = max(first, cut - 64)
            if _read_at(f, before, cut - before).rstrip().endswith(b"</Child>"):
                bounds.append(cut)
                pos = cut + CHUNK_BYTES
            else:
                pos = cut + len(_CHILD)
        bounds.append(last)

    _read_prefix(reader, prefix)
    return Plan(bounds, prefix.count(b"\n"))


def _read_at(f: IO[bytes], offset: int, n: int) -> bytes:
    f.seek(offset)
    return f.read(n)


def _find(f: IO[bytes], needle: bytes, start: int, end: int, window: int = 64 * 1024) -> int:
    """The offset of the first ``needle`` wholly within [start, end) of the file, or -1."""
    pos = start
    while pos < end:
        block = _read_at(f, pos, min(window, end - pos))
        found = block.find(needle)
        if found >= 0:
            return pos + found
        if pos + len(block) >= end:
            return -1
        pos += len(block) - len(needle) + 1  # a needle across the window's edge is found in the next one
    return -1


def _read_prefix(reader: Reader, prefix: bytes) -> None:
    """Check the prologue and header (everything before the first child) and read the header."""
    parser = etree.XMLParser(**PARSER_OPTIONS)
    try:
        root = etree.fromstring(prefix + b"</Children></Message>", parser)
    except etree.XMLSyntaxError:
        raise ReadAgainSequentially from None
    tags = [el.tag for el in root]
    if tags != ["Header", "Children"]:
        raise ReadAgainSequentially
    check_message_end(root)
    check_children_end(root[1])
    reader.read_header(root[0])


_LINE_CAP = 65535  # libxml2 keeps an element's line in 16 bits
_RECORD_TAGS = {group.table: group.element.encode() for group in (
    fmt.CHILD, fmt.EPISODE, fmt.ASSESSMENT, fmt.CIN_PLAN, fmt.SECTION47, fmt.CP_PLAN, fmt.PRE_PROCEEDINGS)}


_RECORD_START = re.compile(b"<(" + b"|".join(_RECORD_TAGS.values()) + b")>")


def int_array(values: np.ndarray) -> pa.Array:
    """Whole numbers from numpy as an Arrow array, without ``pa.array``, which imports pandas
    (a third of a second, more than a small file takes to load)."""
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def _scan(data: bytes | bytearray | memoryview, tags: Sequence[bytes]) -> tuple[int, bool, list[np.ndarray]]:
    """Pure Python ``_fastwalk.scan``, for an install without the compiled module."""
    data = bytes(data)
    if b"<!" in data or b"<?" in data:
        return 0, True, []
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    starts: dict[bytes, list[int]] = {tag: [] for tag in tags}
    for m in _RECORD_START.finditer(data):
        starts[m.group(1)].append(m.start())
    return len(newlines), False, [np.searchsorted(newlines, np.array(starts[t], dtype=np.int64)) + 1 for t in tags]


def _record_lines(lines_of: dict[bytes, np.ndarray], tables: Tables) -> Tables:
    """Exact line numbers of records, from the bytes.

    libxml2 keeps an element's line in 16 bits, so past line 65,535 lxml reports
    the line of some text inside the element instead. A piece holds no comments,
    CDATA or instructions (``_read_piece`` checks), so the k-th ``<CINdetails>``
    in its bytes is the k-th row of ``episodes``: the rows of each table are in
    document order.
    """
    out = dict(tables)
    for table, t in tables.items():
        tag = _RECORD_TAGS.get(table)
        if tag is None:
            continue  # list values: their text is on their own line, which lxml gets right
        found = lines_of[tag]
        if len(found) != t.num_rows:
            continue  # a record tag with attributes: keep lxml's approximation
        out[table] = t.set_column(t.schema.get_field_index("line"), "line", int_array(found.astype(np.int64)))
    return out


def _exact_line(el: etree._Element, data: bytes) -> int | None:
    """The line of ``el``'s start tag, found by counting same-named start tags in the bytes."""
    tag = el.tag.encode()
    nth = next(i for i, other in enumerate(el.getroottree().getroot().iter(el.tag)) if other is el)
    pos, seen = -1, -1
    while seen < nth:
        pos = data.find(b"<" + tag, pos + 1)
        if pos < 0:
            return None
        if data[pos + 1 + len(tag):pos + 2 + len(tag)] in (b">", b"/", b" ", b"\t", b"\n", b"\r"):
            seen += 1
    return data.count(b"\n", 0, pos) + 1


def _read_piece(path: str, start: int, end: int, year: int, batch_children: int) -> Piece:
    """Parse bytes [start, end) of the file, a run of <Child> elements, as one document.

    Parsing a piece whole (``fromstring``) is about twice as fast as ``iterparse``,
    and a piece is small enough to hold. Run in a worker thread or in the calling one.
    """
    # Read straight into the document parsed, wrapped in <Children>: joining them would copy the piece.
    document = bytearray(len(_OPEN) + (end - start) + len(_CLOSE))
    document[:len(_OPEN)], document[-len(_CLOSE):] = _OPEN, _CLOSE
    data = memoryview(document)[len(_OPEN):-len(_CLOSE)]
    with open(path, "rb") as f:
        f.seek(start)
        if f.readinto(data) != end - start:
            return ("again",)  # the file changed under us: the sequential read gives the answer
    tags = list(_RECORD_TAGS.values())
    newlines, unusual, lines = _scanner()(data, tags)
    if unusual:  # comments, CDATA, declarations, PIs: a cut may be inside one
        return ("again",)
    walker = ChildWalker(year)
    batches = []
    try:
        root = etree.fromstring(document, etree.XMLParser(**PARSER_OPTIONS))
        compiled = walk_module.compiled_walk()
        if compiled is None or not compiled.plain_children(root):
            check_children_end(root)
        pending = walker.walk_children(root, batch_children)
        del root
        for batch in pending:
            tables = walker.tables(batch)
            if tables:
                batches.append(tables)
    except StructureError as e:
        line = e.line
        if e.element is not None and line is not None and line >= _LINE_CAP - 1:
            line = _exact_line(e.element, bytes(data)) or line
        return ("structure", e.child_id, e.what, line, e.approximate)
    except (etree.XMLSyntaxError, Reject):
        return ("again",)
    if newlines >= _LINE_CAP - 1:
        batches = _lines_for_batches(dict(zip(tags, lines)), batches)
    return ("ok", batches, walker.children, walker.rows, walker.warnings, newlines)


def _scanner() -> Scanner:
    compiled = walk_module.compiled_walk()
    return _scan if compiled is None else compiled.scan


def _lines_for_batches(lines_of: dict[bytes, np.ndarray], batches: list[Tables]) -> list[Tables]:
    if len(batches) <= 1:
        return [_record_lines(lines_of, b) for b in batches]
    # Lines are found over the whole piece: join each table's batches, fix, split again.
    sizes = [{t: tb.num_rows for t, tb in b.items()} for b in batches]
    whole = {t: pa.concat_tables([b[t] for b in batches if t in b]) for t in {t for b in batches for t in b}}
    whole = _record_lines(lines_of, whole)
    out, offsets = [], dict.fromkeys(whole, 0)
    for size in sizes:
        part: Tables = {}
        for t, n in size.items():
            part[t] = whole[t].slice(offsets[t], n)
            offsets[t] += n
        out.append(part)
    return out


class _InProcess:
    """The executor interface, running each piece when its result is asked for."""

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        return False

    def submit(self, fn: Callable[..., T], *args: Any) -> _Deferred[T]:
        return _Deferred(fn, args)


class _Deferred(Generic[T]):
    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        self.fn, self.args = fn, args

    def result(self) -> T:
        return self.fn(*self.args)

    def cancel(self) -> bool:
        return True


def _shift(table: pa.Table, column: str, by: int) -> pa.Table:
    if by == 0:
        return table
    i = table.schema.get_field_index(column)
    # in numpy: pa.scalar would import pandas; these columns have no nulls
    column_values = table[column].combine_chunks()
    dtype: type[np.signedinteger[Any]] = np.int64 if column_values.type == pa.int64() else np.int32
    buffer = column_values.buffers()[1]
    values: np.ndarray[Any, np.dtype[np.signedinteger[Any]]] = \
        np.frombuffer(buffer, dtype=dtype)[column_values.offset:][:len(column_values)]
    values = values + dtype(by)
    return table.set_column(i, column, int_array(values))


def _give_back_memory() -> None:
    """Hand the pages the pieces' trees and buffers were freed from back to the system.

    The reading threads leave glibc's per-thread arenas and Arrow's pool holding
    tens of MB, which the store's work after the read would otherwise sit on top of.
    """
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc; elsewhere the pages simply stay
    except (OSError, AttributeError):
        pass


def read_parallel(reader: Reader, plan: Plan) -> Generator[Tables, None, None]:
    """Yield the batches of ``reader``'s file, read by ``reader.workers`` threads.

    libxml2 parses and the compiled walker walks without the GIL, so threads
    read pieces in parallel without the start-up time and memory of processes.

    """
    assert reader.header is not None  # plan_chunks read it
    year = reader.header.schema_year
    pieces = list(zip(plan.bounds[:-1], plan.bounds[1:]))
    children_before = 0
    lines_before = plan.prefix_lines
    in_process = reader.workers <= 1 or len(pieces) == 1 or reader.size < MIN_PARALLEL_BYTES
    window = reader.workers + 1
    collecting = gc.isenabled()
    gc.disable()  # the Python walker makes many small containers and no cycles: collections only cost time
    pool: _InProcess | ThreadPoolExecutor
    with (_InProcess() if in_process else ThreadPoolExecutor(max_workers=reader.workers)) as pool:
        futures: list[_Deferred[Piece] | Future[Piece]] = []
        next_piece = 0
        try:
            while next_piece < len(pieces) or futures:
                while next_piece < len(pieces) and len(futures) < window:
                    start, end = pieces[next_piece]
                    futures.append(pool.submit(_read_piece, str(reader.path), start, end, year,
                                               reader.batch_children))
                    next_piece += 1
                result = futures.pop(0).result()
                if result[0] == "again":
                    raise ReadAgainSequentially
                if result[0] == "structure":
                    _, child_id, what, line, approximate = result
                    raise StructureError(child_id, what, line, approximate).moved(lines_before)
                _, tables, children, rows, warnings, newlines = result
                for batch in tables:
                    yield {name: _shift(_shift(t, "child_seq", children_before), "line", lines_before)
                           for name, t in batch.items()}
                children_before += children
                lines_before += newlines
                reader.absorb(children_before, rows, warnings)
        finally:
            for f in futures:
                f.cancel()
            if collecting:
                gc.enable()
    _give_back_memory()
    if children_before == 0:
        raise Reject("the return holds no <Child> records")
