"""The merged history of an LA's returns (definitions.md section 1, "Several returns").

Returns for successive years overlap, and each holds only the parts of an
episode active in its year. The ``merged_*`` tables put one LA's history
together, from its current (not superseded) returns:

- a child, and its disabilities, come from the latest return that holds it;
- an episode is identified by (``la_code``, ``la_child_id``, ``referral_date``)
  and its own fields come from the latest return that holds it;
- its parts are merged across returns, each identified within the episode:
  assessments, section 47 enquiries, CIN plans and child protection plans by
  ``start_date``, reviews by ``review_date`` within their plan, pre-proceedings
  by ``start_date``. The copy in the latest return wins and parts found only
  in earlier returns are kept. Assessment factors follow the winning copy of
  their assessment.

"Latest" is the return whose data is as at the latest date: an annual
return's is 31 March of its collection year, an in-year extract's its own
ReferenceDate (``LATEST_FIRST``). An extract of 31 October 2025 (collection
2025-26) so beats the 2024-25 annual return and loses to the 2025-26 one; for
annual returns alone this is the order of their collection years, as before
extracts. Only current returns count, and a collection's annual return
supersedes its extracts (``store.ingest``), so at most one picture of each
collection is merged.

Every merged row keeps its lineage: the ``return_id`` and ``collection_year``
of the copy used, and the file's sequence numbers (so factors and reviews can
follow their parent's copy). Episodes and children also record
``first_year`` and ``last_year``: the span of the collection years of the
returns that hold them. An in-year extract counts as its collection's year
(the year in progress), so a child seen only in an extract of 31 October 2025
has ``first_year`` and ``last_year`` 2026.

They are views over the raw tables, so they are never out of step with
what is loaded and a load never has to rewrite them; a computation that
reads them many times materialises them once for its run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence

from ..census import format as fmt
from ..localdata import schema as local_schema
from ..localdata.layouts import LAYOUTS
from .schema import as_at_sql, raw_columns

# table -> the natural key columns added from ancestors, as (alias, source expression)
_PARENT_KEYS = {
    "episodes": [],
    "assessments": [("referral_date", "e.referral_date")],
    "cin_plans": [("referral_date", "e.referral_date")],
    "section47": [("referral_date", "e.referral_date")],
    "cp_plans": [("referral_date", "e.referral_date")],
    "pre_proceedings": [("referral_date", "e.referral_date")],
}
_OWN_KEY = {
    "children": [],
    "episodes": ["referral_date"],
    "assessments": ["start_date"],
    "cin_plans": ["start_date"],
    "section47": ["start_date"],
    "cp_plans": ["start_date"],
    "pre_proceedings": ["start_date"],
}


# Which copy is latest: the return's data as at its date (an in-year extract's reference date, an annual
# return's 31 March: schema.as_at_sql), then its collection year, then the later load.
LATEST_FIRST = (f"{as_at_sql('r')} DESC", "r.collection_year DESC")


def _data_columns(table: str) -> list[tuple[str, str]]:
    skip = {"return_id", "la_code", "la_child_id", "line", *fmt.key_columns(table)}
    return [(c, t) for c, t in raw_columns(table) if c not in skip]


def _merged_columns(table: str) -> list[tuple[str, str]]:
    """Columns of merged_<table>: natural key, lineage, data."""
    if table == "disabilities":
        return [("la_code", "VARCHAR"), ("la_child_id", "VARCHAR"), ("return_id", "INTEGER"),
                ("disability", "VARCHAR")]
    if table == "assessment_factors":
        return [("la_code", "VARCHAR"), ("la_child_id", "VARCHAR"), ("referral_date", "DATE"),
                ("assessment_start_date", "DATE"), ("return_id", "INTEGER"), ("factor", "VARCHAR")]
    if table == "cp_reviews":
        return [("la_code", "VARCHAR"), ("la_child_id", "VARCHAR"), ("referral_date", "DATE"),
                ("plan_start_date", "DATE"), ("review_date", "DATE"), ("return_id", "INTEGER")]
    cols = [("la_code", "VARCHAR"), ("la_child_id", "VARCHAR")]
    cols += [(a, "DATE") for a, _ in _PARENT_KEYS.get(table, [])]
    data = _data_columns(table)
    own = _OWN_KEY[table]
    cols += [(c, t) for c, t in data if c in own]
    cols += [("return_id", "INTEGER"), ("collection_year", "INTEGER")]
    cols += [(k, "INTEGER") for k in fmt.key_columns(table)]
    if table in ("children", "episodes"):
        cols += [("first_year", "INTEGER"), ("last_year", "INTEGER")]
    cols += [(c, t) for c, t in data if c not in own]
    return cols


def merged_ddl() -> list[str]:
    """CREATE VIEW statements for every merged_* view, parents first."""
    return [f"CREATE OR REPLACE VIEW merged_{table} AS {merged_select(table)}" for table in MERGED_ORDER]


def merged_select(table: str, *, raw: str = "", merged: str = "merged_", las: Sequence[str] | None = None) -> str:
    """The SELECT that merges ``table``: the body of view ``merged_<table>``.

    The raw tables are read as ``<raw><name>`` (``raw="store."`` for a store
    ATTACHed under that name) and a follower's parent as ``<merged><name>``, so
    that a run can materialise the merged tables once, parents first
    (``MERGED_ORDER``), each follower reading its parent's copy instead of
    merging it again. ``las`` keeps only those LAs (the returns of other LAs are
    not read; a follower keeps what its parent kept).
    """
    if table in _OWN_KEY:
        return _latest_copy_sql(table, raw, _la_filter(las, "r", "p"))
    return _follower_sql(table, raw, merged, las)


def _la_filter(las: Sequence[str] | None, *aliases: str) -> str:
    if las is None:
        return ""
    codes = ", ".join("'" + str(la).replace("'", "''") + "'" for la in las) or "NULL"
    return "".join(f" AND {a}.la_code IN ({codes})" for a in aliases)


def merged_columns(table: str) -> list[tuple[str, str]]:
    """(column, SQL type) of merged_<table>, for documentation and exports."""
    return _merged_columns(table)


def _latest_copy_sql(table: str, raw: str = "", where: str = "") -> str:
    """SELECT of merged_<table>, for tables merged by natural key (``where``: more conditions)."""
    keys = fmt.key_columns(table)
    join = ""
    if table != "children" and table != "episodes":
        join = (f"JOIN {raw}episodes e ON e.return_id = p.return_id AND e.child_seq = p.child_seq "
                "AND e.episode_seq = p.episode_seq")
    parent = [expr for _, expr in _PARENT_KEYS.get(table, [])]
    natural = ["p.la_code", "p.la_child_id", *parent, *(f"p.{c}" for c in _OWN_KEY[table])]
    order = ", ".join([*LATEST_FIRST, "p.return_id DESC", *(f"p.{k}" for k in keys)])
    partition = ", ".join(natural)
    span = ""
    if table in ("children", "episodes"):
        span = (f", min(r.collection_year) OVER (PARTITION BY {partition}) AS first_year"
                f", max(r.collection_year) OVER (PARTITION BY {partition}) AS last_year")
    parent_cols = "".join(f", {expr} AS {alias}" for alias, expr in _PARENT_KEYS.get(table, []))
    # The winners are ranked on the few columns that choose them, then joined back to their rows:
    # sorting whole rows (a dozen columns, strings among them) cost nearly twice the CPU at national scale.
    row = ["return_id", *keys]
    winners = (f"SELECT {', '.join(f'p.{c}' for c in row)}{parent_cols}, r.collection_year AS collection_year{span}, "
               f"row_number() OVER (PARTITION BY {partition} ORDER BY {order}) AS merge_rank "
               f"FROM {raw}{table} p JOIN {raw}returns r ON r.return_id = p.return_id {join} "
               f"WHERE r.status = 'current'{where}")
    chosen = {"collection_year", "first_year", "last_year", *(alias for alias, _ in _PARENT_KEYS.get(table, []))}
    cols = ", ".join(f"w.{c}" if c in chosen else f"p.{c}" for c, _ in _merged_columns(table))
    on = " AND ".join(f"p.{c} = w.{c}" for c in row)
    return f"SELECT {cols} FROM ({winners}) w JOIN {raw}{table} p ON {on} WHERE w.merge_rank = 1"


def _follower_sql(table: str, raw: str = "", merged: str = "merged_", las: Sequence[str] | None = None) -> str:
    """Rows that follow their parent's winning copy, or (reviews) merge by date."""
    if table == "disabilities":
        return ("SELECT d.la_code, d.la_child_id, d.return_id, d.disability "
                f"FROM {raw}disabilities d "
                f"JOIN {merged}children c ON c.return_id = d.return_id AND c.child_seq = d.child_seq"
                + (f" WHERE true{_la_filter(las, 'd')}" if las is not None else ""))
    if table == "assessment_factors":
        return ("SELECT f.la_code, f.la_child_id, a.referral_date, a.start_date AS assessment_start_date, "
                "f.return_id, f.factor "
                f"FROM {raw}assessment_factors f JOIN {merged}assessments a ON a.return_id = f.return_id "
                "AND a.child_seq = f.child_seq AND a.episode_seq = f.episode_seq "
                "AND a.assessment_seq = f.assessment_seq"
                + (f" WHERE true{_la_filter(las, 'f')}" if las is not None else ""))
    if table == "cp_reviews":
        # Reviews are dates: merge every copy by (plan, date), the latest return's copy first.
        return ("SELECT la_code, la_child_id, referral_date, plan_start_date, review_date, return_id FROM ("
                "SELECT v.la_code, v.la_child_id, e.referral_date, p.start_date AS plan_start_date, "
                "v.review_date, v.return_id, row_number() OVER (PARTITION BY v.la_code, v.la_child_id, "
                f"e.referral_date, p.start_date, v.review_date ORDER BY {', '.join(LATEST_FIRST)}, "
                "v.return_id DESC) AS merge_rank "
                f"FROM {raw}cp_reviews v JOIN {raw}returns r ON r.return_id = v.return_id "
                f"JOIN {raw}cp_plans p ON p.return_id = v.return_id AND p.child_seq = v.child_seq "
                "AND p.episode_seq = v.episode_seq AND p.cpp_seq = v.cpp_seq "
                f"JOIN {raw}episodes e ON e.return_id = v.return_id AND e.child_seq = v.child_seq "
                "AND e.episode_seq = v.episode_seq "
                f"WHERE r.status = 'current'{_la_filter(las, 'r', 'v')}) WHERE merge_rank = 1")
    raise KeyError(table)


# Parents before the tables that follow them.
MERGED_ORDER = ("children", "disabilities", "episodes", "assessments", "assessment_factors", "cin_plans",
                "section47", "cp_plans", "cp_reviews", "pre_proceedings")


def merged_selects(*, raw: str, merged: str, las: Sequence[str] | None = None,
                   local: bool = True, absent: Mapping[str, Collection[str]] | None = None
                   ) -> Iterator[tuple[str, str]]:
    """(name, SELECT) of every merged table, the census's parents first, then the LA's local records
    (``munro.localdata.schema``): what a run copies once to read many times (``merged_select``'s
    ``raw``, ``merged`` and ``las``). ``local=False``: a store from before the local records, whose
    tables are given empty; ``absent``: table -> optional columns its raw table lacks (an older store)."""
    for t in MERGED_ORDER:
        yield t, merged_select(t, raw=raw, merged=merged, las=las)
    for layout in LAYOUTS.values():
        yield layout.table, (local_schema.merged_select(layout, raw=raw, las=las,
                                                        absent=(absent or {}).get(layout.table, ())) if local
                             else local_schema.empty_select(layout))
