"""The items from an LA's Annex A alone, and which source a figure comes from (docs/annex-a.md).

``annex_a_tables`` shapes the stored Annex A lists (``munro.annexa.schema``'s merged views, through the
engine: ``Engine.annex_a``) as the merged CIN census tables the items read, with the census's column
names and types; what an Annex A does not hold is NULL (an assessment's, enquiry's or plan's episode,
the episode's own conference date) or an empty table (CIN plans, assessment factors, reviews,
pre-proceedings, the local records). The same item code then runs on them (``compute_keys(...,
tables=...)``), on any engine.

Not every item can: ``ANNEX_A`` says, item by item, whether an Annex A computes it, which of its figures
it cannot give (left out, with a note), and for the others why not; those come back None with that
reason, never a number from half the data. Most items need the Annex A to cover every day of the
period; ``AT_R`` items (counts of what is open at the period's end) need only that day.

``compute_from`` decides the source of one LA's period: ``cin`` (the CIN census returns), ``annex-a``
(the Annex A alone) or ``auto``: the CIN census when the period's return is loaded (validated, with
the whole history behind it: look-backs and episodes' parts that an Annex A of 6 or 12 months lacks),
else the Annex A when any is loaded. The result says which was used and why (``source``, ``source_reason``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

import ibis

from ..annexa.schema import covers
from ..engines import Engine, Tables, engine_for
from ..errors import MunroError
from ..years import Period
from .catalogue import item as catalogue_item
from .compute import ITEMS, Db, compute_keys
from .context import Key
from .result import ItemResult

SOURCES = ("auto", "cin", "annex-a")


@dataclasses.dataclass(frozen=True)
class FromAnnexA:
    """Whether an Annex A computes an item: ``why_not`` (None: it does), figures it cannot give (``drop``)."""

    why_not: str | None = None
    drop: tuple[str, ...] = ()
    note: str = ""


_FROM_LIST = "needs {what}, which an Annex A does not hold"
ANNEX_A: dict[str, FromAnnexA] = {
    "assessment_timeliness": FromAnnexA(drop=("from_referral",), note=(
        "from an Annex A: list 4's start and authorisation; from_referral is left out (an assessment's "
        "referral is not on its row)")),
    "s47_to_icpc_timeliness": FromAnnexA(
        "needs every enquiry whose conference falls in the period; list 5 holds the enquiries started in the "
        "Annex A's months, so a conference early in them for an enquiry begun before them would be missed"),
    "cin_duration": FromAnnexA(),
    "rereferral_after_cpp_12m": FromAnnexA(_FROM_LIST.format(what="plans that ended the year before the period")),
    "rereferral_after_cpp_24m": FromAnnexA(_FROM_LIST.format(what="plans that ended two years before the period")),
    "cpp_lasting_2y": FromAnnexA(),
    "cpp_repeat": FromAnnexA(_FROM_LIST.format(
        what="each child's earlier plans (list 7 has the number of previous plans, not when they ended)")),
    "cpp_rate": FromAnnexA(),
    "cpp_end_outcome": FromAnnexA(_FROM_LIST.format(
        what="the episode each plan belongs to (a plan's row does not say it) and looked-after periods "
             "(list 8, not read)")),
    "further_s47_after_cpp": FromAnnexA(_FROM_LIST.format(what="plans that ended before the period")),
    "looked_after_and_cpp": FromAnnexA(_FROM_LIST.format(what="looked-after periods (list 8, not read)")),
    "s47_to_icpc_conversion": FromAnnexA(drop=("crude", "conferences"), note=(
        "from an Annex A: list 5's enquiries and their conference dates; crude is left out (conferences "
        "recorded on an episode alone are not in an Annex A)")),
    "referral_rate": FromAnnexA(),
    "rereferral_12m": FromAnnexA(_FROM_LIST.format(
        what="each child's referrals in the 12 months before each referral (list 3's count runs to the "
             "as-at date, not to each referral)")),
    "assessment_rate": FromAnnexA(),
    "s47_rate": FromAnnexA(),
    "icpc_rate": FromAnnexA(_FROM_LIST.format(what="conferences recorded on an episode alone")),
    "referral_outcome": FromAnnexA(),
    "referral_source": FromAnnexA(),
    "parental_factors_rate": FromAnnexA(_FROM_LIST.format(what="assessment factors")),
    "cpp_starts_by_category": FromAnnexA(),
    "cin_rate": FromAnnexA(),
    "child_seen_per_cpp": FromAnnexA(_FROM_LIST.format(what="every visit (list 7 has the last only)")),
    "icpc_to_core_group": FromAnnexA(_FROM_LIST.format(what="core group meetings")),
    "sw_changes": FromAnnexA(_FROM_LIST.format(
        what="each child's allocations over the 12 months (the lists hold the worker at the as-at date)")),
    "contact_conversion": FromAnnexA(),
    "early_help_rate": FromAnnexA(),
}
# Figures of what is open at the period's end R: an Annex A covering R holds every plan and episode open then.
AT_R = ("cpp_rate", "cin_rate")


def from_annex_a(item_id: str) -> FromAnnexA:
    """Whether an Annex A computes ``item_id``; an item this table does not name (the LA's own imported
    figures of definitions.md section 3) it does not."""
    return ANNEX_A.get(item_id) or FromAnnexA("it is an LA's own imported figure (definitions.md section 3)")


def annex_a_tables(engine: Engine, las: Iterable[str] | None = None) -> Tables:
    """The LAs' Annex A lists as the merged CIN census tables (module docstring), on ``engine``."""
    key = None if las is None else tuple(sorted(set(las)))
    cin = engine.tables(key)
    lists = {name: engine.annex_a(name, key) for name in ("referrals", "assessments", "section47", "cin",
                                                          "cp_plans")}
    r, n = lists["referrals"], lists["cin"]
    referrals = r.select(la_code=r.la_code, la_child_id=r.la_child_id, referral_date=r.referral_date,
                         referral_source=r.referral_source, referral_nfa=r.referral_nfa)
    needs = n.select(n_la=n.la_code, n_child=n.la_child_id, n_start=n.cin_start_date, primary_need=n.primary_need,
                     closure_date=n.cin_closure_date, closure_reason=n.closure_reason)
    both = referrals.outer_join(needs, [referrals.la_code == needs.n_la, referrals.la_child_id == needs.n_child,
                                        referrals.referral_date == needs.n_start])
    # An episode is list 6's (its start the referral date) and list 3's referral of the same child and day;
    # an episode begun before the months is list 6's alone, a referral with no further action list 3's alone.
    episodes = both.select(
        la_code=both.la_code.coalesce(both.n_la), la_child_id=both.la_child_id.coalesce(both.n_child),
        referral_date=both.referral_date.coalesce(both.n_start), referral_source=both.referral_source,
        primary_need=both.primary_need, closure_date=both.closure_date, closure_reason=both.closure_reason,
        referral_nfa=both.referral_nfa.fill_null(0))
    a, s, p = lists["assessments"], lists["section47"], lists["cp_plans"]
    shaped = {
        "episodes": episodes,
        "assessments": a.select(la_code=a.la_code, la_child_id=a.la_child_id, start_date=a.start_date,
                                authorisation_date=a.authorisation_date),
        "section47": s.select(la_code=s.la_code, la_child_id=s.la_child_id, start_date=s.s47_date,
                              icpc_date=s.icpc_date, icpc_not_required=s.icpc_not_required),
        "cp_plans": p.select(la_code=p.la_code, la_child_id=p.la_child_id, start_date=p.cpp_start_date,
                             end_date=p.cpp_end_date, initial_category=p.initial_category,
                             latest_category=p.latest_category, previous_cpp_count=p.previous_plans),
        "children": _children(engine, key),
    }
    out = {f.name: getattr(cin, f.name) for f in dataclasses.fields(Tables)}
    for name in ("children", "episodes", "assessments", "section47", "cp_plans"):
        out[name] = _as(cin, name, shaped[name])
    for name in ("assessment_factors", "cin_plans", "cp_reviews", "pre_proceedings", "looked_after_children",
                 "looked_after_episodes", "cp_visits", "core_groups", "sw_allocations", "own_figures"):
        out[name] = out[name].filter(ibis.literal(False))  # an Annex A holds none of them
    return Tables(**out)


def _children(engine: Engine, key: tuple[str, ...] | None) -> Any:
    """Each child of lists 3 to 7 once, with the characteristics its rows give."""
    parts = []
    for name in ("referrals", "assessments", "section47", "cin", "cp_plans"):
        t = engine.annex_a(name, key)
        parts.append(t.select("la_code", "la_child_id", "birth_date", "gender", "ethnicity"))
    every = ibis.union(*parts)
    return every.group_by(["la_code", "la_child_id"]).aggregate(
        birth_date=every.birth_date.max(), gender=every.gender.max(), ethnicity=every.ethnicity.max())


def _as(cin: Tables, name: str, t: Any) -> Any:
    """``t`` with exactly the columns and types of the CIN census table ``name`` (NULL where it has none)."""
    schema = getattr(cin, name).schema()
    return t.select(**{c: (t[c] if c in t.columns else ibis.null()).cast(typ) for c, typ in schema.items()})


def compute_annex_a(engine: Engine, las: Iterable[str], periods: Iterable[Period], items: Iterable[str] | None = None,
                    visiting_standard: int = 10) -> dict[Key, dict[str, ItemResult]]:
    """Every item for every (LA, period) from the LAs' Annex A alone: those it cannot compute, and periods it
    does not cover, None with the reason."""
    wanted = list(ITEMS) if items is None else list(items)
    las, periods = tuple(sorted({str(la) for la in las})), tuple(sorted(set(periods)))
    cover = engine.annex_a_cover()
    out: dict[Key, dict[str, ItemResult]] = {}
    can = [i for i in wanted if from_annex_a(i).why_not is None]
    if can:
        found = compute_keys(engine, las, periods, can, visiting_standard=visiting_standard,
                             tables=annex_a_tables(engine, las), local={}, annex_a=cover, extracts={},
                             # the Annex A stands for the returns of every reporting year its periods touch
                             history={la: sorted({y for p in periods for y in p.years}) for la in las})
    for key in (Key(la, p) for la in las for p in periods):
        out[key] = {}
        for i in wanted:
            unit, rule = catalogue_item(i).unit, from_annex_a(i)
            gap = _not_covered(cover.get(key.la, []), key.period, i)
            if rule.why_not or gap:
                out[key][i] = ItemResult.missing(i, unit, f"not from an Annex A: {rule.why_not or gap}")
            else:
                out[key][i] = _without(found[key][i], rule)
    return out


def _not_covered(spans: list[tuple[dt.date, dt.date]], period: Period, item_id: str) -> str | None:
    start = period.end if item_id in AT_R else period.start
    if covers(spans, start, period.end):
        return None
    which = f"{period.end.isoformat()}" if item_id in AT_R else f"every day of {period.start} to {period.end}"
    loaded = "; ".join(f"{a} to {b}" for a, b in spans) or "none"
    return f"needs Annex A workbooks covering {which} (loaded: {loaded})"


def _without(result: ItemResult, rule: FromAnnexA) -> ItemResult:
    """The result without the figures an Annex A cannot give, saying so."""
    if not rule.drop:
        return result
    figures = {k: v for k, v in result.figures.items() if k not in rule.drop}
    note = "; ".join(filter(None, (result.note, rule.note)))
    return dataclasses.replace(result, figures=figures, note=note or None)


def compute_from(db: Db, la: str, period: Period, items: Iterable[str] | None = None, *, source: str = "auto",
                 visiting_standard: int = 10) -> dict[str, Any]:
    """The items for one LA and period from the source ``source`` (module docstring): ``compute``'s result
    with ``source`` ("cin" or "annex-a"), ``source_reason`` (why, in words) and ``period`` (its label)."""
    if source not in SOURCES:
        raise MunroError(f"unknown source {source!r} (choose from {', '.join(SOURCES)})")
    la = str(la)
    with engine_for(db) as engine:
        history, cover = engine.history(), engine.annex_a_cover()
        use, why = _choose(la, period, source, history.get(la, []), cover.get(la, []))
        if use == "annex-a":
            found = compute_annex_a(engine, [la], [period], items, visiting_standard)
        else:
            found = compute_keys(engine, [la], [period], items, visiting_standard=visiting_standard, history=history)
    return {"la": la, "year": period.year, "period": period.label, "history_years": history.get(la, []),
            "source": use, "source_reason": why, "items": found[Key(la, period)]}


def compute_chosen(db: Db, la: str, year: int | None, items: Iterable[str] | None = None, *, source: str | None = None,
                   visiting_standard: int = 10) -> dict[str, Any] | None:
    """``munro indicators --la LA [--year Y] [--source S]``: ``compute_from``'s result where a source is asked
    for, or (none asked) where the year's return is not loaded but an Annex A is; None where the year's
    return is loaded and no source asked for (``compute`` then, as before Annex A). Without ``year``, the
    12 months to the LA's latest Annex A as-at date (``annex-a`` only)."""
    if year is None and source != "annex-a":
        return None  # the caller asks for the year
    with engine_for(db) as engine:
        spans = engine.annex_a_cover().get(str(la), [])
        if year is None:
            if not spans:
                raise _no_annex_a(la)
            period = Period(max(end for _, end in spans))
        else:
            period = Period.of_year(int(year))
            if source is None and (period.year in engine.history().get(str(la), []) or not spans):
                return None
        return compute_from(engine, la, period, items, source=source or "auto", visiting_standard=visiting_standard)


def _no_annex_a(la: str) -> MunroError:
    return MunroError(f"no Annex A of LA {la} is loaded: load one with munro ingest (docs/annex-a.md)")


def _choose(la: str, period: Period, source: str, years: list[int],
            spans: list[tuple[dt.date, dt.date]]) -> tuple[str, str]:
    loaded = "; ".join(f"{a.isoformat()} to {b.isoformat()}" for a, b in spans)
    if source == "cin":
        return "cin", "the CIN census returns, as asked (--source cin)"
    if source == "annex-a":
        if not spans:
            raise _no_annex_a(la)
        return "annex-a", f"the Annex A alone, as asked (--source annex-a; its lists cover {loaded})"
    if period.year in years:
        why = ("the CIN census: the period's return is loaded, validated and with the whole history behind "
               "it, where an Annex A has only its 6 or 12 months")
        return "cin", why + (f" (an Annex A covering {loaded} is loaded too)" if spans else "")
    if spans:
        return "annex-a", (f"the Annex A (covering {loaded}): no CIN census return of {period.year} "
                           f"is loaded for LA {la}")
    return "cin", f"the CIN census returns (no Annex A of LA {la} is loaded)"


__all__ = ["ANNEX_A", "AT_R", "FromAnnexA", "SOURCES", "annex_a_tables", "compute_annex_a", "compute_chosen",
           "compute_from", "from_annex_a"]
