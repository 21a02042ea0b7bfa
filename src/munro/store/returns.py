"""What is loaded: the returns table, for people and for code."""

from __future__ import annotations

import os

from .db import open_store

_COLUMNS = ("return_id", "la_code", "collection_year", "status", "file_name", "loaded_at",
            "children", "episodes", "assessments", "section47", "cp_plans", "warnings")


def list_returns(db: str | os.PathLike, include_superseded: bool = False) -> list[dict]:
    """The loaded returns, newest year first, as dicts."""
    con = open_store(db, read_only=True)
    try:
        where = "" if include_superseded else "WHERE status = 'current'"
        # A pooled store (store.pooled) also says who sent each return: its export and key.
        pooled = con.execute("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = 'pooled_returns'").fetchall()[0][0]
        sent = ", p.exported_at, p.key_fingerprint" if pooled else ", NULL, NULL"
        join = "LEFT JOIN pooled_returns p USING (return_id, la_code, collection_year)" if pooled else ""
        rows = con.execute(
            f"SELECT {', '.join('r.' + c for c in _COLUMNS)}{sent} FROM returns r {join} {where} "
            "ORDER BY r.la_code, r.collection_year DESC, r.return_id DESC"
        ).fetchall()
    finally:
        con.close()
    return [dict(zip((*_COLUMNS, "exported_at", "key_fingerprint"), r)) for r in rows]


_LOCAL_COLUMNS = ("load_id", "kind", "la_code", "year", "status", "file_name", "loaded_at", "rows", "children",
                  "unmatched")


def list_local_loads(db: str | os.PathLike, include_superseded: bool = False) -> list[dict]:
    """The loaded files of local records (SSDA903, visits, core groups, allocations, own figures), as dicts."""
    con = open_store(db, read_only=True)
    try:
        # A store made before local records (schema 3), opened read-only, has no register of them.
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'local_loads'"
                           ).fetchall()[0][0]:
            return []
        where = "" if include_superseded else "WHERE status = 'current'"
        rows = con.execute(f"SELECT {', '.join(_LOCAL_COLUMNS)} FROM local_loads {where} "
                           "ORDER BY la_code, year DESC, kind, load_id DESC").fetchall()
    finally:
        con.close()
    return [dict(zip(_LOCAL_COLUMNS, r)) for r in rows]


def _table(lines: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in lines)


def format_local_loads(rows: list[dict]) -> str:
    """The local records as a table under a heading ('' when there are none)."""
    if not rows:
        return ""
    lines = [("id", "kind", "LA", "year", "status", "rows", "children", "unmatched", "loaded", "file")]
    for r in rows:
        y = r["year"]
        lines.append((str(r["load_id"]), r["kind"], r["la_code"], f"{y - 1}-{str(y)[2:]}", r["status"],
                      f"{r['rows']:,}", f"{r['children'] or 0:,}", f"{r['unmatched'] or 0:,}",
                      r["loaded_at"].strftime("%Y-%m-%d %H:%M"), r["file_name"]))
    return "Local records:\n" + _table(lines)


def format_returns(rows: list[dict]) -> str:
    if not rows:
        return "No returns loaded."
    header = ("id", "LA", "year", "status", "children", "episodes", "plans", "warnings", "loaded", "file")
    lines = [header]
    for r in rows:
        y = r["collection_year"]
        lines.append((str(r["return_id"]), r["la_code"], f"{y - 1}-{str(y)[2:]}", r["status"],
                      f"{r['children']:,}", f"{r['episodes']:,}", f"{r['cp_plans']:,}", f"{r['warnings']:,}",
                      r["loaded_at"].strftime("%Y-%m-%d %H:%M"), r["file_name"] + _sent(r)))
    return _table(lines)


def _sent(r: dict) -> str:
    """Where a pooled return came from: the LA's pseudonymised export, by date and key."""
    if not r.get("key_fingerprint"):
        return ""
    return f" (sent by LA {r['la_code']}: export of {str(r['exported_at'])[:10]}, key {r['key_fingerprint']})"
