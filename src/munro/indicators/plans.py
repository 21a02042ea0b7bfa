"""Plans items (definitions.md section 2, "Plans"); the items that need casework records
beyond the CIN census are in ``casework.py``.

Each item is a function that takes a :class:`~munro.indicators.context.Context` and
returns ``{Key(la, period): ItemResult}`` for every key of the context, registered with its
metadata by ``@item`` (``registry.py``) in definitions.md order, every LA and period of the
context computed in one query (grouped by ``la_code`` and ``period``). A child protection
plan is identified by (LA, ``LAchildID``, the episode's ``CINreferralDate``,
``CPPstartDate``); a section 47 enquiry likewise by its ``S47ActualStartDate``.

Look-back items (re-referrals after a plan, repeat plans, further enquiries)
use every loaded return of the LA (``ctx.history``); where a return they rely
on is missing the result says so in a ``note`` (or, for the re-referral
cohorts, is None with a reason). The re-referral cohorts are the plans that ended
in the period 12 or 24 months before each period (``ctx.during(..., earlier=)``).
``became_looked_after`` and ``looked_after_and_cpp`` need the period's SSDA903
episodes (``looked_after.py``); without them they are None with a reason.

Pitfalls kept here (see ``context.py``): ``add_months`` is for comparisons
only (DuckDB computes it as a TIMESTAMP), ``ibis.row_number()`` counts from 0,
flags are 0/1 integers, windows are ordered with tie-breakers.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from ..years import year_window
from .activity import RATE_REASON, initial_conferences, rate_result
from .context import Context, Key, add_months, count_if, days_between, flag, span
from .looked_after import care_starts, loaded_note, looked_after_at_r
from .registry import CIN_SOURCE, PER_10K, REGISTER, Compute, LaitMeasure, item
from .result import ItemResult, count_of, percent

# DfE's rule (former NI 64): "more than 729 calendar days including the day of cessation".
TWO_YEARS_DAYS = 729

_Q_PLANS_IMPROVED = "Whether the plans have improved children's outcomes"  # the framework's, quoted
_RE_REFERRAL_DIFFERENCE = (
    "The framework's wording (\"children who have been the subject of child protection plans in the past "
    "12/24 months are re-referred\") can be read in more than one way and has no DfE equivalent; munro "
    "follows the children whose plan ended in one cohort year for the full period."
)


def _missing_year(ctx: Context, la: str, year: int, what: str) -> str | None:
    """A note when the return for ``year`` (earlier than the period's) is not loaded for ``la``."""
    if year in ctx.history.get(la, []):
        return None
    start, end = year_window(year)
    return (f"the {year} return is not loaded: records that began and ended between "
            f"{start.isoformat()} and {end.isoformat()} are missing, so {what} may be undercounted")


# ---------------------------------------------------------------- re-referral after a plan


def _rereferral_item(months: int, cohort: str, example: str) -> Callable[[Compute], Compute]:
    """@item for the re-referrals within ``months`` of a plan ending in ``cohort``."""
    return item(
        id=f"rereferral_after_cpp_{months}m",
        title=f"Re-referrals within {months} months of a child protection plan ending",
        section="plans",
        source="CIN census (the cohort year's return and later ones)",
        needs=(),
        framework_item=(
            "Percentage of cases where children who have been the subject of child protection "
            "plans in the past 12/24 months are re-referred to children's social care"
        ),
        framework_source="CIN Census (Currently in CIN Census)",
        rationale=(
            "Provides an indication of how effectively the original CPP dealt with the initial "
            "child safety/ welfare concerns"
        ),
        rationale_quoted=True,
        unit="percent",
        polarity="lower_better",
        polarity_reason=(
            "A new referral soon after a plan ends suggests the plan did not deal with the concerns that led "
            "to it, so a lower percent is better."
        ),
        comparability="munro",
        headline=f"percent of children re-referred within {months} months of their plan ending",
        definition=(
            f"Of children whose child protection plan ended in {cohort} (for example, for the year "
            f"ending 31 March 2024, plans that ended {example}), the percent referred to children's "
            f"social care again within {months} months of the plan ending. The plans are taken from "
            f"that earlier year so that every child has been followed for the full {months} months by "
            f"31 March. Each child counts once, with the last plan that ended in that year. A child "
            f"counts as re-referred when a referral is dated after the plan's end date and no more "
            f"than {months} months after it. When the return for the cohort year is not loaded the "
            f"value is null with a reason."
        ),
        figures=("numerator", "denominator"),
        framework_differences=_RE_REFERRAL_DIFFERENCE,
        key_questions=(_Q_PLANS_IMPROVED,),
    )


def rereferral_cohort(ctx: Context, months: int) -> ir.Table:
    """One row per child and period whose plan ended in the cohort window (the period ``months`` months
    before: its last such plan), with ``re`` = 1 when the child was referred again after the plan's end
    date and on or before the end date + ``months`` months."""
    p = ctx.during(ctx.t.cp_plans, "end_date", earlier=months)
    # The last plan to end; a tie on the end date goes to the later start, then the later episode.
    w = ibis.window(group_by=[p.la_code, p.period, p.la_child_id],
                    order_by=[ibis.desc(p.end_date), ibis.desc(p.start_date), ibis.desc(p.referral_date)])
    p = p.mutate(_rank=ibis.row_number().over(w))  # counts from 0
    c = p.filter(p._rank == 0).select("la_code", "period", "la_child_id", end=p.end_date)
    e = ctx.t.episodes  # every referral, no-further-action ones included (definitions.md section 1)
    r = e.select(_la=e.la_code, _child=e.la_child_id, _ref=e.referral_date)
    j = c.left_join(r, [c.la_code == r._la, c.la_child_id == r._child, r._ref > c.end,
                        r._ref <= add_months(c.end, months)])
    return j.group_by(["la_code", "period", "la_child_id"]).aggregate(re=flag(j._ref.notnull()).max())


def _rereferral_after_cpp(ctx: Context, months: int) -> dict[Key, ItemResult]:
    item = f"rereferral_after_cpp_{months}m"
    c = rereferral_cohort(ctx, months)
    rows = ctx.per_key(c.group_by(ctx.by).aggregate(n=c.count(), re=c.re.sum()))
    out = {}
    for key in ctx.keys:
        la, p = key
        w = p.earlier(months)  # the cohort's window, as rereferral_cohort takes it
        w_start, w_end, cohort_year = w.start.isoformat(), w.end.isoformat(), w.year
        cohort = {"cohort_year": cohort_year, "cohort_start": w_start, "cohort_end": w_end}
        lacking = [str(y) for y in w.years if y not in ctx.history.get(la, [])]
        if lacking:
            out[key] = ItemResult(id=item, unit="percent", value=None, figures=cohort,
                                  reason=(f"needs the {' and '.join(lacking)} return{'s' * (len(lacking) > 1)} "
                                          f"(plans that ended between {w_start} and {w_end})"))
            continue
        n, re = count_of(rows[key].get("n")), count_of(rows[key].get("re"))
        # Referrals made and closed inside a follow-up year are only in that year's return.
        notes = [_missing_year(ctx, la, y, "re-referrals") for y in range(cohort_year + 1, p.year)]
        noted = [x for x in notes if x]
        out[key] = ItemResult(id=item, unit="percent", value=percent(re, n),
                              reason=None if n else (f"no child protection plans ended between "
                                                     f"{w_start} and {w_end}"),
                              numerator=re, denominator=n, count=n, figures=cohort,
                              note="; ".join(noted) or None)
    return out


@_rereferral_item(12, "the previous reporting year", "between 1 April 2022 and 31 March 2023")
def rereferral_after_cpp_12m(ctx: Context) -> dict[Key, ItemResult]:
    return _rereferral_after_cpp(ctx, 12)


@_rereferral_item(24, "the reporting year before the previous one", "between 1 April 2021 and 31 March 2022")
def rereferral_after_cpp_24m(ctx: Context) -> dict[Key, ItemResult]:
    return _rereferral_after_cpp(ctx, 24)


# ---------------------------------------------------------------- cpp_lasting_2y


@item(
    id="cpp_lasting_2y",
    title="Child protection plans lasting two years or more",
    section="plans",
    source="CIN census",
    needs=(),
    framework_item="Percentage of Child Protection Plans lasting two years or more",
    framework_source=CIN_SOURCE,
    rationale="Provides an indication of case drift/issues not being resolved",
    rationale_quoted=True,
    unit="percent",
    polarity="lower_better",
    polarity_reason=(
        "A plan lasting two years or more suggests drift or concerns not being resolved, though it "
        "should be read with cpp_repeat, since ending plans too soon can lead to repeat plans."
    ),
    comparability="dfe",
    headline="percent of child protection plans ending in the year that had lasted two years or more",
    definition=(
        "Of child protection plans that ended in the year, the percent that had lasted two years or "
        "more; a child whose plan ended twice in the year counts twice. Following DfE's rule, inherited "
        "from the former national indicator 64, a plan lasted two years or more when it covered more "
        "than 729 days counting both its first and its last day, that is when its end date is at least "
        "729 days after its start date. A plan whose end date is before its start date is left out and "
        "counted in `excluded`. Also `open_2y`: of plans open at 31 March, the percent that had "
        "started at least 729 days before 31 March."
    ),
    figures=("numerator", "denominator", "open_2y", "excluded"),
    framework_differences=(
        "The framework does not say whether plans are counted when they end or while they are open: the "
        "headline counts plans ending in the year, as DfE does, and `open_2y` counts plans open at 31 "
        "March."
    ),
    key_questions=(_Q_PLANS_IMPROVED,),
    lait=(
        LaitMeasure("CPPlans2yrs", "value", "percent"),
        LaitMeasure("CPPlans2yrsActive", "open_2y", "percent"),
    ),
)
def cpp_lasting_2y(ctx: Context) -> dict[Key, ItemResult]:
    p = ctx.t.cp_plans
    ended = ctx.during(p, "end_date")  # each plan: a child ending two plans counts twice
    days = span(ended.start_date, ended.end_date, days_between(ended.start_date, ended.end_date))
    rows = ctx.per_key(ended.group_by(ctx.by).aggregate(**days.counts(), long=count_if(days.value >= TWO_YEARS_DAYS)))
    open_ = ctx.open_at(p, "start_date", "end_date")
    open_days = days_between(open_.start_date, open_.p_end)
    open_rows = ctx.per_key(open_.group_by(ctx.by).aggregate(
        n=open_.count(), long=count_if(open_days >= TWO_YEARS_DAYS)))
    out = {}
    for key in ctx.keys:
        n, long, bad = (count_of(rows[key].get(k)) for k in ("n", "long", "excluded"))
        on, olong = count_of(open_rows[key].get("n")), count_of(open_rows[key].get("long"))
        out[key] = ItemResult(
            id="cpp_lasting_2y", unit="percent", value=percent(long, n),
            reason=None if n else f"no child protection plans ended {key.period.in_words}",
            numerator=long, denominator=n, count=n, excluded=bad,
            figures={"open_2y": percent(olong, on), "open_2y_count": olong, "open_plans": on},
        )
    return out


# ---------------------------------------------------------------- cpp_repeat


def plan_starts_with_history(ctx: Context) -> ir.Table:
    """Plans starting in each period, one row each per period, with 0/1 ``ever`` (NumberOfPreviousCPP >= 1
    or an earlier plan in the loaded history), ``earlier`` (an earlier plan is loaded) and ``within_2y``
    (a loaded earlier plan ended on or after the start minus 2 years, or has no end recorded)."""
    p = ctx.t.cp_plans
    new = ctx.during(p, "start_date")
    new = new.select("la_code", "period", "la_child_id", "referral_date", "start_date",
                     prev=new.previous_cpp_count.fill_null(0))
    old = p.select(_la=p.la_code, _child=p.la_child_id, _start=p.start_date, _end=p.end_date)
    j = new.left_join(old, [new.la_code == old._la, new.la_child_id == old._child, old._start < new.start_date])
    found = j._start.notnull()
    recent = found & (j._end.isnull() | (j._end >= add_months(j.start_date, -24)))
    per_plan = j.group_by(["la_code", "period", "la_child_id", "referral_date", "start_date"]).aggregate(
        prev=j.prev.max(), earlier=flag(found).max(), within_2y=flag(recent).max())
    return per_plan.mutate(ever=flag((per_plan.prev >= 1) | (per_plan.earlier == 1)))


@item(
    id="cpp_repeat",
    title="Child protection plans that are a second or subsequent plan",
    section="plans",
    source="CIN census (earlier returns for `within_2y`)",
    needs=(),
    framework_item=(
        "Percentage of children becoming the subject of Child Protection Plan for a second or "
        "subsequent time (within two years)"
    ),
    framework_source=CIN_SOURCE,
    rationale="Provides an indication of the effectiveness of the original child protection plan",
    rationale_quoted=True,
    unit="percent",
    polarity="lower_better",
    polarity_reason=(
        "A second plan suggests the first did not bring lasting change, so a lower percent is better, "
        "read alongside cpp_lasting_2y."
    ),
    comparability="dfe",
    munro_figures=("within_2y",),
    comparability_note=(
        "The headline counts a previous plan however long ago, as DfE's published measure does."
    ),
    headline="percent of child protection plans starting in the year that are a second or subsequent plan",
    definition=(
        "Of child protection plans that started in the year, the percent that are a second or subsequent "
        "plan for the child: the return records one or more previous plans, or an earlier plan for the "
        "same child is in the returns loaded. This counts a previous plan however long ago it was, and is "
        "the headline. Also `within_2y`: the percent whose previous plan, found in the returns loaded, "
        "ended on or after the date two years before the new plan started; it can only see as far back "
        "as the returns loaded go."
    ),
    figures=("numerator", "denominator", "within_2y"),
    framework_differences=(
        "The framework asks for a second or subsequent plan \"(within two years)\"; the headline is DfE's "
        "measure, which has no time limit, and the framework's two-year reading is the figure "
        "`within_2y`."
    ),
    key_questions=(_Q_PLANS_IMPROVED,),
    lait=(
        LaitMeasure("PrevRegCPR", "value", "percent"),
        LaitMeasure("ReRegCPR", "numerator", "count"),
    ),
)
def cpp_repeat(ctx: Context) -> dict[Key, ItemResult]:
    s = plan_starts_with_history(ctx)
    rows = ctx.per_key(s.group_by(ctx.by).aggregate(
        n=s.count(), ever=s.ever.sum(), within=s.within_2y.sum(),
        by_count=count_if(s.prev >= 1), by_history=s.earlier.sum()))
    out = {}
    for key in ctx.keys:
        la, p = key
        n, ever, within = (count_of(rows[key].get(k)) for k in ("n", "ever", "within"))
        out[key] = ItemResult(
            id="cpp_repeat", unit="percent", value=percent(ever, n),
            reason=None if n else f"no child protection plans started {key.period.in_words}",
            numerator=ever, denominator=n, count=n,
            figures={"within_2y": percent(within, n), "within_2y_count": within,
                     "by_previous_cpp_count": count_of(rows[key].get("by_count")),
                     "by_loaded_history": count_of(rows[key].get("by_history"))},
            note=_missing_year(ctx, la, p.first_year - 1, "earlier plans (and within_2y)"),
        )
    return out


# ---------------------------------------------------------------- cpp_rate


def children_on_plan_at_r(ctx: Context) -> ir.Table:
    """Plans open at each period's end R, once per such period (a child may have two)."""
    return ctx.open_at(ctx.t.cp_plans, "start_date", "end_date")


@item(
    id="cpp_rate",
    title="Children subject of a child protection plan (rate per 10,000)",
    section="plans",
    source="CIN census",
    needs=(),
    framework_item=(
        "Number of children who are the subject of a Child Protection Plan (rate per 10,000 population)"
    ),
    framework_source=CIN_SOURCE,
    rationale="Provides a comparable measure of numbers of CPPs",
    rationale_quoted=True,
    unit="per_10k",
    polarity="neither",
    polarity_reason=RATE_REASON,
    comparability="dfe",
    headline=f"children with a child protection plan open at 31 March {PER_10K}",
    definition=(
        f"Children with a child protection plan open at 31 March, {PER_10K} in the authority. Also "
        f"`count`, the number of children."
    ),
    figures=("count",),
    lait=(
        LaitMeasure("CPP_Num", "count", "count"),
        LaitMeasure("CPP_rate", "value", "per_10k"),
    ),
)
def cpp_rate(ctx: Context) -> dict[Key, ItemResult]:
    p = children_on_plan_at_r(ctx)
    rows = ctx.per_key(p.group_by(ctx.by).aggregate(n=p.la_child_id.nunique()))
    return {key: rate_result(ctx, "cpp_rate", key, count_of(rows[key].get("n"))) for key in ctx.keys}


# ---------------------------------------------------------------- cpp_end_outcome


def plan_ends_with_closure(ctx: Context) -> ir.Table:
    """Plans ending in each period with ``cin_closed`` = 1 when their episode closed on the end date or
    within 1 working day after it (working days through the calendar join), and ``excluded`` = 1 when
    the episode closed on a date before the plan's end date (a negative span, whatever its working days)."""
    p = ctx.during(ctx.t.cp_plans, "end_date")
    p = p.select("la_code", "period", "p_cut", "la_child_id", "referral_date", "start_date", "end_date")
    e = ctx.t.episodes
    e = e.select(_la=e.la_code, _child=e.la_child_id, _ref=e.referral_date, closure=e.closure_date)
    j = p.left_join(e, [p.la_code == e._la, p.la_child_id == e._child, p.referral_date == e._ref])
    j = ctx.known(j.select("la_code", "period", "p_cut", "la_child_id", "referral_date", "start_date", "end_date",
                           "closure"), "closure")
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
    j = ctx.with_working_days(ctx.known(j.drop("_la", "_child"), "care_start"), "end_date", "care_start", "care_wd")
    j = j.mutate(care=flag(j.care_wd.abs() <= 1))
    return j.group_by(["la_code", "period", "la_child_id", "referral_date", "start_date"]).aggregate(
        cin_closed=j.cin_closed.max(), looked_after=j.care.max(), excluded=j.excluded.max())


@item(
    id="cpp_end_outcome",
    title="Child protection plans ending with the case closed or the child looked after",
    section="plans",
    source="CIN census and looked-after episodes",
    needs=("looked-after episodes (for `became_looked_after`)",),
    framework_item=(
        "Percentage of CPPs that close where the CIN case also closes or the child becomes looked after"
    ),
    framework_source=CIN_SOURCE,
    rationale="To provide a continued support and effectiveness of the plan",
    rationale_quoted=True,
    unit="percent",
    polarity="neither",
    polarity_reason=(
        "The endings it adds together mean different things (the case closed, or the child taken into "
        "care), and stepping down to support as a child in need can be the right ending, so the parts "
        "matter more than the total."
    ),
    comparability="munro",
    headline=(
        "percent of child protection plans ending in the year where the episode of need also closed or "
        "the child became looked after"
    ),
    definition=(
        "Of child protection plans that ended in the year, the percent where the child's episode of need "
        "also closed, on the plan's end date or within 1 working day after it (`cin_closed`), or the "
        "child became looked after, with a period of care starting within 1 working day before or after "
        "the plan's end date (`became_looked_after`: an SSDA903 episode whose reason for new episode is "
        "S, started to be looked after, short breaks not counted). Whether a child became looked after "
        "is known only when the year's looked-after episodes are loaded (docs/local-data.md); without "
        "them `became_looked_after` is null with a "
        "reason, the headline counts `cin_closed` alone and a `note` says so. Also `stepped_down`: the "
        "number of plans that ended with the child still in need and not looked after. A plan whose "
        "episode's end date (closure) is before the plan's end date, the start of the span measured, is "
        "left out and counted in `excluded`, even when no working day lies between them (the episode "
        "closed on a Saturday, the plan ended on the Sunday after)."
    ),
    figures=("cin_closed", "became_looked_after", "stepped_down", "note", "excluded"),
    framework_differences=(
        "The framework gives the CIN census as the source, but the census does not record periods of "
        "care, so whether the child became looked after needs looked-after episodes."
    ),
)
def cpp_end_outcome(ctx: Context) -> dict[Key, ItemResult]:
    t = plan_ends_with_care(ctx)
    ok = t.excluded == 0
    rows = ctx.per_key(t.group_by(ctx.by).aggregate(
        n=count_if(ok), closed=count_if(ok & (t.cin_closed == 1)), care=count_if(ok & (t.looked_after == 1)),
        either=count_if(ok & ((t.cin_closed == 1) | (t.looked_after == 1))), excluded=count_if(~ok)))
    out = {}
    care: int | None  # None where the looked-after episodes are not loaded
    for key in ctx.keys:
        n, closed, care, either = (count_of(rows[key].get(k)) for k in ("n", "closed", "care", "either"))
        missing = loaded_note(ctx, key)
        if missing:
            either, care = closed, None
        out[key] = ItemResult(
            id="cpp_end_outcome", unit="percent", value=percent(either, n),
            reason=None if n else f"no child protection plans ended {key.period.in_words}",
            numerator=either, denominator=n, count=n, excluded=count_of(rows[key].get("excluded")),
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
    """Section 47 enquiries starting in each period, with ``had_plan`` = 1 when the child had a
    child protection plan (any episode, any loaded return) that ended before the enquiry's start."""
    s = ctx.during(ctx.t.section47, "start_date")
    s = s.select("la_code", "period", "la_child_id", "referral_date", "start_date")
    p = ctx.t.cp_plans
    p = p.select(_la=p.la_code, _child=p.la_child_id, _end=p.end_date)
    j = s.left_join(p, [s.la_code == p._la, s.la_child_id == p._child, p._end < s.start_date])
    return j.group_by(["la_code", "period", "la_child_id", "referral_date", "start_date"]).aggregate(
        had_plan=flag(j._end.notnull()).max())


@item(
    id="further_s47_after_cpp",
    title="Section 47 enquiries for children who had a previous child protection plan",
    section="plans",
    source="CIN census (earlier returns for previous plans)",
    needs=(),
    framework_item="Children with a previous CPP subject to a further S47 enquiry",
    framework_source=CIN_SOURCE,
    rationale=(
        "To understand whether the plan addressed the child's safety and resulted in "
        "sustained change in the parents' capacity to keep their child safe."
    ),
    rationale_quoted=True,
    unit="percent",
    polarity="lower_better",
    polarity_reason=(
        "A further enquiry suggests the earlier plan did not bring sustained change in the parents' "
        "capacity to keep the child safe."
    ),
    comparability="munro",
    headline="percent of section 47 enquiries starting in the year for a child who had an earlier plan",
    definition=(
        "Of section 47 enquiries that started in the year, the percent for a child who had an earlier "
        "child protection plan that ended before the enquiry started, as far back as the returns loaded "
        "go. Also `count`, the number of such enquiries."
    ),
    figures=("count",),
    key_questions=(_Q_PLANS_IMPROVED,),
)
def further_s47_after_cpp(ctx: Context) -> dict[Key, ItemResult]:
    s = s47_with_earlier_plan(ctx)
    rows = ctx.per_key(s.group_by(ctx.by).aggregate(n=s.count(), had=s.had_plan.sum()))
    out = {}
    for key in ctx.keys:
        la, p = key
        n, had = count_of(rows[key].get("n")), count_of(rows[key].get("had"))
        out[key] = ItemResult(
            id="further_s47_after_cpp", unit="percent", value=percent(had, n),
            reason=None if n else f"no section 47 enquiries started {key.period.in_words}",
            numerator=had, denominator=n, figures={"count": had},
            note=_missing_year(ctx, la, p.first_year - 1, "earlier plans"),
        )
    return out


# ---------------------------------------------------------------- looked_after_and_cpp


@item(
    id="looked_after_and_cpp",
    title="Children both looked after and subject of a child protection plan",
    section="plans",
    source="CIN census and looked-after episodes",
    needs=("looked-after episodes",),
    framework_item="Children who are both looked after and have a CPP",
    framework_source=CIN_SOURCE,
    rationale=(
        "Children who are Looked After should be safe and therefore it should only be "
        "exceptional cases that they should also be the subject of a CP Plan"
    ),
    rationale_quoted=True,
    unit="count",
    polarity="lower_better",
    polarity_reason=(
        "Children who are looked after should be safe, so only exceptional cases should also need a "
        "child protection plan."
    ),
    comparability="munro",
    headline="number of children on a child protection plan at 31 March who are also looked after",
    definition=(
        "The number of children with a child protection plan open at 31 March who are also looked after "
        "at 31 March. Also `percent`: these children as a percent of all children on a plan at 31 March. "
        "A child is looked after when an episode of the SSDA903 return is open on the day, matched to "
        "the CIN census by the child's identifier; as in DfE's statistics of children looked after, "
        "episodes under an agreed series of short-term placements (legal status V3, V4) are not "
        "counted. Needs the year's looked-after episodes (the SSDA903 episodes file, docs/local-data.md); "
        "without them the value is null with a reason."
    ),
    figures=("percent",),
    framework_differences=(
        "The framework gives the CIN census as the source, but the census does not record periods of "
        "care, so the item needs looked-after episodes."
    ),
)
def looked_after_and_cpp(ctx: Context) -> dict[Key, ItemResult]:
    p = children_on_plan_at_r(ctx)
    p = p.select("la_code", "period", "la_child_id").distinct()
    c = looked_after_at_r(ctx)
    c = c.select(_la=c.la_code, _period=c.period, _child=c.la_child_id)
    j = p.left_join(c, [p.la_code == c._la, p.period == c._period, p.la_child_id == c._child])
    rows = ctx.per_key(j.group_by(ctx.by).aggregate(n=j.count(), both=count_if(j._child.notnull())))
    out = {}
    for key in ctx.keys:
        n, both = count_of(rows[key].get("n")), count_of(rows[key].get("both"))
        missing = loaded_note(ctx, key)
        out[key] = ItemResult(id="looked_after_and_cpp", unit="count", value=None if missing else both,
                              reason=missing, numerator=None if missing else both, denominator=n,
                              figures={"percent": None if missing else percent(both, n), "children_on_plan": n})
    return out


# ---------------------------------------------------------------- s47_to_icpc_conversion


@item(
    id="s47_to_icpc_conversion",
    title="Section 47 enquiries leading to an initial child protection conference",
    section="plans",
    source="CIN census",
    needs=(),
    framework_item="Rate of conversion of Section 47 enquiries to ICPC.",
    framework_source=CIN_SOURCE,
    rationale=(
        "The better the quality of the assessment about whether the child there reasonable "
        "cause to suspect that a child is suffering or likely to suffer significant harm "
        "prior to deciding to initiate Section 47 enquiries, the more likely it will be that "
        "these enquiries led to a ICPC."
    ),
    rationale_quoted=True,
    unit="percent",
    polarity="neither",
    polarity_reason=(
        "The framework reads a higher rate as better judgement before starting enquiries, but a high "
        "rate can also mean enquiries are started only in the clearest cases, so it needs context."
    ),
    comparability="munro",
    dfe_figures=("crude",),
    comparability_note=(
        "DfE does not publish a conversion rate: the headline follows each enquiry to its conference "
        "and is munro's own; `crude` is the ratio that can be worked out from DfE's published tables."
    ),
    headline=(
        "percent of section 47 enquiries starting in the year with an initial child protection "
        "conference recorded"
    ),
    definition=(
        "Of section 47 enquiries that started in the year, the percent for which an initial child "
        "protection conference date is recorded. Also `crude`: the initial child protection conferences "
        "held in the year (counted as for `icpc_rate`) as a percent of the section 47 enquiries that "
        "started in the year. The two differ because a conference held in one year may follow an enquiry "
        "that started in the year before."
    ),
    figures=("numerator", "denominator", "crude"),
    key_questions=("Quality of assessments",),
)
def s47_to_icpc_conversion(ctx: Context) -> dict[Key, ItemResult]:
    s = ctx.during(ctx.t.section47, "start_date")
    rows = ctx.per_key(s.group_by(ctx.by).aggregate(n=s.count(), icpc=count_if(s.icpc_date.notnull())))
    c = initial_conferences(ctx)  # counted exactly as for icpc_rate
    conf = ctx.per_key(c.group_by(ctx.by).aggregate(n=c.count()))
    out = {}
    for key in ctx.keys:
        n, icpc = count_of(rows[key].get("n")), count_of(rows[key].get("icpc"))
        conferences = count_of(conf[key].get("n"))
        out[key] = ItemResult(
            id="s47_to_icpc_conversion", unit="percent", value=percent(icpc, n),
            reason=None if n else "no section 47 enquiries started in the year",
            numerator=icpc, denominator=n, count=n,
            figures={"crude": percent(conferences, n), "conferences": conferences},
        )
    return out


# id -> computation of this module's items, in the order they are defined (the register's view)
ITEMS = REGISTER.computations(__name__)
