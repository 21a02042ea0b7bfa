"""Reading a large return in several processes at once.

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
and the caller starts over with one process, which gives the exact answer.
"""

from __future__ import annotations

import io
import mmap
import multiprocessing
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from .reader import (PARSER_OPTIONS, CensusReader, _Reject, check_children_end, check_message_end,
                     to_arrow)
from .walk import ChildWalker, StructureError

MIN_PARALLEL_BYTES = 48 * 1024 * 1024
CHUNK_BYTES = 16 * 1024 * 1024
_CHILD = b"<Child>"
_TRAILER = re.compile(rb"</Children>\s*</Message>\s*")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class ReadAgainSequentially(Exception):
    """The parallel read cannot vouch for its answer: read the file again with one process."""


@dataclass
class Plan:
    bounds: list[int]  # byte offsets: first <Child>, each cut, the closing </Children>
    prefix_lines: int  # newlines before the first <Child>


def plan_chunks(reader: CensusReader) -> Plan | None:
    """Where to cut the file, or None to read it sequentially."""
    if reader.size < MIN_PARALLEL_BYTES:
        return None
    with open(reader.path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        first = mm.find(_CHILD, 0, 1 << 20)
        last = mm.rfind(b"</Children>", max(0, len(mm) - 4096))
        if first < 0 or last < first or not _TRAILER.fullmatch(mm[last:]):
            return None
        prefix = mm[:first]
        m = _ENCODING.match(prefix.lstrip(b"\xef\xbb\xbf"))
        if m and m.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
            return None
        bounds = [first]
        pos = first + CHUNK_BYTES
        while pos < last:
            cut = mm.find(_CHILD, pos, last)
            if cut < 0:
                break
            if mm[max(first, cut - 64):cut].rstrip().endswith(b"</Child>"):
                bounds.append(cut)
                pos = cut + CHUNK_BYTES
            else:
                pos = cut + len(_CHILD)
        bounds.append(last)
    if len(bounds) < 3:
        return None
    _read_prefix(reader, prefix)
    return Plan(bounds, prefix.count(b"\n"))


def _read_prefix(reader: CensusReader, prefix: bytes) -> None:
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


def _read_piece(path: str, start: int, end: int, year: int, batch_children: int):
    """Worker: parse bytes [start, end) of the file, a run of <Child> elements."""
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    newlines = data.count(b"\n")
    if b"<!" in data or b"<?" in data:  # comments, CDATA, declarations, PIs: a cut may be inside one
        return ("again",)
    walker = ChildWalker(year)
    tables = []
    rows, warnings = Counter(), Counter()
    try:
        context = etree.iterparse(io.BytesIO(b"<Children>" + data + b"</Children>"), events=("end",),
                                  tag="Child", **PARSER_OPTIONS)
        pending = 0
        for _, el in context:
            parent = el.getparent()
            if parent is None or parent.getparent() is not None:
                return ("again",)
            walker.walk(el)
            el.clear(keep_tail=False)
            while (prev := el.getprevious()) is not None:
                if prev.tail is not None and prev.tail.strip():
                    raise _Reject(f"unexpected text after <Child> in <Children> (line {prev.sourceline})")
                del parent[0]
            pending += 1
            if pending >= batch_children:
                tables.append(to_arrow(year, walker.take_batch()))
                pending = 0
        check_children_end(context.root)
        if pending:
            tables.append(to_arrow(year, walker.take_batch()))
    except StructureError as e:
        return ("structure", e.child_id, e.what, e.line, e.approximate)
    except etree.XMLSyntaxError:
        return ("again",)
    except _Reject:
        return ("again",)
    rows.update(walker.rows)
    warnings.update(walker.warnings)
    return ("ok", tables, walker.children, rows, warnings, newlines)


def _shift(table: pa.Table, column: str, by: int) -> pa.Table:
    if by == 0:
        return table
    i = table.schema.get_field_index(column)
    return table.set_column(i, column, pc.add(table[column], pa.scalar(by, table.schema.field(i).type)))


def read_parallel(reader: CensusReader, plan: Plan):
    """Yield the batches of ``reader``'s file, read by ``reader.workers`` processes."""
    year = reader.header.schema_year
    pieces = list(zip(plan.bounds[:-1], plan.bounds[1:]))
    children_before = 0
    lines_before = plan.prefix_lines
    window = reader.workers + 1
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=reader.workers, mp_context=ctx) as pool:
        futures = []
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
    if children_before == 0:
        raise _Reject("the return holds no <Child> records")
