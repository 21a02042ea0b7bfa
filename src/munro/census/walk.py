"""Turning parsed ``<Child>`` elements into store rows, checking their structure.

``ChildWalker(year)`` compiles ``format.py`` for one schema year into flat
lookup tables, then ``walk(child_element)`` checks the child's structure
(names, nesting, order, repetition, required elements, stray text, typed
values) and appends one row per record to column lists, one dict per table.
It is the hot loop of ingest, so it trades a little elegance for speed: one
dict lookup per element, bit masks for what has been seen.

Problems raise ``StructureError`` with the child's ``LAchildID``, the
element and the line number. Dates are checked for shape here and for
calendar validity when the batch becomes Arrow (``store.ingest``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import pyarrow as pa
from lxml import etree

from ..years import year_label
from . import format as fmt

if TYPE_CHECKING:
    import numpy as np
    from lxml import etree

    from . import _fastwalk

log = logging.getLogger(__name__)

# A tolerant walk's problem: (LAchildID, element, line, the element's text, what is wrong).
Problem: TypeAlias = "tuple[str | None, str | None, int | None, str | None, str]"
# The Python walk's rows: {table: {column: values}}, each value of its column's kind or None (Any: the
# kind is the column's, known to format.py rather than to the checker).
Columns: TypeAlias = "dict[str, dict[str, list[Any]]]"
# What a compiled item carries, by its code: _FIELD (column, kind, required, codes), _LIST (the ListOf,
# codes, key columns), _CONTAINER and _GROUP a _Spec. Any, because the hot loop unpacks it after testing
# the code, which the checker cannot relate to the payload's type.
_Payload: TypeAlias = Any

_BOOLS = {"true": 1, "1": 1, "false": 0, "0": 0}
_EPOCH = dt.date(1970, 1, 1).toordinal()
KIND_WORDS = {
    "str": "text",
    "date": "a date (YYYY-MM-DD)",
    "bool": "yes/no (true, false, 1 or 0)",
    "int": "a whole number",
    "datetime": "a date and time",
}
_FIELD, _CONTAINER, _LIST, _GROUP = range(4)


class StructureError(Exception):
    """A structural problem in one child; the message names child, element and line.

    ``line`` is kept apart so that a piece of a file read on its own
    can be given its place in the whole file (``moved``).
    """

    def __init__(self, child_id: str | None, what: str, line: int | None, approximate: bool = False):
        self.child_id, self.what, self.line, self.approximate = child_id, what, line, approximate
        self.element: etree._Element | None = None
        super().__init__(self._text())

    def _text(self) -> str:
        who = f"child {self.child_id}" if self.child_id else "a child with no LAchildID"
        where = "" if self.line is None else f" ({'record at ' if self.approximate else ''}line {self.line})"
        return f"{who}: {self.what}{where}"

    def moved(self, lines: int) -> StructureError:
        line = None if self.line is None else self.line + lines
        return StructureError(self.child_id, self.what, line, self.approximate)


def _convert(kind: str, text: str) -> str | int:
    """Typed value of an element's text, or raise ValueError/KeyError."""
    if kind == "str":
        return text
    if kind == "date":
        # Days since 1970-01-01, as Arrow's date32 holds them; a date not on the calendar
        # (2023-02-30, year 0) is a ValueError here, so its message names the element's own line.
        if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii() or not text[:4].isdigit():
            raise ValueError
        return dt.date.fromisoformat(text).toordinal() - _EPOCH
    if kind == "bool":
        return _BOOLS[text.lower()]
    if kind == "int":
        if not (text.isascii() and text.lstrip("+-").isdigit()):
            raise ValueError
        return int(text)
    raise AssertionError(kind)


class _Spec:
    __slots__ = ("element", "table", "items", "required_mask", "required", "key_names",
                 "data_names")

    def __init__(self, element: str, table: str):
        self.element = element
        self.table = table
        # tag -> (position, code, payload, single)
        self.items: dict[str, tuple[int, int, _Payload, bool]] = {}
        self.required_mask = 0
        self.required: list[tuple[int, str]] = []
        self.key_names: tuple[str, ...] = ()
        self.data_names: list[str] = []


def _compile(node: fmt.Group | fmt.Container, year: int, table: str, spec: _Spec | None = None) -> _Spec:
    """Compile a Group (or, into its parent's spec, a Container) for one year."""
    own = spec is None
    if spec is None:
        spec = _Spec(node.element, table)
        spec.key_names = fmt.key_columns(table)
    target = _Spec(node.element, table) if not own else spec
    for item in node.items:
        if not isinstance(item, fmt.Container) and not item.in_year(year):
            continue
        pos = len(target.items)
        if isinstance(item, fmt.Field):
            codes = fmt.codes_for(item.codes, year) if item.codes else None
            if item.column != "la_child_id":
                spec.data_names.append(item.column)
            payload = (item.column, item.kind, item.required, codes)
            target.items[item.element] = (pos, _FIELD, payload, True)
            if item.required:
                target.required_mask |= 1 << pos
                target.required.append((pos, item.element))
        elif isinstance(item, fmt.ListOf):
            codes = fmt.codes_for(item.codes, year) if item.codes else None
            target.items[item.wrapper] = (pos, _LIST, (item, codes, fmt.key_columns(item.table)), True)
        elif isinstance(item, fmt.Container):
            sub = _compile(item, year, table, spec)
            target.items[item.element] = (pos, _CONTAINER, sub, True)
            if item.required:
                target.required_mask |= 1 << pos
                target.required.append((pos, item.element))
        else:
            sub = _compile(item, year, item.table)
            target.items[item.element] = (pos, _GROUP, sub, False)
            if item.min_occurs:
                target.required_mask |= 1 << pos
                target.required.append((pos, item.element))
    return target


def _known_elements() -> dict[str, tuple[int, int]]:
    """Every element munro knows in any year, with its years (for helpful messages)."""
    out: dict[str, tuple[int, int]] = {}

    def walk(node: fmt.Group | fmt.Container) -> None:
        for item in node.items:
            if isinstance(item, fmt.ListOf):
                out[item.wrapper] = item.years
            elif isinstance(item, fmt.Container):
                walk(item)
            else:
                out[item.element] = item.years
                if isinstance(item, fmt.Group):
                    walk(item)

    walk(fmt.CHILD)
    return out


_KNOWN = _known_elements()


def table_columns(year: int) -> dict[str, list[str]]:
    """The columns the walker fills for each table in ``year``: keys, la_child_id, data, line."""
    out: dict[str, list[str]] = {}
    for table, fields in fmt.table_fields(year).items():
        data = [f.column for f in fields if f.in_year(year) and f.column != "la_child_id"]
        out[table] = [*fmt.key_columns(table), "la_child_id", *data, "line"]
    return out


ARROW_TYPES = {"str": pa.string(), "date": pa.date32(), "bool": pa.int32(), "int": pa.int32(),
               "datetime": pa.string()}


def column_types(year: int) -> dict[str, dict[str, tuple[pa.DataType, str | None]]]:
    """Per table, column -> (Arrow type, element name for messages)."""
    out = {}
    for table, fields in fmt.table_fields(year).items():
        cols: dict[str, tuple[pa.DataType, str | None]] = {k: (pa.int32(), None) for k in fmt.key_columns(table)}
        cols["la_child_id"] = (pa.string(), "LAchildID")
        for f in fields:
            if f.in_year(year) and f.column != "la_child_id":
                cols[f.column] = (ARROW_TYPES[f.kind], f.element)
        cols["line"] = (pa.int64(), None)
        out[table] = cols
    return out


def to_arrow(year: int, batch: Columns) -> dict[str, pa.Table]:
    """Column lists -> Arrow tables; a date that is not on the calendar is a StructureError."""
    types = column_types(year)
    out = {}
    for table, columns in batch.items():
        if not columns["line"]:
            continue
        arrays = []
        for name, values in columns.items():
            arrow_type, element = types[table][name]
            if arrow_type == pa.date32():
                # The walkers checked each date and give days since 1970-01-01.
                arrays.append(pa.array(values, pa.int32()).cast(pa.date32()))
            else:
                try:
                    arrays.append(pa.array(values, arrow_type))
                except (pa.ArrowInvalid, OverflowError):  # a whole number too large for the store
                    raise _bad_number(columns, name, element) from None
        out[table] = pa.Table.from_arrays(arrays, names=list(columns))
    return out


_INT32 = range(-(2 ** 31), 2 ** 31)


def _bad_number(columns: dict[str, list[Any]], name: str, element: str | None) -> StructureError:
    for i, value in enumerate(columns[name]):
        if isinstance(value, int) and value not in _INT32:
            return StructureError(columns["la_child_id"][i], f"<{element}> is too large a number ({value})",
                                  columns["line"][i], approximate=True)
    return StructureError(None, f"<{element}> holds a value that is not a whole number", None)


class Compiled(Protocol):
    """The compiled walker's module (``_fastwalk``, see _fastwalk.pyi), as walk.py and parallel.py use it."""

    Program: type[_fastwalk.Program]
    Batch: type[_fastwalk.Batch]

    def walk_one(self, batch: _fastwalk.Batch, child: etree._Element, seq: int) -> bool: ...

    def walk_run(self, batch: _fastwalk.Batch, root: etree._Element, after: etree._Element | None, limit: int,
                 seq: int) -> tuple[int, etree._Element | None, bool]: ...

    def plain_children(self, root: etree._Element) -> bool: ...

    def scan(self, data: bytes | bytearray | memoryview,
             tags: Sequence[bytes]) -> tuple[int, bool, list[np.ndarray]]: ...


def compiled_walk() -> Compiled | None:
    """The compiled shortcut (the ``_fastwalk`` module), unless absent, built against another lxml,
    or MUNRO_PURE_PYTHON is set."""
    if os.environ.get("MUNRO_PURE_PYTHON"):
        return None
    return _usable_extension()


def installed_lxml() -> tuple[str, str]:
    """The lxml and libxml2 versions in use, as ``_fastwalk.BUILT_AGAINST`` records its build's."""

    return etree.__version__, ".".join(map(str, etree.LIBXML_COMPILED_VERSION))


@functools.cache
def _usable_extension() -> Compiled | None:
    # The extension walks libxml2's structs as laid out by the lxml it was compiled against; another
    # lxml (an upgrade beside a wheel built earlier) could read them wrong, so it is used only on a match.
    try:
        # the compiled walker is optional: without it (or with MUNRO_PURE_PYTHON) the Python walk is used
        from . import _fastwalk
    except ImportError:
        return None
    built, installed = getattr(_fastwalk, "BUILT_AGAINST", None), installed_lxml()
    if built != installed:
        log.debug("compiled census walker built for lxml/libxml2 %s, installed %s: using the Python walker",
                  built, installed)
        return None
    return _fastwalk


# schema year -> _fastwalk.Program: read-only once built, so shared by threads
_PROGRAMS: dict[int, _fastwalk.Program] = {}


class ChildWalker:
    """Checks and flattens ``<Child>`` elements of one schema year into column lists."""

    def __init__(self, year: int, tolerant: bool = False) -> None:
        # Tolerant (for validation): a problem is recorded in ``problems`` as
        # (LAchildID, element, line, text, what) and the walk goes on, a bad value stored as NULL,
        # so that the DfE rules can report what the strict read would refuse.
        self._fast = None if tolerant else compiled_walk()
        self.problems: list[Problem] | None = [] if tolerant else None
        self.year = year
        self.spec = _compile(fmt.CHILD, year, "children")
        self.columns = table_columns(year)
        self.warnings: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        self.children = 0
        self.cols = self.new_batch()
        self.year_text = year_label(year)
        # The compiled walk fills C column buffers (a _fastwalk.Batch); the Python walk fills ``cols``.
        self._batch: _fastwalk.Batch | None = None
        if self._fast is not None:
            if year not in _PROGRAMS:
                _PROGRAMS[year] = self._fast.Program(self)
            self._batch = self._fast.Batch(_PROGRAMS[year])

    def new_batch(self) -> Columns:
        return {t: {c: [] for c in cols} for t, cols in self.columns.items()}

    def take_batch(self) -> Columns | _fastwalk.Batch:
        """The rows walked since the last call, for ``tables``."""
        if self._batch is not None:
            assert self._fast is not None  # a compiled batch only with the compiled walk
            out, self._batch = self._batch, self._fast.Batch(_PROGRAMS[self.year])
            self.rows.update(out.rows())
            return out
        cols, self.cols = self.cols, self.new_batch()
        self.rows.update({t: len(d["line"]) for t, d in cols.items() if d["line"]})
        return cols

    def tables(self, batch: Columns | _fastwalk.Batch) -> dict[str, pa.Table]:
        """A batch from ``take_batch`` as ``{table: pyarrow.Table}``; its code-list warnings counted."""
        if isinstance(batch, dict):  # the Python walk's (take_batch gives one exactly when _batch is None)
            return to_arrow(self.year, batch)
        tables, warnings = batch.tables()
        self.warnings.update(warnings)
        return tables

    # -- messages

    def _error(self, child_id: str | None, el: etree._Element, what: str) -> StructureError:
        error = StructureError(child_id, what, el.sourceline)
        error.element = el  # lets a reader holding the bytes find the exact line (see parallel.py)
        return error

    def _problem(self, child_id: str | None, el: etree._Element, what: str) -> None:
        """Raise the StructureError, or in tolerant mode record it and let the walk go on."""
        if self.problems is None:
            raise self._error(child_id, el, what)
        text = el.text.strip() if isinstance(el.tag, str) and el.text and not len(el) else None
        tag = el.tag if isinstance(el.tag, str) else None
        self.problems.append((child_id, tag, el.sourceline, text, what))

    def _unknown(self, tag: object, parent: str) -> str:
        if not isinstance(tag, str):
            return f"unexpected content in <{parent}>"
        years = _KNOWN.get(tag)
        if years is not None and not (years[0] <= self.year <= years[1]):
            span = (f"from {year_label(years[0])}" if years[1] == fmt.LATEST_YEAR
                    else f"until {year_label(years[1])}")
            return (f"<{tag}> is not part of the {year_label(self.year)} format (it exists {span}); "
                    "if the header's year is right, the file is in another year's format "
                    "(--schema-year reads it as that year)")
        return f"unexpected element <{tag}> in <{parent}>"

    # -- the walk

    def walk(self, el: etree._Element) -> None:
        """Check and flatten one ``<Child>`` element."""
        if self._batch is None or self._fast is None:
            self._walk(el)
        elif self._fast.walk_one(self._batch, el, self.children + 1):
            self.children += 1
        else:
            self._walk_back(el)

    def walk_children(self, root: etree._Element, batch_children: int) -> list[Columns | _fastwalk.Batch]:
        """Check and flatten every child of ``root`` (a parsed piece): batches of ``batch_children``."""
        batches = []
        if self._batch is None or self._fast is None:
            for i, el in enumerate(root, 1):
                self._walk(el)
                if i % batch_children == 0:
                    batches.append(self.take_batch())
        else:
            after, in_batch = None, 0
            while True:
                walked, el, handed_back = self._fast.walk_run(self._batch, root, after, batch_children - in_batch,
                                                              self.children)
                self.children += walked
                in_batch += walked
                if handed_back:
                    self._walk_back(el)
                    in_batch += 1
                elif el is None:
                    break
                after = el
                if in_batch == batch_children:
                    batches.append(self.take_batch())
                    in_batch = 0
        batches.append(self.take_batch())
        return batches

    def _walk_back(self, el: etree._Element) -> None:
        """A child the compiled walk handed back: the Python walk decides, and its rows join the buffers."""
        counted, self.warnings = self.warnings, Counter()  # the buffers count codes when they become tables
        try:
            self._walk(el)
        finally:
            self.warnings = counted
        assert self._batch is not None  # only the compiled walk hands a child back
        self._batch.append_lists(self.cols)

    def _walk(self, el: etree._Element) -> None:
        child_id = None
        ids = el.find("ChildIdentifiers")
        if ids is not None:
            cid = ids.findtext("LAchildID")
            if cid:
                child_id = cid.strip() or None
        self.children += 1
        self._group(el, self.spec, (self.children,), child_id)

    def _group(self, el: etree._Element, spec: _Spec, keys: tuple[int, ...], child_id: str | None) -> None:
        row: dict[str, str | int] = {}
        self._fill(el, spec, row, keys, child_id)
        table = self.cols[spec.table]
        for name, k in zip(spec.key_names, keys):
            table[name].append(k)
        table["la_child_id"].append(child_id)
        table["line"].append(el.sourceline)
        get = row.get
        for name in spec.data_names:
            table[name].append(get(name))

    def _fill(self, el: etree._Element, spec: _Spec, row: dict[str, str | int], keys: tuple[int, ...],
              child_id: str | None) -> None:
        items = spec.items
        text = el.text
        if text is not None and text.strip():
            self._problem(child_id, el, f"unexpected text inside <{el.tag}>")
        last = -1
        seen = 0
        counters: dict[str, int] = {}
        for sub in el:
            tag = sub.tag
            item = items.get(tag)
            if item is None:
                self._problem(child_id, sub, self._unknown(tag, el.tag))
                continue
            pos, code, payload, single = item
            if pos <= last:
                if pos < last:
                    self._problem(child_id, sub, f"<{tag}> is out of order in <{el.tag}> "
                                                 f"(see the {year_label(self.year)} format)")
                elif single:
                    self._problem(child_id, sub, f"<{tag}> appears more than once in <{el.tag}>")
                    continue
            last = pos
            seen |= 1 << pos
            tail = sub.tail
            if tail is not None and tail.strip():
                self._problem(child_id, sub, f"unexpected text after <{tag}> in <{el.tag}>")
            if code == _FIELD:
                column, kind, required, codes = payload
                if len(sub):
                    self._problem(child_id, sub, f"<{tag}> must hold a value, not elements")
                    continue
                text = sub.text
                if text is None or not (text := text.strip()):
                    if required:
                        self._problem(child_id, sub, f"<{tag}> is empty")
                    continue
                try:
                    value = text if kind == "str" else _convert(kind, text)
                except (ValueError, KeyError):
                    self._problem(child_id, sub, f"<{tag}> is not {KIND_WORDS[kind]}")
                    continue
                row[column] = value
                if codes is not None and value not in codes:
                    self.warnings[f"{tag}: code not in the {year_label(self.year)} code list"] += 1
            elif code == _GROUP:
                n = counters.get(tag, 0) + 1
                counters[tag] = n
                self._group(sub, payload, (*keys, n), child_id)
            elif code == _CONTAINER:
                self._fill(sub, payload, row, keys, child_id)
            else:
                self._list(sub, payload, keys, child_id)
        if seen & spec.required_mask != spec.required_mask:
            for pos, name in spec.required:
                if not seen & (1 << pos):
                    self._problem(child_id, el, f"<{el.tag}> has no <{name}>")

    def _list(self, el: etree._Element, payload: _Payload, keys: tuple[int, ...], child_id: str | None) -> None:
        lst, codes, key_names = payload
        table = self.cols[lst.table]
        text = el.text
        if text is not None and text.strip():
            self._problem(child_id, el, f"unexpected text inside <{el.tag}>")
        kind = lst.kind
        values = table[lst.column]
        lines = table["line"]
        n = 0
        for sub in el:
            if sub.tag != lst.element:
                what = (f"unexpected element <{sub.tag}> in <{el.tag}> (only <{lst.element}> belongs there)"
                        if isinstance(sub.tag, str) else f"unexpected content in <{el.tag}>")
                self._problem(child_id, sub, what)
                continue
            tail = sub.tail
            if tail is not None and tail.strip():
                self._problem(child_id, sub, f"unexpected text after <{sub.tag}> in <{el.tag}>")
            text = sub.text
            text = text.strip() if text is not None else ""
            if not text:
                self._problem(child_id, sub, f"<{sub.tag}> is empty")
                continue
            try:
                value = text if kind == "str" else _convert(kind, text)
            except (ValueError, KeyError):
                self._problem(child_id, sub, f"<{sub.tag}> is not {KIND_WORDS[kind]}")
                continue
            if codes is not None and value not in codes:
                self.warnings[f"{sub.tag}: code not in the {year_label(self.year)} code list"] += 1
            n += 1
            for name, k in zip(key_names, (*keys, n)):
                table[name].append(k)
            table["la_child_id"].append(child_id)
            values.append(value)
            lines.append(sub.sourceline)
