"""The load procedure: every kind of file munro loads, read, checked and published the same way.

``munro ingest`` (and the web service's uploads) call ``load_files`` / ``load_file``, which tell a
file's kind and make its loader (a ``munro.store.loader.Loader``: ``CensusReturn``, ``LocalFile``,
``AnnexAWorkbook``, ``PooledExport``), whose steps the one ``munro.store.loader.load`` runs over one
``munro.store.Store``, the same three for every kind:

1. **read** the whole file before the store is touched (a CIN return staged as Arrow tables,
   ``store.ingest``; a local CSV checked row by row, ``localdata.reader`` for ``store.local``; an Ofsted
   Annex A workbook's lists, ``annexa.read`` for ``store.annexa``; a pooled export's Parquet files,
   ``store.pooled``);
2. **check** it: its structure as read, the LA and year, a far smaller file refused as a replacement
   (``store.replacement``), a local file's children matched to the census, and for a CIN return the
   DfE validation rules (``DFE_RULES``: ``munro.validate``, composed here, above the store, so the
   store never imports the rules), for a file of an LA's own figures the items it may name
   (``own_items``: the indicator catalogue's, given from here for the same reason);
3. **publish** in one ``Store.transaction()``: the rows, the file in its register
   (``Store.register``: current, superseding the one before; a superseded file loaded again is
   reinstated), and a return's findings. An error or a kill at any point leaves the store as it was.

A file already loaded is told by its bytes and left unchanged, or reinstated. Every loader gives back a
``munro.store.LoadOutcome`` (``summary()``, ``record()``), a rejected file one
with ``error``, and a rejected file does not stop the others.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from .annexa.schema import KIND as ANNEX_A
from .errors import RejectedFile
from .localdata import layouts
from .progress import report
from .store.annexa import AnnexAWorkbook, is_annex_a_file
from .store.database import Store
from .store.ingest import CensusReturn, IngestOutcome, load_return
from .store.loader import Loader, load
from .store.local import LocalFile, LocalOutcome, is_local_file, load_local_file, warn_or_tell
from .store.outcome import LoadOutcome
from .store.pooled import PooledExport
from .validate import validate_tables
from .validate.findings import Report
from .validate.store import record_findings
from .years import parse_year, year_from_name, year_label


class DfERules:
    """The DfE CIN census validation rules as a CIN return's checks (``store.ingest.ReturnChecks``)."""

    def of_rows(self, stage, header, threads: int) -> Report:
        return validate_tables(stage, header, threads=threads)

    def record(self, con, return_id: int, found: Report | None) -> str:
        return record_findings(con, return_id, found).counts_line()


DFE_RULES = DfERules()


def own_items() -> dict[str, str]:
    """id -> unit of the items an LA can import its own figure for (definitions.md section 3): the ones a
    file of own figures may name."""
    # Import time: the catalogue imports every item module and Ibis, needed only for a file of own figures.
    from .indicators.catalogue import CATALOGUE

    return {i.id: i.unit for i in CATALOGUE if i.comparability == "published"}


def ingest_local_file(db, path: str | os.PathLike, *, kind: str | None = None, la: str | None = None,
                      year: int | None = None, report: str | os.PathLike | None = None, con=None,
                      replace: bool = False, force: bool = False, warn=None) -> LocalOutcome:
    """One file of an LA's local records (docs/local-data.md), a file of own figures checked against the
    catalogue: raises ``RejectedFile`` rather than returning it. The options are
    ``munro.store.local.load_local_file``'s."""
    return load_local_file(db, path, own_items=own_items, kind=kind, la=la, year=year, report=report, con=con,
                           replace=replace, force=force, warn=warn)


def load_file(db, path: str | os.PathLike, *, kind: str | None = None, la: str | None = None,
              year: int | None = None, schema_year: int | None = None, workers: int = 1, progress=None,
              replace: bool = False, force: bool = False, warn=None, as_at=None,
              months: int | None = None) -> LoadOutcome:
    """Load one file of any kind into the store ``db`` (anything ``munro.store.Store`` takes); its
    outcome, with ``error`` when it was rejected (nothing loaded). A folder is a pseudonymised export
    (``store.pooled``), a workbook with sheets of Annex A's lists 1 to 7 (or ``kind`` ``annex-a``) an
    Annex A (``store.annexa``: ``as_at`` and ``months`` say what its lists cover), a CSV or other workbook
    (any file when ``kind`` is given) a local file (``store.local``), anything else a CIN census return;
    the options are ``load_files``'."""
    path = Path(path)
    loader = _loader(path, kind=kind, la=la, year=year, schema_year=schema_year, workers=workers,
                     progress=progress, replace=replace, force=force, warn=warn, as_at=as_at, months=months)
    try:
        outcome = load(db, loader, path)
    except RejectedFile as e:
        return loader.Outcome(path, error=str(e))
    return _header_year(outcome, warn) if isinstance(outcome, IngestOutcome) else outcome


def _loader(path: Path, *, kind, la, year, schema_year, workers, progress, replace, force, warn, as_at,
            months) -> Loader:
    """The loader of ``path``'s kind (``load_file``), with the options that kind takes."""
    if path.is_dir():
        report(progress, f"loading the export {path.name}")
        return PooledExport()
    if is_annex_a_file(path, kind):
        report(progress, f"loading the Annex A {path.name}")
        return AnnexAWorkbook(la=la, as_at=as_at, months=months, warn=warn)
    if is_local_file(path, kind):
        report(progress, f"loading {path.name}")
        return LocalFile(own_items=own_items, kind=kind, la=la, year=year, replace=replace, force=force, warn=warn)
    return CensusReturn(checks=DFE_RULES, schema_year=schema_year, workers=workers, progress=progress,
                        replace=replace)


def load_files(db, paths: Iterable[str | os.PathLike], *, kind: str | None = None, la: str | None = None,
               year: int | str | None = None, schema_year: int | None = None, workers: int = 1, progress=None,
               replace: bool = False, force: bool = False, warn=None, as_at=None,
               months: int | None = None) -> Iterator[LoadOutcome]:
    """Load CIN census returns, local CSVs, Annex A workbooks and pooled exports, one transaction each, in the
    order given.

    Yields each file's outcome (``error`` and ``summary()``); a rejected file does not stop the others.
    ``kind`` reads every file as that local layout; ``la`` and ``year`` (2025, '2024-25' or '2024/25')
    say whose and which year the local files are (``ingest_local_file``);
    ``schema_year`` reads the returns in that collection year's format, with ``workers`` threads.
    ``progress``: ``munro.progress``. ``replace`` loads a file that would replace a loaded one it falls
    far short of (``munro.store.replacement``), which is otherwise rejected. ``force`` loads a local
    file whose children are mostly not in the LA's CIN returns; ``warn`` is told where a file's content
    and its name (or ``year``) disagree (for a CIN return, its header's collection year and its name's),
    and an Annex A's values that could not be read. ``as_at`` (a date) and ``months`` (6 or 12) say
    what an Annex A workbook's lists cover (``munro.store.annexa``; ``la`` whose it is).
    """
    if kind is not None and kind != ANNEX_A:
        layouts.layout(kind)  # an unknown kind is the user's option, not one file's problem
    year = None if year is None else parse_year(year)
    with Store(db) as store:
        for p in paths:
            yield load_file(store, p, kind=kind, la=la, year=year, schema_year=schema_year, workers=workers,
                            progress=progress, replace=replace, force=force, warn=warn, as_at=as_at, months=months)


def _header_year(outcome: IngestOutcome, warn) -> IngestOutcome:
    """A CIN return's outcome, the caller told when its header's collection year (which decides) is not
    the year in its file's name."""
    h = outcome.header
    if h is not None and h.in_year and h.reference_date.isoformat() in Path(outcome.path).stem:
        return outcome  # an extract named by its date (cin_330_2025-10-31.xml): a calendar year, not its collection
    named = year_from_name(Path(outcome.path).stem) if h is not None else None
    if named is not None and named != outcome.header.collection_year:
        loaded = year_label(outcome.header.collection_year)
        warn_or_tell(warn, f"{outcome.path}: its name says {year_label(named)} but its header's collection year "
                           f"is {loaded}: loaded as {loaded}")
    return outcome


# One kind of file each, as docs/cli.md documents them for callers' scripts.
def ingest_file(db, path: str | os.PathLike, *, schema_year: int | None = None, workers: int = 1, con=None,
                progress=None, replace: bool = False) -> IngestOutcome:
    """One CIN census return, checked by the DfE rules: raises
    ``RejectedFile`` rather than returning it. ``con``: an open connection to the store ``db``."""
    return load_return(con if con is not None else db, path, checks=DFE_RULES, schema_year=schema_year,
                       workers=workers, progress=progress, replace=replace)


def ingest_files(db, paths: Iterable[str | os.PathLike], *, schema_year: int | None = None, workers: int = 1,
                 progress=None, replace: bool = False) -> Iterator[LoadOutcome]:
    """CIN census returns, whatever their names, and pooled export folders."""
    with Store(db) as store:
        for p in paths:
            if Path(p).is_dir():
                yield load_file(store, p, progress=progress)
                continue
            try:
                yield ingest_file(store, p, schema_year=schema_year, workers=workers, progress=progress,
                                  replace=replace)
            except RejectedFile as e:
                yield IngestOutcome(Path(p), error=str(e))


__all__ = ["load_files", "load_file", "DFE_RULES", "DfERules", "own_items", "ingest_file", "ingest_files",
           "ingest_local_file"]
