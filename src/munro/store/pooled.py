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
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import RejectedFile
from . import identifiers as ids
from .export import read_manifest
from .keys import PSEUDONYM_HEX
from .schema import raw_columns

POOLED_RETURNS_DDL = """
CREATE TABLE IF NOT EXISTS pooled_returns (
    return_id        INTEGER PRIMARY KEY,  -- the return in this store
    la_code          VARCHAR NOT NULL,     -- the LA that sent it
    collection_year  INTEGER NOT NULL,
    source_return_id INTEGER NOT NULL,     -- its number in the LA's own store
    source_sha256    VARCHAR NOT NULL,     -- SHA-256 of the file the LA loaded
    key_fingerprint  VARCHAR NOT NULL,
    scheme           VARCHAR NOT NULL,
    exported_at      VARCHAR NOT NULL,
    export_folder    VARCHAR NOT NULL,
    received_at      TIMESTAMP NOT NULL
)
"""

_FINDINGS_COLUMNS = ("return_id", "ruleset", "rule", "type", "level", "la_child_id", "table_name", "fields",
                     "value", "message", "line")
_RETURN_COLUMNS = ("reference_date", "schema_year", "file_name", "file_bytes", "software_code", "release",
                   "serial_no", "source_datetime", "children", "episodes", "assessments", "section47", "cp_plans",
                   "warnings")


@dataclass
class PooledOutcome:
    path: Path
    la_code: str | None = None
    loaded: list[int] = field(default_factory=list)  # collection years loaded now
    unchanged: list[int] = field(default_factory=list)
    reinstated: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)  # return ids now superseded
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"rejected {self.error}"
        parts = [f"{label} {', '.join(_year(y) for y in years)}" for label, years in
                 (("loaded", self.loaded), ("reinstated", self.reinstated), ("unchanged", self.unchanged)) if years]
        line = f"{self.path}: pseudonymised export of LA {self.la_code}: {'; '.join(parts) or 'no returns'}"
        if self.replaced:
            line += f"; return(s) {', '.join(map(str, self.replaced))} now superseded"
        return line


def _year(y: int) -> str:
    return f"{y - 1}-{str(y)[2:]}"


def ensure_tables(con) -> None:
    con.execute(POOLED_RETURNS_DDL).fetchall()


def pooled_identity(scheme: str, fingerprint: str, source_sha256: str) -> str:
    """What a pooled return is, for idempotence: its file and its key (as ``returns.file_sha256``)."""
    return hashlib.sha256(f"munro pooled|{scheme}|{fingerprint}|{source_sha256}".encode()).hexdigest()


def ingest_export(con, folder: str | os.PathLike) -> PooledOutcome:
    """Load one pseudonymised export folder into the store open on ``con``, in one transaction.

    Raises ``RejectedFile`` (nothing loaded) when the folder is not a pseudonymised
    munro export, holds plain identifiers, or would mix two keys for one LA.
    """
    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
    except Exception as e:  # MunroError: not an export at all
        raise RejectedFile(folder, str(e).split(": ", 1)[-1]) from None
    about = manifest.get("pseudonymised")
    if not isinstance(about, dict):
        raise RejectedFile(folder, "not a pseudonymised export: a pooled store takes only folders written by "
                                   "'munro export --pseudonymise'")
    la, fp, scheme = str(about["la_code"]), str(about["key_fingerprint"]), str(about["scheme"])
    ensure_tables(con)
    _check_pseudonymised(con, folder, la)
    sent = _rows(con, f"SELECT * FROM read_parquet('{_file(folder, 'returns')}') ORDER BY collection_year")
    outcome = PooledOutcome(folder, la_code=la)
    _check_one_key(con, folder, la, fp, {r["collection_year"] for r in sent})
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE munro_pool_map (old_id INTEGER, new_id INTEGER)").fetchall()
        for r in sent:
            _one_return(con, r, la, fp, scheme, manifest, folder, outcome)
        _copy_rows(con, folder)
        _adopt_population(con, folder, la)
        con.execute("DROP TABLE munro_pool_map").fetchall()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcome


def _file(folder: Path, table: str) -> str:
    return str((folder / f"{table}.parquet").resolve()).replace("'", "''")


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _check_pseudonymised(con, folder: Path, la: str) -> None:
    """Every row is the LA's, every identifier looks like a pseudonym, every date of birth is a month."""
    for table in (*ids.RAW_TABLES, "returns", "validation_findings"):
        path = folder / f"{table}.parquet"
        if not path.is_file():
            raise RejectedFile(folder, f"the export has no {table} table")
        cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{_file(folder, table)}')").fetchall()}
        known = {c for c, _ in raw_columns(table)} if table in ids.RAW_TABLES else cols
        if cols - known:
            raise RejectedFile(folder, f"{table} has columns this munro does not know "
                                       f"({', '.join(sorted(cols - known))}); upgrade munro")
        bad = [f"la_code <> '{la}'"] if "la_code" in cols else []
        bad += [f"NOT regexp_full_match({c}, '[0-9a-f]{{{PSEUDONYM_HEX}}}')" for c in ids.CHILD_IDS if c in cols]
        bad += [f"day({c}) <> 1" for c in ids.MONTH_ONLY if c in cols]
        if bad and con.execute(f"SELECT count(*) FROM read_parquet('{_file(folder, table)}') "
                               f"WHERE {' OR '.join(bad)}").fetchall()[0][0]:
            raise RejectedFile(folder, f"{table} holds rows of another LA, identifiers that are not pseudonyms "
                                       "or exact dates of birth: not a pseudonymised export of one LA")


def _check_one_key(con, folder: Path, la: str, fp: str, years: set[int]) -> None:
    """The LA's current returns this export does not replace must have been made with the same key."""
    others = con.execute(
        "SELECT r.collection_year, p.key_fingerprint FROM returns r LEFT JOIN pooled_returns p USING (return_id) "
        "WHERE r.la_code = ? AND r.status = 'current' ORDER BY 1", [la]).fetchall()
    clash = [y for y, other in others if y not in years and other != fp]
    if clash:
        raise RejectedFile(folder, f"LA {la}'s returns for {', '.join(_year(y) for y in clash)} in this store were "
                                   "made with another key or hold plain identifiers, so a child would have two "
                                   "identities; export every year with one key, or remove those years first")


def _one_return(con, r: dict, la: str, fp: str, scheme: str, manifest: dict, folder: Path,
                outcome: PooledOutcome) -> None:
    from .ingest import _current, _next_return_id, _supersede

    year, ident = r["collection_year"], pooled_identity(scheme, fp, r["file_sha256"])
    found = con.execute("SELECT return_id, status FROM returns WHERE file_sha256 = ? ORDER BY return_id DESC "
                        "LIMIT 1", [ident]).fetchone()
    if found and found[1] == "current":
        outcome.unchanged.append(year)
        return
    old = _current(con, la, year)
    if old:
        _supersede(con, old[0])
        outcome.replaced.append(old[0])
    if found:  # superseded here before: current again, its rows are still in the store
        con.execute("UPDATE returns SET status = 'current', superseded_at = NULL WHERE return_id = ?", [found[0]])
        outcome.reinstated.append(year)
        return
    new_id = _next_return_id(con)
    now = dt.datetime.now()
    con.execute(f"INSERT INTO returns (return_id, la_code, collection_year, status, file_sha256, loaded_at, "
                f"munro_version, {', '.join(_RETURN_COLUMNS)}) VALUES (?, ?, ?, 'current', ?, ?, ?, "
                f"{', '.join('?' for _ in _RETURN_COLUMNS)})",
                [new_id, la, year, ident, now, __version__, *(r[c] for c in _RETURN_COLUMNS)])
    con.execute("INSERT INTO pooled_returns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [new_id, la, year, r["return_id"], r["file_sha256"], fp, scheme, manifest.get("exported_at", ""),
                 folder.name, now])
    con.execute("INSERT INTO munro_pool_map VALUES (?, ?)", [r["return_id"], new_id])
    outcome.loaded.append(year)


def _copy_rows(con, folder: Path) -> None:
    """The rows of the returns loaded now, renumbered: one INSERT ... SELECT per table."""
    for table in (*ids.RAW_TABLES, "validation_findings"):
        names = [c for c, _ in raw_columns(table)] if table in ids.RAW_TABLES else list(_FINDINGS_COLUMNS)
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{_file(folder, table)}')").fetchall()}
        exprs = ["m.new_id" if c == "return_id" else (f"s.{c}" if c in have else "NULL") for c in names]
        con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} "
                    f"FROM read_parquet('{_file(folder, table)}') s JOIN munro_pool_map m ON s.return_id = m.old_id"
                    ).fetchall()


def _adopt_population(con, folder: Path, la: str) -> None:
    """The LA's own population overrides come with it: its rates divide by what its own store does."""
    if not (folder / "population_overrides.parquet").is_file():
        return
    con.execute(f"INSERT OR REPLACE INTO population_overrides SELECT la_code, year, population, note, set_by, set_at "
                f"FROM read_parquet('{_file(folder, 'population_overrides')}') WHERE la_code = ?", [la]).fetchall()


__all__ = ["ingest_export", "PooledOutcome", "pooled_identity", "POOLED_RETURNS_DDL", "ensure_tables"]
