"""Running a ruleset over one return: one SQL query per rule, in DuckDB.

The rules' SQL names plain tables. For the length of a run the connection
gets temporary views of that name over the return's rows (``children``,
``episodes``, ... of store.schema, filtered to the return), a one-row
``header``, the England ``calendar`` (munro.calendar.calendar_table) and
``read_problems`` (what a tolerant read found); temporary objects shadow the
store's tables and belong to this connection alone, so a run can happen
inside ingest's transaction. They are dropped afterwards. An in-memory store
holding one return needs no views: the rules read its tables.

Each rule's query selects ``la_child_id``, ``value`` and optionally ``line``
and ``field``; a return-level rule selects ``value``. A rule that raises is
recorded as a failure of the run, never as passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from ..calendar import calendar_table
from ..census import format as fmt
from ..errors import MunroError
from .context import Context
from .findings import FORMAT_CODE, Finding, Report, RuleFailure
from .registry import Rule

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from ..census.walk import Problem

# The return's header fields (HEADER_COLUMNS), each of its own type (text, year, date) or None.
Header: TypeAlias = "dict[str, Any]"

HEADER_COLUMNS = ("collection", "collection_year", "reference_date", "source_level", "la_code",
                  "software_code", "release", "serial_no", "source_datetime")


@lru_cache(maxsize=1)
def _calendar() -> pa.Table:
    return calendar_table()


def _views(con: duckdb.DuckDBPyConnection, return_id: int, header: Header, problems: list[Problem],
           alone: bool = False) -> list[str]:
    (catalog,) = con.execute("SELECT current_database()").fetchall()[0]
    made = []
    for table in () if alone else fmt.TABLES:  # a database of this return alone needs no filtered views
        con.execute(f'CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM "{catalog}".main.{table} '
                    f"WHERE return_id = {int(return_id)}")
        made.append(table)
    cols = ", ".join(f"${c} AS {c}" for c in HEADER_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE header AS SELECT {cols}",
                {c: header.get(c) for c in HEADER_COLUMNS})
    con.execute("CREATE OR REPLACE TEMP TABLE read_problems (la_child_id VARCHAR, element VARCHAR, "
                "line BIGINT, value VARCHAR, problem VARCHAR)")
    if problems:
        con.executemany("INSERT INTO read_problems VALUES (?, ?, ?, ?, ?)", problems)
    con.register("calendar", _calendar())
    return made


def _drop(con: duckdb.DuckDBPyConnection, views: list[str]) -> None:
    for table in views:
        con.execute(f"DROP VIEW IF EXISTS temp.main.{table}")
    con.execute("DROP TABLE IF EXISTS temp.main.header")
    con.execute("DROP TABLE IF EXISTS temp.main.read_problems")
    con.unregister("calendar")


def _run_one(con: duckdb.DuckDBPyConnection, r: Rule, v: Context) -> list[Finding]:
    cursor = con.execute(f"SELECT * FROM ({r.sql(v)}) AS finding")
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    fields = ", ".join(r.fields)
    out = []
    for row in rows:
        got = dict(zip(names, row))
        value = got.get("value")
        out.append(Finding(
            r.code, r.type, None if r.level == "return" else got.get("la_child_id"), r.table,
            got.get("field") or fields, None if value is None else str(value), r.message,
            got.get("line"), r.level))
    return out


def _check_transaction(con: duckdb.DuckDBPyConnection, code: str, error: Exception) -> None:
    """Inside a transaction (ingest's), DuckDB aborts it on any error: the load cannot go on."""
    try:
        con.execute("SELECT 1")
    except Exception:
        raise MunroError(f"validation rule {code} failed ({' '.join(str(error).split())[:200]}); "
                         "the return was not loaded") from None


def _format_findings(problems: list[Problem]) -> list[Finding]:
    return [Finding(FORMAT_CODE, "error", child, "format", element or "", text,
                    what[0].upper() + what[1:], line)
            for child, element, line, text, what in problems]


def _run_share(con: duckdb.DuckDBPyConnection, rules: list[Rule],
               v: Context) -> tuple[list[Finding], list[RuleFailure]]:
    findings, failures = [], []
    for r in rules:
        try:
            findings.extend(_run_one(con, r, v))
        except Exception as e:  # a broken rule fails the run, visibly; it is not a passed rule
            failures.append(RuleFailure(r.code, " ".join(str(e).split())[:300]))
            _check_transaction(con, r.code, e)
    return findings, failures


def _run_in_threads(con: duckdb.DuckDBPyConnection, return_id: int, header: Header, problems: list[Problem],
                    rules: list[Rule], v: Context,
                    threads: int, alone: bool) -> tuple[list[Finding], list[RuleFailure]]:
    """The rules shared among ``threads`` connections to ``con``'s database, each in its own thread.

    A rule's time on a return of a few thousand children is nearly all DuckDB
    planning it, which runs without the GIL: two threads take half the time.
    Each connection gets its own temporary views.
    """

    def share(i: int) -> tuple[list[Finding], list[RuleFailure]]:
        cursor = con.cursor()
        try:
            made = _views(cursor, return_id, header, problems, alone)
            try:
                return _run_share(cursor, rules[i::threads], v)
            finally:
                _drop(cursor, made)
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=threads - 1) as pool:
        others = [pool.submit(share, i) for i in range(1, threads)]
        parts = [_run_share(con, rules[0::threads], v)] + [f.result() for f in others]
    order = {r.code: i for i, r in enumerate(rules)}
    findings = [f for found, _ in parts for f in found]
    failures = sorted((f for _, failed in parts for f in failed), key=lambda f: order[f.code])
    return findings, failures


def run(con: duckdb.DuckDBPyConnection, return_id: int, header: Header, rules: list[Rule], ruleset: int,
        source: str, problems: Sequence[Problem] = (), list_children: bool = True, threads: int = 1,
        alone: bool = False) -> Report:
    """Every rule of ``rules`` over return ``return_id`` of the store (or in-memory store) ``con``.

    ``header`` holds the return's header fields (HEADER_COLUMNS). ``list_children`` keeps every
    child's LAchildID for the HTML page; ingest, which only stores findings, counts them instead
    (a national return's 1.25 million identifiers would cost some 100 MB). ``threads`` > 1 shares
    the rules among that many connections to the database; only for a ``con`` outside a
    transaction (other connections do not see a transaction's rows), such as an in-memory store.
    ``alone``: the database holds this return only (an in-memory store), so the rules read its
    tables as they are, without views filtering them to the return (a little less to plan).
    """
    report = Report(source=source, la_code=header["la_code"], collection_year=header["collection_year"],
                    ruleset=ruleset, rules=list(rules))
    v = Context(header["collection_year"], header["la_code"], ruleset, header.get("reference_date"))
    listed = list(problems)
    views = _views(con, return_id, header, listed, alone)
    try:
        if list_children:
            report.child_ids = con.sql("SELECT la_child_id FROM children ORDER BY child_seq") \
                .to_arrow_table().column(0).to_pylist()
            report.children = len(report.child_ids)
        else:
            report.children = con.execute("SELECT count(*) FROM children").fetchall()[0][0]
        report.findings.extend(_format_findings(listed))
        if threads > 1 and len(rules) > 1:
            findings, failures = _run_in_threads(con, return_id, header, listed, rules, v, threads, alone)
        else:
            findings, failures = _run_share(con, rules, v)
        report.findings.extend(findings)
        report.failures.extend(failures)
    finally:
        try:
            _drop(con, views)
        except Exception:  # an aborted transaction drops its temporary objects itself
            pass
    report.findings.sort(key=lambda f: (f.level != "return", f.line or 0, f.code))
    return report
