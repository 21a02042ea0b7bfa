"""Loading an Ofsted Annex A workbook (lists 1 to 7) into the store: read, checked, published in one transaction.

A workbook is one ``AnnexAWorkbook`` of the one load procedure (``store.loader``). It is read whole
by ``munro.annexa.read`` before the store is written, and checked: its as-at date (``as_at``, else a
date in the file's name, else the load is refused asking for ``--as-at``: the template does not say
it), its months (``months``, else 6 when every contact, early help assessment, referral, assessment and
enquiry is dated in the 6 months to the as-at date, else 12), no record dated after the as-at date,
and every row readable as a record (a row without its child or its list's date refuses the workbook,
naming the sheet, row and column: nothing is half loaded; a value that cannot be read is left empty
and told as a warning), its LA (``la``, else the store's only LA). Then one transaction inserts each
list's rows (``munro.annexa.schema``), registers the workbook in ``local_loads`` (kind ``annex-a``,
the reporting year of its as-at date, the as-at date, months and first day covered) and supersedes
the current workbook of the same LA and as-at date. Workbooks of other as-at dates stay current:
their lists merge, the later as-at date winning over the months it covers (``munro.annexa.schema``'s
merged views). The same file again changes nothing; a superseded file loaded again is current again.
No child's identifier is ever in a message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from .. import __version__
from ..annexa import layout as L
from ..annexa import schema as S
from ..annexa.extract import window
from ..annexa.read import AnnexA, read_annex_a
from ..errors import RejectedFile
from ..output import record
from ..tabular_files import WORKBOOK_SUFFIXES, Workbook
from ..years import year_of_date
from .database import Store, StoreLike
from .ingest import file_sha256
from .loader import Known, Loader, load
from .local import resolve_la, warn_or_tell
from .outcome import LoadOutcome

MONTHS = (6, 12)
SHOWN_FINDINGS = 5  # warnings told one by one; the rest counted
_ISO_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_UK_IN_NAME = re.compile(r"(?<!\d)(\d{2})[-_.](\d{2})[-_.](\d{4})(?!\d)")


@dataclass
class AnnexAOutcome(LoadOutcome):
    path: Path
    status: str = ""  # loaded, replaced, unchanged (already loaded), reinstated; empty when rejected
    kind: str | None = S.KIND
    la: str | None = None
    as_at: dt.date | None = None
    months: int | None = None
    covers_from: dt.date | None = None
    load_id: int | None = None
    lists: dict[int, int] = field(default_factory=dict)  # list -> rows loaded
    children: int | None = None
    findings: int = 0  # values that could not be read, left empty
    replaced: int | None = None
    error: str | None = None

    def loaded_summary(self) -> str:
        lists = ", ".join(f"list {n} {rows:,}" for n, rows in sorted(self.lists.items()))
        line = (f"{self.path}: {self.status} as local load {self.load_id} (Annex A, LA {self.la}, "
                f"{self.months} months to {_day(self.as_at)}): {lists or 'no lists'}")
        if self.children is not None:
            line += f"; {self.children:,} children"
        if self.findings:
            line += f"; {self.findings:,} values not read, left empty"
        if self.replaced is not None:
            line += f"; local load {self.replaced} is now superseded"
        return line

    def fields(self) -> dict[str, Any]:
        return record({"kind": self.kind, "load_id": self.load_id, "la_code": self.la,
                       "as_at": self.as_at.isoformat() if self.as_at else None, "months": self.months,
                       "covers_from": self.covers_from.isoformat() if self.covers_from else None,
                       "lists": {str(n): rows for n, rows in sorted(self.lists.items())},
                       "children": self.children, "values_not_read": self.findings,
                       "replaced_load_id": self.replaced})


def _day(d: dt.date | None) -> str:
    return f"{d.day} {d:%b %Y}" if d else "?"


def covers_from(as_at: dt.date, months: int) -> dt.date:
    """The first day of the ``months`` months ending on ``as_at`` (``annexa.extract.window``)."""
    return window(as_at, months)[0]


def is_annex_a_file(path: str | os.PathLike[str], kind: str | None = None) -> bool:
    """Whether ``path`` is read as an Annex A workbook: ``kind`` says so, or (no kind given) it is an .xlsx
    workbook with a sheet of lists 1 to 7 (``layout.sheet_list``). A workbook that cannot be opened is left
    to the other loaders, which say why."""
    if kind is not None:
        return kind == S.KIND
    path = Path(path)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES or not path.is_file():
        return False
    try:
        with Workbook(path) as wb:
            return any(L.sheet_list(s) in L.LISTS for s in wb.sheets)
    except RejectedFile:
        return False


def as_at_in_name(name: str) -> dt.date | None:
    """A date written in a file's name (``annex_a_2025-10-31.xlsx``, ``AnnexA 31-10-2025.xlsx``), or None."""
    for pattern, order in ((_ISO_IN_NAME, (0, 1, 2)), (_UK_IN_NAME, (2, 1, 0))):
        m = pattern.search(name)
        if m:
            y, mo, d = (int(m.group(i + 1)) for i in order)
            try:
                return dt.date(y, mo, d)
            except ValueError:
                return None
    return None


@dataclass
class StagedAnnexA:
    """An Annex A workbook read whole and checked (``read``): whose it is, its as-at date and months."""

    path: Path
    read: AnnexA
    la: str
    as_at: dt.date
    months: int
    sha: str

    def outcome(self) -> AnnexAOutcome:
        return AnnexAOutcome(self.path, la=self.la, as_at=self.as_at, months=self.months,
                             covers_from=covers_from(self.as_at, self.months),
                             lists={n: t.num_rows for n, t in self.read.tables.items()},
                             findings=len(self.read.findings))


class AnnexAWorkbook(Loader[StagedAnnexA, AnnexAOutcome]):
    """An Ofsted Annex A workbook (``load_annex_a``): the options are its."""

    register = "local_loads"
    Outcome = AnnexAOutcome

    def __init__(self, *, la: str | None = None, as_at: dt.date | None = None, months: int | None = None,
                 warn: Callable[[str], None] | None = None):
        self.la, self.as_at, self.months, self.warn = la, as_at, months, warn

    def accept(self, path: Path) -> None:
        super().accept(path)
        if self.months is not None and self.months not in MONTHS:
            raise RejectedFile(path, f"an Annex A covers 6 or 12 months, not {self.months}")

    def read(self, store: Store, path: Path, staging: contextlib.ExitStack) -> StagedAnnexA:
        """Read whole and checked: its as-at date, no row half read, none dated after it; its months."""
        read = read_annex_a(path)
        as_at = _as_at(path, self.as_at)
        _refuse_skipped(path, read)
        _refuse_later(path, read, as_at)
        months = self.months or _months(read, as_at)
        for f in read.findings[:SHOWN_FINDINGS]:
            warn_or_tell(self.warn, f"{f}: left empty")
        if len(read.findings) > SHOWN_FINDINGS:
            warn_or_tell(self.warn, f"{path.name}: {len(read.findings) - SHOWN_FINDINGS:,} more values not read, "
                                    "left empty")
        return StagedAnnexA(path, read, resolve_la(store, path, self.la), as_at, months, file_sha256(path))

    def known(self, store: Store, staged: StagedAnnexA) -> Known[AnnexAOutcome] | None:
        """The same workbook loaded before for the LA and date."""
        row = store.one("SELECT load_id, status, children FROM local_loads WHERE file_sha256 = ? AND kind = ? "
                        "AND la_code = ? AND as_at = ? ORDER BY load_id DESC LIMIT 1",
                        [staged.sha, S.KIND, staged.la, staged.as_at])
        if row is None:
            return None
        outcome = staged.outcome()
        outcome.load_id, status, outcome.children = row
        return Known(row[0], status == "current", self.same(staged), outcome)

    def same(self, staged: StagedAnnexA) -> dict[str, Any]:
        return {"kind": S.KIND, "la_code": staged.la, "year": year_of_date(staged.as_at), "as_at": staged.as_at}

    def write(self, store: Store, staged: StagedAnnexA, file_id: int) -> AnnexAOutcome:
        outcome, tables = staged.outcome(), staged.read.tables
        for number, rows in sorted(tables.items()):
            store.insert_all(S.TABLES[number], _as_stored(number, rows), [c for c, _ in S.raw_columns(number)],
                             {"load_id": "$load", "la_code": "$la"}, {"load": file_id, "la": staged.la})
        children = store.one("SELECT count(DISTINCT la_child_id) FROM (" + " UNION ALL ".join(
            f"SELECT la_child_id FROM {S.TABLES[n]} WHERE load_id = ?" for n in sorted(tables)) + ")",
            [file_id] * len(tables))
        outcome.load_id, outcome.children = file_id, None if children is None else children[0]
        store.rows("INSERT INTO local_loads (load_id, kind, la_code, year, status, file_name, file_sha256, "
                   "file_bytes, rows, children, unmatched, loaded_at, munro_version, as_at, months, covers_from) "
                   "VALUES (?, ?, ?, ?, 'current', ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)",
                   [file_id, S.KIND, staged.la, year_of_date(staged.as_at), staged.path.name, staged.sha,
                    staged.path.stat().st_size, sum(outcome.lists.values()), outcome.children, dt.datetime.now(),
                    __version__, staged.as_at, staged.months, outcome.covers_from])
        return outcome


def load_annex_a(db: StoreLike, path: str | os.PathLike[str], *, la: str | None = None,
                 as_at: dt.date | None = None, months: int | None = None, replace: bool = False,
                 warn: Callable[[str], None] | None = None) -> AnnexAOutcome:
    """Load the Annex A workbook ``path`` into the store ``db`` (anything ``munro.store.Store`` takes): see
    the module's docstring. Raises ``RejectedFile`` (one line; nothing loaded). ``warn`` is told each value
    that could not be read (else Python's warnings). ``replace`` is accepted for the load procedure's
    sake: an Annex A workbook never replaces a file of another as-at date."""
    return load(db, AnnexAWorkbook(la=la, as_at=as_at, months=months, warn=warn), Path(path))


def _as_at(path: Path, given: dt.date | None) -> dt.date:
    found = given or as_at_in_name(path.name)
    if found is None:
        raise RejectedFile(path, "the workbook does not say the date its lists run to: give --as-at (e.g. "
                                 "--as-at 2025-10-31), or put the date in its name (annex_a_2025-10-31.xlsx)")
    return found


def _refuse_skipped(path: Path, read: AnnexA) -> None:
    """A row not readable as a record (no child, no date of its list) refuses the workbook: the first one named."""
    skipped = [f for f in read.findings if f.skipped]
    if skipped:
        more = len({(f.sheet, f.row) for f in skipped}) - 1
        raise RejectedFile(path, f'sheet "{skipped[0].sheet}", row {skipped[0].row}, column "{skipped[0].column}": '
                                 f"{skipped[0].problem}" + (f" ({more:,} more rows like it)" if more else ""))


def _refuse_later(path: Path, read: AnnexA, as_at: dt.date) -> None:
    """A record dated after the as-at date: the as-at date given is wrong (or the record is)."""
    for number, t in sorted(read.tables.items()):
        for col in (c for c in L.LISTS[number].read_columns if c.kind == "date" and c.name != "birth_date"):
            later = [(row, d) for row, d in zip(t["row"].to_pylist(), t[col.name].to_pylist()) if d and d > as_at]
            if later:
                row, d = later[0]
                raise RejectedFile(path, f'sheet "{read.sheets[number]}", row {row}, column "{col.header}": '
                                         f"{d:%d/%m/%Y} is after the as-at date {as_at:%d/%m/%Y}; give the date the "
                                         "lists run to (--as-at)")


def _months(read: AnnexA, as_at: dt.date) -> int:
    """6 when every record of lists 1 to 5 is dated in the 6 months to the as-at date, else 12."""
    six = covers_from(as_at, 6)
    for number in range(1, 6):
        t = read.tables.get(number)
        if t is not None and any(d is not None and d < six for d in t[S.date_column(number)].to_pylist()):
            return 12
    return 6


def _as_stored(number: int, rows: Any) -> Any:
    """A list as read, in the store's names and types: identifiers and workers renamed, yes/no as 0/1."""

    cols, names = [], []
    for col in L.LISTS[number].read_columns:
        values = rows[col.name]
        if col.kind == "yesno":
            values = values.cast(pa.int32())
        cols.append(values)
        names.append(S.store_name(col))
    return pa.table([*cols, rows["row"]], names=[*names, "sheet_row"])
