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

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import MunroError, RejectedFile
from . import identifiers as ids
from .export import read_manifest
from .keys import PSEUDONYM_HEX, SCHEME


def lineage_ddl(register: ids.Register) -> str:
    """``pooled_returns`` / ``pooled_local_loads``: who sent each file of the register, and how."""
    return f"""
CREATE TABLE IF NOT EXISTS pooled_{register.table} (
    {register.id} INTEGER PRIMARY KEY,    -- the file in this store
    la_code          VARCHAR NOT NULL,     -- the LA that sent it
    {register.year}  INTEGER NOT NULL,
    source_id        INTEGER NOT NULL,     -- its number in the LA's own store
    source_sha256    VARCHAR NOT NULL,     -- SHA-256 of the file the LA loaded
    key_fingerprint  VARCHAR NOT NULL,
    scheme           VARCHAR NOT NULL,
    exported_at      VARCHAR NOT NULL,
    export_folder    VARCHAR NOT NULL,
    received_at      TIMESTAMP NOT NULL
)
"""


@dataclass
class PooledOutcome:
    path: Path
    la_code: str | None = None
    loaded: list[str] = field(default_factory=list)  # the files loaded now: "2024-25", "cp-visits 2024-25"
    unchanged: list[str] = field(default_factory=list)
    reinstated: list[str] = field(default_factory=list)
    too_old: list[str] = field(default_factory=list)  # before the years retention keeps: not loaded
    replaced: list[str] = field(default_factory=list)  # "return 5", "local load 2": now superseded
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"rejected {self.error}"
        parts = [f"{label} {', '.join(files)}" for label, files in
                 (("loaded", self.loaded), ("reinstated", self.reinstated), ("unchanged", self.unchanged),
                  ("not loaded, older than retention keeps", self.too_old)) if files]
        line = f"{self.path}: pseudonymised export of LA {self.la_code}: {'; '.join(parts) or 'no returns'}"
        if self.replaced:
            line += f"; {', '.join(self.replaced)} now superseded"
        return line


def _year(y: int) -> str:
    return f"{y - 1}-{str(y)[2:]}"


def ensure_tables(con) -> None:
    for register in ids.REGISTERS:
        con.execute(lineage_ddl(register)).fetchall()


def pooled_identity(scheme: str, fingerprint: str, source_sha256: str) -> str:
    """What a pooled file is, for idempotence: its file and its key (kept as its ``file_sha256``)."""
    return hashlib.sha256(f"munro pooled|{scheme}|{fingerprint}|{source_sha256}".encode()).hexdigest()


def ingest_export(con, folder: str | os.PathLike) -> PooledOutcome:
    """Load one pseudonymised export folder into the store open on ``con``, in one transaction.

    Raises ``RejectedFile`` (nothing loaded) when the folder is not a pseudonymised
    munro export, holds plain identifiers, or would mix two keys for one LA.
    """
    import duckdb

    folder = Path(folder)
    try:
        return _ingest_export(con, folder)
    except duckdb.Error as e:  # a damaged Parquet file or value: the transaction is rolled back
        raise RejectedFile(folder, f"unreadable ({str(e).strip().splitlines()[0]})") from None


def _ingest_export(con, folder: Path) -> PooledOutcome:
    try:
        manifest = read_manifest(folder)
    except MunroError as e:  # not an export at all
        raise RejectedFile(folder, str(e).split(": ", 1)[-1]) from None
    about = manifest.get("pseudonymised")
    if not isinstance(about, dict):
        raise RejectedFile(folder, "not a pseudonymised export: a pooled store takes only folders written by "
                                   "'munro export --pseudonymise'")
    la, fp, scheme = (str(about.get(k)) for k in ("la_code", "key_fingerprint", "scheme"))
    # The manifest comes from outside: its LA code reaches SQL, so it must be a plain code.
    if not re.fullmatch(r"[0-9A-Za-z]{1,10}", la) or not re.fullmatch(r"[0-9a-f]{16}", fp):
        raise RejectedFile(folder, "its manifest does not name an LA and key fingerprint munro can read")
    if scheme != SCHEME:
        raise RejectedFile(folder, f"pseudonymised by another scheme ({scheme}; this munro uses {SCHEME})")
    ensure_tables(con)
    _check_pseudonymised(con, folder, la)
    sent = {r.table: _sent(con, folder, r) for r in ids.REGISTERS}
    _check_one_key(con, folder, la, fp, sent)
    outcome = PooledOutcome(folder, la_code=la)
    kept_from = _retention_kept_from(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for register in ids.REGISTERS:
            con.execute("CREATE OR REPLACE TEMP TABLE munro_pool_map (old_id INTEGER, new_id INTEGER)").fetchall()
            for row in sent[register.table]:
                if kept_from is not None and row[register.year] < kept_from:
                    outcome.too_old.append(_label(register, row))
                    continue
                _one_file(con, register, row, (la, fp, scheme, manifest, folder), outcome)
            _copy_rows(con, folder, register)
        _adopt_population(con, folder, la)
        con.execute("DROP TABLE munro_pool_map").fetchall()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcome


def _label(register: ids.Register, row: dict) -> str:
    year = _year(row[register.year])
    return year if register.table == "returns" else f"{row.get('kind')} {year}"


def _retention_kept_from(con) -> int | None:
    """The first year the store's retention keeps (munro retention): older files are not loaded again."""
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'retention_log'"
                       ).fetchall()[0][0]:
        return None
    return con.execute("SELECT max(first_kept_year) FROM retention_log").fetchall()[0][0]


def _file(folder: Path, table: str) -> str:
    return str((folder / f"{table}.parquet").resolve()).replace("'", "''")


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                      "AND table_schema = 'main' AND table_catalog = current_database() "
                                      "ORDER BY ordinal_position", [table]).fetchall()]


def _sent(con, folder: Path, register: ids.Register) -> list[dict]:
    """The register's rows in the export (a file of local records may be absent: none were loaded)."""
    if not (folder / f"{register.table}.parquet").is_file():
        if register.table == "returns":
            raise RejectedFile(folder, "the export has no returns table")
        return []
    return _rows(con, f"SELECT * FROM read_parquet('{_file(folder, register.table)}') ORDER BY {register.year}")


def _check_pseudonymised(con, folder: Path, la: str) -> None:
    """Every row is the LA's, every identifier looks like a pseudonym, every date of birth is a month."""
    for register in ids.REGISTERS:
        for table in (register.table, *register.rows):
            if not (folder / f"{table}.parquet").is_file():
                continue
            cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{_file(folder, table)}')")
                    .fetchall()}
            unknown = cols - set(_columns(con, table))
            if unknown:
                raise RejectedFile(folder, f"{table} has columns this munro does not know "
                                           f"({', '.join(sorted(unknown))}); upgrade munro")
            bad = [f"la_code <> '{la}'"] if "la_code" in cols else []
            bad += [f"NOT regexp_full_match({c}, '[0-9a-f]{{{PSEUDONYM_HEX}}}')" for c in ids.CHILD_IDS if c in cols]
            bad += [f"day({c}) <> 1" for c in ids.MONTH_ONLY if c in cols]
            if bad and con.execute(f"SELECT count(*) FROM read_parquet('{_file(folder, table)}') "
                                   f"WHERE {' OR '.join(bad)}").fetchall()[0][0]:
                raise RejectedFile(folder, f"{table} holds rows of another LA, identifiers that are not pseudonyms "
                                           "or exact dates of birth: not a pseudonymised export of one LA")


def _check_one_key(con, folder: Path, la: str, fp: str, sent: dict[str, list[dict]]) -> None:
    """The LA's current files this export does not replace must have been made with the same key."""
    for register in ids.REGISTERS:
        same = ", ".join(f"f.{c}" for c in register.same)
        replaced = {tuple(row[c] for c in register.same) for row in sent[register.table]}
        here = con.execute(
            f"SELECT {same}, p.key_fingerprint FROM {register.table} f LEFT JOIN pooled_{register.table} p "
            f"USING ({register.id}) WHERE f.la_code = ? AND f.status = 'current'", [la]).fetchall()
        clash = sorted({row[register.same.index(register.year)] for row in here
                        if tuple(row[:-1]) not in replaced and row[-1] != fp})
        if clash:
            raise RejectedFile(folder, f"LA {la}'s {register.table.replace('_', ' ')} for "
                                       f"{', '.join(_year(y) for y in clash)} in this store were made with another "
                                       "key or hold plain identifiers, so a child would have two identities; export "
                                       "every year with one key, or remove those years first ('munro retention')")


def _one_file(con, register: ids.Register, row: dict, about: tuple, outcome: PooledOutcome) -> None:
    """One file of the export: unchanged, reinstated or loaded (superseding the current one)."""
    la, fp, scheme, manifest, folder = about
    t, rid = register.table, register.id
    year, ident = row[register.year], pooled_identity(scheme, fp, row["file_sha256"])
    label = _label(register, row)
    found = con.execute(f"SELECT {rid}, status FROM {t} WHERE file_sha256 = ? ORDER BY {rid} DESC LIMIT 1",
                        [ident]).fetchone()
    if found and found[1] == "current":
        outcome.unchanged.append(label)
        return
    now = dt.datetime.now()
    where = " AND ".join(f"{c} = ?" for c in register.same)
    old = con.execute(f"SELECT {rid} FROM {t} WHERE {where} AND status = 'current'",
                      [row[c] for c in register.same]).fetchone()
    if old:
        con.execute(f"UPDATE {t} SET status = 'superseded', superseded_at = ? WHERE {rid} = ?", [now, old[0]])
        outcome.replaced.append(f"{'return' if t == 'returns' else 'local load'} {old[0]}")
    if found:  # superseded here before: current again, its rows are still in the store
        con.execute(f"UPDATE {t} SET status = 'current', superseded_at = NULL WHERE {rid} = ?", [found[0]])
        outcome.reinstated.append(label)
        return
    new_id = con.execute(f"SELECT coalesce(max({rid}), 0) + 1 FROM {t}").fetchone()[0]
    values = {**row, rid: new_id, "status": "current", "file_sha256": ident, "loaded_at": now,
              "superseded_at": None, "munro_version": __version__}
    cols = [c for c in _columns(con, t) if c in values]
    con.execute(f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                [values[c] for c in cols])
    con.execute(f"INSERT INTO pooled_{t} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [new_id, la, year, row[rid], row["file_sha256"], fp, scheme, manifest.get("exported_at", ""),
                 folder.name, now])
    con.execute("INSERT INTO munro_pool_map VALUES (?, ?)", [row[rid], new_id])
    outcome.loaded.append(label)


def _copy_rows(con, folder: Path, register: ids.Register) -> None:
    """The rows of the files loaded now, renumbered: one INSERT ... SELECT per table."""
    for table in register.rows:
        if not (folder / f"{table}.parquet").is_file():
            continue
        names = _columns(con, table)
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{_file(folder, table)}')").fetchall()}
        exprs = ["m.new_id" if c == register.id else (f"s.{c}" if c in have else "NULL") for c in names]
        con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} "
                    f"FROM read_parquet('{_file(folder, table)}') s JOIN munro_pool_map m "
                    f"ON s.{register.id} = m.old_id").fetchall()


def _adopt_population(con, folder: Path, la: str) -> None:
    """The LA's own population overrides come with it: its rates divide by what its own store does."""
    if not (folder / "population_overrides.parquet").is_file():
        return
    con.execute(f"INSERT OR REPLACE INTO population_overrides SELECT la_code, year, population, note, set_by, set_at "
                f"FROM read_parquet('{_file(folder, 'population_overrides')}') WHERE la_code = ?", [la]).fetchall()


__all__ = ["ingest_export", "PooledOutcome", "pooled_identity", "lineage_ddl", "ensure_tables"]
