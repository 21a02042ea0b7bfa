"""Loading an LA's local records (CSV or workbook) into the store: atomic, idempotent, as CIN census returns are
loaded.

A file is one ``LocalFile`` of the one load procedure (``store.loader``): read and checked whole
(``localdata.reader``) before the store is touched; then one transaction inserts its rows, registers it
in ``local_loads`` and supersedes the current load of the same kind, LA and reporting year. An
error at any point leaves the store as it was. The same file again changes
nothing; a superseded file loaded again becomes current again.

Local files do not name their LA or year, so they come from the caller
(``la``, ``year``), else the LA is the store's only LA and the year is the
one written in the file's name (``ssda903_episodes_2025.csv``, ``... 2024-25.csv``;
``munro.years.year_from_name``), unless the file's dates show that year cannot
be right (``_resolve_year``). A file whose children are mostly not the LA's is
refused (``localdata.matching.refuse_unmatched``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__
from ..errors import RejectedFile
from ..localdata.layouts import Layout
from ..localdata.matching import (
    REPORT_SUFFIX,
    census_match,
    refuse_unmatched,
    report_path,
    unmatched_children,
    write_report,
)
from ..localdata.reader import ReadFile, detect_layout, read_local_file
from ..localdata.schema import raw_columns
from ..output import record
from ..tabular_files import SPREADSHEET_SUFFIXES
from ..years import year_from_name, year_label, year_of_date
from .database import Store, StoreLike
from .ingest import file_sha256
from .loader import Known, Loader, load
from .outcome import LoadOutcome
from .replacement import compare_local, refuse_if_shrunk, shape_of_local, shape_of_local_table

_LOCAL_SUFFIXES = (".csv", ".txt") + SPREADSHEET_SUFFIXES  # a workbook: read, or refused saying what to do


@dataclass
class LocalOutcome(LoadOutcome):
    path: Path
    status: str = ""  # loaded, replaced, unchanged (already loaded), reinstated; empty when rejected
    kind: str | None = None
    la: str | None = None
    year: int | None = None
    load_id: int | None = None
    rows: int = 0
    children: int | None = None
    unmatched: int | None = None
    report: Path | None = None
    replaced: int | None = None
    ignored: tuple[str, ...] = ()
    error: str | None = None
    unmatched_ids: list[str] = field(default_factory=list, repr=False)  # for the report file, never the console

    def loaded_summary(self) -> str:
        assert self.year is not None  # a loaded file's year is known
        line = (f"{self.path}: {self.status} as local load {self.load_id} ({self.kind}, LA {self.la}, "
                f"{year_label(self.year)}): "
                f"{self.rows:,} rows")
        if self.children is not None:
            line += f", {self.children:,} children"
            if self.unmatched:
                line += f", {self.unmatched:,} not in the CIN census"
                line += f" (listed in {self.report})" if self.report else ""
        if self.ignored:
            line += f"; columns not used: {', '.join(self.ignored)}"
        if self.replaced is not None:
            line += f"; local load {self.replaced} is now superseded"
        return line

    def fields(self) -> dict[str, Any]:
        return record({"kind": self.kind, "load_id": self.load_id, "la_code": self.la,
                       "year": self.year, "rows": self.rows if self.status else None,
                       "children": self.children, "unmatched": self.unmatched,
                       "unmatched_report": str(self.report) if self.report else None,
                       "ignored_columns": list(self.ignored), "replaced_load_id": self.replaced})


def is_local_file(path: str | os.PathLike[str], kind: str | None = None) -> bool:
    """Whether ``path`` is read as a local CSV (not a CIN census XML)."""
    return kind is not None or Path(path).suffix.lower() in _LOCAL_SUFFIXES


def resolve_la(store: Store, path: Path, la: str | None) -> str:
    if la:
        return str(la)
    las = [r[0] for r in store.rows("SELECT DISTINCT la_code FROM returns ORDER BY 1")]
    if len(las) == 1:
        return str(las[0])
    raise RejectedFile(path, "the file does not say its LA: give --la" +
                       (f" (the store holds {', '.join(las)})" if las else ""))


def warn_or_tell(warn: Callable[[str], None] | None, message: str) -> None:
    """Tell the caller (``warn``), else Python's warnings: something the user should know, not an error."""
    if warn is not None:
        warn(message)
    else:
        warnings.warn(message, stacklevel=3)


def dates_year(read: ReadFile) -> tuple[dt.date, dt.date] | None:
    """(median, latest) of a file's dates, each row's latest event date counted once; the latest is the 99th
    percentile (the latest date of a file of up to 100 rows), so that a mistyped date does not decide. None
    for a layout without event dates (the SSDA903 header's only date is a birth date; own figures have none)
    or a file without rows."""

    cols = [read.table[c.store] for c in read.layout.columns
            if c.type == "date" and c.store != "birth_date" and c.store in read.table.column_names]
    if not cols:
        return None
    latest = pc.max_element_wise(*cols, skip_nulls=True) if len(cols) > 1 else cols[0]
    days = pc.drop_null(latest.cast(pa.int32()))
    if not len(days):
        return None
    mid = pc.quantile(days, q=0.5, interpolation="lower")[0].as_py()
    last = pc.quantile(days, q=0.99, interpolation="higher")[0].as_py()  # the latest of up to 100 dates
    epoch = dt.date(1970, 1, 1)
    return epoch + dt.timedelta(days=int(mid)), epoch + dt.timedelta(days=int(last))


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def _resolve_year(path: Path, given: int | None, read: ReadFile,
                  warn: Callable[[str], None] | None = None) -> int:
    """The reporting year of a local file: ``given`` (--year), else the one in its name, else its dates'.

    The file's dates show a year cannot be right when its latest dates are before the year begins, or half
    of them are after it ends; their year is then the one of its median date. The year in the name gives way
    to it, and the caller is told; a year given (the user's own word) stands, and the caller is told too.
    Without a year given or named, the dates decide when their median and their latest fall in one year.
    """
    named = given or year_from_name(path.stem)
    dates = dates_year(read)
    if dates is None or named is None:
        if named is not None:
            return int(named)
        if dates is not None and year_of_date(dates[0]) == year_of_date(dates[1]):
            return year_of_date(dates[1])
        raise RejectedFile(path, "the file does not say its reporting year: give --year (2025, 2024-25 or "
                                 "2024/25), or put the year in its name (docs/local-data.md)")
    mid, last = dates
    if year_of_date(last) < named or year_of_date(mid) > named:
        dated = year_of_date(mid)
        said = f"--year says {year_label(named)}" if given else f"its name says {year_label(named)}"
        warn_or_tell(warn, f"{path}: {said} but its dates are of {year_label(dated)} (half of them by "
                           f"{_day(mid)}, the latest {_day(last)}): loaded as "
                           f"{year_label(named if given else dated)}" + (", as --year says" if given else ""))
        return int(named) if given else dated
    return int(named)


@dataclass
class StagedLocal:
    """A local file read whole (``read``: its layout, rows and columns not used), whose and which year it is."""

    path: Path
    read: ReadFile
    la: str
    year: int
    sha: str


class LocalFile(Loader[StagedLocal, LocalOutcome]):
    """A file of an LA's local records (``load_local_file``): the options are its."""

    register = "local_loads"
    Outcome = LocalOutcome

    def __init__(self, *, own_items: Callable[[], Mapping[str, str]] | None = None, kind: str | None = None,
                 la: str | None = None, year: int | None = None, report: str | os.PathLike[str] | None = None,
                 replace: bool = False, force: bool = False, warn: Callable[[str], None] | None = None):
        self.own_items, self.kind, self.la, self.year, self.report = own_items, kind, la, year, report
        self.replace, self.force, self.warn = replace, force, warn
        self.layout: Layout | None = None  # told from the header row before the store is opened

    def accept(self, path: Path) -> None:
        super().accept(path)
        if path.name.endswith(REPORT_SUFFIX):
            raise RejectedFile(path, "a list of unmatched children munro wrote when loading a file, not a file to load")
        self.layout = detect_layout(path, self.kind)

    def read(self, store: Store, path: Path, staging: contextlib.ExitStack) -> StagedLocal:
        layout = self.layout or detect_layout(path, self.kind)
        la = resolve_la(store, path, self.la)
        read = read_local_file(path, layout, self.own_items)  # before the year: the file's dates may say it
        year = _resolve_year(path, self.year, read, self.warn)
        staged = StagedLocal(path, read, la, year, file_sha256(path))
        store.con.register("munro_local_staged", read.table)  # the unmatched children are found in the SQL
        staging.callback(store.con.unregister, "munro_local_staged")
        return staged

    def known(self, store: Store, staged: StagedLocal) -> Known[LocalOutcome] | None:
        kind = staged.read.layout.kind
        row = store.one("SELECT load_id, status, rows, children, unmatched FROM local_loads WHERE file_sha256 = ? "
                        "AND kind = ? AND la_code = ? AND year = ? ORDER BY load_id DESC LIMIT 1",
                        [staged.sha, kind, staged.la, staged.year])
        if row is None:
            return None
        load_id, status, rows, children, unmatched = row
        outcome = LocalOutcome(staged.path, kind=kind, la=staged.la, year=staged.year, load_id=load_id, rows=rows,
                               children=children, unmatched=unmatched)
        return Known(load_id, status == "current", self.same(staged), outcome)

    def may_reinstate(self, store: Store, path: Path, known: Known[LocalOutcome]) -> None:
        if not self.replace:
            was = known.outcome
            refuse_if_shrunk(path, compare_local(store.con, known.same["kind"], known.same["la_code"],
                                                 known.same["year"], shape_of_local(was.rows, was.children),
                                                 known.id))

    def check(self, store: Store, staged: StagedLocal) -> None:
        """The LA's children in the census (unless ``force``); a far smaller replacement (unless ``replace``)."""
        table, kind = staged.read.table, staged.read.layout.kind
        if not self.force and "la_child_id" in table.column_names:
            refuse_unmatched(staged.path, staged.la, census_match(store.con, staged.la, staged.year, table))
        if not self.replace:
            refuse_if_shrunk(staged.path, compare_local(store.con, kind, staged.la, staged.year,
                                                        shape_of_local_table(table)))

    def same(self, staged: StagedLocal) -> dict[str, Any]:
        return {"kind": staged.read.layout.kind, "la_code": staged.la, "year": staged.year}

    def write(self, store: Store, staged: StagedLocal, file_id: int) -> LocalOutcome:
        """The rows and the register's row; the unmatched children counted."""
        read, layout, la = staged.read, staged.read.layout, staged.la
        store.insert_all(layout.table, read.table, [c for c, _ in raw_columns(layout)],
                         {"load_id": "$load", "la_code": "$la"}, {"load": file_id, "la": la})
        has_children = "la_child_id" in read.table.schema.names
        ids = unmatched_children(store.con, la, "munro_local_staged") if has_children else []
        children = (store.rows("SELECT count(DISTINCT la_child_id) FROM munro_local_staged")[0][0]
                    if has_children else None)
        unmatched = len(ids) if has_children else None
        store.rows("INSERT INTO local_loads (load_id, kind, la_code, year, status, file_name, file_sha256, "
                   "file_bytes, rows, children, unmatched, loaded_at, munro_version) "
                   "VALUES (?, ?, ?, ?, 'current', ?, ?, ?, ?, ?, ?, ?, ?)",
                   [file_id, layout.kind, la, staged.year, staged.path.name, staged.sha, staged.path.stat().st_size,
                    read.table.num_rows, children, unmatched, dt.datetime.now(), __version__])
        return LocalOutcome(staged.path, kind=layout.kind, la=la, year=staged.year, ignored=tuple(read.ignored),
                            load_id=file_id, rows=read.table.num_rows, children=children, unmatched=unmatched,
                            unmatched_ids=ids)

    def published(self, staged: StagedLocal, outcome: LocalOutcome) -> None:
        """The children not in the LA's CIN census listed in ``report`` (default ``<file>.unmatched.csv``)."""
        if outcome.unmatched:
            target = Path(self.report) if self.report else report_path(staged.path)
            outcome.report = write_report(target, staged.path, staged.read.layout.kind, staged.la,
                                          outcome.unmatched_ids)


def load_local_file(db: StoreLike, path: str | os.PathLike[str], *,
                    own_items: Callable[[], Mapping[str, str]] | None = None,
                    kind: str | None = None, la: str | None = None, year: int | None = None,
                    report: str | os.PathLike[str] | None = None, con: duckdb.DuckDBPyConnection | None = None,
                    replace: bool = False, force: bool = False,
                    warn: Callable[[str], None] | None = None) -> LocalOutcome:
    """Load one local CSV (docs/local-data.md) into the store ``db`` (anything ``munro.store.Store`` takes;
    ``con``, an open connection to it, is the older way to give it).

    ``kind`` names the layout (default: told from the header row); ``la`` and ``year`` say whose and which
    reporting year the file is (its dates overrule a year they show cannot be right, with a message to
    ``warn``, else a Python warning). A file fewer than half of whose children the LA's CIN returns of its
    year or the year before hold is refused, unless ``force`` (``localdata.matching.MIN_MATCHED``). Children not in
    the LA's CIN census are written to ``report`` (default ``<file>.unmatched.csv``). Raises ``RejectedFile``
    (nothing loaded) for a bad file, and ``store.replacement.ReplacementRefused`` for one far smaller than the
    current load it would replace (rows or children), unless ``replace``. ``own_items``: the items a file of
    own figures may name (``localdata.reader.read_local_file``), given by the load procedure
    (``munro.loading.ingest_local_file``) from the catalogue, which is above the store.
    """
    return load(con if con is not None else db, LocalFile(own_items=own_items, kind=kind, la=la, year=year,
                                                          report=report, replace=replace, force=force, warn=warn),
                Path(path))
