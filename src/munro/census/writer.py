"""Stream a CIN census return to XML, one child at a time.

The element names, their order and which of them exist in a collection year
all come from ``format.py``: the writer walks ``CHILD`` for the schema year of
the file and never names an element of a child record itself. Only one
child's subtree is ever built, so a return of any size streams in constant
memory.

A child record is a dict keyed by XML element names::

    {"LAchildID": "A1", "PersonBirthDate": date(2015, 3, 1), "Sex": "F",
     "Ethnicity": "WBRI", "Disabilities": ["NONE"],
     "CINdetails": [{"CINreferralDate": date(2024, 5, 2), "ReferralNFA": False,
                     "Assessments": [{"AssessmentActualStartDate": ...,
                                      "FactorsIdentifiedAtAssessment": ["3B"]}],
                     "ChildProtectionPlans": [{..., "Reviews": [date(...)]}]}]}

A missing key or None omits the element (an empty list omits a wrapper);
keys for elements that the schema year does not have are ignored, so one
record can be written in any year's format.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeAlias

from lxml import etree

from .. import __version__
from ..years import year_end
from .format import CHILD, FIRST_YEAR, LATEST_YEAR, Container, Field, Group, Item, ListOf

INDENT = "    "

# A compiled item: (kind, element, sub) where kind is one of the constants
# below and sub is the wrapped element name (list) or a compiled plan.
_FIELD, _LIST, _GROUP, _CONTAINER = range(4)
# sub is None, a name or a Plan by kind: Any, as _fill tells them apart by kind, which the checker
# cannot relate to sub's type.
Plan: TypeAlias = "tuple[tuple[int, str, Any], ...]"


def _compile(items: tuple[Item, ...], year: int) -> Plan:
    plan: list[tuple[int, str, Any]] = []
    for item in items:
        if isinstance(item, Field):
            if item.in_year(year):
                plan.append((_FIELD, item.element, None))
        elif isinstance(item, ListOf):
            if item.in_year(year):
                plan.append((_LIST, item.wrapper, item.element))
        elif isinstance(item, Group):
            if item.in_year(year):
                plan.append((_GROUP, item.element, _compile(item.items, year)))
        elif isinstance(item, Container):
            plan.append((_CONTAINER, item.element, _compile(item.items, year)))
        else:  # pragma: no cover - format.py only has the four kinds
            raise TypeError(f"unknown format item {item!r}")
    return tuple(plan)


_PLANS: dict[int, Plan] = {}


def child_plan(year: int) -> Plan:
    """The compiled element plan of ``Child`` for schema ``year`` (cached)."""
    plan = _PLANS.get(year)
    if plan is None:
        plan = _PLANS[year] = _compile(CHILD.items, year)
    return plan


def format_value(value: Any) -> str:
    """The XML text of a value: ISO dates, ``true``/``false``, anything else as str."""
    t = type(value)
    text: str  # the checker does not narrow by ``type(value) is``, which is quicker than isinstance here
    if t is str:
        text = value
        return text
    if t is dt.date:
        text = value.isoformat()
        return text
    if t is bool:
        return "true" if value else "false"
    if t is dt.datetime:
        text = value.isoformat(timespec="seconds")
        return text
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Newline and indentation before an element at each depth (Message is depth 0).
_NL = tuple("\n" + INDENT * d for d in range(12))


def _fill(parent: etree._Element, plan: Plan, record: Mapping[str, Any], depth: int,
          sub_el: Callable[[etree._Element, str], etree._Element] = etree.SubElement) -> None:
    """Append ``record``'s elements to ``parent`` (at ``depth - 1``), indented as they go."""
    nl = _NL[depth]
    parent.text = nl
    el = None
    get = record.get
    for kind, name, sub in plan:
        if kind == _CONTAINER:
            # Containers are structural: their fields sit in the record itself.
            el = sub_el(parent, name)
            el.tail = nl
            _fill(el, sub, record, depth + 1)
            continue
        value = get(name)
        if value is None:
            continue
        if kind == _FIELD:
            el = sub_el(parent, name)
            el.text = format_value(value)
            el.tail = nl
        elif kind == _GROUP:
            for row in value:
                el = sub_el(parent, name)
                el.tail = nl
                _fill(el, sub, row, depth + 1)
        elif value:  # _LIST: an empty list omits the wrapper
            el = sub_el(parent, name)
            el.tail = nl
            inner = _NL[depth + 1]
            el.text = inner
            for v in value:
                item = sub_el(el, sub)
                item.text = format_value(v)
                item.tail = inner
            item.tail = nl
    if el is None:
        parent.text = None
    else:
        el.tail = _NL[depth - 1]


def _header(la: str, year: int, software: str, release: str, serial: str,
            timestamp: dt.datetime, reference_date: dt.date) -> etree._Element:
    header = etree.Element("Header")
    details = etree.SubElement(header, "CollectionDetails")
    for name, value in (("Collection", "CIN"), ("Year", year),
                        ("ReferenceDate", reference_date)):
        etree.SubElement(details, name).text = format_value(value)
    source = etree.SubElement(header, "Source")
    for name, value in (("SourceLevel", "L"), ("LEA", la), ("SoftwareCode", software),
                        ("Release", release), ("SerialNo", serial), ("DateTime", timestamp)):
        etree.SubElement(source, name).text = format_value(value)
    etree.indent(header, space=INDENT, level=1)
    header.tail = None
    return header


class ReturnWriter:
    """Write one CIN census return, streaming, to ``path``.

    ::

        with ReturnWriter(path, la="330", year=2025) as w:
            for child in children:
                w.write_child(child)

    The file is written to a hidden temporary name in the same folder and
    renamed over ``path`` only when the ``with`` block ends without an
    exception, so an interrupted run never leaves a partial file under the
    final name. ``schema_year`` (default ``year``) picks the format.
    ``timestamp`` is the header DateTime; by default a fixed time derived
    from the year, so that the same data gives the same bytes.
    ``reference_date`` (default 31 March of ``year``) is the header's
    ReferenceDate: an earlier date in the year writes an in-year extract.
    """

    def __init__(self, path: str | os.PathLike[str], *, la: str, year: int,
                 schema_year: int | None = None, software: str = "munro synth",
                 release: str = __version__, serial: str = "001",
                 timestamp: dt.datetime | None = None, reference_date: dt.date | None = None):
        self.path = Path(path)
        self.la = str(la)
        self.year = int(year)
        self.reference_date = reference_date if reference_date is not None else year_end(self.year)
        self.schema_year = int(schema_year if schema_year is not None else year)
        if not FIRST_YEAR <= self.schema_year <= LATEST_YEAR:
            raise ValueError(f"schema year {self.schema_year} is outside {FIRST_YEAR}-{LATEST_YEAR}")
        self.software = software
        self.release = release
        self.serial = serial
        # Returns are made after the year ends, extracts on their day; any fixed instant will do.
        made = (dt.datetime(self.year, 6, 1, 9, 0, 0) if reference_date is None else
                dt.datetime.combine(self.reference_date, dt.time(18, 0, 0)))
        self.timestamp = timestamp or made
        self.children = self.episodes = self.assessments = self.section47 = self.cp_plans = 0
        self._tmp: Path | None = None
        self._file: IO[bytes] | None = None
        self._contexts: list[AbstractContextManager[Any]] = []
        self._plan = child_plan(self.schema_year)

    # -- context management -------------------------------------------------
    def __enter__(self) -> ReturnWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self._file = open(self._tmp, "wb", buffering=1 << 20)
        try:
            # lxml's own declaration uses single quotes; real returns use double.
            self._file.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            xf_ctx = etree.xmlfile(self._file, encoding="UTF-8")
            self._xf = xf_ctx.__enter__()
            self._contexts.append(xf_ctx)
            message = self._xf.element("Message")
            message.__enter__()
            self._contexts.append(message)
            self._xf.write("\n" + INDENT)
            self._xf.write(_header(self.la, self.year, self.software, self.release,
                                   self.serial, self.timestamp, self.reference_date))
            self._xf.write("\n" + INDENT)
            children = self._xf.element("Children")
            children.__enter__()
            self._contexts.append(children)
        except BaseException:
            self._abort()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self._abort()
            return
        assert self._file is not None and self._tmp is not None  # opened by __enter__
        try:
            self._xf.write("\n" + INDENT)
            self._contexts.pop().__exit__(None, None, None)  # Children
            self._xf.write("\n")
            self._contexts.pop().__exit__(None, None, None)  # Message
            self._contexts.pop().__exit__(None, None, None)  # xmlfile
            self._file.write(b"\n")
            self._file.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self._abort()
            raise

    def _abort(self) -> None:
        # Closing the lxml contexts would try to write end tags into a file
        # we are about to delete; just drop everything.
        self._contexts.clear()
        if self._file is not None and not self._file.closed:
            self._file.close()
        if self._tmp is not None:
            try:
                self._tmp.unlink()
            except FileNotFoundError:
                pass

    # -- writing ------------------------------------------------------------
    def write_child(self, child: Mapping[str, Any]) -> None:
        """Write one child record (see the module docstring for its shape)."""
        el = etree.Element("Child")
        _fill(el, self._plan, child, 3)
        self._xf.write(_NL[2])
        self._xf.write(el)
        self.children += 1
        for ep in child.get("CINdetails") or ():
            self.episodes += 1
            self.assessments += len(ep.get("Assessments") or ())
            self.section47 += len(ep.get("Section47") or ())
            self.cp_plans += len(ep.get("ChildProtectionPlans") or ())
