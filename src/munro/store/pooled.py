"""A pooled store: many LAs' pseudonymised exports (``munro export --pseudonymise``) in one munro store.

``munro ingest FOLDER`` loads an export folder as ``munro ingest FILE`` loads
a return, and the pooled store is an ordinary munro store: its merged views,
items, benchmarks, reports, exports and engines work on it unchanged, per LA
or for all (``--la all``), and give each LA the values its own store gives.

- **Atomic**: all the export's returns are loaded in one transaction.
- **Idempotent**: a return is identified by the SHA-256 of the file the LA
  loaded and the key's fingerprint, so the same export twice, or a new
  export of the same returns with the same key, changes nothing; a new
  return for a year replaces the current one, which stays listed as
  superseded (and comes back if its export is loaded again).
- **Lineage**: each return gets a number of this store (its rows are
  renumbered); ``pooled_returns`` records which LA sent it, from which return
  of its own store and file, with which key (fingerprint), exported and
  received when. ``munro returns`` shows it.
- **One key per LA**: an export is refused if the LA's other current
  returns here were pseudonymised with another key (or hold plain
  identifiers): one child would become two. Send every year with the new
  key, or remove the old years first (``munro retention``).

Only pseudonymised exports are accepted, and their identifiers are checked to
look like pseudonyms and their dates of birth to be months, so a plain
export cannot be pooled by mistake. Validation findings come with the
export (the rules cannot be run again on pseudonyms).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .. import __version__, tables
from ..errors import MunroError, RejectedFile
from ..years import is_in_year
from . import identifiers as ids
from .database import Store, StoreLike
from .export import read_manifest
from .keys import PSEUDONYM_HEX, SCHEME
from .loader import Loader, load
from .outcome import LoadOutcome


def lineage_table(register: ids.Register) -> tables.Table:
    """``pooled_returns`` / ``pooled_local_loads``: who sent each file of the register, and how."""
    return tables.table(
        f"pooled_{register.table}",
        (register.id, "INTEGER", "PRIMARY KEY", "the file in this store"),
        ("la_code", "VARCHAR", "NOT NULL", "the LA that sent it"),
        (register.year, "INTEGER", "NOT NULL"),
        ("source_id", "INTEGER", "NOT NULL", "its number in the LA's own store"),
        ("source_sha256", "VARCHAR", "NOT NULL", "SHA-256 of the file the LA loaded"),
        ("key_fingerprint", "VARCHAR", "NOT NULL"),
        ("scheme", "VARCHAR", "NOT NULL"),
        ("exported_at", "VARCHAR", "NOT NULL"),
        ("export_folder", "VARCHAR", "NOT NULL"),
        ("received_at", "TIMESTAMP", "NOT NULL"),
    )


def lineage_ddl(register: ids.Register) -> str:
    return lineage_table(register).ddl()


@dataclass
class PooledOutcome(LoadOutcome):
    path: Path
    la_code: str | None = None
    loaded: list[str] = field(default_factory=list)  # the files loaded now: "2024-25", "cp-visits 2024-25"
    unchanged: list[str] = field(default_factory=list)
    reinstated: list[str] = field(default_factory=list)
    too_old: list[str] = field(default_factory=list)  # before the years retention keeps: not loaded
    replaced: list[str] = field(default_factory=list)  # "return 5", "local load 2": now superseded
    error: str | None = None

    def loaded_summary(self) -> str:
        parts = [f"{label} {', '.join(files)}" for label, files in
                 (("loaded", self.loaded), ("reinstated", self.reinstated), ("unchanged", self.unchanged),
                  ("not loaded, older than retention keeps", self.too_old)) if files]
        line = f"{self.path}: pseudonymised export of LA {self.la_code}: {'; '.join(parts) or 'no returns'}"
        if self.replaced:
            line += f"; {', '.join(self.replaced)} now superseded"
        return line

    def fields(self) -> dict[str, Any]:
        return {"kind": "pooled-export", "la_code": self.la_code, "loaded": self.loaded,
                "reinstated": self.reinstated, "unchanged": self.unchanged, "too_old": self.too_old,
                "replaced": self.replaced}


def _year(y: int) -> str:
    return f"{y - 1}-{str(y)[2:]}"


def ensure_tables(store: Store) -> None:
    for register in ids.REGISTERS:
        store.rows(lineage_ddl(register))


def pooled_identity(scheme: str, fingerprint: str, source_sha256: str) -> str:
    """What a pooled file is, for idempotence: its file and its key (kept as its ``file_sha256``)."""
    return hashlib.sha256(f"munro pooled|{scheme}|{fingerprint}|{source_sha256}".encode()).hexdigest()


@dataclass
class StagedExport:
    """A pseudonymised export folder: its manifest, whose it is and with which key; the rows of its registers
    (``sent``, once it has been checked)."""

    folder: Path
    manifest: dict[str, Any]
    la: str
    fingerprint: str
    scheme: str
    sent: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class PooledExport(Loader[StagedExport, PooledOutcome]):
    """A pseudonymised export folder (``ingest_export``). It holds many files, each settled in its register
    as it is published (``_one_file``), so it keeps no one register (``register`` None)."""

    Outcome = PooledOutcome

    def accept(self, path: Path) -> None:
        return None  # a folder: its manifest says whether it is an export (``read``)

    def read(self, store: Store, path: Path, staging: contextlib.ExitStack) -> StagedExport:
        try:
            manifest = read_manifest(path)
        except MunroError as e:  # not an export at all
            raise RejectedFile(path, str(e).split(": ", 1)[-1]) from None
        about = manifest.get("pseudonymised")
        if not isinstance(about, dict):
            raise RejectedFile(path, "not a pseudonymised export: a pooled store takes only folders written by "
                                     "'munro export --pseudonymise'")
        la, fp, scheme = (str(about.get(k)) for k in ("la_code", "key_fingerprint", "scheme"))
        # The manifest comes from outside: its LA code reaches SQL, so it must be a plain code.
        if not re.fullmatch(r"[0-9A-Za-z]{1,10}", la) or not re.fullmatch(r"[0-9a-f]{16}", fp):
            raise RejectedFile(path, "its manifest does not name an LA and key fingerprint munro can read")
        if scheme != SCHEME:
            raise RejectedFile(path, f"pseudonymised by another scheme ({scheme}; this munro uses {SCHEME})")
        return StagedExport(path, manifest, la, fp, scheme)

    def check(self, store: Store, staged: StagedExport) -> None:
        """Pseudonyms only, of one LA; every year of the LA here made with the export's key."""
        _check_pseudonymised(store, staged.folder, staged.la)
        staged.sent = {r.table: _sent(store, staged.folder, r) for r in ids.REGISTERS}
        _check_one_key(store, staged.folder, staged.la, staged.fingerprint, staged.sent)

    def publish(self, store: Store, staged: StagedExport) -> PooledOutcome:
        """Inside the load's transaction (the lineage tables too: a refused or failed export leaves nothing)."""
        folder, la = staged.folder, staged.la
        outcome = PooledOutcome(folder, la_code=la)
        kept_from = _retention_kept_from(store)
        ensure_tables(store)
        for register in ids.REGISTERS:
            store.rows("CREATE OR REPLACE TEMP TABLE munro_pool_map (old_id INTEGER, new_id INTEGER)")
            for row in staged.sent[register.table]:
                if kept_from is not None and row[register.year] < kept_from:
                    outcome.too_old.append(_label(register, row))
                    continue
                _one_file(store, register, row, staged, outcome)
            _copy_rows(store, folder, register)
        _adopt_population(store, folder, la)
        store.rows("DROP TABLE munro_pool_map")
        return outcome

    def explain(self, error: BaseException, store: Store, path: Path) -> BaseException | None:
        if isinstance(error, duckdb.Error):  # a damaged Parquet file or value: the transaction is rolled back
            return RejectedFile(path, f"unreadable ({str(error).strip().splitlines()[0]})")
        return None


def ingest_export(db: StoreLike, folder: str | os.PathLike[str]) -> PooledOutcome:
    """Load one pseudonymised export folder into the store ``db`` (anything ``Store`` takes), in one
    transaction.

    Raises ``RejectedFile`` (nothing loaded) when the folder is not a pseudonymised
    munro export, holds plain identifiers, or would mix two keys for one LA.
    """
    return load(db, PooledExport(), Path(folder))


def _label(register: ids.Register, row: dict[str, Any]) -> str:
    year = _year(row[register.year])
    return year if register.table == "returns" else f"{row.get('kind')} {year}"


def _retention_kept_from(store: Store) -> int | None:
    """The first year the store's retention keeps (munro retention): older files are not loaded again."""
    if not store.has_table("retention_log"):
        return None
    kept: int | None = store.rows("SELECT max(first_kept_year) FROM retention_log")[0][0]
    return kept


def _file(folder: Path, table: str) -> str:
    return str((folder / f"{table}.parquet").resolve()).replace("'", "''")


def _sent(store: Store, folder: Path, register: ids.Register) -> list[dict[str, Any]]:
    """The register's rows in the export (a file of local records may be absent: none were loaded)."""
    if not (folder / f"{register.table}.parquet").is_file():
        if register.table == "returns":
            raise RejectedFile(folder, "the export has no returns table")
        return []
    return store.records(f"SELECT * FROM read_parquet('{_file(folder, register.table)}') ORDER BY {register.year}")


def _check_pseudonymised(store: Store, folder: Path, la: str) -> None:
    """Every row is the LA's, every identifier looks like a pseudonym, every date of birth is a month."""
    for register in ids.REGISTERS:
        for table in (register.table, *register.rows):
            if not (folder / f"{table}.parquet").is_file():
                continue
            cols = {r[0] for r in store.rows(f"DESCRIBE SELECT * FROM read_parquet('{_file(folder, table)}')")}
            unknown = cols - set(store.columns(table))
            if unknown:
                raise RejectedFile(folder, f"{table} has columns this munro does not know "
                                           f"({', '.join(sorted(unknown))}); upgrade munro")
            bad = [f"la_code <> '{la}'"] if "la_code" in cols else []
            bad += [f"NOT regexp_full_match({c}, '[0-9a-f]{{{PSEUDONYM_HEX}}}')" for c in ids.CHILD_IDS if c in cols]
            bad += [f"day({c}) <> 1" for c in ids.MONTH_ONLY if c in cols]
            if bad and store.rows(f"SELECT count(*) FROM read_parquet('{_file(folder, table)}') "
                                  f"WHERE {' OR '.join(bad)}")[0][0]:
                raise RejectedFile(folder, f"{table} holds rows of another LA, identifiers that are not pseudonyms "
                                           "or exact dates of birth: not a pseudonymised export of one LA")


def _check_one_key(store: Store, folder: Path, la: str, fp: str, sent: dict[str, list[dict[str, Any]]]) -> None:
    """The LA's current files this export does not replace must have been made with the same key."""
    for register in ids.REGISTERS:
        same = ", ".join(f"f.{c}" for c in register.same)
        # .get: an export from before a register gained a column (local_loads' as_at) has it NULL
        replaced = {tuple(row.get(c) for c in register.same) for row in sent[register.table]}
        lineage = (f"LEFT JOIN pooled_{register.table} p USING ({register.id})"
                   if store.has_table(f"pooled_{register.table}") else "")  # none: nothing pooled here yet
        here = store.rows(
            f"SELECT {same}, {'p.key_fingerprint' if lineage else 'NULL'} FROM {register.table} f {lineage} "
            "WHERE f.la_code = ? AND f.status = 'current'", [la])
        clash = sorted({row[register.same.index(register.year)] for row in here
                        if tuple(row[:-1]) not in replaced and row[-1] != fp})
        if clash:
            raise RejectedFile(folder, f"LA {la}'s {register.table.replace('_', ' ')} for "
                                       f"{', '.join(_year(y) for y in clash)} in this store were made with another "
                                       "key or hold plain identifiers, so a child would have two identities; export "
                                       "every year with one key, or remove those years first ('munro retention')")


def _one_file(store: Store, register: ids.Register, row: dict[str, Any], export: StagedExport,
              outcome: PooledOutcome) -> None:
    """One file of the export: unchanged, reinstated or loaded (superseding the current one)."""
    la, fp, scheme, manifest, folder = export.la, export.fingerprint, export.scheme, export.manifest, export.folder
    t, rid = register.table, register.id
    files = store.register(t)
    year, ident = row[register.year], pooled_identity(scheme, fp, row["file_sha256"])
    label = _label(register, row)
    found = store.one(f"SELECT {rid}, status FROM {t} WHERE file_sha256 = ? ORDER BY {rid} DESC LIMIT 1", [ident])
    if found and found[1] == "current":
        outcome.unchanged.append(label)
        return
    now = dt.datetime.now()
    old = files.supersede_current(row, at=now)
    if old is not None:
        outcome.replaced.append(f"{'return' if t == 'returns' else 'local load'} {old}")
    if found:  # superseded here before: current again, its rows are still in the store
        files.reinstate(found[0], row)
        outcome.reinstated.append(label)
        return
    new_id = files.next_id()
    values = {**row, rid: new_id, "status": "current", "file_sha256": ident, "loaded_at": now,
              "superseded_at": None, "munro_version": __version__}
    if t == "returns" and values.get("kind") is None:  # an export made before returns had kinds
        values["kind"] = "in-year" if is_in_year(row["collection_year"], row["reference_date"]) else "annual"
    cols = [c for c in store.columns(t) if c in values]
    store.rows(f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
               [values[c] for c in cols])
    store.rows(f"INSERT INTO pooled_{t} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [new_id, la, year, row[rid], row["file_sha256"], fp, scheme, manifest.get("exported_at", ""),
                folder.name, now])
    store.rows("INSERT INTO munro_pool_map VALUES (?, ?)", [row[rid], new_id])
    outcome.loaded.append(label)


def _copy_rows(store: Store, folder: Path, register: ids.Register) -> None:
    """The rows of the files loaded now, renumbered: one INSERT ... SELECT per table."""
    for table in register.rows:
        if not (folder / f"{table}.parquet").is_file():
            continue
        names = store.columns(table)
        have = {r[0] for r in store.rows(f"DESCRIBE SELECT * FROM read_parquet('{_file(folder, table)}')")}
        exprs = ["m.new_id" if c == register.id else (f"s.{c}" if c in have else "NULL") for c in names]
        store.rows(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} "
                    f"FROM read_parquet('{_file(folder, table)}') s JOIN munro_pool_map m "
                    f"ON s.{register.id} = m.old_id")


def _adopt_population(store: Store, folder: Path, la: str) -> None:
    """The LA's own population overrides come with it: its rates divide by what its own store does."""
    if not (folder / "population_overrides.parquet").is_file():
        return
    store.rows(f"INSERT OR REPLACE INTO population_overrides SELECT la_code, year, population, note, set_by, "
               f"set_at FROM read_parquet('{_file(folder, 'population_overrides')}') WHERE la_code = ?", [la])


__all__ = ["ingest_export", "PooledExport", "PooledOutcome", "pooled_identity", "lineage_table", "lineage_ddl",
           "ensure_tables"]
