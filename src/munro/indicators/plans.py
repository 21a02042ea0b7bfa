"""Plans items (definitions.md section 2, "Plans"); the items that need casework records
beyond the CIN census are in ``casework.py``.

Each function takes a :class:`~munro.indicators.context.Context` and returns
``{la_code: ItemResult}``, every LA of the context computed in one query
(grouped by ``la_code``). A child protection plan is identified by (LA,
``LAchildID``, the episode's ``CINreferralDate``, ``CPPstartDate``); a
section 47 enquiry likewise by its ``S47ActualStartDate``.

Look-back items (re-referrals after a plan, repeat plans, further enquiries)
use every loaded return of the LA (``ctx.history``); where a return they rely
on is missing the result says so in a ``note`` (or, for the re-referral
cohorts, is None with a reason). ``became_looked_after`` and
``looked_after_and_cpp`` need the year's SSDA903 episodes (``looked_after.py``);
without them they are None with a reason.

Pitfalls kept here (see ``context.py``): ``add_months`` is for comparisons
only (DuckDB computes it as a TIMESTAMP), ``ibis.row_number()`` counts from 0,
flags are 0/1 integers, windows are ordered with tie-breakers.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from .activity import initial_conferences, rate_result
from .context import Context, add_months, count_if, days_between, flag, reporting_window, span
from .looked_after import care_starts, loaded_note, looked_after_at_r
from .result import ItemResult, count_of, percent

# DfE's rule (former NI 64): "more than 729 calendar days including the day of cessation".
TWO_YEARS_DAYS = 729


def _plan_key(t: ir.Table) -> list[ir.Column]:
    return [t.la_code, t.la_child_id, t.referral_date, t.start_date]


def _missing_year(ctx: Context, la: str, year: int, what: str) -> str | None:
    """A note when the return for ``year`` (earlier than ctx.year) is not loaded for ``la``."""
    if year in ctx.history.get(la, []):
        return None
    start, end = reporting_window(year)
    return (f"the {year} return is not loaded: records that began and ended between "
            f"{start.isoformat()} and {end.isoformat()} are missing, so {what} may be undercounted")


# ---------------------------------------------------------------- re-referral after a plan


def rereferral_cohort(ctx: Context, months: int) -> ir.Table:
    """One row per child whose plan ended in the cohort window (the last such plan), with
    ``re`` = 1 when the child was referred again after the plan's end date and on or before
    the end date + ``months`` months."""
    cohort_year = ctx.year - months // 12
    w_start, w_end = reporting_window(cohort_year)
    p = ctx.t.cp_plans
    p = p.filter(p.end_date.between(ibis.date(w_start), ibis.date(w_end)))
    # The last plan to end; a tie on the end date goes to the later start, then the later episode.
    w = ibis.window(group_by=[p.la_code, p.la_child_id],
                    order_by=[ibis.desc(p.end_date), ibis.desc(p.start_date), ibis.desc(p.referral_date)])
    p = p.mutate(_rank=ibis.row_number().over(w))  # counts from 0
    c = p.filter(p._rank == 0).select("la_code", "la_child_id", end=p.end_date)
    e = ctx.t.episodes  # every referral, no-further-action ones included (definitions.md section 1)
    r = e.select(_la=e.la_code, _child=e.la_child_id, _ref=e.referral_date)
    j = c.left_join(r, [c.la_code == r._la, c.la_child_id == r._child, r._ref > c.end,
                        r._ref <= add_months(c.end, months)])
    return j.group_by(["la_code", "la_child_id"]).aggregate(re=flag(j._ref.notnull()).max())


def _rereferral_after_cpp(ctx: Context, months: int) -> dict[str, ItemResult]:
    item = f"rereferral_after_cpp_{months}m"
    cohort_year = ctx.year - months // 12
    w_start, w_end = reporting_window(cohort_year)
    c = rereferral_cohort(ctx, months)
    rows = ctx.per_la(c.group_by("la_code").aggregate(n=c.count(), re=c.re.sum()))
    out = {}
    for la in ctx.las:
        cohort = {"cohort_year": cohort_year, "cohort_start": w_start.isoformat(), "cohort_end": w_end.isoformat()}
        if cohort_year not in ctx.history.get(la, []):
            out[la] = ItemResult(id=item, unit="percent", value=None, figures=cohort,
                                 reason=(f"needs the {cohort_year} return (plans that ended between "
                                         f"{w_start.isoformat()} and {w_end.isoformat()})"))
            continue
        n, re = count_of(rows[la].get("n")), count_of(rows[la].get("re"))
        # Referrals made and closed inside a follow-up year are only in that year's return.
        notes = [_missing_year(ctx, la, y, "re-referrals") for y in range(cohort_year + 1, ctx.year)]
        notes = [x for x in notes if x]
        out[la] = ItemResult(id=item, unit="percent", value=percent(re, n),
                             reason=None if n else (f"no child protection plans ended between "
                                                    f"{w_start.isoformat()} and {w_end.isoformat()}"),
                             numerator=re, denominator=n, count=n, figures=cohort,
                             note="; ".join(notes) or None)
    return out


def rereferral_after_cpp_12m(ctx: Context) -> dict[str, ItemResult]:
    return _rereferral_after_cpp(ctx, 12)


def rereferral_after_cpp_24m(ctx: Context) -> dict[str, ItemResult]:
    return _rereferral_after_cpp(ctx, 24)


# ---------------------------------------------------------------- cpp_lasting_2y


def cpp_lasting_2y(ctx: Context) -> dict[str, ItemResult]:
    p = ctx.t.cp_plans
    ended = p.filter(ctx.in_year(p.end_date))  # each plan: a child ending two plans counts twice
    days = span(ended.start_date, ended.end_date, days_between(ended.start_date, ended.end_date))
    rows = ctx.per_la(ended.group_by("la_code").aggregate(**days.counts(), long=count_if(days.value >= TWO_YEARS_DAYS)))
    open_ = p.filter(ctx.open_at_r(p.start_date, p.end_date))
    open_days = days_between(open_.start_date, ibis.date(ctx.R))
    open_rows = ctx.per_la(open_.group_by("la_code").aggregate(
        n=open_.count(), long=count_if(open_days >= TWO_YEARS_DAYS)))
    out = {}
    for la in ctx.las:
        n, long, bad = (count_of(rows[la].get(k)) for k in ("n", "long", "excluded"))
        on, olong = count_of(open_rows[la].get("n")), count_of(open_rows[la].get("long"))
        out[la] = ItemResult(
            id="cpp_lasting_2y", unit="percent", value=percent(long, n),
            reason=None if n else "no child protection plans ended in the year",
            numerator=long, denominator=n, count=n, excluded=bad,
            figures={"open_2y": percent(olong, on), "open_2y_count": olong, "open_plans": on},
        )
    return out


# ---------------------------------------------------------------- cpp_repeat


def plan_starts_with_history(ctx: Context) -> ir.Table:
    """Plans starting in the year, one row each, with 0/1 ``ever`` (NumberOfPreviousCPP >= 1 or an
    earlier plan in the loaded history), ``earlier`` (an earlier plan is loaded) and ``within_2y``
    (a loaded earlier plan ended on or after the start minus 2 years, or has no end recorded)."""
    p = ctx.t.cp_plans
    new = p.filter(ctx.in_year(p.start_date)).select(
        "la_code", "la_child_id", "referral_date", "start_date", prev=p.previous_cpp_count.fill_null(0))
    old = p.select(_la=p.la_code, _child=p.la_child_id, _start=p.start_date, _end=p.end_date)
    j = new.left_join(old, [new.la_code == old._la, new.la_child_id == old._child, old._start < new.start_date])
    found = j._start.notnull()
    recent = found & (j._end.isnull() | (j._end >= add_months(j.start_date, -24)))
    per_plan = j.group_by(["la_code", "la_child_id", "referral_date", "start_date"]).aggregate(
        prev=j.prev.max(), earlier=flag(found).max(), within_2y=flag(recent).max())
    return per_plan.mutate(ever=flag((per_plan.prev >= 1) | (per_plan.earlier == 1)))


def cpp_repeat(ctx: Context) -> dict[str, ItemResult]:
    s = plan_starts_with_history(ctx)
    rows = ctx.per_la(s.group_by("la_code").aggregate(
        n=s.count(), ever=s.ever.sum(), within=s.within_2y.sum(),
        by_count=count_if(s.prev >= 1), by_history=s.earlier.sum()))
    out = {}
    for la in ctx.las:
        n, ever, within = (count_of(rows[la].get(k)) for k in ("n", "ever", "within"))
        out[la] = ItemResult(
            id="cpp_repeat", unit="percent", value=percent(ever, n),
            reason=None if n else "no child protection plans started in the year",
            numerator=ever, denominator=n, count=n,
            figures={"within_2y": percent(within, n), "within_2y_count": within,
                     "by_previous_cpp_count": count_of(rows[la].get("by_count")),
                     "by_loaded_history": count_of(rows[la].get("by_history"))},
            note=_missing_year(ctx, la, ctx.year - 1, "earlier plans (and within_2y)"),
        )
    return out


# ---------------------------------------------------------------- cpp_rate


def children_on_plan_at_r(ctx: Context) -> ir.Table:
    p = ctx.t.cp_plans
    return p.filter(ctx.open_at_r(p.start_date, p.end_date))


def cpp_rate(ctx: Context) -> dict[str, ItemResult]:
    p = children_on_plan_at_r(ctx)
    rows = ctx.per_la(p.group_by("la_code").aggregate(n=p.la_child_id.nunique()))
    return {la: rate_result(ctx, "cpp_rate", la, count_of(rows[la].get("n"))) for la in ctx.las}


# ---------------------------------------------------------------- cpp_end_outcome


def plan_ends_with_closure(ctx: Context) -> ir.Table:
    """Plans ending in the year with ``cin_closed`` = 1 when their episode closed on the end date or
    within 1 working day after it (working days through the calendar join), and ``excluded`` = 1 when
    the episode closed on a date before the plan's end date (a negative span, whatever its working days)."""
    p = ctx.t.cp_plans
    p = p.filter(ctx.in_year(p.end_date)).select("la_code", "la_child_id", "referral_date", "start_date",
                                                  "end_date")
    e = ctx.t.episodes
    e = e.select(_la=e.la_code, _child=e.la_child_id, _ref=e.referral_date, closure=e.closure_date)
    j = p.left_join(e, [p.la_code == e._la, p.la_child_id == e._child, p.referral_date == e._ref])
    j = j.select("la_code", "la_child_id", "referral_date", "start_date", "end_date", "closure")
    j = ctx.with_working_days(j, "end_date", "closure", "wd")
    closed = span(j.end_date, j.closure, j.wd)  # an episode still open: neither closed nor excluded
    return j.mutate(cin_closed=flag(closed.value <= 1), excluded=flag(closed.excluded))


def plan_ends_with_care(ctx: Context) -> ir.Table:
    """``plan_ends_with_closure`` with ``looked_after`` = 1 when a period of care started within 1 working day
    before or after the plan's end date (the calendar's index: |wd| <= 1 either way)."""
    t = plan_ends_with_closure(ctx)
    c = care_starts(ctx)
    c = c.select(_la=c.la_code, _child=c.la_child_id, care_start=c.care_start)
    j = t.left_join(c, [t.la_code == c._la, t.la_child_id == c._child])
    j = ctx.with_working_days(j.drop("_la", "_child"), "end_date", "care_start", "care_wd")
    j = j.mutate(care=flag(j.care_wd.abs() <= 1))
    return j.group_by(["la_code", "la_child_id", "referral_date", "start_date"]).aggregate(
        cin_closed=j.cin_closed.max(), looked_after=j.care.max(), excluded=j.excluded.max())


def cpp_end_outcome(ctx: Context) -> dict[str, ItemResult]:
    t = plan_ends_with_care(ctx)
    ok = t.excluded == 0
    rows = ctx.per_la(t.group_by("la_code").aggregate(
        n=count_if(ok), closed=count_if(ok & (t.cin_closed == 1)), care=count_if(ok & (t.looked_after == 1)),
        either=count_if(ok & ((t.cin_closed == 1) | (t.looked_after == 1))), excluded=count_if(~ok)))
    out = {}
    for la in ctx.las:
        n, closed, care, either = (count_of(rows[la].get(k)) for k in ("n", "closed", "care", "either"))
        missing = loaded_note(ctx, la)
        if missing:
            either, care = closed, None
        out[la] = ItemResult(
            id="cpp_end_outcome", unit="percent", value=percent(either, n),
            reason=None if n else "no child protection plans ended in the year",
            numerator=either, denominator=n, count=n, excluded=count_of(rows[la].get("excluded")),
            figures={"cin_closed": closed, "became_looked_after": care,
                     **({"became_looked_after_reason": missing} if missing else {}),
                     "stepped_down": n - either},
            note=("looked-after episodes are not loaded: the value counts cin_closed alone, and "
                  "stepped_down (plans ending with the episode of need still open) may include children "
                  "who became looked after") if missing else None,
        )
    return out


# ---------------------------------------------------------------- further_s47_after_cpp


def s47_with_earlier_plan(ctx: Context) -> ir.Table:
    """Section 47 enquiries starting in the year, with ``had_plan`` = 1 when the child had a
    child protection plan (any episode, any loaded return) that ended before the enquiry's start."""
    s = ctx.t.section47
    s = s.filter(ctx.in_year(s.start_date)).select("la_code", "la_child_id", "referral_date", "start_date")
    p = ctx.t.cp_plans
    p = p.select(_la=p.la_code, _child=p.la_child_id, _end=p.end_date)
    j = s.left_join(p, [s.la_code == p._la, s.la_child_id == p._child, p._end < s.start_date])
    return j.group_by(["la_code", "la_child_id", "referral_date", "start_date"]).aggregate(
        had_plan=flag(j._end.notnull()).max())


def further_s47_after_cpp(ctx: Context) -> dict[str, ItemResult]:
    s = s47_with_earlier_plan(ctx)
    rows = ctx.per_la(s.group_by("la_code").aggregate(n=s.count(), had=s.had_plan.sum()))
    out = {}
    for la in ctx.las:
        n, had = count_of(rows[la].get("n")), count_of(rows[la].get("had"))
        out[la] = ItemResult(
            id="further_s47_after_cpp", unit="percent", value=percent(had, n),
            reason=None if n else "no section 47 enquiries started in the year",
            numerator=had, denominator=n, figures={"count": had},
            note=_missing_year(ctx, la, ctx.year - 1, "earlier plans"),
        )
    return out


# ---------------------------------------------------------------- looked_after_and_cpp


def looked_after_and_cpp(ctx: Context) -> dict[str, ItemResult]:
    p = children_on_plan_at_r(ctx)
    p = p.select("la_code", "la_child_id").distinct()
    c = looked_after_at_r(ctx)
    c = c.select(_la=c.la_code, _child=c.la_child_id)
    j = p.left_join(c, [p.la_code == c._la, p.la_child_id == c._child])
    rows = ctx.per_la(j.group_by("la_code").aggregate(n=j.count(), both=count_if(j._child.notnull())))
    out = {}
    for la in ctx.las:
        n, both = count_of(rows[la].get("n")), count_of(rows[la].get("both"))
        missing = loaded_note(ctx, la)
        out[la] = ItemResult(id="looked_after_and_cpp", unit="count", value=None if missing else both,
                             reason=missing, numerator=None if missing else both, denominator=n,
                             figures={"percent": None if missing else percent(both, n), "children_on_plan": n})
    return out


# ---------------------------------------------------------------- s47_to_icpc_conversion


def s47_to_icpc_conversion(ctx: Context) -> dict[str, ItemResult]:
    s = ctx.t.section47
    s = s.filter(ctx.in_year(s.start_date))
    rows = ctx.per_la(s.group_by("la_code").aggregate(n=s.count(), icpc=count_if(s.icpc_date.notnull())))
    c = initial_conferences(ctx)  # counted exactly as for icpc_rate
    conf = ctx.per_la(c.group_by("la_code").aggregate(n=c.count()))
    out = {}
    for la in ctx.las:
        n, icpc = count_of(rows[la].get("n")), count_of(rows[la].get("icpc"))
        conferences = count_of(conf[la].get("n"))
        out[la] = ItemResult(
            id="s47_to_icpc_conversion", unit="percent", value=percent(icpc, n),
            reason=None if n else "no section 47 enquiries started in the year",
            numerator=icpc, denominator=n, count=n,
            figures={"crude": percent(conferences, n), "conferences": conferences},
        )
    return out


ITEMS = {
    "rereferral_after_cpp_12m": rereferral_after_cpp_12m,
    "rereferral_after_cpp_24m": rereferral_after_cpp_24m,
    "cpp_lasting_2y": cpp_lasting_2y,
    "cpp_repeat": cpp_repeat,
    "cpp_rate": cpp_rate,
    "cpp_end_outcome": cpp_end_outcome,
    "further_s47_after_cpp": further_s47_after_cpp,
    "looked_after_and_cpp": looked_after_and_cpp,
    "s47_to_icpc_conversion": s47_to_icpc_conversion,
}
