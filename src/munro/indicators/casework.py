"""The items over an LA's own casework records (definitions.md section 2, "Items that need data
beyond the CIN census"): visits, core group meetings and social worker allocations
(docs/local-data.md gives their CSV layouts).

Each is registered with its metadata by ``@item`` (``registry.py``), in definitions.md
order, and computes every period of the context in one pass, grouped by LA and period.
Each needs the LA's records of its kind for the period's reporting year (``ctx.has_local``);
without them it is None with a reason. The queries run either way, so that
``--show-sql`` prints them. Children are matched to the census by LA and child ID.

- ``child_seen_per_cpp``: for each plan open in the period, the checkpoints are the plan's
  start, every visit at which the child was seen while the plan was open, and the plan's
  end (or the period's end R, 31 March for a reporting year, when it is still open). A gap
  between consecutive checkpoints longer than the visiting standard
  (``ctx.visiting_standard`` working days, 10 by default) that ends in the period is a
  lapse; a child is seen as the plan requires when none of their plans has a lapse. A gap
  that ended before the period belongs to an earlier period's figure.
  A plan whose end date is before its start date is a negative span: it is left out and
  counted in ``excluded`` (plans, not children: a child with another plan is still counted).
- ``icpc_to_core_group``: for each plan starting in the period (a plan starts at the initial
  conference that decides it, so the plan's start date is the conference's date), the
  working days to its first core group meeting. A meeting dated before the conference
  is a negative span, whatever its working days: the plan is excluded and counted in ``excluded``.
- ``sw_changes``: children in need at R, 31 March for a reporting year (as ``cin_rate`` counts
  them), with 3 or more different social workers allocated at some time in the 12 months up to
  R (the period), and the same for children on a plan at R.

Negative spans are told by their dates (``context.span``), never by a working-day count.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from ..localdata.layouts import CORE_GROUPS, CP_VISITS, SW_ALLOCATIONS
from .context import Context, Key, count_if, flag, percentiles, span
from .plans import children_on_plan_at_r
from .registry import REGISTER, item
from .result import ItemResult, clean, count_of, percent

CORE_GROUP_STANDARD = 10  # working days from the conference to the first core group (definitions.md)
WORKERS = 3  # sw_changes: this many different social workers or more


def _per_key(ctx: Context, item: str, kind: str, what: str,
             build: Callable[[Key], ItemResult]) -> dict[Key, ItemResult]:
    """``build(key)`` for each (LA, period) whose records of ``kind`` for the period's reporting years are
    loaded; the others None with a reason (``what`` the records are, ``{at}`` in it the period's end)."""
    out = {}
    for key in ctx.keys:
        la, p = key
        if ctx.has_local(la, kind, p):
            out[key] = build(key)
        else:
            out[key] = ItemResult.missing(item, "percent", (
                f"needs {what.format(at=p.end_words)} for {p.years_words} (the {kind} layout, loaded with "
                "munro ingest), "
                "which the CIN census does not collect"))
    return out


# ---------------------------------------------------------------- child_seen_per_cpp


def plans_open_in_period(ctx: Context) -> ir.Table:
    """Plans open at some time in each period (started by its end R, not ended before its start), once per
    such period, with 0/1 ``excluded`` when the plan's end date is before its start date."""
    p = ctx.over(ctx.t.cp_plans)
    p = p.filter((p.start_date <= p.p_end) & (p.end_date.isnull() | (p.end_date >= p.p_start)))
    return p.mutate(excluded=flag(span(p.start_date, p.end_date).excluded))


PLAN = ("la_code", "la_child_id", "referral_date", "start_date")  # a plan, as the merged history keys it


def plan_checkpoints(ctx: Context) -> ir.Table:
    """Each plan's checkpoints whatever the period (``PLAN`` and ``point``): its start and every visit at which
    the child was seen from its start to its recorded end, each with the checkpoint before (``previous``:
    NULL for the start) and after (``next``: NULL for the last), and the working days from the one before
    (``gap``).

    Computed once for every period: a period's checkpoints are those up to its ``stop`` (the plan's end as
    known at R, or R) followed by ``stop`` itself, so its gaps are these up to ``stop`` and one last gap
    from the checkpoint before ``stop`` (``visit_gaps``)."""
    p = ctx.t.cp_plans
    p = p.select(*PLAN, "end_date")
    v = ctx.t.cp_visits
    v = v.filter(v.seen == 1).select(_la=v.la_code, _child=v.la_child_id, visit=v.visit_date)
    seen = p.inner_join(v, [p.la_code == v._la, p.la_child_id == v._child, v.visit >= p.start_date,
                            p.end_date.isnull() | (v.visit <= p.end_date)])
    points = ibis.union(p.select(*PLAN, point=p.start_date), seen.select(*PLAN, point=seen.visit), distinct=False)
    w = ibis.window(group_by=[points[k] for k in PLAN], order_by=[points.point])
    points = points.mutate(previous=points.point.lag().over(w), next=points.point.lead().over(w))
    return ctx.with_working_days(points, "previous", "point", "gap")


def visit_gaps(ctx: Context, open_plans: ir.Table) -> ir.Table:
    """(la_code, period, la_child_id, lapse, lapses) for the gaps between consecutive checkpoints of each plan
    open in each period (``open_plans``, from ``plans_open_in_period``) and not excluded: one row per plan,
    period and checkpoint that ends a gap longer than the standard in the period (a visit from the period's
    start to the plan's ``stop``: the plan's end, or R while it is open) or that is the last at or before
    ``stop``. ``lapses`` counts the lapses the row ends: its own gap's, and the last gap's, from the
    checkpoint to ``stop``, whatever its length, when that gap is too long and ``stop`` is in the period;
    ``lapse`` is 1 when it ends any.

    One join of the plans to their checkpoints for both kinds of row, so that the checkpoints (a window over
    every plan's visits, working days) are computed once per query, not once per kind."""
    p = open_plans.filter(open_plans.excluded == 0)
    plans = p.select(*PLAN, *ctx.by[1:], "p_start", stop=ibis.least(p.end_date.fill_null(p.p_end), p.p_end))
    c = plan_checkpoints(ctx)
    c = c.select(**{f"_{k}": c[k] for k in PLAN}, point=c.point, next=c.next, long=c.gap > ctx.visiting_standard)
    same = [plans[k] == c[f"_{k}"] for k in PLAN]
    # a gap too long ending at a visit in the period, up to the plan's stop
    ends_lapse = c.long & (c.point >= plans.p_start)
    # the checkpoint at or before the stop whose next is after it (or has none): the last gap starts there
    is_last = c.next.isnull() | (c.next > plans.stop)
    j = plans.inner_join(c, [*same, c.point <= plans.stop, ends_lapse | is_last])
    j = ctx.with_working_days(j, "point", "stop", "gap")
    own = flag(j.long & (j.point >= j.p_start))
    last = flag((j.next.isnull() | (j.next > j.stop)) & (j.gap > ctx.visiting_standard) & (j.stop >= j.p_start))
    return j.select(*ctx.by, "la_child_id", lapse=ibis.greatest(own, last).cast("int64"),
                    lapses=(own + last).cast("int64"))


@item(
    id="child_seen_per_cpp",
    title="Children on a plan seen by the lead social worker as the plan requires",
    section="activity",
    source="CIN census and the authority's records of visits (docs/local-data.md)",
    needs=("visit records",),
    framework_item=(
        "Percentage of cases where the lead social worker has seen a child/young person in "
        "accordance with their Child Protection Plan."
    ),
    framework_source="CIN Census (Requiring major changes to CIN Census)",
    rationale=(
        "It is crucial that the child is seen (alone when appropriate) by the lead social "
        "worker in accordance with the CP Plan: the child should be spoken and listened to "
        "and their wishes and feelings ascertained (in accordance with their age and "
        "understanding). worst failures have occurred when social workers have lost "
        "sight of the child."
    ),
    rationale_quoted=True,
    unit="percent",
    polarity="higher_better",
    polarity_reason="The framework holds it crucial that the child is seen as the plan requires.",
    comparability="munro",
    headline="percent of children on a plan in the year seen as often as the visiting standard requires",
    definition=(
        "Of children with a child protection plan open at any time in the year, the percent seen by the "
        "lead social worker as the plan requires: measured from the start of the plan, no gap between "
        "visits while the plan was open was longer than the visiting standard, 10 working days unless "
        "the authority sets another (munro indicators --visiting-standard). The gaps run from the plan's "
        "start to each visit at which the child was seen, and from the last to the plan's end (or to 31 "
        "March while it is open); a gap longer than the standard that ends in the year is a lapse "
        "(counted in `lapses`), one that ended before the year belongs to an earlier year. Also "
        "`visits_seen` (visits in the year at which the child was seen) and `seen_alone` (the percent "
        "of those, where recorded, at which the child was seen alone). A plan whose end date is before "
        "its start date is left out and counted in `excluded` (a number of plans: a child with another "
        "plan is still counted). Needs the authority's records "
        "of visits for the year (the cp-visits layout, aligned with the Standard Safeguarding Dataset), "
        "which the CIN census does not collect; without them the value is null with a reason."
    ),
    figures=("numerator", "denominator", "excluded"),
    framework_differences=(
        "The framework expected this to come from the CIN census after \"major changes\" to it; the "
        "census does not collect visits, so the item needs the authority's own records, and the "
        "10-working-day standard is munro's default rather than the framework's."
    ),
    key_questions=(
        "How do you know whether children and young people engaged with children's social care services "
        "feel that their wishes and feelings are considered by the professionals involved in their case "
        "and that they understand what is happening and why?",
    ),
)
def child_seen_per_cpp(ctx: Context) -> dict[Key, ItemResult]:
    p = plans_open_in_period(ctx)
    g = visit_gaps(ctx, p)
    per_child = g.group_by([*ctx.by, "la_child_id"]).aggregate(lapse=g.lapse.max(), lapses=g.lapses.sum())
    rows = ctx.per_key(per_child.group_by(ctx.by).aggregate(
        n=per_child.count(), seen=count_if(per_child.lapse == 0), lapses=per_child.lapses.sum()))
    bad = ctx.per_key(p.group_by(ctx.by).aggregate(excluded=p.excluded.sum()))
    v = ctx.during(ctx.t.cp_visits, "visit_date")
    v = v.filter(v.seen == 1)
    alone = ctx.per_key(v.group_by(ctx.by).aggregate(
        visits=v.count(), alone=count_if(v.seen_alone == 1), recorded=count_if(v.seen_alone.notnull())))

    def build(key: Key) -> ItemResult:
        n, ok, a = count_of(rows[key].get("n")), count_of(rows[key].get("seen")), alone[key]
        return ItemResult(
            id="child_seen_per_cpp", unit="percent", value=percent(ok, n),
            reason=None if n else f"no child protection plans were open {key.period.in_words}",
            numerator=ok, denominator=n, count=n, excluded=count_of(bad[key].get("excluded")),
            figures={"visiting_standard": ctx.visiting_standard, "lapses": count_of(rows[key].get("lapses")),
                     "visits_seen": count_of(a.get("visits")),
                     "seen_alone": percent(count_of(a.get("alone")), count_of(a.get("recorded")))},
        )

    return _per_key(ctx, "child_seen_per_cpp", CP_VISITS.kind,
                   "visit records (the dates the lead social worker saw each child on a plan)", build)


# ---------------------------------------------------------------- icpc_to_core_group


def first_core_groups(ctx: Context) -> ir.Table:
    """Plans starting in each period, each with its first core group meeting (``first``, NULL when none is
    recorded) and the working days to it (``wd``; a meeting dated before the conference is a negative span
    even where ``wd`` is 0: ``context.span``)."""
    plan = [*ctx.by, "la_child_id", "referral_date", "start_date"]
    p = ctx.during(ctx.t.cp_plans, "start_date").select(*plan, "p_cut")
    g = ctx.t.core_groups
    g = g.select(_la=g.la_code, _child=g.la_child_id, _plan=g.plan_start_date, meeting=g.meeting_date)
    j = ctx.known(p.left_join(g, [p.la_code == g._la, p.la_child_id == g._child, p.start_date == g._plan]),
                  "meeting")
    first = j.group_by(plan).aggregate(first=j.meeting.min())
    return ctx.with_working_days(first, "start_date", "first", "wd")


@item(
    id="icpc_to_core_group",
    title="Working days from initial child protection conference to first core group meeting",
    section="timeliness",
    source="CIN census and the authority's records of core group meetings (docs/local-data.md)",
    needs=("core group dates",),
    framework_item=None,
    framework_source=None,
    rationale=(
        "Not a nationally collected item: it measures the framework's local question \"How do you know "
        "that the time from Initial Child Protection Conference to the first core group meeting is "
        "reasonable and appropriate for the child's safety and welfare?\" against a standard of 10 "
        "working days set by definitions.md."
    ),
    rationale_quoted=False,
    unit="percent",
    polarity="higher_better",
    polarity_reason=(
        "A first core group meeting soon after the conference means work on the child protection plan "
        "starts sooner."
    ),
    comparability="munro",
    headline="percent of first core group meetings held within 10 working days of the initial conference",
    definition=(
        "The number of working days from an initial child protection conference to the first core group "
        "meeting, and the percent of first core group meetings held within 10 working days of the "
        "conference. The conferences are those that started a child protection plan in the year: a plan "
        "starts at the conference that decides it, so the plan's start date is the conference's date, "
        "and a meeting belongs to the plan whose start date it names. A plan whose end date (its first "
        "meeting) is before its start date (the conference) is left out and counted in `excluded`, even "
        "when no working day lies between them; plans with no meeting recorded are counted "
        "in `no_meeting_recorded`. Also the 25th percentile, median and 75th percentile of working days. "
        "Needs the dates of core group meetings for the year (the core-groups layout of "
        "docs/local-data.md), which the CIN census does not collect; without them the value is null "
        "with a reason."
    ),
    figures=("numerator", "denominator", "excluded"),
    key_questions=(
        "How do you know that the time from Initial Child Protection Conference to the first core group "
        "meeting is reasonable and appropriate for the child's safety and welfare?",
    ),
)
def icpc_to_core_group(ctx: Context) -> dict[Key, ItemResult]:
    t = first_core_groups(ctx)
    wd = span(t.start_date, t.first, t.wd)
    rows = ctx.per_key(t.group_by(ctx.by).aggregate(
        plans=t.count(), **wd.counts(), within=count_if(wd.value <= CORE_GROUP_STANDARD),
        none=count_if(t.first.isnull()), **percentiles(wd.value)))

    def build(key: Key) -> ItemResult:
        row = rows[key]
        n, within = count_of(row.get("n")), count_of(row.get("within"))
        return ItemResult(
            id="icpc_to_core_group", unit="percent", value=percent(within, n),
            reason=None if n else (f"no first core group meetings of plans that started {key.period.in_words} "
                                   "are recorded"),
            numerator=within, denominator=n, count=n, excluded=count_of(row.get("excluded")),
            figures={"within_10": within, "plans_started": count_of(row.get("plans")),
                     "no_meeting_recorded": count_of(row.get("none")),
                     **{k: clean(row.get(k)) for k in ("p25", "median", "p75")}},
        )

    return _per_key(ctx, "icpc_to_core_group", CORE_GROUPS.kind,
                   "core group dates (the first core group meeting after each initial conference)", build)


# ---------------------------------------------------------------- sw_changes


def workers_in_period(ctx: Context) -> ir.Table:
    """(la_code, period, la_child_id, workers): different social workers allocated at some time in each period."""
    a = ctx.over(ctx.t.sw_allocations)
    a = a.filter((a.start_date <= a.p_end) & (a.end_date.isnull() | (a.end_date >= a.p_start)))
    return a.group_by([*ctx.by, "la_child_id"]).aggregate(workers=a.worker_id.nunique())


def _with_workers(ctx: Context, cin: ir.Table, cpp: ir.Table) -> ir.Table:
    """The children in need (``cin``) and on a plan (``cpp``), each (la_code, period, la_child_id), counted
    (``n``, ``cpp_n``) with those with ``WORKERS`` or more in the period (``many``, ``cpp_many``), per LA and
    period: one query, so that each child's workers are counted once for both."""
    kind = "_on_plan"
    children = ibis.union(cin.mutate(**{kind: ibis.literal(0, "int64")}),
                          cpp.mutate(**{kind: ibis.literal(1, "int64")}), distinct=False)
    w = workers_in_period(ctx)
    w = w.select(_la=w.la_code, _period=w.period, _child=w.la_child_id, workers=w.workers)
    j = children.left_join(w, [children.la_code == w._la, children.period == w._period,
                               children.la_child_id == w._child])
    on_plan, many = j[kind] == 1, j.workers >= WORKERS
    return j.group_by(ctx.by).aggregate(n=count_if(~on_plan), many=count_if(~on_plan & many),
                                        cpp_n=count_if(on_plan), cpp_many=count_if(on_plan & many))


@item(
    id="sw_changes",
    title="Children with three or more social workers in 12 months",
    section="workforce",
    source="CIN census and the authority's records of social worker allocations (docs/local-data.md)",
    needs=("social worker allocations",),
    framework_item=None,
    framework_source=None,
    rationale=(
        "Not a national item of the framework. definitions.md lists it with the workforce items; it "
        "bears on the continuity the framework's outcomes section stresses: \"The clear message from "
        "children (and their parents) is that they value continuity in those key relationships.\""
    ),
    rationale_quoted=False,
    unit="percent",
    polarity="lower_better",
    polarity_reason=(
        "Children value continuity in their relationship with their social worker, so fewer changes "
        "is better."
    ),
    comparability="munro",
    headline="percent of children in need at 31 March who had 3 or more social workers in the last 12 months",
    definition=(
        "Of children in need at 31 March (counted as for the rate of children in need), the percent who "
        "had 3 or more different allocated social workers at some time in the 12 months up to 31 March "
        "(the reporting year: an allocation counts when it started on or before 31 March and had not "
        "ended before 1 April); the same percent is given separately for children on a child protection "
        "plan at 31 March (`cpp`, with `cpp_numerator` and `cpp_denominator`). Needs the authority's "
        "records of social worker allocations for the year (the sw-allocations layout, aligned with the "
        "Standard Safeguarding Dataset's involvements), which the CIN census does not collect; without "
        "them the value is null with a reason."
    ),
    figures=("numerator", "denominator"),
    key_questions=("How do you know what children think about changes of social worker?",),
)
def sw_changes(ctx: Context) -> dict[Key, ItemResult]:
    e = ctx.t.episodes
    e = ctx.open_at(e.filter(e.referral_nfa.fill_null(0) != 1), "referral_date", "closure_date")
    p = children_on_plan_at_r(ctx)
    rows = ctx.per_key(_with_workers(ctx, e.select(*ctx.by, "la_child_id").distinct(),
                                     p.select(*ctx.by, "la_child_id").distinct()))

    def build(key: Key) -> ItemResult:
        n, many = count_of(rows[key].get("n")), count_of(rows[key].get("many"))
        pn, pmany = count_of(rows[key].get("cpp_n")), count_of(rows[key].get("cpp_many"))
        return ItemResult(
            id="sw_changes", unit="percent", value=percent(many, n),
            reason=None if n else f"no children were in need at {key.period.end_words}",
            numerator=many, denominator=n, count=n,
            figures={"cpp": percent(pmany, pn), "cpp_numerator": pmany, "cpp_denominator": pn},
        )

    return _per_key(ctx, "sw_changes", SW_ALLOCATIONS.kind, "social worker allocations (each child's allocated "
                   "social workers over the 12 months up to {at})", build)


# id -> computation of this module's items, in the order they are defined (the register's view)
ITEMS = REGISTER.computations(__name__)
