"""The data-quality section: the returns used and what validation found in them, the years of
history, the population behind the rates and where each benchmark comes from."""

from __future__ import annotations

from typing import Any

from ..population import population_for
from ..store.db import open_store
from ..years import date_words, year_label, years_label


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _returns(con, la: str) -> list[dict[str, Any]]:
    cols = ("return_id", "collection_year", "file_name", "loaded_at", "children", "warnings", "kind",
            "reference_date")
    rows = con.execute(f"SELECT {', '.join(cols)} FROM returns WHERE la_code = ? AND status = 'current' "
                       "ORDER BY collection_year", [la]).fetchall()
    return [dict(zip(cols, r)) for r in rows]


def _findings(con, ids: list[int]) -> tuple[dict[int, dict], list[dict[str, Any]], bool]:
    """Per return: errors and queries; by rule across the returns; whether findings were recorded."""
    if "validation_findings" not in _tables(con) or not ids:
        return {}, [], False
    marks = ", ".join("?" for _ in ids)
    per = {i: {"errors": 0, "queries": 0} for i in ids}
    for rid, typ, n in con.execute(f"SELECT return_id, type, count(*) FROM validation_findings "
                                   f"WHERE return_id IN ({marks}) GROUP BY ALL", ids).fetchall():
        per[rid]["errors" if typ == "error" else "queries"] += n
    # One message per rule: the message is the rule's, the same on every finding of it.
    rules = con.execute(f"""
        SELECT rule, type, any_value(message) AS message, count(*) AS findings,
               count(DISTINCT return_id) AS returns
        FROM validation_findings WHERE return_id IN ({marks})
        GROUP BY rule, type ORDER BY type, findings DESC, rule""", ids).fetchall()
    by_rule = [dict(zip(("rule", "type", "message", "findings", "returns"), r)) for r in rules]
    return per, by_rule, True


def _benchmark_sources(con) -> list[dict[str, Any]]:
    if "benchmark" not in _tables(con):
        return []
    rows = con.execute("""SELECT source, vintage, min(year), max(year), count(DISTINCT item_id)
                          FROM benchmark GROUP BY source, vintage ORDER BY source, vintage""").fetchall()
    return [{"source": s, "vintage": v, "years": years_label(a, b), "items": n}
            for s, v, a, b, n in rows]


def gather(db, la: str, year: int, history: list[int], results: dict, comparisons: dict,
           bench_note: str | None) -> dict[str, Any]:
    con = open_store(db, read_only=True)
    try:
        returns = _returns(con, la)
        per, by_rule, recorded = _findings(con, [r["return_id"] for r in returns])
        sources = _benchmark_sources(con)
        pop = population_for(con, la, year)
    finally:
        con.close()
    for r in returns:
        r.update(per.get(r["return_id"], {"errors": None, "queries": None}))
        r["year_label"] = year_label(r["collection_year"])
        if r["kind"] == "in-year":  # an as-at report's extract: its date says what it covers
            r["year_label"] += f" (in-year extract, {date_words(r['reference_date'])})"
    return {
        "returns": returns,
        "by_rule": by_rule,
        "findings_recorded": recorded,
        "history": [year_label(y) for y in history],
        "population": {"value": pop.value, "source": pop.source, "vintage": pop.vintage,
                       "estimated": pop.estimated, "reason": pop.reason},
        "benchmark_sources": sources,
        "benchmark_note": bench_note,
        "compared_items": len(comparisons),
    }
