"""Copying the store to where another engine reads it: a Parquet folder (Spark) or PostgreSQL.

``export_store(db, target)`` writes, under the store's own names:

- every table of the store (the raw tables of every loaded return, ``returns``,
  ``population_overrides``, ``munro_meta`` and any other);
- the merged history of definitions.md section 1 (``merged_*``), materialised
  as tables, because the indicators read them and other engines cannot run
  DuckDB's views;
- ``munro_calendar``, the England working-day calendar the items join to
  (``munro.calendar.calendar_table()``), so that the SQL that
  ``munro indicators --show-sql`` prints runs there unchanged.

A target is a folder (one ``<table>.parquet`` file per table and
``munro_export.json`` describing them) or a ``postgresql://`` URL (one schema,
``munro`` unless named). Either way the export is all or nothing: a folder is
written beside the target and renamed into place; PostgreSQL receives it in
one transaction. An earlier munro export at the target is replaced; anything
else there is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .. import __version__, provenance
from ..calendar import CALENDAR_COLUMNS, calendar_table
from ..errors import MunroError
from ..progress import Progress, report
from .db import open_store

if TYPE_CHECKING:  # annotations only: PostgreSQL's driver is loaded when exporting there
    import psycopg

# A table's (column, SQL type) pairs; what gives the SELECT of a table's rows from them.
Columns = list[tuple[str, str]]
Select = Callable[[str, Columns], str]

MANIFEST = "munro_export.json"
CALENDAR = "munro_calendar"
_PG_TYPES = {"VARCHAR": "text", "DATE": "date", "INTEGER": "integer", "BIGINT": "bigint",
             "TIMESTAMP": "timestamp", "BOOLEAN": "boolean", "DOUBLE": "double precision",
             "SMALLINT": "smallint", "TINYINT": "smallint", "HUGEINT": "numeric", "FLOAT": "real"}


@dataclass
class ExportOutcome:
    target: str
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows

    def summary(self) -> str:
        rows = sum(self.tables.values())
        return f"exported {len(self.tables)} tables ({rows:,} rows) to {self.target}"


def is_postgres_url(target: str) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def export_store(db: str | os.PathLike[str], target: str | os.PathLike[str], *, schema: str = "munro",
                 las: list[str] | None = None, progress: Progress | None = None) -> ExportOutcome:
    """Export the store at ``db`` to ``target`` (a folder, or a postgresql:// URL).

    ``las`` restricts every table that has an ``la_code`` to those LAs. ``schema`` names the
    PostgreSQL schema (created if missing). ``progress`` (``munro.progress``) is told each table.
    """
    con = open_store(db, read_only=True)
    try:
        _load_calendar(con)
        tables = _tables(con)
        where = _la_filter(las)
        if is_postgres_url(str(target)):
            return _to_postgres(con, tables, where, str(target), schema, progress)
        return _to_folder(con, tables, where, Path(target), progress=progress)
    finally:
        con.close()


# ---------------------------------------------------------------- what is exported


def _load_calendar(con: duckdb.DuckDBPyConnection) -> None:
    con.register("munro_calendar_arrow", calendar_table())
    cols = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in CALENDAR_COLUMNS)
    con.execute(f"CREATE TEMP TABLE {CALENDAR} AS SELECT {cols} FROM munro_calendar_arrow ORDER BY date").fetchall()
    con.unregister("munro_calendar_arrow")


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """name -> [(column, DuckDB type)] of every table and merged view to export, in a stable order."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE (table_catalog = current_database() AND table_schema = 'main') "
        f"OR table_name = '{CALENDAR}' "
        "ORDER BY table_name, ordinal_position").fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append((column, dtype))
    return out


def _la_filter(las: list[str] | None) -> str:
    if not las:
        return ""
    for la in las:
        if not re.fullmatch(r"[0-9A-Za-z]{1,10}", la):
            raise MunroError(f"{la!r} is not an LA code")
    return "la_code IN (" + ", ".join(f"'{la}'" for la in las) + ")"


def _select(table: str, columns: Columns, where: str) -> str:
    has_la = any(c == "la_code" for c, _ in columns)
    sql = f'SELECT * FROM "{table}"'
    return f"{sql} WHERE {where}" if where and has_la else sql


# ---------------------------------------------------------------- Parquet folder


def _to_folder(con: duckdb.DuckDBPyConnection, tables: dict[str, Columns], where: str, target: Path, *,
               select: Select | None = None, extra: dict[str, Any] | None = None,
               progress: Progress | None = None) -> ExportOutcome:
    """Each table through ``select(table, columns)`` (default: as it is, LA-filtered by ``where``),
    ``extra`` added to the manifest (a pseudonymised export's description: store.pseudonymise)."""
    if target.exists() and not (target / MANIFEST).is_file() and any(target.iterdir()):
        raise MunroError(f"{target}: the folder holds files that are not a munro export; choose an empty folder")
    if not target.parent.exists():
        raise MunroError(f"{target}: the folder {target.parent} does not exist")
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        outcome = ExportOutcome(str(target))
        for n, (table, columns) in enumerate(tables.items()):
            report(progress, f"exporting {table}", n, len(tables))
            path = work / f"{table}.parquet"
            sql = select(table, columns) if select else _select(table, columns, where)
            con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet)").fetchall()
            outcome.tables[table] = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchall()[0][0]
        manifest = {"format": "munro export", "version": 1, "exported_at": _now(), **_provenance(con, tables),
                    "tables": {t: {"rows": outcome.tables[t], "columns": dict(c)} for t, c in tables.items()},
                    **(extra or {})}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            work.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            work.rename(target)
        return outcome
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _provenance(con: duckdb.DuckDBPyConnection, tables: dict[str, Columns]) -> dict[str, Any]:
    """The munro that wrote the export, and, when it carries published statistics (the benchmark table),
    their publications and the Open Government Licence attribution they require."""

    out: dict[str, Any] = {"munro_version": __version__}
    if "benchmark" in tables:
        sources = [r[0] for r in con.execute("SELECT DISTINCT source FROM benchmark").fetchall()]
        names = provenance.publications(sources, neighbours="statistical_neighbours" in tables)
        if sources:
            out["published_statistics"] = {"sources": names, "licence": provenance.OGL}
    return out


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The description of a munro export folder, or a MunroError saying why it is not one."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise MunroError(f"{folder}: not a munro export folder (no {MANIFEST}; write one with 'munro export --to')")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return manifest
    except (OSError, ValueError) as e:
        raise MunroError(f"{path}: unreadable ({e})") from None


# ---------------------------------------------------------------- PostgreSQL


def pg_connect(url: str) -> psycopg.Connection[Any]:
    """A psycopg connection to ``url``, or a MunroError (no password is ever echoed)."""
    try:
        # lazily: psycopg, the postgresql extra, only for an export to PostgreSQL
        import psycopg
    except ImportError:
        raise MunroError("PostgreSQL needs munro's postgresql extra: pip install 'munro[postgresql]'") from None
    try:
        return psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as e:
        first = (str(e).strip().splitlines() or ["cannot connect"])[0]
        raise MunroError(f"PostgreSQL at {redact(url)}: {first}") from None


def redact(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _check_schema_name(schema: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise MunroError(f"{schema!r} is not a plain PostgreSQL schema name (lower-case letters, digits, _)")
    return schema


def _to_postgres(con: duckdb.DuckDBPyConnection, tables: dict[str, Columns], where: str, url: str, schema: str,
                 progress: Progress | None = None) -> ExportOutcome:
    # lazily: psycopg, the postgresql extra, only for an export to PostgreSQL
    import psycopg

    schema = _check_schema_name(schema)
    outcome = ExportOutcome(f"{redact(url)} (schema {schema})")
    pg = pg_connect(url)
    try:
        with pg.transaction():
            cur = pg.cursor()
            _refuse_foreign_schema(cur, schema)
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            for n, (table, columns) in enumerate(tables.items()):
                report(progress, f"exporting {table}", n, len(tables))
                cols = ", ".join(f'"{c}" {_pg_type(t)}' for c, t in columns)
                cur.execute(f'DROP TABLE IF EXISTS "{schema}"."{table}"')
                cur.execute(f'CREATE TABLE "{schema}"."{table}" ({cols})')
                outcome.tables[table] = _copy_rows(con, cur, schema, table, columns, where)
            cur.execute(f'COMMENT ON SCHEMA "{schema}" IS \'munro export {_now()}\'')
    except psycopg.Error as e:
        raise MunroError(f"PostgreSQL at {redact(url)}: {str(e).strip().splitlines()[0]}") from None
    finally:
        pg.close()
    return outcome


def _refuse_foreign_schema(cur: psycopg.Cursor[Any], schema: str) -> None:
    """An existing schema is replaced only if munro made it (its comment says so) or it is empty."""
    cur.execute("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", [schema])
    row = cur.fetchone()
    if row is None or (row[0] or "").startswith("munro export"):
        return
    cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", [schema])
    if _one(cur):
        raise MunroError(f"PostgreSQL schema {schema!r} holds tables munro did not write; "
                         "choose another with --schema")


def _pg_type(duck_type: str) -> str:
    base = duck_type.split("(")[0].upper()
    return _PG_TYPES.get(base, "text")


def _copy_rows(con: duckdb.DuckDBPyConnection, cur: psycopg.Cursor[Any], schema: str, table: str, columns: Columns,
               where: str) -> int:
    """COPY one table in CSV form: DuckDB writes NULL as an empty field and '' quoted, as PostgreSQL reads them."""
    with tempfile.TemporaryDirectory(prefix="munro-export-") as tmp:
        path = Path(tmp) / "rows.csv"
        con.execute(f"COPY ({_select(table, columns, where)}) TO '{path}' (FORMAT csv, HEADER false)").fetchall()
        names = ", ".join(f'"{c}"' for c, _ in columns)
        with cur.copy(f'COPY "{schema}"."{table}" ({names}) FROM STDIN WITH (FORMAT csv)') as copy, \
                open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
    cur.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
    return int(_one(cur))


def _one(cur: psycopg.Cursor[Any]) -> Any:
    """The value of a query that gives one row of one value (count(*))."""
    row = cur.fetchone()
    assert row is not None  # an aggregate without GROUP BY gives one row
    return row[0]


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


__all__ = ["export_store", "ExportOutcome", "read_manifest", "pg_connect", "redact", "is_postgres_url"]
