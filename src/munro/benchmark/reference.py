"""The published statistics in the store: ``benchmark``, ``statistical_neighbours``, ``benchmark_loads``.

``load_reference(db)`` reads every packaged source (``munro/data/``, each
folder with its SOURCES.md) and replaces the packaged rows in one transaction:
loading twice gives the same table, and the rows a user imported
(``import_reference``) are never touched, because their source names the
user's file. ``ensure_reference(db)`` loads once, the first time anything
needs the tables. What each source's measures become (item, figure, unit) is
in docs/benchmarks.md and the source modules: ``cin_published``, ``lait``,
``outcomes``; LA geography in ``geography``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import MunroError
from ..store.database import Store
from ..tables import table
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
class LoadSummary:
    sources: list[SourceLoad]
    neighbours: dict[str, int]  # model -> LAs with a set

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.sources)

    def lines(self) -> list[str]:
        out = []
        for s in self.sources:
            years = f"{s.years[0]}-{s.years[1]}" if s.years else "no years"
            out.append(f"{s.source}: {s.rows:,} rows, {len(s.items)} items, years {years}")
            out.append("  items: " + ", ".join(f"{i} ({n:,})" for i, n in sorted(s.items.items())))
            out += [f"  dropped {n:,}: {why}" for why, n in sorted(s.dropped.items())]
        out.append("statistical neighbours: " + ", ".join(
            f"{m} model {n} LAs" for m, n in sorted(self.neighbours.items())))
        out.append(f"total: {self.rows:,} benchmark rows")
        return out


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


def _read_packaged() -> tuple[list[SourceLoad], list[Row], list[tuple]]:
    """Every packaged row (about 150,000), read before the store is touched, so that a bad
    packaged file leaves the store as it was. Not cached: a web service loads once and would
    otherwise hold some 50 MB for nothing."""
    loads, rows = [], []
    for src, read in _readers():
        got = list(read())
        rows += got
        years = [r.year for r in got]
        loads.append(SourceLoad(src.name, src.files, len(got), dict(Counter(r.item_id for r in got)),
                                (min(years), max(years)) if years else None, dict(src.dropped)))
    return loads, rows, neighbours.read_all()


def load_reference(db) -> LoadSummary:
    """Read every packaged source into the store, replacing the packaged rows (one transaction).

    ``db`` is anything ``munro.store.Store`` takes: the store's path (created if new), an open DuckDB
    connection to it or a ``Store``. Returns what was loaded per source and what was dropped and why.
    """
    loads, rows, sn = _read_packaged()
    now = dt.datetime.now().replace(microsecond=0)
    names = [s.source for s in loads]
    with Store(db) as store, store.transaction():
        con = store.con
        _create(con)
        old = [r[0] for r in con.execute(
            "SELECT DISTINCT source FROM benchmark_loads WHERE file LIKE ?", [PACKAGED + "%"]).fetchall()]
        gone = sorted(set(old) | set(names))
        con.execute(f"DELETE FROM benchmark WHERE source IN ({', '.join('?' * len(gone))})", gone)
        con.execute("DELETE FROM benchmark_loads WHERE file LIKE ?", [PACKAGED + "%"])
        _insert(con, rows)
        con.execute("DELETE FROM statistical_neighbours")
        _insert_arrow(con, "statistical_neighbours", ("model", "la_code", "rank", "neighbour_code", "closeness"),
                      sn, {"rank": "int32"})
        for s in loads:
            for f in s.files:  # a source's rows are counted on its first file
                con.execute("INSERT INTO benchmark_loads VALUES (?, ?, ?, ?, ?)",
                            [s.source, PACKAGED + f, _sha256(f), s.rows if f == s.files[0] else 0, now])
        for model, path in neighbours.FILES.items():
            n = sum(1 for r in sn if r[0] == model)
            con.execute("INSERT INTO benchmark_loads VALUES (?, ?, ?, ?, ?)",
                        [f"DfE statistical neighbours {model}", PACKAGED + path, _sha256(path), n, now])
    models = Counter(r[0] for r in sn if r[2] == 1)
    return LoadSummary(loads, dict(models))


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


def ensure_reference(db) -> LoadSummary | None:
    """Load the packaged statistics unless this store has them already; None when it has.

    Keyed on the packaged files' hashes, not on any benchmark row: a store whose
    first benchmark rows were a user's import still gets the published ones, and
    a store loaded by an older munro gets the newer release's files.
    """
    with Store(db) as store:
        if _loaded(store.con):
            return None
        return load_reference(store)


@dataclass
class ImportSummary:
    file: str
    rows: int
    replaced: int
    items: dict[str, int]
    years: tuple[int, int]

    def line(self) -> str:
        items = ", ".join(f"{i} ({n:,})" for i, n in sorted(self.items.items()))
        again = f", replacing {self.replaced:,} rows of an earlier import of it" if self.replaced else ""
        return (f"{self.file}: {self.rows:,} rows imported{again}; years {self.years[0]}-{self.years[1]}; "
                f"items: {items}")


def import_reference(db, path, layout: str = "benchmark-csv") -> ImportSummary:
    """Add a user's CSV of published figures (``layout``: see docs/benchmarks.md) to the store.

    Every row is checked first; a bad row is a MunroError naming the file, row and column,
    and nothing is loaded. Importing a file with the same name again replaces its rows.
    The packaged statistics are loaded first if the store does not have them yet.
    """
    if layout not in LAYOUTS:
        raise MunroError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")
    path = Path(path)
    if not path.is_file():
        raise MunroError(f"{path}: no such file")
    reserved = packaged_sources() | {"LAIT"}
    rows = read_benchmark_csv(path, reserved)
    prefix = f"{USER_SOURCE} {path.name}:"
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    now = dt.datetime.now().replace(microsecond=0)
    with Store(db) as store:
        con = store.con
        if not _loaded(con):
            load_reference(store)
        with store.transaction():
            like = prefix.replace("%", r"\%").replace("_", r"\_") + "%"
            replaced = con.execute("SELECT count(*) FROM benchmark WHERE source LIKE ? ESCAPE '\\'",
                                   [like]).fetchall()[0][0]
            con.execute("DELETE FROM benchmark WHERE source LIKE ? ESCAPE '\\'", [like])
            con.execute("DELETE FROM benchmark_loads WHERE source LIKE ? ESCAPE '\\'", [like])
            _insert(con, rows)
            for source, n in Counter(r.source for r in rows).items():
                con.execute("INSERT INTO benchmark_loads VALUES (?, ?, ?, ?, ?)",
                            [source, os.fspath(path.resolve()), sha, n, now])
    years = [r.year for r in rows]
    return ImportSummary(path.name, len(rows), replaced, dict(Counter(r.item_id for r in rows)),
                         (min(years), max(years)))
