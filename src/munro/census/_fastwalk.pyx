# cython: language_level=3, boundscheck=False, wraparound=False
"""The hot loop of ``walk.ChildWalker``, walking libxml2's tree in C.

``walk(walker, child)`` does what ``ChildWalker.walk`` does for a child
whose structure is right, reading the nodes directly instead of through
lxml's Python objects (about ten times less work per element). At the
first thing it is not sure of (an unknown, misplaced or repeated element,
stray text, a value it cannot type, a comment, a namespace) it undoes what
it appended for the child and returns False, and the Python walker reads
the child again and gives the exact message. So this module decides
nothing on its own: the Python walker is the definition, this is a
shortcut through it, and the tests check that both give the same rows.
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport intptr_t
from libc.string cimport strlen
from lxml.includes.etreepublic cimport _Element, import_lxml__etree

from .walk import _BOOLS, _CONTAINER, _FIELD, _GROUP, _convert

import_lxml__etree()


cdef extern from "libxml/tree.h":
    ctypedef unsigned char xmlChar
    ctypedef struct Node "xmlNode":
        int type
        const xmlChar* name
        Node* children
        Node* parent
        Node* next
        Node* prev
        xmlChar* content
        void* ns
        void* psvi
        unsigned short line

cdef enum:
    ELEMENT = 1
    TEXT = 3
    PI = 7
    COMMENT = 8


class _Bail(Exception):
    pass


cdef inline str _str(const xmlChar* p):
    return PyUnicode_DecodeUTF8(<const char*>p, strlen(<const char*>p), NULL)


cdef long _line_of(Node* node, int depth):
    # libxml2's xmlGetLineNo, which lxml's sourceline reports: past line 65,535 the
    # line is kept in a text node's psvi, so look there as libxml2 does.
    cdef long result = -1
    if depth >= 5 or node is NULL:
        return -1
    if node.type == ELEMENT or node.type == TEXT or node.type == COMMENT or node.type == PI:
        if node.line == 65535:
            if node.type == TEXT and node.psvi is not NULL:
                result = <long><intptr_t>node.psvi
            elif node.type == ELEMENT and node.children is not NULL:
                result = _line_of(node.children, depth + 1)
            elif node.next is not NULL:
                result = _line_of(node.next, depth + 1)
            elif node.prev is not NULL:
                result = _line_of(node.prev, depth + 1)
        if result == -1 or result == 65535:
            result = node.line
    elif node.prev is not NULL and (node.prev.type == ELEMENT or node.prev.type == TEXT or
                                     node.prev.type == COMMENT or node.prev.type == PI):
        result = _line_of(node.prev, depth + 1)
    elif node.parent is not NULL and node.parent.type == ELEMENT:
        result = _line_of(node.parent, depth + 1)
    return result


cdef object _sourceline(Node* node):
    cdef long line = _line_of(node, 0)
    return line if line > 0 else None


cdef bint _blank(const xmlChar* p):
    cdef const xmlChar* c = p
    if c is NULL:
        return True
    while c[0] != 0:
        if c[0] != 32 and c[0] != 9 and c[0] != 10 and c[0] != 13:
            return False
        c += 1
    return True


cdef object _text(Node* node):
    """The element's text (None if empty), or raise _Bail if it holds anything but one text node."""
    cdef Node* t = node.children
    if t is NULL:
        return None
    if t.type != TEXT or t.next is not NULL:
        raise _Bail()
    return _str(t.content)


cdef inline bint _space(xmlChar c):
    return c == 32 or c == 9 or c == 10 or c == 13


cdef object _value(Node* node):
    """The element's text stripped, "" if empty, as str.strip() would give it; _Bail if unsure."""
    cdef Node* t = node.children
    cdef const xmlChar* p
    cdef size_t start = 0, end
    if t is NULL:
        return ""
    if t.type != TEXT or t.next is not NULL:
        raise _Bail()
    p = t.content
    end = strlen(<const char*>p)
    while start < end and _space(p[start]):
        start += 1
    while end > start and _space(p[end - 1]):
        end -= 1
    if end > start and (p[start] >= 0x80 or p[end - 1] >= 0x80):
        raise _Bail()  # may end in non-ASCII white space, which str.strip() also removes
    return PyUnicode_DecodeUTF8(<const char*>p + start, end - start, NULL)


cdef inline bint _digit(Py_UCS4 c):
    return c >= 48 and c <= 57


cdef inline int _d(Py_UCS4 c):
    return <int>c - 48


cdef int[13] _MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


cdef long _days(str text) except? -99999999:
    """Days since 1970-01-01 of a YYYY-MM-DD date on the calendar, as walk._convert; _Bail otherwise."""
    cdef long y, m, d, last, era, yoe, doy, doe
    if not (len(text) == 10 and text[4] == "-" and text[7] == "-" and _digit(text[0]) and _digit(text[1])
            and _digit(text[2]) and _digit(text[3]) and _digit(text[5]) and _digit(text[6])
            and _digit(text[8]) and _digit(text[9])):
        raise _Bail()
    y = _d(text[0]) * 1000 + _d(text[1]) * 100 + _d(text[2]) * 10 + _d(text[3])
    m = _d(text[5]) * 10 + _d(text[6])
    d = _d(text[8]) * 10 + _d(text[9])
    if y < 1 or m < 1 or m > 12 or d < 1:
        raise _Bail()
    last = _MONTH_DAYS[m]
    if m == 2 and (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        last = 29
    if d > last:
        raise _Bail()
    # Howard Hinnant's days_from_civil (years here are positive)
    if m <= 2:
        y -= 1
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


cdef object _typed(str kind, str text):
    """As walk._convert, for the common kinds without a Python call."""
    if kind == "str":
        return text
    if kind == "date":
        return _days(text)
    if kind == "bool":
        flag = _BOOLS.get(text.lower())
        if flag is None:
            raise _Bail()
        return flag
    try:
        return _convert(kind, text)
    except (ValueError, KeyError):
        raise _Bail()


cdef class _Walk:
    cdef object walker, cols, warnings, year_text
    cdef object child_id

    def __init__(self, walker):
        self.walker = walker
        self.cols = walker.cols
        self.warnings = []
        self.year_text = walker.year_text

    cdef void group(self, Node* node, spec, tuple keys) except *:
        cdef dict row = {}
        cdef Py_ssize_t i
        self.fill(node, spec, row, keys)
        table = self.cols[spec.table]
        key_names = spec.key_names
        for i in range(len(keys)):
            table[key_names[i]].append(keys[i])
        table["la_child_id"].append(self.child_id)
        table["line"].append(_sourceline(node))
        for name in spec.data_names:
            table[name].append(row.get(name))

    cdef void fill(self, Node* node, spec, dict row, tuple keys) except *:
        cdef dict items = spec.items
        cdef int last = -1, pos, code
        cdef unsigned long long seen = 0
        cdef unsigned long long required = spec.required_mask
        cdef bint single
        cdef tuple item
        cdef dict counters = {}
        cdef Node* sub = node.children
        while sub is not NULL:
            if sub.type == TEXT:
                if not _blank(sub.content):
                    raise _Bail()
                sub = sub.next
                continue
            if sub.type != ELEMENT or sub.ns is not NULL:
                raise _Bail()
            tag = _str(sub.name)
            item = items.get(tag)
            if item is None:
                raise _Bail()
            pos = item[0]
            code = item[1]
            payload = item[2]
            single = item[3]
            if pos <= last and (pos < last or single):
                raise _Bail()
            last = pos
            seen |= (<unsigned long long>1) << pos
            if code == _FIELD:
                column, kind, must, codes = payload
                text = _value(sub)
                if not text:
                    if must:
                        raise _Bail()
                    sub = sub.next
                    continue
                value = _typed(kind, text)
                row[column] = value
                if codes is not None and value not in codes:
                    self.warnings.append(f"{tag}: code not in the {self.year_text} code list")
            elif code == _GROUP:
                n = counters.get(tag, 0) + 1
                counters[tag] = n
                self.group(sub, payload, keys + (n,))
            elif code == _CONTAINER:
                self.fill(sub, payload, row, keys)
            else:
                self.values(sub, payload, keys)
            sub = sub.next
        if seen & required != required:
            raise _Bail()

    cdef void values(self, Node* node, payload, tuple keys) except *:
        lst, codes, key_names = payload
        table = self.cols[lst.table]
        kind = lst.kind
        element = lst.element
        values = table[lst.column]
        lines = table["line"]
        ids = table["la_child_id"]
        cdef int n = 0
        cdef Node* sub = node.children
        while sub is not NULL:
            if sub.type == TEXT:
                if not _blank(sub.content):
                    raise _Bail()
                sub = sub.next
                continue
            if sub.type != ELEMENT or sub.ns is not NULL or _str(sub.name) != element:
                raise _Bail()
            text = _value(sub)
            if not text:
                raise _Bail()
            value = _typed(kind, text)
            if codes is not None and value not in codes:
                self.warnings.append(f"{element}: code not in the {self.year_text} code list")
            n += 1
            for i in range(len(keys)):
                table[key_names[i]].append(keys[i])
            table[key_names[len(keys)]].append(n)
            ids.append(self.child_id)
            values.append(value)
            lines.append(_sourceline(sub))
            sub = sub.next


cdef object _child_id(Node* child):
    # As ChildWalker.walk: the text of the first LAchildID in the first ChildIdentifiers.
    cdef Node* n = child.children
    cdef Node* m
    while n is not NULL:
        if n.type == ELEMENT and n.ns is NULL and _str(n.name) == "ChildIdentifiers":
            m = n.children
            while m is not NULL:
                if m.type == ELEMENT and m.ns is NULL and _str(m.name) == "LAchildID":
                    text = _text(m)
                    return (text.strip() or None) if text else None
                m = m.next
            return None
        n = n.next
    return None


def walk(walker, _Element child):
    """Flatten ``child`` into ``walker``'s batch; False (and nothing appended) if unsure."""
    cdef Node* node = <Node*>child._c_node
    cdef _Walk w = _Walk(walker)
    cols = walker.cols
    starts = {t: len(d["line"]) for t, d in cols.items()}
    try:
        w.child_id = _child_id(node)
        w.group(node, walker.spec, (walker.children + 1,))
    except _Bail:
        for t, d in cols.items():
            n = starts[t]
            for lst in d.values():
                del lst[n:]
        return False
    walker.children += 1
    if w.warnings:
        walker.warnings.update(w.warnings)
    return True


def start_tag_lines(const unsigned char[:] data, tags):
    """For each tag name in ``tags`` (bytes), the 1-based lines of its start tags ``<tag>`` in ``data``.

    One pass over the bytes in C: the exact record lines that libxml2 cannot
    give past line 65,535 (see ``parallel._record_lines``).
    """
    cdef Py_ssize_t n = data.shape[0], i = 0, j, size
    cdef long line = 1
    cdef list names = [bytes(tag) for tag in tags]
    cdef int t, count = len(names)
    cdef const unsigned char* name_of[16]
    cdef Py_ssize_t size_of[16]
    cdef bint match
    if count > 16:
        raise ValueError("at most 16 tags")
    for t in range(count):
        name_of[t] = names[t]
        size_of[t] = len(names[t])
    cdef list out = [[] for _ in range(count)]
    while i < n:
        if data[i] == 10:
            line += 1
        elif data[i] == 60 and i + 1 < n and data[i + 1] != 47:
            for t in range(count):
                size = size_of[t]
                if i + 1 + size < n and data[i + 1 + size] == 62:
                    match = True
                    for j in range(size):
                        if data[i + 1 + j] != name_of[t][j]:
                            match = False
                            break
                    if match:
                        out[t].append(line)
                        break
        i += 1
    return out
