"""Children of a local file matched to the CIN census by LA and child ID.

The SSDA903 ``CHILD`` and the child ID of visits, core groups and allocations
are the LA's own identifier, the same as ``LAchildID`` in its CIN census
returns. A child the census does not hold cannot count in any item (every
item starts from the census), so the load reports them: a count on the
console, and the identifiers in a file meant to carry them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import RejectedFile
from ..output import csv_writer
from ..private import open_private
from ..years import year_label


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
    with open_private(tmp, "w", newline="", encoding="utf-8") as f:  # children's identifiers: owner-only
        w = csv_writer(f)
        w.writerow(["la_code", "child_id", "kind", "file", "problem"])
        for child in ids:
            w.writerow([la, child, kind, file.name, "not in the LA's CIN census returns loaded"])
    os.replace(tmp, target)
    return target


# ------------------------------------------------------------------ is it this LA's file at all?

# A file is refused when fewer than half of its children are in the LA's CIN census returns of its year or the
# year before (else, with neither loaded, of any year) (docs/local-data.md says why half): another LA's file, or
# identifiers of another system, match almost none; the LA's own file matches nearly all with its year's return
# loaded, and most with only the year before's (munro's demo: 100%, and 54% to 92% by layout).
MIN_MATCHED = 0.5


@dataclass(frozen=True)
class CensusMatch:
    children: int  # distinct child IDs in the file
    matched: int  # of them, in a current CIN return of the LA of ``years``
    years: tuple[int, ...]  # the year and the year before, those loaded; else every year loaded; latest first


def census_match(con, la: str, year: int, table) -> CensusMatch:
    """How many of the children of the Arrow ``table`` (its ``la_child_id``) the LA's current CIN returns of
    ``year`` and ``year - 1`` hold; with neither loaded, those of any year."""
    loaded = [r[0] for r in con.execute("SELECT DISTINCT collection_year FROM returns WHERE status = 'current' "
                                        "AND la_code = ? ORDER BY 1 DESC", [la]).fetchall()]
    years = tuple(y for y in loaded if y in (year, year - 1)) or tuple(loaded)
    name = f"munro_local_matching_{os.getpid()}"
    con.register(name, table)
    try:
        children, matched = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM children c JOIN returns r "
            "ON r.return_id = c.return_id WHERE r.status = 'current' AND r.la_code = ? "
            "AND list_contains(?, r.collection_year) AND c.la_child_id = s.la_child_id)) "
            f"FROM (SELECT DISTINCT la_child_id FROM {name} WHERE la_child_id IS NOT NULL) s",
            [la, list(years)]).fetchall()[0]
    finally:
        con.unregister(name)
    return CensusMatch(children, matched, years)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".rstrip("0").rstrip(".") + "%"


def refuse_unmatched(path: Path, la: str, match: CensusMatch) -> None:
    """Raise RejectedFile when the file's children are not, for the most part, the LA's (``MIN_MATCHED``)."""
    if not match.children:
        return
    if not match.years:
        raise RejectedFile(path, f"LA {la} has no CIN census return loaded to match the file's children against: "
                                 "load its returns first, or load the file with --force; nothing was loaded")
    if match.matched < MIN_MATCHED * match.children:
        labels = [year_label(y) for y in match.years]
        years = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        raise RejectedFile(path, f"{match.matched:,} of {match.children:,} children "
                                 f"({_percent(match.matched, match.children)}) match LA {la}'s CIN census returns "
                                 f"for {years}: is it another LA's file? Check --la, or load it with --force; "
                                 "nothing was loaded")
