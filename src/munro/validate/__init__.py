"""The DfE validation rules of the CIN census, run as SQL over a return's tables.

``validate_file(path)`` checks a file without loading it (read into an
in-memory DuckDB with the store's tables); ``validate_return(db, return_id)``
checks a return already in a store. Both return a ``Report`` (findings.py);
``output.py`` renders it. The rules are in ``rules/``, one module per census
table, registered by year in ``registry.py``; ``runner.py`` runs them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import MunroError
from ..progress import report as tell
from ..store.db import open_store
from ..store.returns import year_words
from ..years import is_in_year
from . import (
    rules,  # noqa: F401  (the rule modules register themselves: registry.all_rules holds them)
    runner,  # runner.run looked up when called (tests replace it)
)
from .findings import FORMAT_CODE, Finding, Report, RuleFailure
from .read import RETURN_ID, insert_tables, memory_store, read_file
from .registry import YEAR_END_ONLY, choose_ruleset, code_key
from .registry import ruleset as rules_of

__all__ = ["validate_file", "validate_return", "validate_connection", "validate_tables", "Report", "Finding",
           "RuleFailure", "FORMAT_CODE"]


def validate_file(path: str | os.PathLike, ruleset: int | None = None, *, workers: int = 1,
                  progress=None) -> Report:
    """Check a CIN census file against the rules of its collection year (or of ``ruleset``).

    Raises ``RejectedFile`` when the file is not a readable CIN census
    return. ``workers`` > 1 reads a large file in that many threads and
    shares the rules among that many connections. ``progress``: ``munro.progress``.
    """

    if ruleset is not None:
        rules_of(ruleset)  # a year with no rules is refused before the file is read
    with read_file(path, workers=workers, progress=progress) as (con, reader):
        h = reader.header
        year, note = choose_ruleset(h.collection_year, ruleset)
        tell(progress, f"checking {Path(path).name} against the {year_words(year)} rules")
        header = _header_fields(h)
        report = runner.run(con, RETURN_ID, header, _rules(year, header), year, str(Path(path)), reader.problems,
                     threads=workers, alone=True)
        report.note = _note(note, header, year)
        return report


def _header_fields(h) -> dict:
    return {k: getattr(h, k, None) for k in runner.HEADER_COLUMNS}


def _in_year(header: dict) -> bool:
    ref = header.get("reference_date")
    return ref is not None and is_in_year(header["collection_year"], ref)


def _rules(year: int, header: dict) -> list:
    """Ruleset ``year`` for a return with ``header``: without the year-end rules for an in-year extract."""
    return rules_of(year, in_year=True) if _in_year(header) else rules_of(year)


def _note(note: str | None, header: dict, year: int) -> str | None:
    """The report's note, saying so when the return is an in-year extract (naming the year-end rules of
    ruleset ``year`` left out)."""
    if not _in_year(header):
        return note
    ref = header["reference_date"]
    left_out = sorted({r.code for r in rules_of(year)} & set(YEAR_END_ONLY), key=code_key)
    extract = (f"an in-year extract as at {ref.day} {ref:%B %Y}: checked with the rules that apply mid-year "
               f"(not {', '.join(left_out)}), its dates measured to its own ReferenceDate")
    return f"{note}; {extract}" if note else extract


def validate_tables(tables: dict, header, *, threads: int = 1, source: str = "") -> Report:
    """Check a return already read into Arrow tables (``{table: pyarrow.Table}`` of ``census.reader``,
    with its ``Header``), as ``munro ingest`` does while it stores them.

    The tables are copied into an in-memory store, so that the rules can be
    shared among ``threads`` connections (the load's own transaction would
    show its rows to one connection only). The rules see the same rows with
    the same types as in the store, so the findings are the same.
    """

    year, note = choose_ruleset(header.collection_year)
    fields = _header_fields(header)
    con = memory_store()
    try:
        insert_tables(con, tables, header.la_code)
        if threads > 1:  # the rules run side by side, each query in its caller's thread: less to schedule
            con.execute("SET threads = 1")
        report = runner.run(con, RETURN_ID, fields, _rules(year, fields), year, source, list_children=False,
                     threads=threads, alone=True)
        report.note = _note(note, fields, year)
        return report
    finally:
        con.close()


def validate_connection(con, return_id: int, ruleset: int | None = None, list_children: bool = True) -> Report:
    """Check return ``return_id`` of the store open on ``con`` (also inside a transaction).

    ``list_children=False`` leaves ``Report.child_ids`` empty (only the HTML page needs it)."""

    cols = [c for c in runner.HEADER_COLUMNS if c not in ("collection", "source_level")]
    row = con.execute(f"SELECT {', '.join(cols)} FROM returns WHERE return_id = ?", [return_id]).fetchone()
    if row is None:
        raise MunroError(f"there is no return {return_id} in the store")
    header = dict(zip(cols, row))
    year, note = choose_ruleset(header["collection_year"], ruleset)
    report = runner.run(con, return_id, header, _rules(year, header), year, f"return {return_id}",
                        list_children=list_children)
    report.note = _note(note, header, year)
    return report


def validate_return(db: str | os.PathLike, return_id: int, ruleset: int | None = None) -> Report:
    """Check a return already loaded in the store at ``db``."""
    con = open_store(db, read_only=True)
    try:
        return validate_connection(con, return_id, ruleset)
    finally:
        con.close()
