"""Findings kept in the store: ``munro ingest`` records those of each return it loads."""

from __future__ import annotations

from ..errors import MunroError
from ..store.schema import VALIDATION_FINDINGS
from . import validate_connection
from .findings import Report

COLUMNS, _TYPES = VALIDATION_FINDINGS.names, VALIDATION_FINDINGS.types


def record_findings(con, return_id: int, report: Report | None = None) -> Report:
    """Insert the return's findings into ``validation_findings``: ``report``'s, or its ruleset's run now.

    Called inside the load's transaction, so a return and its findings are
    committed together; a rule that fails there fails the load (DuckDB
    aborts the transaction), with the rule named.
    """

    if report is None:
        report = validate_connection(con, return_id, list_children=False)
    elif report.failures:  # as when a rule fails inside the transaction (runner._check_transaction)
        failed = report.failures[0]
        raise MunroError(f"validation rule {failed.code} failed ({failed.error[:200]}); the return was not loaded")
    rows = [(return_id, report.ruleset, f.code, f.type, f.level, f.la_child_id, f.table, f.fields, f.value,
             f.message, f.line) for f in report.findings]
    if rows:
        # One list parameter per column, unnested side by side: DuckDB takes Python lists natively,
        # where pyarrow's pa.array() on them would import pandas (a third of a second per load).
        select = ", ".join(f"unnest(${i + 1}::{t}[])" for i, t in enumerate(_TYPES))
        con.execute(f"INSERT INTO validation_findings ({', '.join(COLUMNS)}) SELECT {select}",
                    [list(column) for column in zip(*rows)])
    return report
