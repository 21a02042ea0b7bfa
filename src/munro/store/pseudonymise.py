"""``munro export --pseudonymise``: one LA's store as a Parquet export a regional or national host may hold.

The export is a munro export folder (``store.export``: any engine reads it,
``munro ingest`` pools it) of the LA's *current* returns and local records
only, in which, by the declarations of ``store.identifiers``:

- every child identifier (LAchildID, UPN, former UPN; and a social worker's
  ID in the local allocations) is its pseudonym under
  the LA's key (``store.keys``: HMAC-SHA256, 32 hex digits), in every table
  that has it, so the merged history, look-backs across years and duplicate
  checks still join;
- dates of birth, expected dates of birth and dates of death are the first
  of their month (no item reads them, so every item keeps its value);
- a validation finding keeps its rule and counts but not the value it flagged;
- superseded returns, published statistics and the store's bookkeeping stay behind.

The manifest (``munro_export.json``) adds a ``pseudonymised`` entry: the LA,
its returns (year and the SHA-256 of the file loaded), the scheme and the
key's fingerprint. The key itself is never written, logged or printed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
from duckdb.func import PythonUDFType

from ..errors import MunroError
from . import export as plain
from . import identifiers as ids
from .db import open_store
from .keys import SCHEME, fingerprint, pseudonymiser, read_key
from .merge import MERGED_ORDER, merged_select

_COPY = "munro_pseudo_"  # this run's copies of the LA's merged history (temporary tables)


def export_pseudonymised(db: str | os.PathLike[str], target: str | os.PathLike[str],
                         key_file: str | os.PathLike[str] | None,
                         *, la: str | None = None) -> plain.ExportOutcome:
    """Write the pseudonymised export of LA ``la`` (or of the store's only LA) to the folder ``target``."""
    if plain.is_postgres_url(str(target)):
        raise MunroError("--pseudonymise writes a Parquet folder, not PostgreSQL: give --to DIR")
    key = read_key(key_file)
    con = open_store(db, read_only=True)
    try:
        la = _the_la(con, la)
        returns = con.execute("SELECT return_id, collection_year, file_sha256 FROM returns WHERE la_code = ? "
                              "AND status = 'current' ORDER BY collection_year", [la]).fetchall()
        plain._load_calendar(con)
        tables = plain._tables(con)
        carried = ids.check_tables({t: [c for c, _ in cols] for t, cols in tables.items() if t != plain.CALENDAR})
        _register_pseudonyms(con, key)
        _copy_merged(con, la)
        select = _selector(la)
        extra = {"pseudonymised": {
            "la_code": la, "scheme": SCHEME, "key_fingerprint": fingerprint_of(con),
            "returns": [{"return_id": r, "collection_year": y, "file_sha256": s} for r, y, s in returns],
            "child_ids": sorted(ids.CHILD_IDS), "month_only": list(ids.MONTH_ONLY)}}
        keep = {t: tables[t] for t in [*carried, plain.CALENDAR]}
        outcome = plain._to_folder(con, keep, "", Path(target), select=select, extra=extra)
        # The fingerprint, not the key: the LA can note which key made which export.
        outcome.target += f" (pseudonymised: LA {la}, key fingerprint {extra['pseudonymised']['key_fingerprint']})"
        return outcome
    finally:
        con.close()


def _the_la(con: duckdb.DuckDBPyConnection, la: str | None) -> str:
    las = [r[0] for r in con.execute("SELECT DISTINCT la_code FROM returns WHERE status = 'current' "
                                     "ORDER BY 1").fetchall()]
    if la is None:
        if len(las) != 1:
            raise MunroError("a pseudonymised export is one LA's: name it with --la "
                             f"(the store holds {', '.join(las) or 'no returns'})")
        return str(las[0])
    if la not in las:
        raise MunroError(f"no current returns for LA {la} in the store")
    return la


def _register_pseudonyms(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """One SQL function per namespace (``munro_pseudonym_<namespace>``), vectorised over Arrow."""

    def over_arrow(hash_one: Callable[[str | None], str | None]) -> Callable[..., pa.Array]:
        def hash_all(values):  # type: ignore[no-untyped-def]  # no annotations: DuckDB reads the signature
            return pa.array([hash_one(v) for v in values.to_pylist()], pa.string())
        return hash_all

    for namespace in sorted(set(ids.CHILD_IDS.values())):
        con.create_function(f"munro_pseudonym_{namespace}", over_arrow(pseudonymiser(key, namespace)),
                            ["VARCHAR"], "VARCHAR", type=PythonUDFType.ARROW, side_effects=False)
    # The fingerprint, computed now so that the key is not kept for it.
    con.execute(f"CREATE TEMP TABLE munro_pseudo_fingerprint AS SELECT '{fingerprint(key)}' AS fp").fetchall()


def fingerprint_of(con: duckdb.DuckDBPyConnection) -> str:
    fp: str = con.execute("SELECT fp FROM munro_pseudo_fingerprint").fetchall()[0][0]
    return fp


def _copy_merged(con: duckdb.DuckDBPyConnection, la: str) -> None:
    """The LA's merged history, merged once from its own raw rows (as the DuckDB engine does)."""
    for table in MERGED_ORDER:
        select = merged_select(table, merged=_COPY, las=[la])
        con.execute(f"CREATE TEMP TABLE {_COPY}{table} AS {select}").fetchall()


def _column(table: str, column: str, sql_type: str) -> str:
    if column in ids.CHILD_IDS:
        return f'munro_pseudonym_{ids.CHILD_IDS[column]}("{column}") AS "{column}"'
    if column in ids.MONTH_ONLY:
        return f'CAST(date_trunc(\'month\', "{column}") AS DATE) AS "{column}"'
    if column in ids.CLEARED.get(table, ()):
        return f'CAST(NULL AS {sql_type}) AS "{column}"'
    return f'"{column}"'


def _selector(la: str) -> plain.Select:
    """table, columns -> the SELECT of its pseudonymised rows of the LA's current files."""
    current = f"la_code = '{la}' AND status = 'current'"
    registers = {r.table for r in ids.REGISTERS}

    def select(table: str, columns: plain.Columns) -> str:
        cols = ", ".join(_column(table, c, t) for c, t in columns)
        base = table[len("merged_"):] if table.startswith("merged_") else None
        register = ids.register_of(table)
        if base in ids.RAW_TABLES:
            return f"SELECT {cols} FROM {_COPY}{base}"
        if table in registers:
            return f'SELECT {cols} FROM "{table}" WHERE {current}'
        if register is not None:
            return (f'SELECT {cols} FROM "{table}" WHERE {register.id} IN '
                    f"(SELECT {register.id} FROM {register.table} WHERE {current})")
        if "la_code" in {c for c, _ in columns}:  # local merged views, population overrides
            return f'SELECT {cols} FROM "{table}" WHERE la_code = \'{la}\''
        return f'SELECT {cols} FROM "{table}"'  # the calendar

    return select


__all__ = ["export_pseudonymised"]
