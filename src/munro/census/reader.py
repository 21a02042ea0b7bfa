"""Streaming, hardened reader of CIN census XML returns.

``CensusReader(path).batches()`` yields columnar batches (one dict of column
lists per store table) a few thousand children at a time, so memory stays
flat whatever the file size. Every problem that stops a file from loading
raises ``RejectedFile`` with one line naming the file, and where it applies
the child's ``LAchildID``, the element and the line number.

Hardening: any DOCTYPE (and so any entity declaration) is refused; entities
are never resolved, no DTD is loaded, the network is never used, and
libxml2's size and depth limits stay on (``huge_tree=False``).

What is structural (rejects the file) and what is left to the validation
rules: element names, nesting, order, repetition, required elements, text
where none belongs, and values that cannot be typed (dates, yes/no, whole
numbers) are structural. Codes outside the year's code lists are loaded as
they are and counted as warnings: the DfE validation rules report them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from lxml import etree

from ..errors import RejectedFile
from . import format as fmt

BATCH_CHILDREN = 4096
_BOOLS = {"true": 1, "1": 1, "false": 0, "0": 0}


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


@dataclass
class ReadStats:
    children: int = 0
    rows: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)

    def warn(self, message: str) -> None:
        self.warnings[message] += 1


class _Reject(Exception):
    """Raised inside the walk; turned into RejectedFile with the file's name."""


def _year_label(year: int) -> str:
    return f"{year - 1}-{str(year)[2:]}"


# ---------------------------------------------------------------- value parsing


def _parse_date(text: str) -> str:
    t = text.strip()
    if len(t) != 10 or t[4] != "-" or t[7] != "-":
        raise ValueError
    dt.date.fromisoformat(t)
    return t


def _parse_value(kind: str, text: str | None):
    if text is None or not text.strip():
        return None
    if kind == "str":
        return text.strip()
    if kind == "date":
        return _parse_date(text)
    if kind == "bool":
        return _BOOLS[text.strip().lower()]
    if kind == "int":
        t = text.strip()
        if not t.lstrip("+-").isdigit():
            raise ValueError
        return int(t)
    if kind == "datetime":
        t = text.strip()
        dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
        return t
    raise AssertionError(kind)


_KIND_WORDS = {
    "date": "a date (YYYY-MM-DD)",
    "bool": "yes/no (true, false, 1 or 0)",
    "int": "a whole number",
    "datetime": "a date and time",
}


# ---------------------------------------------------------------- compiled format


class _Spec:
    """One element's allowed content for one schema year, ready for the hot loop."""

    __slots__ = ("element", "table", "order", "fields", "containers", "lists", "groups",
                 "required", "singles", "columns", "codes", "key")

    def __init__(self, element, table):
        self.element = element
        self.table = table
        self.order: dict[str, int] = {}
        self.fields: dict[str, fmt.Field] = {}
        self.containers: dict[str, _Spec] = {}
        self.lists: dict[str, fmt.ListOf] = {}
        self.groups: dict[str, _Spec] = {}
        self.required: list[str] = []
        self.singles: set[str] = set()
        self.columns: list[str] = []
        self.codes: dict[str, frozenset] = {}
        self.key = None


def _compile(node, year: int, table: str | None) -> _Spec:
    spec = _Spec(node.element, table)
    for item in node.items:
        if not isinstance(item, (fmt.Container,)) and not item.in_year(year):
            continue
        spec.order[item.element if not isinstance(item, fmt.ListOf) else item.wrapper] = len(spec.order)
        if isinstance(item, fmt.Field):
            spec.fields[item.element] = item
            spec.singles.add(item.element)
            if item.required:
                spec.required.append(item.element)
            if item.codes:
                spec.codes[item.element] = fmt.codes_for(item.codes, year)
        elif isinstance(item, fmt.ListOf):
            spec.lists[item.wrapper] = item
            spec.singles.add(item.wrapper)
        elif isinstance(item, fmt.Container):
            sub = _compile(item, year, table)
            spec.containers[item.element] = sub
            spec.singles.add(item.element)
            if item.required:
                spec.required.append(item.element)
        elif isinstance(item, fmt.Group):
            sub = _compile(item, year, item.table)
            spec.groups[item.element] = sub
            if item.min_occurs:
                spec.required.append(item.element)
    return spec


def _all_elements() -> dict[str, tuple[int, int]]:
    """Every element name munro knows in any year, with its years (for helpful messages)."""
    out: dict[str, tuple[int, int]] = {}

    def walk(node):
        for item in node.items:
            if isinstance(item, fmt.Field):
                out[item.element] = item.years
            elif isinstance(item, fmt.ListOf):
                out[item.wrapper] = item.years
            elif isinstance(item, fmt.Container):
                walk(item)
            else:
                out[item.element] = item.years
                walk(item)

    walk(fmt.CHILD)
    return out


_KNOWN = _all_elements()


# ---------------------------------------------------------------- the reader


class CensusReader:
    """Reads one CIN census return. Use ``header`` then ``batches()``.

    ``schema_year`` reads the file's structure as that collection year's
    format instead of the one its header names.
    """

    def __init__(self, path: str | os.PathLike, schema_year: int | None = None,
                 batch_children: int = BATCH_CHILDREN):
        self.path = Path(path)
        self.schema_year_override = schema_year
        self.batch_children = batch_children
        self.header: Header | None = None
        self.stats = ReadStats()
        self.sha256: str | None = None
        self.size = 0

    # -- errors

    def _reject(self, reason: str) -> RejectedFile:
        return RejectedFile(self.path, reason)

    # -- pre-flight: things lxml would report obscurely or slowly

    def _preflight(self) -> None:
        try:
            self.size = self.path.stat().st_size
        except FileNotFoundError:
            raise self._reject("no such file") from None
        except OSError as e:
            raise self._reject(f"cannot read the file ({e.strerror})") from None
        if self.path.is_dir():
            raise self._reject("is a folder, not a file")
        if self.size == 0:
            raise self._reject("the file is empty")
        with open(self.path, "rb") as f:
            head = f.read(4096)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
            raise self._reject("the file is UTF-16 or UTF-32 encoded; CIN census returns must be UTF-8")
        if head.startswith(b"PK\x03\x04"):
            raise self._reject("this is a zip file (perhaps an Excel workbook), not CIN census XML")
        body = head.lstrip(b"\xef\xbb\xbf").lstrip()
        if not body:
            raise self._reject("the file holds only white space")
        if not body.startswith(b"<"):
            raise self._reject("not an XML file (it does not start with '<')")

    # -- header

    def _read_header(self, el) -> Header:
        values: dict[str, object] = {}
        seen_sections = [c.tag for c in el if isinstance(c.tag, str)]
        for section in el:
            if not isinstance(section.tag, str):
                continue
            if section.tag not in ("CollectionDetails", "Source"):
                raise _Reject(f"unexpected element <{section.tag}> in <Header> at line {section.sourceline}")
            if section.tag == "Source" and seen_sections.count("Source") > 1 and "la_code" in values:
                continue
            for item in section:
                if not isinstance(item.tag, str):
                    continue
                spec = next((f for f in fmt.HEADER_FIELDS if f.element == item.tag
                             and fmt.HEADER_PATHS[f.element] == section.tag), None)
                if spec is None:
                    raise _Reject(f"unexpected element <{item.tag}> in <Header>/<{section.tag}> at line {item.sourceline}")
                try:
                    values[spec.column] = _parse_value(spec.kind, item.text)
                except (ValueError, KeyError):
                    raise _Reject(f"<Header> element <{item.tag}> at line {item.sourceline} "
                                  f"is not {_KIND_WORDS[spec.kind]}") from None
        for f in fmt.HEADER_FIELDS:
            if f.required and values.get(f.column) is None:
                raise _Reject(f"the <Header> has no <{f.element}>; munro needs the LA code (LEA), "
                              "the collection Year and the ReferenceDate to place the return")
        la = str(values["la_code"])
        if not (len(la) == 3 and la.isdigit()):
            raise _Reject(f"<LEA> must be a 3-digit DfE local authority code, not {la!r}")
        coll = values.get("collection")
        if coll is not None and coll != "CIN":
            raise _Reject(f"this is not a CIN census return (<Collection> is {coll!r})")
        year = int(values["collection_year"])
        if not fmt.FIRST_YEAR <= year <= fmt.LATEST_YEAR:
            raise _Reject(f"collection year {year} is not supported (munro reads "
                          f"{_year_label(fmt.FIRST_YEAR)} to {_year_label(fmt.LATEST_YEAR)})")
        ref = dt.date.fromisoformat(values["reference_date"])
        if ref != dt.date(year, 3, 31):
            self.stats.warn(f"ReferenceDate {ref} is not 31 March {year} (DfE rule 100)")
        schema_year = self.schema_year_override or year
        return Header(la_code=la, collection_year=year, reference_date=ref, schema_year=schema_year,
                      **{k: values.get(k) for k in ("collection", "source_level", "software_code",
                                                    "release", "serial_no", "source_datetime")})

    # -- children

    def _new_columns(self) -> dict[str, dict[str, list]]:
        return {table: {c: [] for c in cols} for table, cols in self._table_columns.items()}

    def _prepare(self, year: int) -> None:
        self._child_spec = _compile(fmt.CHILD, year, "children")
        self._year = year
        cols: dict[str, list[str]] = {}
        for table, fields in fmt.table_fields(year).items():
            data = [f.column for f in fields if f.in_year(year) and f.column != "la_child_id"]
            cols[table] = [*fmt.key_columns(table), "la_child_id", *data, "line"]
        self._table_columns = cols

    def _walk(self, el, spec: _Spec, row: dict, cols: dict, keys: tuple, child_id: str | None):
        """Check ``el``'s content against ``spec``; fill ``row`` and nested tables."""
        order = spec.order
        last = -1
        seen: set[str] = set()
        counters: dict[str, int] = {}
        if el.text is not None and el.text.strip():
            raise _Reject(self._where(child_id, el, f"unexpected text inside <{el.tag}>"))
        for sub in el:
            tag = sub.tag
            if not isinstance(tag, str):  # comments and processing instructions
                if sub.tail is not None and sub.tail.strip():
                    raise _Reject(self._where(child_id, sub, f"unexpected text inside <{el.tag}>"))
                continue
            pos = order.get(tag)
            if pos is None:
                raise _Reject(self._where(child_id, sub, self._unknown(tag, el.tag)))
            if pos < last:
                raise _Reject(self._where(child_id, sub, f"<{tag}> is out of order in <{el.tag}> "
                                                         f"(see the {_year_label(self._year)} format)"))
            if tag in seen and tag in spec.singles:
                raise _Reject(self._where(child_id, sub, f"<{tag}> appears more than once in <{el.tag}>"))
            last = pos
            seen.add(tag)
            if sub.tail is not None and sub.tail.strip():
                raise _Reject(self._where(child_id, sub, f"unexpected text after <{tag}> in <{el.tag}>"))
            f = spec.fields.get(tag)
            if f is not None:
                if len(sub):
                    raise _Reject(self._where(child_id, sub, f"<{tag}> must hold a value, not elements"))
                text = sub.text
                try:
                    value = _parse_value(f.kind, text)
                except (ValueError, KeyError):
                    raise _Reject(self._where(child_id, sub, f"<{tag}> is not {_KIND_WORDS[f.kind]}")) from None
                if value is None and f.required:
                    raise _Reject(self._where(child_id, sub, f"<{tag}> is empty"))
                row[f.column] = value
                allowed = spec.codes.get(tag)
                if allowed is not None and value is not None and value not in allowed:
                    self.stats.warn(f"{tag}: code not in the {_year_label(self._year)} code list")
                continue
            c = spec.containers.get(tag)
            if c is not None:
                self._walk(sub, c, row, cols, keys, child_id)
                continue
            lst = spec.lists.get(tag)
            if lst is not None:
                self._list(sub, lst, cols, keys, child_id)
                continue
            g = spec.groups[tag]
            n = counters.get(tag, 0) + 1
            counters[tag] = n
            self._group(sub, g, cols, (*keys, n), child_id)
        for req in spec.required:
            if req not in seen:
                raise _Reject(self._where(child_id, el, f"<{el.tag}> has no <{req}>"))

    def _group(self, el, spec: _Spec, cols: dict, keys: tuple, child_id):
        row: dict = {}
        self._walk(el, spec, row, cols, keys, child_id)
        table = cols[spec.table]
        n = len(keys)
        for i, name in enumerate(table):
            if i < n:
                table[name].append(keys[i])
            elif name == "la_child_id":
                table[name].append(child_id)
            elif name == "line":
                table[name].append(el.sourceline)
            else:
                table[name].append(row.get(name))
        self.stats.rows[spec.table] += 1

    def _list(self, el, lst: fmt.ListOf, cols: dict, keys: tuple, child_id):
        table = cols[lst.table]
        allowed = fmt.codes_for(lst.codes, self._year) if lst.codes else None
        if el.text is not None and el.text.strip():
            raise _Reject(self._where(child_id, el, f"unexpected text inside <{el.tag}>"))
        n = 0
        seqs = list(table)[: len(keys) + 1]
        for sub in el:
            if not isinstance(sub.tag, str):
                continue
            if sub.tag != lst.element:
                raise _Reject(self._where(child_id, sub, f"unexpected element <{sub.tag}> in <{el.tag}> "
                                                         f"(only <{lst.element}> belongs there)"))
            if sub.tail is not None and sub.tail.strip():
                raise _Reject(self._where(child_id, sub, f"unexpected text after <{sub.tag}> in <{el.tag}>"))
            try:
                value = _parse_value(lst.kind, sub.text)
            except (ValueError, KeyError):
                raise _Reject(self._where(child_id, sub, f"<{sub.tag}> is not {_KIND_WORDS[lst.kind]}")) from None
            if value is None:
                raise _Reject(self._where(child_id, sub, f"<{sub.tag}> is empty"))
            if allowed is not None and value not in allowed:
                self.stats.warn(f"{sub.tag}: code not in the {_year_label(self._year)} code list")
            n += 1
            for name, k in zip(seqs, (*keys, n)):
                table[name].append(k)
            table["la_child_id"].append(child_id)
            table[lst.column].append(value)
            table["line"].append(sub.sourceline)
            self.stats.rows[lst.table] += 1

    def _unknown(self, tag: str, parent: str) -> str:
        years = _KNOWN.get(tag)
        if years is not None and not (years[0] <= self._year <= years[1]):
            span = (f"from {_year_label(years[0])}" if years[1] == fmt.LATEST_YEAR
                    else f"until {_year_label(years[1])}")
            return (f"<{tag}> is not part of the {_year_label(self._year)} format (it exists {span}); "
                    f"if the header's year is right, the file was written in another year's format "
                    f"(--schema-year reads it as that year)")
        return f"unexpected element <{tag}> in <{parent}>"

    @staticmethod
    def _where(child_id: str | None, el, what: str) -> str:
        who = f"child {child_id}" if child_id else "a child with no LAchildID"
        return f"{who}: {what} (line {el.sourceline})"

    def _child(self, el, cols: dict) -> None:
        child_id = None
        ids = el.find("ChildIdentifiers")
        if ids is not None:
            cid = ids.find("LAchildID")
            if cid is not None and cid.text and cid.text.strip():
                child_id = cid.text.strip()
        self.stats.children += 1
        self._group(el, self._child_spec, cols, (self.stats.children,), child_id)

    # -- the stream

    def batches(self) -> Iterator[dict[str, dict[str, list]]]:
        """Yield ``{table: {column: [values]}}`` batches; sets ``header`` before the first."""
        self._preflight()
        digest = hashlib.sha256()
        try:
            with open(self.path, "rb") as raw:
                source = _HashingReader(raw, digest)
                yield from self._parse(source)
        except _Reject as e:
            raise self._reject(str(e)) from None
        except etree.XMLSyntaxError as e:
            raise self._reject(_syntax_message(e)) from None
        except (UnicodeDecodeError, LookupError) as e:
            raise self._reject(f"the file's text is not in the encoding it declares ({e})") from None
        self.sha256 = digest.hexdigest()

    def _peek_root(self) -> None:
        """Check the prolog and the root element before reading any further."""
        with open(self.path, "rb") as f:
            context = etree.iterparse(f, events=("start",), resolve_entities=False, no_network=True,
                                      load_dtd=False, huge_tree=False)
            for _, el in context:
                docinfo = el.getroottree().docinfo
                if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
                    raise _Reject("the file has a DOCTYPE; CIN census returns never do, and munro refuses "
                                  "them because they can carry entity attacks")
                if el.tag != "Message":
                    raise _Reject(f"the root element is <{el.tag}>, not <Message>: "
                                  "this is not a CIN census return")
                return

    def _parse(self, source) -> Iterator[dict]:
        self._peek_root()
        context = etree.iterparse(
            source, events=("start", "end"), tag=("Message", "Header", "Children", "Child"),
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
            huge_tree=False, remove_comments=True, remove_pis=True,
        )
        root = None
        children_el = None
        cols: dict | None = None
        n_in_batch = 0
        for event, el in context:
            if root is None:
                root = el
                continue
            tag = el.tag
            if event == "start":
                if tag == "Children":
                    if el.getparent() is not root:
                        raise _Reject(f"<Children> at line {el.sourceline} is not directly inside <Message>")
                    if self.header is None:
                        raise _Reject("<Children> comes before the <Header> (or there is no <Header>)")
                    children_el = el
                continue
            if tag == "Header":
                if el.getparent() is not root:
                    raise _Reject(f"<Header> at line {el.sourceline} is not directly inside <Message>")
                if self.header is not None:
                    raise _Reject(f"a second <Header> at line {el.sourceline}")
                self.header = self._read_header(el)
                self._prepare(self.header.schema_year)
                cols = self._new_columns()
            elif tag == "Child":
                if el.getparent() is not children_el or children_el is None:
                    raise _Reject(f"<Child> at line {el.sourceline} is not inside <Message>/<Children>")
                prev = el.getprevious()
                if prev is not None and prev.tag != "Child":
                    raise _Reject(f"unexpected element <{prev.tag}> in <Children> at line {prev.sourceline}")
                self._child(el, cols)
                n_in_batch += 1
                # Free what has been read: the element and its earlier siblings.
                el.clear(keep_tail=False)
                while el.getprevious() is not None:
                    del children_el[0]
                if n_in_batch >= self.batch_children:
                    yield cols
                    cols = self._new_columns()
                    n_in_batch = 0
            elif tag == "Children":
                for sub in el:
                    if isinstance(sub.tag, str) and sub.tag != "Child":
                        raise _Reject(f"unexpected element <{sub.tag}> in <Children> at line {sub.sourceline}")
            elif tag == "Message":
                for sub in el:
                    if isinstance(sub.tag, str) and sub.tag not in ("Header", "Children"):
                        raise _Reject(f"unexpected element <{sub.tag}> in <Message> at line {sub.sourceline}")
                if el.text is not None and el.text.strip():
                    raise _Reject("unexpected text inside <Message>")
        if root is None:
            raise _Reject("no XML element found")
        if self.header is None:
            raise _Reject("the file has no <Header>")
        if children_el is None:
            raise _Reject("the file has no <Children>")
        if self.stats.children == 0:
            raise _Reject("the return holds no <Child> records")
        if n_in_batch:
            yield cols


class _HashingReader:
    """A file wrapper that hashes exactly the bytes lxml reads."""

    def __init__(self, raw, digest):
        self._raw = raw
        self._digest = digest

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._digest.update(data)
        return data


def _syntax_message(e: etree.XMLSyntaxError) -> str:
    msg = str(e.msg or e).strip()
    line = e.lineno or (e.position[0] if e.position else None)
    low = msg.lower()
    if "document is empty" in low or "start tag expected" in low:
        return "not an XML document"
    if "premature end" in low or "extra content" not in low and ("end of data" in low or "eof" in low
                                                                 or "not finished" in low):
        return f"the file ends part-way through (truncated?) at line {line}"
    if "encoding" in low or "input is not proper utf-8" in low or "bytes:" in low:
        return f"the file's text is not in the encoding it declares (line {line}): {msg}"
    if "entity" in low:
        return f"entity reference refused at line {line}: CIN census returns never use entities"
    return f"not well-formed XML at line {line}: {msg}"


def read_header(path: str | os.PathLike, schema_year: int | None = None) -> Header:
    """Read just the header of a return (stops at the first child)."""
    reader = CensusReader(path, schema_year=schema_year, batch_children=1)
    batches = reader.batches()
    try:
        next(batches)
    except StopIteration:
        pass
    finally:
        batches.close()
    assert reader.header is not None
    return reader.header
