# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The hot loop of ``walk.ChildWalker``, walking libxml2's tree in C into typed column buffers.

``Program(walker)`` compiles the walker's format (``walk._compile``) into C
structs once; a ``Batch`` holds one growable C buffer per column of every
table (int32, int64, or UTF-8 bytes with int32 offsets, each with a validity
byte per row) and becomes Arrow arrays without a Python object per value.
``walk_run`` walks the children of a parsed piece without the GIL, so that
threads reading pieces run in parallel, and ``walk_one`` walks one child.

At the first thing the walk is not sure of (an unknown, misplaced or
repeated element, stray text, a value it cannot type, a comment, a
namespace) it drops what it appended for the child and hands the child
back; the Python walker then reads it (and gives the exact message, or rows
that ``Batch.append_lists`` copies in). So this module decides nothing on its
own: the Python walker is the definition, and the tests check that both give
the same rows, warnings and errors.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.stdint cimport int32_t, int64_t, intptr_t, uint64_t, uint8_t
from libc.stdlib cimport free, realloc
from libc.string cimport memchr, memcmp, memcpy, memset, strcmp, strlen
from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, elementFactory, import_lxml__etree

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import format as fmt
from .walk import _CONTAINER, _FIELD, _GROUP, StructureError

import_lxml__etree()

# The lxml and libxml2 this module was compiled against (their headers): it reads libxml2's structs
# directly, so walk.compiled_walk uses it only when the installed lxml is the same.
cdef extern from "lxml-version.h":
    const char* LXML_VERSION_STRING
cdef extern from "libxml/xmlversion.h":
    const char* LIBXML_DOTTED_VERSION
BUILT_AGAINST = (LXML_VERSION_STRING.decode("ascii"), LIBXML_DOTTED_VERSION.decode("ascii"))


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

cdef enum:  # outcomes of the walk functions
    OK = 0
    BAIL = 1
    NOMEM = 2

cdef enum:  # how a column is stored
    I32 = 0
    I64 = 1
    STR = 2

cdef enum:  # value kinds, as format.Field.kind
    K_STR = 0
    K_DATE = 1
    K_BOOL = 2
    K_INT = 3
    K_OTHER = 4

cdef enum:  # item codes, as walk._FIELD ...
    C_FIELD = 0
    C_CONTAINER = 1
    C_LIST = 2
    C_GROUP = 3

DEF MAX_ITEMS = 64
DEF MAX_KEYS = 8
DEF MAX_TABLES = 16

_KINDS = {"str": K_STR, "date": K_DATE, "bool": K_BOOL, "int": K_INT}


# ---------------------------------------------------------------- buffers

cdef struct Buf:
    char* p
    Py_ssize_t n
    Py_ssize_t cap

cdef struct Col:
    int store
    Buf values   # fixed-width values, or the strings' UTF-8 bytes
    Buf offsets  # STR: int32 end offsets, one more than the rows
    Buf valid    # one byte per row

cdef struct Table:
    int ncols
    Col* cols
    Py_ssize_t rows


cdef int _reserve(Buf* b, Py_ssize_t more) noexcept nogil:
    cdef Py_ssize_t cap
    cdef char* p
    if b.n + more <= b.cap:
        return OK
    cap = b.cap * 2 if b.cap else 16384
    while cap < b.n + more:
        cap *= 2
    p = <char*>realloc(b.p, cap)
    if p == NULL:
        return NOMEM
    b.p = p
    b.cap = cap
    return OK


cdef inline Py_ssize_t _width(int store) noexcept nogil:
    return 8 if store == I64 else 4


cdef int _row_add(Table* t) noexcept nogil:
    """A row of nulls at the end of every column; the setters below fill it."""
    cdef int i
    cdef Col* c
    for i in range(t.ncols):
        c = &t.cols[i]
        if _reserve(&c.valid, 1) != OK:
            return NOMEM
        c.valid.p[c.valid.n] = 0
        c.valid.n += 1
        if c.store == STR:
            if _reserve(&c.offsets, 4) != OK:
                return NOMEM
            (<int32_t*>(c.offsets.p + c.offsets.n))[0] = <int32_t>c.values.n
            c.offsets.n += 4
        else:
            if _reserve(&c.values, 8) != OK:
                return NOMEM
            memset(c.values.p + c.values.n, 0, _width(c.store))
            c.values.n += _width(c.store)
    t.rows += 1
    return OK


cdef void _truncate(Table* t, Py_ssize_t rows) noexcept nogil:
    cdef int i
    cdef Col* c
    for i in range(t.ncols):
        c = &t.cols[i]
        c.valid.n = rows
        if c.store == STR:
            c.offsets.n = (rows + 1) * 4
            c.values.n = (<int32_t*>c.offsets.p)[rows]
        else:
            c.values.n = rows * _width(c.store)
    t.rows = rows


cdef inline void _set_i32(Col* c, int32_t v) noexcept nogil:
    (<int32_t*>(c.values.p + c.values.n - 4))[0] = v
    c.valid.p[c.valid.n - 1] = 1


cdef inline void _set_i64(Col* c, int64_t v) noexcept nogil:
    (<int64_t*>(c.values.p + c.values.n - 8))[0] = v
    c.valid.p[c.valid.n - 1] = 1


cdef int _set_str(Col* c, const char* p, Py_ssize_t n) noexcept nogil:
    if c.values.n + n > 2147483647:
        return BAIL  # beyond Arrow's 32-bit offsets: the Python path says so
    if _reserve(&c.values, n) != OK:
        return NOMEM
    memcpy(c.values.p + c.values.n, p, n)
    c.values.n += n
    (<int32_t*>(c.offsets.p + c.offsets.n - 4))[0] = <int32_t>c.values.n
    c.valid.p[c.valid.n - 1] = 1
    return OK


# ---------------------------------------------------------------- the format, compiled

cdef struct Item:
    const char* name
    int code
    int single
    int required
    int sub      # the spec of a container, group or list
    int col      # a field's column in its table; -1 when not stored (LAchildID)
    int kind

cdef struct Spec:
    int table
    int nkeys    # key columns of the table
    int nitems
    Item* items
    uint64_t required_mask
    const char* element  # a list: its value element, column and kind
    int value_col
    int kind


cdef class Program:
    """The walker's format for one schema year as C structs, and each table's columns."""
    cdef Spec* specs
    cdef int nspecs
    cdef list keep
    cdef readonly list tables       # table names, in the walker's order
    cdef readonly list columns      # per table: column names
    cdef list stores                # per table: storage per column
    cdef list types                 # per table: Arrow type per column
    cdef list elements              # per table: element per column (for messages)
    cdef list checks                # (table, column, element, Arrow value set)
    cdef readonly str year_text

    def __init__(self, walker):
        from .walk import column_types

        cdef Spec* s
        cdef Item* it
        self.keep = []
        self.year_text = walker.year_text
        self.tables = list(walker.columns)
        self.columns = [list(walker.columns[t]) for t in self.tables]
        types = column_types(walker.year)
        self.types = [[types[t][c][0] for c in cols] for t, cols in zip(self.tables, self.columns)]
        self.elements = [[types[t][c][1] for c in cols] for t, cols in zip(self.tables, self.columns)]
        self.stores = [[STR if ty == pa.string() else I64 if ty == pa.int64() else I32 for ty in tys]
                       for tys in self.types]
        if len(self.tables) > MAX_TABLES:
            raise ValueError("too many tables for the compiled walker")
        specs = []  # (table, nkeys, items, required_mask, element, value_col, kind)
        self.checks = []
        self._compile(walker.spec, specs)
        self.nspecs = len(specs)
        self.specs = <Spec*>realloc(NULL, sizeof(Spec) * self.nspecs)
        if self.specs == NULL:
            raise MemoryError
        memset(self.specs, 0, sizeof(Spec) * self.nspecs)
        for i, (table, nkeys, items, mask, element, value_col, kind) in enumerate(specs):
            s = &self.specs[i]
            s.table = table
            s.nkeys = nkeys
            s.required_mask = mask
            s.value_col = value_col
            s.kind = kind
            s.element = self._name(element) if element is not None else NULL
            s.nitems = len(items)
            s.items = <Item*>realloc(NULL, sizeof(Item) * max(1, len(items)))
            if s.items == NULL:
                raise MemoryError
            for j, (name, code, single, required, sub, col, k) in enumerate(items):
                it = &s.items[j]
                it.name = self._name(name)
                it.code = code
                it.single = single
                it.required = required
                it.sub = sub
                it.col = col
                it.kind = k

    cdef const char* _name(self, str name):
        data = name.encode()
        self.keep.append(data)
        return <const char*>data

    def _compile(self, spec, list specs):
        """Add ``spec`` (a walk._Spec) and what it holds to ``specs``; its index."""
        index = len(specs)
        t = self.tables.index(spec.table)
        specs.append(None)
        items = []
        for tag, (pos, code, payload, single) in spec.items.items():
            if pos != len(items) or pos >= MAX_ITEMS:
                raise ValueError("unexpected format layout")
            if code == _FIELD:
                column, kind, required, codes = payload
                col = self.columns[t].index(column) if column != "la_child_id" else -1
                items.append((tag, C_FIELD, single, bool(required), -1, col, _KINDS.get(kind, K_OTHER)))
                if codes is not None and col >= 0:
                    self._check(t, col, tag, codes)
            elif code == _CONTAINER:
                items.append((tag, C_CONTAINER, single, False, self._compile(payload, specs), -1, K_OTHER))
            elif code == _GROUP:
                items.append((tag, C_GROUP, single, False, self._compile(payload, specs), -1, K_OTHER))
            else:
                lst, codes, key_names = payload
                lt = self.tables.index(lst.table)
                value_col = self.columns[lt].index(lst.column)
                if codes is not None:
                    self._check(lt, value_col, lst.element, codes)
                sub = len(specs)
                specs.append((lt, len(key_names), [], 0, lst.element, value_col, _KINDS.get(lst.kind, K_OTHER)))
                items.append((tag, C_LIST, single, False, sub, -1, K_OTHER))
        specs[index] = (t, len(fmt.key_columns(spec.table)), items, spec.required_mask, None, -1, K_OTHER)
        if len(fmt.key_columns(spec.table)) >= MAX_KEYS:
            raise ValueError("unexpected format depth")
        return index

    def _check(self, int table, int col, str element, codes):
        self.checks.append((table, col, element, _strings(sorted(codes))))

    def __dealloc__(self):
        if self.specs != NULL:
            for i in range(self.nspecs):
                free(self.specs[i].items)
            free(self.specs)


def _strings(values):
    """Arrow strings from buffers: pa.array would import pandas, a third of a second."""
    data = [v.encode() for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum([len(d) for d in data])
    return pa.Array.from_buffers(pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])


# ---------------------------------------------------------------- reading values

cdef long _line_of(Node* node, int depth) noexcept nogil:
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


cdef inline bint _space(xmlChar c) noexcept nogil:
    return c == 32 or c == 9 or c == 10 or c == 13


cdef bint _blank(const xmlChar* p) noexcept nogil:
    if p is NULL:
        return True
    while p[0] != 0:
        if not _space(p[0]):
            return False
        p += 1
    return True


cdef int _value(Node* node, const xmlChar** out, Py_ssize_t* size) noexcept nogil:
    """The element's text stripped as str.strip() would strip it (size 0 if empty); BAIL if unsure."""
    cdef Node* t = node.children
    cdef const xmlChar* p
    cdef Py_ssize_t start = 0, end
    size[0] = 0
    if t is NULL:
        return OK
    if t.type != TEXT or t.next is not NULL:
        return BAIL
    p = t.content
    end = strlen(<const char*>p)
    while start < end and _space(p[start]):
        start += 1
    while end > start and _space(p[end - 1]):
        end -= 1
    if end > start and (p[start] >= 0x80 or p[end - 1] >= 0x80):
        return BAIL  # may end in non-ASCII white space, which str.strip() also removes
    out[0] = p + start
    size[0] = end - start
    return OK


cdef int[13] _MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


cdef inline bint _digit(xmlChar c) noexcept nogil:
    return c >= 48 and c <= 57


cdef int _days(const xmlChar* s, Py_ssize_t n, int32_t* out) noexcept nogil:
    """Days since 1970-01-01 of a YYYY-MM-DD date on the calendar, as walk._convert; BAIL otherwise."""
    cdef long y, m, d, last, era, yoe, doy, doe
    if not (n == 10 and s[4] == 45 and s[7] == 45 and _digit(s[0]) and _digit(s[1]) and _digit(s[2])
            and _digit(s[3]) and _digit(s[5]) and _digit(s[6]) and _digit(s[8]) and _digit(s[9])):
        return BAIL
    y = (s[0] - 48) * 1000 + (s[1] - 48) * 100 + (s[2] - 48) * 10 + (s[3] - 48)
    m = (s[5] - 48) * 10 + (s[6] - 48)
    d = (s[8] - 48) * 10 + (s[9] - 48)
    if y < 1 or m < 1 or m > 12 or d < 1:
        return BAIL
    last = _MONTH_DAYS[m]
    if m == 2 and (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        last = 29
    if d > last:
        return BAIL
    # Howard Hinnant's days_from_civil (years here are positive)
    if m <= 2:
        y -= 1
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    out[0] = <int32_t>(era * 146097 + doe - 719468)
    return OK


cdef inline bint _is(const xmlChar* s, Py_ssize_t n, const char* word) noexcept nogil:
    # ASCII case-insensitive; walk.py lowers the text, and no other character lowers into these words
    cdef Py_ssize_t i
    for i in range(n):
        if word[i] == 0 or (s[i] | 32) != <xmlChar>word[i]:
            return False
    return word[n] == 0


cdef int _store(Col* c, int kind, const xmlChar* s, Py_ssize_t n) noexcept nogil:
    """A typed value into the last row of ``c``, as walk._convert types it; BAIL if it cannot."""
    cdef int32_t v = 0
    cdef int64_t whole = 0
    cdef Py_ssize_t i = 0
    cdef bint negative = False
    if kind == K_STR:
        return _set_str(c, <const char*>s, n)
    if kind == K_DATE:
        if _days(s, n, &v) != OK:
            return BAIL
    elif kind == K_BOOL:
        if n == 1 and (s[0] == 48 or s[0] == 49):
            v = s[0] - 48
        elif _is(s, n, "true"):
            v = 1
        elif not _is(s, n, "false"):
            return BAIL
    elif kind == K_INT:
        if s[0] == 43 or s[0] == 45:
            negative = s[0] == 45
            i = 1
        if i == n or n - i > 10:
            return BAIL
        while i < n:
            if not _digit(s[i]):
                return BAIL
            whole = whole * 10 + (s[i] - 48)
            i += 1
        if negative:
            whole = -whole
        if whole < -2147483648 or whole > 2147483647:
            return BAIL  # the Python path says it is too large for the store
        v = <int32_t>whole
    else:
        return BAIL
    _set_i32(c, v)
    return OK


# ---------------------------------------------------------------- the walk

cdef struct State:
    Spec* specs
    Table* tables
    const xmlChar* id
    Py_ssize_t id_size
    bint has_id


cdef int _row(State* s, Table* t, Node* node, int32_t* keys, int nkeys) noexcept nogil:
    """A new row of ``t`` with its keys, the child's LAchildID and the line of ``node``."""
    cdef int i, rc
    cdef long line = _line_of(node, 0)
    if line <= 0:
        return BAIL
    if _row_add(t) != OK:
        return NOMEM
    for i in range(nkeys):
        _set_i32(&t.cols[i], keys[i])
    if s.has_id:
        rc = _set_str(&t.cols[nkeys], <const char*>s.id, s.id_size)
        if rc != OK:
            return rc
    _set_i64(&t.cols[t.ncols - 1], line)
    return OK


cdef int _group(State* s, Node* node, int si, int32_t* keys, int nkeys) noexcept nogil:
    cdef Table* t = &s.tables[s.specs[si].table]
    cdef int rc = _row(s, t, node, keys, nkeys)
    if rc != OK:
        return rc
    return _fill(s, node, si, t, keys, nkeys)


cdef int _fill(State* s, Node* node, int si, Table* t, int32_t* keys, int nkeys) noexcept nogil:
    cdef Spec* sp = &s.specs[si]
    cdef Item* it
    cdef int last = -1, i, rc
    cdef uint64_t seen = 0
    cdef int32_t counters[MAX_ITEMS]
    cdef int32_t sub_keys[MAX_KEYS]
    cdef const xmlChar* text
    cdef Py_ssize_t size
    cdef Node* sub = node.children
    memset(counters, 0, sizeof(int32_t) * sp.nitems)
    while sub is not NULL:
        if sub.type == TEXT:
            if not _blank(sub.content):
                return BAIL
            sub = sub.next
            continue
        if sub.type != ELEMENT or sub.ns is not NULL:
            return BAIL
        # Elements come in the format's order, so look from the last one on; an element
        # found nowhere after it is unknown or out of order, which the Python walker reports.
        i = last if last > 0 else 0
        while i < sp.nitems and strcmp(sp.items[i].name, <const char*>sub.name) != 0:
            i += 1
        if i == sp.nitems:
            return BAIL
        it = &sp.items[i]
        if i == last and it.single:
            return BAIL
        last = i
        seen |= (<uint64_t>1) << i
        if it.code == C_FIELD:
            if _value(sub, &text, &size) != OK:
                return BAIL
            if size == 0:
                if it.required:
                    return BAIL
            elif it.col >= 0:
                rc = _store(&t.cols[it.col], it.kind, text, size)
                if rc != OK:
                    return rc
            elif it.kind != K_STR:
                return BAIL
        elif it.code == C_GROUP:
            counters[i] += 1
            memcpy(sub_keys, keys, sizeof(int32_t) * nkeys)
            sub_keys[nkeys] = counters[i]
            rc = _group(s, sub, it.sub, sub_keys, nkeys + 1)
            if rc != OK:
                return rc
        elif it.code == C_CONTAINER:
            rc = _fill(s, sub, it.sub, t, keys, nkeys)
            if rc != OK:
                return rc
        else:
            rc = _values(s, sub, it.sub, keys, nkeys)
            if rc != OK:
                return rc
        sub = sub.next
    if seen & sp.required_mask != sp.required_mask:
        return BAIL
    return OK


cdef int _values(State* s, Node* node, int si, int32_t* keys, int nkeys) noexcept nogil:
    cdef Spec* sp = &s.specs[si]
    cdef Table* t = &s.tables[sp.table]
    cdef int rc
    cdef int32_t sub_keys[MAX_KEYS]
    cdef const xmlChar* text
    cdef Py_ssize_t size
    cdef Node* sub = node.children
    memcpy(sub_keys, keys, sizeof(int32_t) * nkeys)
    sub_keys[nkeys] = 0
    while sub is not NULL:
        if sub.type == TEXT:
            if not _blank(sub.content):
                return BAIL
            sub = sub.next
            continue
        if sub.type != ELEMENT or sub.ns is not NULL or strcmp(sp.element, <const char*>sub.name) != 0:
            return BAIL
        if _value(sub, &text, &size) != OK or size == 0:
            return BAIL
        sub_keys[nkeys] += 1
        rc = _row(s, t, sub, sub_keys, nkeys + 1)
        if rc != OK:
            return rc
        rc = _store(&t.cols[sp.value_col], sp.kind, text, size)
        if rc != OK:
            return rc
        sub = sub.next
    return OK


cdef int _child_id(State* s, Node* child) noexcept nogil:
    # As ChildWalker.walk: the text of the first LAchildID in the first ChildIdentifiers.
    cdef Node* n = child.children
    cdef Node* m
    s.has_id = False
    while n is not NULL:
        if n.type == ELEMENT and n.ns is NULL and strcmp(<const char*>n.name, "ChildIdentifiers") == 0:
            m = n.children
            while m is not NULL:
                if m.type == ELEMENT and m.ns is NULL and strcmp(<const char*>m.name, "LAchildID") == 0:
                    if _value(m, &s.id, &s.id_size) != OK:
                        return BAIL
                    s.has_id = s.id_size > 0
                    return OK
                m = m.next
            return OK
        n = n.next
    return OK


cdef int _child(State* s, Node* node, int32_t seq, int ntables) noexcept nogil:
    """Walk one child; on BAIL or NOMEM nothing of it stays in the batch."""
    cdef Py_ssize_t rows[MAX_TABLES]
    cdef int i, rc
    for i in range(ntables):
        rows[i] = s.tables[i].rows
    rc = _child_id(s, node)
    if rc == OK:
        rc = _group(s, node, 0, &seq, 1)
    if rc != OK:
        for i in range(ntables):
            _truncate(&s.tables[i], rows[i])
    return rc


# ---------------------------------------------------------------- batches

cdef class Batch:
    """The rows of some children, column by column in C buffers."""
    cdef Program program
    cdef Table* tabs
    cdef int ntables
    cdef object error       # a StructureError found while copying rows in, raised by tables()
    cdef tuple error_at

    def __init__(self, Program program):
        cdef Table* t
        self.program = program
        self.ntables = len(program.tables)
        self.tabs = <Table*>realloc(NULL, sizeof(Table) * self.ntables)
        if self.tabs == NULL:
            raise MemoryError
        memset(self.tabs, 0, sizeof(Table) * self.ntables)
        for ti, stores in enumerate(program.stores):
            t = &self.tabs[ti]
            t.cols = <Col*>realloc(NULL, sizeof(Col) * len(stores))
            if t.cols == NULL:
                raise MemoryError
            memset(t.cols, 0, sizeof(Col) * len(stores))
            t.ncols = len(stores)
            for ci, store in enumerate(stores):
                t.cols[ci].store = store
                if store == STR:
                    if _reserve(&t.cols[ci].offsets, 4) != OK:
                        raise MemoryError
                    (<int32_t*>t.cols[ci].offsets.p)[0] = 0
                    t.cols[ci].offsets.n = 4

    def __dealloc__(self):
        if self.tabs != NULL:
            for ti in range(self.ntables):
                if self.tabs[ti].cols != NULL:
                    for ci in range(self.tabs[ti].ncols):
                        free(self.tabs[ti].cols[ci].values.p)
                        free(self.tabs[ti].cols[ci].offsets.p)
                        free(self.tabs[ti].cols[ci].valid.p)
                    free(self.tabs[ti].cols)
            free(self.tabs)

    def rows(self):
        """Rows per table, for the tables that have any."""
        return {name: self.tabs[ti].rows for ti, name in enumerate(self.program.tables)
                if self.tabs[ti].rows}

    cdef State _state(self):
        cdef State s
        s.specs = self.program.specs
        s.tables = self.tabs
        s.has_id = False
        return s

    def append_lists(self, dict batch):
        """Copy in rows the Python walker made (``walk.ChildWalker.new_batch`` lists), emptying them.

        A whole number too large for the store is kept as an error for ``tables()``
        to raise, where ``walk.to_arrow`` would have raised it.
        """
        cdef Table* t
        cdef Col* c
        cdef Py_ssize_t r, base, m
        cdef int ti, ci, rc
        cdef bytes text
        program = self.program
        for ti, name in enumerate(program.tables):
            lists = batch[name]
            columns = [lists[name_] for name_ in program.columns[ti]]
            m = len(lists["line"])
            t = &self.tabs[ti]
            base = t.rows
            for r in range(m):
                if _row_add(t) != OK:
                    raise MemoryError
                for ci, values in enumerate(columns):
                    value = values[r]
                    if value is None:
                        continue
                    c = &t.cols[ci]
                    if c.store == STR:
                        text = value.encode()
                        rc = _set_str(c, <const char*>text, len(text))
                        if rc == NOMEM:
                            raise MemoryError
                        if rc != OK:
                            self._keep_error((ti, ci, base + r), StructureError(
                                None, f"<{program.elements[ti][ci]}> holds more text than a batch can", None))
                    elif c.store == I64:
                        _set_i64(c, value)
                    elif -2147483648 <= value <= 2147483647:
                        _set_i32(c, value)
                    else:
                        self._keep_error((ti, ci, base + r), StructureError(
                            lists["la_child_id"][r], f"<{program.elements[ti][ci]}> is too large a number ({value})",
                            lists["line"][r], approximate=True))
            for values in lists.values():
                values.clear()

    def _keep_error(self, tuple at, error):
        # walk.to_arrow met such errors table by table, column by column, row by row
        if self.error is None or at < self.error_at:
            self.error, self.error_at = error, at

    def tables(self):
        """``({table: pyarrow.Table}, {warning: count})``; the buffers are emptied."""
        if self.error is not None:
            raise self.error
        program = self.program
        out = {}
        for ti, name in enumerate(program.tables):
            if self.tabs[ti].rows:
                out[name] = pa.Table.from_arrays(
                    [self._array(ti, ci, ty) for ci, ty in enumerate(program.types[ti])],
                    names=program.columns[ti])
        warnings = {}
        for ti, ci, element, codes in program.checks:
            name = program.tables[ti]
            if name in out:
                column = out[name].column(ci)
                bad = (len(column) - column.null_count) - pc.sum(pc.is_in(column, value_set=codes), min_count=0).as_py()
                if bad:
                    message = f"{element}: code not in the {program.year_text} code list"
                    warnings[message] = warnings.get(message, 0) + bad
        for ti in range(self.ntables):
            _truncate(&self.tabs[ti], 0)
        return out, warnings

    cdef object _array(self, int ti, int ci, arrow_type):
        cdef Col* c = &self.tabs[ti].cols[ci]
        cdef Py_ssize_t n = self.tabs[ti].rows, nulls = 0, i
        for i in range(n):
            nulls += c.valid.p[i] == 0
        validity = None
        if nulls:
            flags = np.frombuffer(PyBytes_FromStringAndSize(c.valid.p, n), dtype=np.uint8)
            validity = pa.py_buffer(np.packbits(flags, bitorder="little"))
        values = pa.py_buffer(PyBytes_FromStringAndSize(c.values.p, c.values.n))
        if c.store == STR:
            offsets = pa.py_buffer(PyBytes_FromStringAndSize(c.offsets.p, (n + 1) * 4))
            return pa.Array.from_buffers(arrow_type, n, [validity, offsets, values], null_count=nulls)
        return pa.Array.from_buffers(arrow_type, n, [validity, values], null_count=nulls)


def walk_one(Batch batch, _Element child, long seq):
    """Flatten ``child`` (number ``seq`` in the file) into ``batch``; False, nothing appended, if unsure."""
    cdef State s = batch._state()
    cdef int rc = _child(&s, <Node*>child._c_node, <int32_t>seq, batch.ntables)
    if rc == NOMEM:
        raise MemoryError
    return rc == OK


def walk_run(Batch batch, _Element root, _Element after, Py_ssize_t limit, long seq):
    """Flatten the children of ``root`` after ``after`` (from the first if None), at most ``limit``.

    The first is number ``seq + 1`` in the file. Returns ``(walked, element, handed_back)``:
    the child the walk was not sure of (nothing of it appended), or the last child walked
    when ``limit`` was reached, or None at the end.
    """
    cdef State s = batch._state()
    cdef Node* node = (<Node*>after._c_node).next if after is not None else (<Node*>root._c_node).children
    cdef Node* done = NULL
    cdef Py_ssize_t walked = 0
    cdef int rc = OK
    cdef int ntables = batch.ntables
    with nogil:
        while node is not NULL and walked < limit:
            if node.type == TEXT and _blank(node.content):
                node = node.next
                continue
            if node.type != ELEMENT:
                rc = BAIL
                break
            rc = _child(&s, node, <int32_t>(seq + walked + 1), ntables)
            if rc != OK:
                break
            walked += 1
            done = node
            node = node.next
    if rc == NOMEM:
        raise MemoryError
    if rc == BAIL:
        return walked, elementFactory(root._doc, <tree.xmlNode*>node), True
    if node is NULL or done is NULL:
        return walked, None, False
    return walked, elementFactory(root._doc, <tree.xmlNode*>done), False


cdef bint _plain(Node* node) noexcept nogil:
    while node is not NULL:
        if node.type == TEXT:
            if not _blank(node.content):
                return False
        elif node.type != ELEMENT or node.ns is not NULL or strcmp(<const char*>node.name, "Child") != 0:
            return False
        node = node.next
    return True


def plain_children(_Element root):
    """True if ``root`` holds only ``<Child>`` elements and white space (``envelope.check_children_end``
    then has nothing to say and need not visit every child from Python)."""
    return _plain((<Node*>root._c_node).children)


def scan(const unsigned char[:] data, tags):
    """One pass over a piece's bytes in C, without the GIL: ``(newlines, unusual, lines)``.

    ``unusual`` is true if the bytes hold ``<!`` or ``<?`` (a comment, CDATA, a
    declaration or an instruction: a cut may be inside one), and the pass stops
    there. ``lines`` gives, for each tag name in ``tags`` (bytes), a numpy int64
    array of the 1-based lines of its start tags ``<tag>``: the exact record
    lines that libxml2 cannot give past line 65,535 (see ``parallel._record_lines``).
    """
    cdef Py_ssize_t n = data.shape[0], size
    cdef const unsigned char* p = &data[0] if n else NULL
    cdef const unsigned char* end = p + n
    cdef const unsigned char* lt
    cdef const unsigned char* q
    cdef int64_t line = 1
    cdef list names = [bytes(tag) for tag in tags]
    cdef int t, count = len(names)
    cdef const unsigned char* name_of[16]
    cdef Py_ssize_t size_of[16]
    cdef Buf found[16]
    cdef bint nomem = False, unusual = False
    if count > 16:
        raise ValueError("at most 16 tags")
    for t in range(count):
        name_of[t] = names[t]
        size_of[t] = len(names[t])
        found[t].p = NULL
        found[t].n = found[t].cap = 0
    try:
        with nogil:
            while p < end:
                lt = <const unsigned char*>memchr(p, 60, end - p)
                if lt == NULL:
                    lt = end
                q = p
                while q < lt:  # a plain loop the compiler turns into vector code
                    line += q[0] == 10
                    q += 1
                p = lt
                if p + 1 >= end:
                    break
                if p[1] == 33 or p[1] == 63:
                    unusual = True
                    break
                if p[1] != 47:
                    for t in range(count):
                        size = size_of[t]
                        if p + 1 + size < end and p[1 + size] == 62 and memcmp(p + 1, name_of[t], size) == 0:
                            if _reserve(&found[t], 8) != OK:
                                nomem = True
                            else:
                                (<int64_t*>(found[t].p + found[t].n))[0] = line
                                found[t].n += 8
                            break
                    if nomem:
                        break
                p += 1
        if nomem:
            raise MemoryError
        return line - 1, unusual, [np.frombuffer(PyBytes_FromStringAndSize(found[t].p, found[t].n), dtype=np.int64)
                                   for t in range(count)]
    finally:
        for t in range(count):
            free(found[t].p)
