"""Children of a local file matched to the CIN census by LA and child ID.

The SSDA903 ``CHILD`` and the child ID of visits, core groups and allocations
are the LA's own identifier, the same as ``LAchildID`` in its CIN census
returns. A child the census does not hold cannot count in any item (every
item starts from the census), so the load reports them: a count on the
console, and the identifiers in a file meant to carry them.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path


def unmatched_children(con, la: str, staged: str) -> list[str]:
    """Child IDs in the registered Arrow table ``staged`` that no current CIN return of ``la`` holds."""
    rows = con.execute(
        f"SELECT DISTINCT s.la_child_id FROM {staged} s WHERE NOT EXISTS ("
        "SELECT 1 FROM children c JOIN returns r ON r.return_id = c.return_id "
        "WHERE r.status = 'current' AND r.la_code = ? AND c.la_child_id = s.la_child_id) "
        "ORDER BY 1", [la]).fetchall()
    return [r[0] for r in rows]


REPORT_SUFFIX = ".unmatched.csv"


def report_path(path: Path) -> Path:
    """Where a load's unmatched children are listed: beside the file, ``<name>.unmatched.csv``."""
    return path.with_name(path.name + REPORT_SUFFIX)


def write_report(target: Path, file: Path, kind: str, la: str, ids: list[str]) -> Path:
    """Write the unmatched children (one row each) atomically; the file is replaced on a new load."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["la_code", "child_id", "kind", "file", "problem"])
        for child in ids:
            w.writerow([la, child, kind, file.name, "not in the LA's CIN census returns loaded"])
    os.replace(tmp, target)
    return target
