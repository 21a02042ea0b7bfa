"""The published statistics in the store: ``benchmark``, ``statistical_neighbours``, ``benchmark_loads``.

Both kinds of load go through the one load template (``store.loader``), each a ``Loader`` whose
outcome is a ``ReferenceOutcome`` (a ``store.LoadOutcome``, as every load's):

- ``PackagedStatistics`` (``load_reference(db)``) reads every packaged source (``munro/data/``, each
  folder with its SOURCES.md) and replaces the packaged rows in one transaction: loading twice gives
  the same table, and the rows a user imported are never touched, because their source names the
  user's file. ``ensure_reference(db)`` loads once, the first time anything needs the tables (the
  loader's ``known_unread``: this munro's packaged files, by their hashes, are loaded already).
- ``ImportedStatistics`` (``import_reference(db, path)``) adds a user's file, replacing the rows of an
  earlier import of the same file name (and loading the packaged ones in the same transaction when
  the store has none yet).

Neither keeps a register of current and superseded files (``Loader.register`` is None): a published
row is replaced where it stands (the ``benchmark`` table's key holds its source, so a superseded copy
could not stay beside the current one, nor be made current again without being read again), and
published statistics are no LA's files: a pseudonymised export leaves them out and retention does
not remove them by year. ``benchmark_loads`` records what is loaded now: each file, its SHA-256, rows
and time. What each source's measures become (item, figure, unit) is in docs/benchmarks.md and the
source modules: ``cin_published``, ``lait``, ``outcomes``; LA geography in ``geography``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import MunroError
from ..store.database import Store, StoreLike
from ..store.loader import Known, Loader, load
from ..store.outcome import LoadOutcome
from ..tables import table
from ..years import years_label
from . import cin_published, lait, neighbours, outcomes
from .layouts import COLUMNS, LAYOUTS, USER_SOURCE, Row, read_benchmark_csv

_NN = "NOT NULL"
TABLES = (
    table("benchmark", ("area_level", "VARCHAR", _NN), ("area_code", "VARCHAR", _NN), ("area_name", "VARCHAR", _NN),
          ("year", "INTEGER", _NN), ("item_id", "VARCHAR", _NN), ("figure", "VARCHAR", _NN), ("value", "DOUBLE"),
          ("numerator", "DOUBLE"), ("denominator", "DOUBLE"), ("unit", "VARCHAR", _NN), ("symbol", "VARCHAR"),
          ("source", "VARCHAR", _NN), ("vintage", "VARCHAR", _NN), ("measure", "VARCHAR", _NN),
          primary_key=("area_level", "area_code", "year", "item_id", "figure", "source")),
    table("statistical_neighbours", ("model", "VARCHAR", _NN), ("la_code", "VARCHAR", _NN),
          ("rank", "INTEGER", _NN), ("neighbour_code", "VARCHAR", _NN), ("closeness", "VARCHAR"),
          primary_key=("model", "la_code", "rank")),
    table("benchmark_loads", ("source", "VARCHAR"), ("file", "VARCHAR"), ("sha256", "VARCHAR"), ("rows", "INTEGER"),
          ("loaded_at", "TIMESTAMP")),
)
# benchmark_loads.file of a packaged file: "munro/data/<folder>/<file>".
PACKAGED = "munro/data/"


@dataclass
class SourceLoad:
    source: str
    files: tuple[str, ...]
    rows: int
    items: dict[str, int]  # item id -> rows
    years: tuple[int, int] | None
    dropped: dict[str, int] = field(default_factory=dict)


@dataclass
class ReferenceOutcome(LoadOutcome):
    """What a load of published statistics gives back: each source's rows (``sources``), and for the
    packaged statistics the statistical neighbours' models (``neighbours``), for a user's file the rows
    of an earlier import of it that it replaced (``replaced_rows``)."""

    path: Path
    status: str = ""  # loaded, replaced, unchanged (already loaded); empty when rejected
    kind: str | None = "published-statistics"
    packaged: bool = True  # munro's packaged files, or a user's file (``import_reference``)
    sources: list[SourceLoad] = field(default_factory=list)
    neighbours: dict[str, int] = field(default_factory=dict)  # model -> LAs with a set (packaged)
    replaced_rows: int = 0  # a user's file: rows of an earlier import of the same file name
    replaced: Any = None
    error: str | None = None

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.sources)

    def lines(self) -> list[str]:
        """What ``munro reference load`` (each source, then the totals) or ``import`` (one line) prints."""
        if self.status.startswith("unchanged"):
            return [f"the packaged published statistics: {self.status}"]
        if not self.packaged:
            return [self._import_line()]
        out = []
        for s in self.sources:
            years = years_label(*s.years) if s.years else "no years"
            out.append(f"{s.source}: {s.rows:,} rows, {len(s.items)} items, years {years}")
            out.append("  items: " + ", ".join(f"{i} ({n:,})" for i, n in sorted(s.items.items())))
            out += [f"  dropped {n:,}: {why}" for why, n in sorted(s.dropped.items())]
        out.append("statistical neighbours: " + ", ".join(
            f"{m} model {n} LAs" for m, n in sorted(self.neighbours.items())))
        out.append(f"total: {self.rows:,} benchmark rows")
        return out

    def _import_line(self) -> str:
        counts: Counter[str] = Counter()
        for s in self.sources:
            counts.update(s.items)
        items = ", ".join(f"{i} ({n:,})" for i, n in sorted(counts.items()))
        years = [y for s in self.sources if s.years for y in s.years]
        again = f", replacing {self.replaced_rows:,} rows of an earlier import of it" if self.replaced_rows else ""
        return (f"{self.path.name}: {self.rows:,} rows imported{again}; years {years_label(min(years), max(years))}; "
                f"items: {items}")

    def loaded_summary(self) -> str:
        return "\n".join(self.lines())

    def fields(self) -> dict[str, Any]:
        return {"kind": self.kind, "packaged": self.packaged, "rows": self.rows,
                "sources": {s.source: s.rows for s in self.sources}, "neighbours": dict(self.neighbours),
                "replaced_rows": self.replaced_rows}


def _readers():
    """Every packaged source with the function that yields its rows."""
    out = [(s, (lambda s=s, fn=fn: cin_published.read_table(s, fn))) for s, fn in cin_published.sources()]
    out += [(s, (lambda s=s: lait.read_lait(s))) for s in lait.sources()]
    out += [(s, (lambda s=s, fn=fn: fn(s))) for s, fn in outcomes.sources()]
    return out


def packaged_sources() -> set[str]:
    return {s.name for s, _ in _readers()}


def _create(con) -> None:
    for t in TABLES:
        con.execute(t.ddl())


_TYPES = {"year": "int32", "value": "float64", "numerator": "float64", "denominator": "float64"}


def _insert_arrow(con, table: str, columns: tuple[str, ...], rows: list[tuple], types: dict) -> None:
    """Rows into ``table`` through Arrow: executemany is about 1 ms a row on DuckDB."""
    # lazily: pyarrow (slow to import) only when reference data is loaded
    import pyarrow as pa

    data = list(zip(*rows)) if rows else [[] for _ in columns]
    arrow = pa.table({c: pa.array(list(v), type=getattr(pa, types.get(c, "string"))())
                      for c, v in zip(columns, data)})
    Store(con).insert_all(table, arrow, columns)


def _insert(con, rows: list[Row]) -> None:
    _insert_arrow(con, "benchmark", COLUMNS, rows, _TYPES)


def _sha256(path: str) -> str:
    return hashlib.sha256(resources.files("munro.data").joinpath(path).read_bytes()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _record_load(con, source: str, file: str, sha256: str, rows: int, at: dt.datetime) -> None:
    con.execute("INSERT INTO benchmark_loads VALUES (?, ?, ?, ?, ?)", [source, file, sha256, rows, at])


@dataclass
class StagedPackaged:
    """Every packaged row (about 150,000) and the statistical neighbours, read before the store is
    written, so that a bad packaged file leaves the store as it was. Not cached: a web service loads
    once and would otherwise hold some 50 MB for nothing."""

    sources: list[SourceLoad]
    rows: list[Row]
    neighbours: list[tuple]


def _read_packaged() -> StagedPackaged:
    loads, rows = [], []
    for src, read in _readers():
        got = list(read())
        rows += got
        years = [r.year for r in got]
        loads.append(SourceLoad(src.name, src.files, len(got), dict(Counter(r.item_id for r in got)),
                                (min(years), max(years)) if years else None, dict(src.dropped)))
    return StagedPackaged(loads, rows, neighbours.read_all())


def _publish_packaged(con, staged: StagedPackaged) -> bool:
    """Inside the load's transaction: the packaged rows replaced by ``staged``'s; whether there were any."""
    _create(con)
    names = [s.source for s in staged.sources]
    old = [r[0] for r in con.execute(
        "SELECT DISTINCT source FROM benchmark_loads WHERE file LIKE ?", [PACKAGED + "%"]).fetchall()]
    gone = sorted(set(old) | set(names))
    con.execute(f"DELETE FROM benchmark WHERE source IN ({', '.join('?' * len(gone))})", gone)
    con.execute("DELETE FROM benchmark_loads WHERE file LIKE ?", [PACKAGED + "%"])
    _insert(con, staged.rows)
    con.execute("DELETE FROM statistical_neighbours")
    sn = staged.neighbours
    _insert_arrow(con, "statistical_neighbours", ("model", "la_code", "rank", "neighbour_code", "closeness"),
                  sn, {"rank": "int32"})
    now = _now()
    for s in staged.sources:
        for f in s.files:  # a source's rows are counted on its first file
            _record_load(con, s.source, PACKAGED + f, _sha256(f), s.rows if f == s.files[0] else 0, now)
    for model, path in neighbours.FILES.items():
        n = sum(1 for r in sn if r[0] == model)
        _record_load(con, f"DfE statistical neighbours {model}", PACKAGED + path, _sha256(path), n, now)
    return bool(old)


def _packaged_outcome(staged: StagedPackaged, status: str) -> ReferenceOutcome:
    models = Counter(r[0] for r in staged.neighbours if r[2] == 1)
    return ReferenceOutcome(Path(PACKAGED), status, sources=staged.sources, neighbours=dict(models))


def _packaged_files() -> dict[str, str]:
    """benchmark_loads.file -> SHA-256 of every packaged file the loader reads."""
    paths = [f for src, _ in _readers() for f in src.files] + list(neighbours.FILES.values())
    return {PACKAGED + f: _sha256(f) for f in paths}


def _loaded(con) -> bool:
    """Whether the store holds the packaged statistics of this munro (same files, same hashes)."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()").fetchall()}
    if "benchmark_loads" not in tables:
        return False
    held = dict(con.execute("SELECT file, sha256 FROM benchmark_loads WHERE file LIKE ?",
                            [PACKAGED + "%"]).fetchall())
    return held == _packaged_files()


class PackagedStatistics(Loader[StagedPackaged, ReferenceOutcome]):
    """munro's packaged published statistics, one load of all of them (``load_reference``); with
    ``unless_loaded``, none when the store holds these very files already (``ensure_reference``)."""

    Outcome = ReferenceOutcome

    def __init__(self, *, unless_loaded: bool = False):
        self.unless_loaded = unless_loaded

    def accept(self, path: Path) -> None:
        return None  # munro's own files, read through importlib.resources

    def known_unread(self, store: Store, path: Path) -> Known[ReferenceOutcome] | None:
        if not self.unless_loaded or not _loaded(store.con):
            return None
        return Known(0, True, {}, ReferenceOutcome(path))

    def read(self, store: Store, path: Path, staging: contextlib.ExitStack) -> StagedPackaged:
        return _read_packaged()

    def publish(self, store: Store, staged: StagedPackaged) -> ReferenceOutcome:
        """Inside the load's transaction: the packaged rows, neighbours and their benchmark_loads replaced."""
        again = _publish_packaged(store.con, staged)
        return _packaged_outcome(staged, "replaced" if again else "loaded")


def load_reference(db: StoreLike) -> ReferenceOutcome:
    """Read every packaged source into the store, replacing the packaged rows (one transaction).

    ``db`` is anything ``munro.store.Store`` takes: the store's path (created if new), an open DuckDB
    connection to it or a ``Store``. Returns what was loaded per source and what was dropped and why
    (``ReferenceOutcome.lines()``).
    """
    return load(db, PackagedStatistics(), PACKAGED)


def ensure_reference(db: StoreLike) -> ReferenceOutcome | None:
    """Load the packaged statistics unless this store has them already; None when it has.

    Keyed on the packaged files' hashes, not on any benchmark row: a store whose
    first benchmark rows were a user's import still gets the published ones, and
    a store loaded by an older munro gets the newer release's files.
    """
    outcome = load(db, PackagedStatistics(unless_loaded=True), PACKAGED)
    return None if outcome.status.startswith("unchanged") else outcome


@dataclass
class StagedImport:
    """A user's file read whole and checked; the packaged statistics too when the store has none yet."""

    path: Path
    rows: list[Row]
    sha256: str
    packaged: StagedPackaged | None


class ImportedStatistics(Loader[StagedImport, ReferenceOutcome]):
    """A user's file of published figures in one of ``LAYOUTS`` (``import_reference``)."""

    Outcome = ReferenceOutcome

    def __init__(self, layout: str = "benchmark-csv"):
        self.layout = layout

    def accept(self, path: Path) -> None:
        if self.layout not in LAYOUTS:
            raise MunroError(f"unknown layout {self.layout!r} (known: {', '.join(LAYOUTS)})")
        if not path.is_file():
            raise MunroError(f"{path}: no such file")

    def read(self, store: Store, path: Path, staging: contextlib.ExitStack) -> StagedImport:
        """Every row checked (a bad row refuses the file, naming its row and column); the packaged
        statistics read too if the store does not hold them, to be loaded in the same transaction."""
        rows = read_benchmark_csv(path, packaged_sources() | {"LAIT"})
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        return StagedImport(path, rows, sha, None if _loaded(store.con) else _read_packaged())

    def publish(self, store: Store, staged: StagedImport) -> ReferenceOutcome:
        """Inside the load's transaction: the rows of an earlier import of the same file name replaced."""
        con = store.con
        if staged.packaged is not None:
            _publish_packaged(con, staged.packaged)
        like = f"{USER_SOURCE} {staged.path.name}:".replace("%", r"\%").replace("_", r"\_") + "%"
        replaced = con.execute("SELECT count(*) FROM benchmark WHERE source LIKE ? ESCAPE '\\'",
                               [like]).fetchall()[0][0]
        con.execute("DELETE FROM benchmark WHERE source LIKE ? ESCAPE '\\'", [like])
        con.execute("DELETE FROM benchmark_loads WHERE source LIKE ? ESCAPE '\\'", [like])
        _insert(con, staged.rows)
        now, file = _now(), os.fspath(staged.path.resolve())
        sources = []
        for source, n in Counter(r.source for r in staged.rows).items():
            _record_load(con, source, file, staged.sha256, n, now)
            mine = [r for r in staged.rows if r.source == source]
            years = [r.year for r in mine]
            sources.append(SourceLoad(source, (staged.path.name,), n, dict(Counter(r.item_id for r in mine)),
                                      (min(years), max(years))))
        return ReferenceOutcome(staged.path, "replaced" if replaced else "loaded", packaged=False,
                                sources=sources, replaced_rows=replaced)


def import_reference(db: StoreLike, path: str | os.PathLike[str], layout: str = "benchmark-csv") -> ReferenceOutcome:
    """Add a user's CSV of published figures (``layout``: see docs/benchmarks.md) to the store.

    Every row is checked first; a bad row is a MunroError naming the file, row and column,
    and nothing is loaded. Importing a file with the same name again replaces its rows.
    The packaged statistics are loaded first, in the same transaction, if the store does not
    have them yet. The outcome's ``summary()`` is the line ``munro reference import`` prints.
    """
    return load(db, ImportedStatistics(layout), Path(path))
