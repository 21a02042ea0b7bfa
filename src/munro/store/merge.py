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
ReferenceDate (``_returns_in_order``). An extract of 31 October 2025 (collection
2025-26) so beats the 2024-25 annual return and loses to the 2025-26 one; for
annual returns alone this is the order of their collection years, as before
extracts. Only current returns count, and a collection's annual return
supersedes its extracts (``store.ingest``), so at most one picture of each
collection is merged. Two copies in one return (a child, an episode or a
part given twice in its file) resolve to the first in the file.

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


def _returns_in_order(raw: str, las: Sequence[str] | None) -> str:
    """The current returns (of ``las``) with ``merge_order``: 1 for the earliest, each later return a
    greater number. Later is data as at a later date (an in-year extract's reference date, an annual
    return's 31 March: schema.as_at_sql), then the later collection year, then the later load."""
    return (f"(SELECT r.return_id, r.collection_year, row_number() OVER (ORDER BY {as_at_sql('r')}, "
            f"r.collection_year, r.return_id) AS merge_order FROM {raw}returns r "
            f"WHERE r.status = 'current'{_la_filter(las, 'r')})")


# A row's sequence numbers are positive INTEGERs (1-based), so each fits in 31 bits.
_SEQ_BITS = 31
_SEQ_MAX = 2**_SEQ_BITS - 1


def _latest(keys: Sequence[str]) -> str:
    """A number over a copy ``p`` and its return ``r`` (``_returns_in_order``) that is greatest for the
    latest copy: the latest return's, then the first in its file (the least sequence numbers ``keys``,
    in order). Its bits are the return's ``merge_order``, then each key taken from ``_SEQ_MAX``, in
    ``_SEQ_BITS`` bits apiece, so no two rows of a table tie on it and it gives back their row."""
    kind = "BIGINT" if len(keys) <= 1 else "HUGEINT"  # merge_order's bits and 31 per key (3 at most): < 2**127
    parts = [f"(r.merge_order::{kind} << {_SEQ_BITS * len(keys)})"]
    parts += [f"(({_SEQ_MAX} - p.{k})::{kind} << {_SEQ_BITS * (len(keys) - 1 - i)})" for i, k in enumerate(keys)]
    return " + ".join(parts)


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
        return _latest_copy_sql(table, raw, las)
    return _follower_sql(table, raw, merged, las)


def _la_filter(las: Sequence[str] | None, *aliases: str) -> str:
    if las is None:
        return ""
    codes = ", ".join("'" + str(la).replace("'", "''") + "'" for la in las) or "NULL"
    return "".join(f" AND {a}.la_code IN ({codes})" for a in aliases)


def merged_columns(table: str) -> list[tuple[str, str]]:
    """(column, SQL type) of merged_<table>, for documentation and exports."""
    return _merged_columns(table)


def _latest_copy_sql(table: str, raw: str = "", las: Sequence[str] | None = None) -> str:
    """SELECT of merged_<table>, for tables merged by natural key (``las``: those LAs only)."""
    keys = fmt.key_columns(table)
    join = ""
    if table != "children" and table != "episodes":
        join = (f"JOIN {raw}episodes e ON e.return_id = p.return_id AND e.child_seq = p.child_seq "
                "AND e.episode_seq = p.episode_seq")
    parent = _PARENT_KEYS.get(table, [])
    natural = [("la_code", "p.la_code"), ("la_child_id", "p.la_child_id"), *parent,
               *((c, f"p.{c}") for c in _OWN_KEY[table])]
    span = ""
    if table in ("children", "episodes"):
        span = ", min(r.collection_year) AS first_year, max(r.collection_year) AS last_year"
    # Each natural key's latest copy is its greatest _latest, found by hash aggregation and its row joined
    # back by the return and sequence numbers read from that number: a window ranking the copies sorted
    # them all, at 1.5-2 times the CPU over many LAs.
    latest = _latest(keys)
    returns = _returns_in_order(raw, las)
    winners = (f"SELECT {', '.join(f'{expr} AS {alias}' for alias, expr in natural)}, max({latest}) AS latest{span} "
               f"FROM {raw}{table} p JOIN {returns} r ON r.return_id = p.return_id {join}"
               f"{' WHERE true' + _la_filter(las, 'p') if las is not None else ''} GROUP BY ALL")
    picked = {"collection_year": "r.collection_year", "first_year": "w.first_year", "last_year": "w.last_year",
              **{alias: f"w.{alias}" for alias, _ in parent}}
    cols = ", ".join(f"{picked[c]} AS {c}" if c in picked else f"p.{c}" for c, _ in _merged_columns(table))
    on = " AND ".join(["p.return_id = r.return_id",
                       *(f"p.{k} = ({_SEQ_MAX} - ((w.latest >> {_SEQ_BITS * (len(keys) - 1 - i)}) & {_SEQ_MAX}))"
                         "::INTEGER" for i, k in enumerate(keys))])
    # The winners made first (MATERIALIZED), then joined back: planned as one query, DuckDB joined them back
    # on an estimate of hundreds of millions of rows and ran out of its memory limit on a national store.
    return (f"WITH w AS MATERIALIZED ({winners}) SELECT {cols} FROM w JOIN {returns} r ON r.merge_order = "
            f"(w.latest >> {_SEQ_BITS * len(keys)}) JOIN {raw}{table} p ON {on}")


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
        # Reviews are dates: merge every copy by (plan, date), the latest return's copy kept (copies of one
        # review in one return are the same row).
        return ("SELECT v.la_code, v.la_child_id, e.referral_date, p.start_date AS plan_start_date, "
                "v.review_date, arg_max(v.return_id, r.merge_order) AS return_id "
                f"FROM {raw}cp_reviews v JOIN {_returns_in_order(raw, las)} r ON r.return_id = v.return_id "
                f"JOIN {raw}cp_plans p ON p.return_id = v.return_id AND p.child_seq = v.child_seq "
                "AND p.episode_seq = v.episode_seq AND p.cpp_seq = v.cpp_seq "
                f"JOIN {raw}episodes e ON e.return_id = v.return_id AND e.child_seq = v.child_seq "
                "AND e.episode_seq = v.episode_seq"
                f"{' WHERE true' + _la_filter(las, 'v') if las is not None else ''} GROUP BY ALL")
    raise KeyError(table)


# follower -> the parent whose merged copy it reads (cp_reviews reads the raw plans).
FOLLOWS = {"disabilities": "children", "assessment_factors": "assessments"}
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
