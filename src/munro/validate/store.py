"""Findings kept in the store: ``munro ingest`` records those of each return it loads."""

from __future__ import annotations

import pyarrow as pa

from .findings import Report

COLUMNS = ("return_id", "ruleset", "rule", "type", "level", "la_child_id", "table_name", "fields", "value",
           "message", "line")


def record_findings(con, return_id: int) -> Report:
    """Run the return's ruleset and insert its findings into ``validation_findings``.

    Called inside the load's transaction, so a return and its findings are
    committed together; a rule that fails there fails the load (DuckDB
    aborts the transaction), with the rule named.
    """
    from . import validate_connection

    report = validate_connection(con, return_id, list_children=False)
    rows = [(return_id, report.ruleset, f.code, f.type, f.level, f.la_child_id, f.table, f.fields, f.value,
             f.message, f.line) for f in report.findings]
    if rows:
        table = pa.table(list(zip(*rows)), names=list(COLUMNS))
        con.register("munro_findings", table)
        con.execute(f"INSERT INTO validation_findings ({', '.join(COLUMNS)}) "
                    f"SELECT {', '.join(COLUMNS)} FROM munro_findings")
        con.unregister("munro_findings")
    return report
