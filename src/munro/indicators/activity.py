"""Activity items (definitions.md section 2, "Activity").

Each item is a function that takes a :class:`~munro.indicators.context.Context` and
returns ``{Key(la, period): ItemResult}`` for every LA and period of the context, computed
in one pass grouped by LA and period, registered with its metadata by ``@item``
(``registry.py``) in definitions.md order. Rates are per 10,000 children aged 0-17 (the
context's population for the LA and the period's reporting year); without a population a
rate is None with a reason, and its counts are still given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir

from .context import Context, Key, add_months, count_if, flag
from .registry import CIN_SOURCE, PER_10K, REGISTER, Compute, LaitMeasure, item
from .result import ItemResult, count_of, per_10k, percent

CPP_CATEGORIES = ("NEG", "PHY", "EMO", "SAB", "MUL")

# referral_source groups: ReferralSource code -> group; any other code (or none) is "other".
SOURCE_GROUPS = {
    "police": ("6",),
    "health": ("3A", "3B", "3C", "3D", "3E", "3F"),
    "schools": ("2A", "2B"),
    "la_services": ("4", "5A", "5B", "5C", "5D"),
    "voluntary": ("8",),
    "individuals": ("1A", "1B", "1C", "1D"),
    "other": (),  # 7, 9, 10 and anything unknown
}

PARENTAL_FACTORS = {
    "mental_health": ("4B",),
    "substance_misuse": ("1B", "2B"),
    "domestic_abuse": ("3B",),
}

NOT_IN_NEED_REASONS = ("RC8", "RC9")

RATE_REASON = (
    "The rate reflects local need and thresholds as much as practice: a high or low rate is not good or "
    "bad in itself and needs context."
)


def _activity_rate(id: str, title: str, *, framework_item: str, rationale: str, headline: str,
                   definition: str, framework_source: str = CIN_SOURCE,
                   lait: tuple[LaitMeasure, ...] = ()) -> Callable[[Compute], Compute]:
    """@item for a count of CIN census events per 10,000 children, benchmarked against DfE's figures."""
    return item(
        id=id,
        title=title,
        section="activity",
        source="CIN census",
        needs=(),
        framework_item=framework_item,
        framework_source=framework_source,
        rationale=rationale,
        rationale_quoted=True,
        unit="per_10k",
        polarity="neither",
        polarity_reason=RATE_REASON,
        comparability="dfe",
        headline=headline,
        definition=definition,
        figures=("count",),
        lait=lait,
    )


def _code(col: ir.StringValue) -> ir.StringValue:
    """A code as loaded, trimmed and upper-cased (codes are compared as text)."""
    return col.strip().upper()


def _no_population(key: Key) -> str:
    la, p = key
    return (f"no 0-17 population for LA {la} in {p.population_year} (mid-{p.population_year - 1}): "
            "give one with a population override")


def rate_result(ctx: Context, item: str, key: Key, count: int, groups: dict[str, dict[str, Any]] | None = None,
                figures: dict[str, Any] | None = None) -> ItemResult:
    """A per-10k item for ``key`` (LA, period): ``value`` = count / population x 10,000, each group's rate
    alike, the population being the LA's in the period's reporting year."""
    pop, pop_figures = ctx.population_of(*key)
    reason = None if pop else (pop_figures.pop("population_reason", None) or _no_population(key))
    if groups is not None:
        groups = {g: {**v, "rate": per_10k(v["count"], pop)} for g, v in groups.items()}
    return ItemResult(
        id=item, unit="per_10k", value=per_10k(count, pop),
        reason=reason,
        numerator=count, denominator=pop, count=count, groups=groups,
        figures={"population": pop, **pop_figures, **(figures or {})},
    )


def _counts(ctx: Context, t: ir.Table, **metrics: ir.Scalar) -> dict[Key, dict[str, Any]]:
    return ctx.per_key(t.group_by(ctx.by).aggregate(**metrics))


def referrals_in_year(ctx: Context) -> ir.Table:
    """Every episode whose referral date is in a period (once per period), no-further-action referrals
    included."""
    return ctx.during(ctx.t.episodes, "referral_date")


def _missing_previous_year(ctx: Context, key: Key, what: str) -> str | None:
    la, p = key
    if p.first_year - 1 in ctx.history.get(la, []):
        return None
    return (f"the {p.first_year - 1} return is not loaded: referrals that closed before "
            f"{p.start.isoformat()} are missing, so {what} may be undercounted")


# ---------------------------------------------------------------- referrals


@item(
    id="referral_rate",
    title="Referrals (rate per 10,000)",
    section="activity",
    source="CIN census",
    needs=(),
    framework_item=None,
    framework_source=None,
    rationale=(
        "Not a national item of the framework. definitions.md includes it as context for the referral "
        "items: the number of referrals from which their percents are taken."
    ),
    rationale_quoted=False,
    unit="per_10k",
    polarity="neither",
    polarity_reason=RATE_REASON,
    comparability="dfe",
    headline=f"referrals in the year {PER_10K}",
    definition=(
        f"Referrals received in the year, including those that led to no further action, {PER_10K}. "
        f"Also `count`, the number of referrals."
    ),
    figures=("count",),
    lait=(
        LaitMeasure("CPP_Total_NumRef", "count", "count"),
        LaitMeasure("CPP_Total_Rateper10,000", "value", "per_10k"),
    ),
)
def referral_rate(ctx: Context) -> dict[Key, ItemResult]:
    r = referrals_in_year(ctx)
    rows = _counts(ctx, r, n=r.count())
    return {key: rate_result(ctx, "referral_rate", key, count_of(rows[key].get("n"))) for key in ctx.keys}


@item(
    id="rereferral_12m",
    title="Re-referrals within 12 months of a previous referral",
    section="activity",
    source="CIN census (the previous year's return for the look-back)",
    needs=(),
    framework_item=None,
    framework_source=None,
    rationale=(
        "Not an item of the framework, which asks only about re-referral after a child protection plan "
        "(rereferral_after_cpp_12m and rereferral_after_cpp_24m). definitions.md adds DfE's general "
        "re-referral measure beside them."
    ),
    rationale_quoted=False,
    unit="percent",
    polarity="lower_better",
    polarity_reason=(
        "A re-referral within a year suggests the earlier response did not resolve the concerns, so a "
        "lower percent is better."
    ),
    comparability="dfe",
    headline="percent of referrals in the year for a child referred in the previous 12 months",
    definition=(
        "DfE's re-referral measure: of referrals received in the year, the percent for a child who had "
        "an earlier referral dated no more than 12 months before this one and before this referral's "
        "date. Two referrals for a child on the same day do not make a re-referral. Referrals early in "
        "the year look back into the previous year, so the result depends on the years of history "
        "loaded, which it states."
    ),
    figures=("numerator", "denominator"),
    lait=(LaitMeasure("ReReferral", "value", "percent"),),
)
def rereferral_12m(ctx: Context) -> dict[Key, ItemResult]:
    e = ctx.t.episodes
    # (la_code, la_child_id, referral_date) is the episode's key: the order is total, and
    # the previous referral is strictly earlier (a same-day duplicate is the same episode).
    # Over the whole history, before the rows are joined to the periods.
    w = ibis.window(group_by=[e.la_code, e.la_child_id], order_by=[e.referral_date])
    e = e.mutate(previous=e.referral_date.lag().over(w))
    r = ctx.during(e, "referral_date")
    rows = _counts(ctx, r, n=r.count(),
                   re=count_if((r.previous < r.referral_date) & (r.previous >= add_months(r.referral_date, -12))))
    out = {}
    for key in ctx.keys:
        n, re = count_of(rows[key].get("n")), count_of(rows[key].get("re"))
        out[key] = ItemResult(id="rereferral_12m", unit="percent", value=percent(re, n),
                              reason=None if n else f"no referrals {key.period.in_words}",
                              numerator=re, denominator=n, count=n,
                              note=_missing_previous_year(ctx, key, "re-referrals"))
    return out


# ---------------------------------------------------------------- assessments, enquiries, conferences


@_activity_rate(
    "assessment_rate", "Assessments (rate per 10,000)",
    framework_item="Rate of assessments per 10,000 population",
    framework_source="CIN Census (Currently in CIN Census)",
    rationale="Provides a comparable measure of throughput",
    headline=f"assessments completed in the year {PER_10K}",
    definition=(
        f"Assessments authorised (completed) in the year, {PER_10K}. Also `count`, the number of "
        f"assessments."
    ),
)
def assessment_rate(ctx: Context) -> dict[Key, ItemResult]:
    a = ctx.during(ctx.t.assessments, "authorisation_date")
    rows = _counts(ctx, a, n=a.count())
    return {key: rate_result(ctx, "assessment_rate", key, count_of(rows[key].get("n"))) for key in ctx.keys}


@_activity_rate(
    "s47_rate", "Section 47 enquiries (rate per 10,000)",
    framework_item="Rate of section 47 enquiries per 10,000 population",
    rationale="Provides a comparable measure of numbers of section 47 enquiries carried out",
    headline=f"section 47 enquiries starting in the year {PER_10K}",
    definition=(
        f"Section 47 enquiries that started in the year, {PER_10K}. Also `count`, the number of "
        f"enquiries."
    ),
    lait=(LaitMeasure("Section_47", "value", "per_10k"),),
)
def s47_rate(ctx: Context) -> dict[Key, ItemResult]:
    s = ctx.during(ctx.t.section47, "start_date")
    rows = _counts(ctx, s, n=s.count())
    return {key: rate_result(ctx, "s47_rate", key, count_of(rows[key].get("n"))) for key in ctx.keys}


def initial_conferences(ctx: Context) -> ir.Table:
    """Distinct (LA, child, date) ``icpc`` of initial conferences, from both places they are recorded,
    once for each period it falls in (with the period's columns: ``ctx.during``)."""
    s, e = ctx.t.section47, ctx.t.episodes
    a = s.select("la_code", "la_child_id", icpc=s.icpc_date)
    b = e.select("la_code", "la_child_id", icpc=e.icpc_date)
    return ctx.during(a.union(b, distinct=True), "icpc")


@_activity_rate(
    "icpc_rate", "Initial child protection conferences (rate per 10,000)",
    framework_item="Rate of ICPCs per 10,000 population",
    rationale="Provides a comparable measure of ICPCs",
    headline=f"initial child protection conferences in the year {PER_10K}",
    definition=(
        f"Initial child protection conferences held in the year, {PER_10K}. A conference is one child "
        f"on one date, whether it is recorded on the section 47 enquiry or on the episode of need, so a "
        f"conference recorded in both places counts once. Also `count`, the number of conferences."
    ),
    lait=(LaitMeasure("ISCP_Conf", "value", "per_10k"),),
)
def icpc_rate(ctx: Context) -> dict[Key, ItemResult]:
    c = initial_conferences(ctx)
    rows = _counts(ctx, c, n=c.count())
    return {key: rate_result(ctx, "icpc_rate", key, count_of(rows[key].get("n"))) for key in ctx.keys}


# ---------------------------------------------------------------- what referrals led to, where they came from


@item(
    id="referral_outcome",
    title="Referrals leading to the provision of a service",
    section="activity",
    source="CIN census",
    needs=(),
    framework_item=(
        "Percentage of referrals/assessments leading to the provision of a social care "
        "service (as defined by the child becoming an open case)"
    ),
    framework_source="CIN Census (Currently collected in CIN census)",
    rationale="Provides data on flow through the children's social care system",
    rationale_quoted=True,
    unit="percent",
    polarity="neither",
    polarity_reason=(
        "A higher share leading to a service can mean partners refer the right children or that "
        "thresholds are low; the framework presents it as flow through the system."
    ),
    comparability="dfe",
    comparability_note=(
        "`nfa` and `not_in_need` follow DfE's published measures; `service` is what remains of the "
        "referrals."
    ),
    headline="percent of referrals in the year that were neither no further action nor assessed as not in need",
    definition=(
        "What happened to the referrals received in the year, as percents of them all: `nfa`, referrals "
        "that led to no further action; `not_in_need`, other referrals whose episode closed after "
        "assessment with no further action or with a referral to early help (closure reasons RC8 and "
        "RC9); and `service`, the rest. The headline is the `service` percent."
    ),
    figures=("nfa", "not_in_need", "service"),
    framework_differences=(
        "The framework defines a service \"as defined by the child becoming an open case\"; `service` here "
        "is every referral that was neither no further action nor closed as not in need after "
        "assessment, so it also includes referrals whose assessment is still under way."
    ),
    lait=(
        LaitMeasure("CIN_Refferals_NFA", "group:nfa", "percent"),
        LaitMeasure("Referrals_AssessedNotNeed", "group:not_in_need", "percent"),
    ),
)
def referral_outcome(ctx: Context) -> dict[Key, ItemResult]:
    r = referrals_in_year(ctx)
    nfa = r.referral_nfa.fill_null(0) == 1
    not_in_need = ~nfa & _code(r.closure_reason).isin(NOT_IN_NEED_REASONS)
    rows = _counts(ctx, r, n=r.count(), nfa=count_if(nfa), not_in_need=count_if(not_in_need))
    out = {}
    for key in ctx.keys:
        n = count_of(rows[key].get("n"))
        counts = {"nfa": count_of(rows[key].get("nfa")), "not_in_need": count_of(rows[key].get("not_in_need"))}
        counts["service"] = n - counts["nfa"] - counts["not_in_need"]
        groups = {g: {"count": c, "percent": percent(c, n)} for g, c in counts.items()}
        out[key] = ItemResult(id="referral_outcome", unit="percent", value=groups["service"]["percent"],
                              reason=None if n else f"no referrals {key.period.in_words}",
                              numerator=counts["service"], denominator=n, count=n, groups=groups)
    return out


def source_group(code: ir.StringValue) -> ir.StringValue:
    """The referral_source group of a ReferralSource code."""
    code = _code(code)
    branches = [(code.isin(codes), name) for name, codes in SOURCE_GROUPS.items() if codes]
    return ibis.cases(*branches, else_="other")


@item(
    id="referral_source",
    title="Referrals by source, and the share of each that led to no further action",
    section="activity",
    source="CIN census",
    needs=(),
    framework_item=(
        "Percentage of referrals to children's social care from: a) The police b) The health "
        "service c) Schools and Early Years settings d) Local authority services e) VCS f) "
        "Other sources and the percentage that result in no further action"
    ),
    framework_source="CIN Census (Requiring major changes to CIN Census)",
    rationale=(
        "Taken together will give an indication of where referrals are coming from and with "
        "the local items on workforce the level of understanding of referral thresholds"
    ),
    rationale_quoted=True,
    unit="percent",
    polarity="neither",
    polarity_reason="A breakdown of where referrals come from: no mix of sources is better or worse in itself.",
    comparability="dfe",
    comparability_note=(
        "Each group's share of referrals can be compared with DfE's published referrals by source, "
        "added up over the same codes; DfE does not publish the no-further-action percent by source."
    ),
    headline="none: a breakdown (`value` is null and `groups` holds the figures)",
    definition=(
        "Referrals received in the year by who made them, in seven groups of referral source codes: "
        "`police` (6), `health` (3A-3F), `schools` (2A schools and 2B education services), "
        "`la_services` (4 housing and 5A-5D local authority services), `voluntary` (8, other, including "
        "children's centres, independent agency providers and voluntary organisations), `individuals` "
        "(1A-1D) and `other` (7 other legal agency, 9 anonymous, 10 unknown, and any code not in the "
        "census list). Each group gives its percent of all referrals and the percent of its own referrals "
        "that led to no further action. There is no single headline: `value` is null and `groups` holds "
        "the figures."
    ),
    figures=("groups",),
    breakdown=("groups", ("police", "health", "schools", "la_services", "voluntary", "individuals", "other")),
    framework_differences=(
        "The framework's groups are the police, the health service, \"Schools and Early Years settings\", "
        "local authority services, the voluntary and community sector (\"VCS\") and other sources. munro "
        "keeps individuals as a group of their own, counts education services with schools and housing "
        "with local authority services, and takes the census's other code (8) as the voluntary group, "
        "although it also covers children's centres and independent agency providers."
    ),
    key_questions=(
        "2) understand agreed children's social care referral thresholds for Section 17 (children in need) "
        "which includes children about whom there are concerns about their safety",
    ),
    lait=(
        LaitMeasure("RefBySource_Police_%", "group:police", "percent"),
        LaitMeasure("RefBySource_HealthServ_%", "group:health", "percent"),
        LaitMeasure("RefBySource_Schl_%", "group:schools", "percent",
                    "(schools only; munro's group adds education services, 2B)"),
    ),
)
def referral_source(ctx: Context) -> dict[Key, ItemResult]:
    e = ctx.t.episodes
    # grouped once per referral, before the join to the periods repeats it in each period it counts in
    r = ctx.during(e.mutate(_group=source_group(e.referral_source)), "referral_date")
    grp, nfa = r._group, r.referral_nfa.fill_null(0) == 1
    rows = _counts(ctx, r, **{m: agg for g in SOURCE_GROUPS for m, agg in (
        (f"n_{g}", count_if(grp == g)), (f"nfa_{g}", count_if((grp == g) & nfa)))})
    out = {}
    for key in ctx.keys:
        counts = {g: (count_of(rows[key].get(f"n_{g}")), count_of(rows[key].get(f"nfa_{g}"))) for g in SOURCE_GROUPS}
        total = sum(n for n, _ in counts.values())
        groups = {g: {"count": n, "percent": percent(n, total), "nfa_count": nfa, "nfa_percent": percent(nfa, n)}
                  for g, (n, nfa) in counts.items()}
        out[key] = ItemResult(id="referral_source", unit="percent", value=None,
                              reason=None if total else f"no referrals {key.period.in_words}",
                              count=total, groups=groups, note="a breakdown: the figures are in groups")
    return out


# ---------------------------------------------------------------- parental factors


@item(
    id="parental_factors_rate",
    title=(
        "Parental mental health, substance misuse or domestic abuse identified at assessment "
        "(rate per 10,000)"
    ),
    section="activity",
    source="CIN census",
    needs=(),
    framework_item=(
        "Referrals to children's social care where parents/carers' mental health, substance "
        "abuse or domestic violence is a feature (rate per 10,000 population), measured at "
        "the end of assessment"
    ),
    framework_source="CIN Census (Requiring major changes to CIN Census)",
    rationale=(
        "Provides a comparable measure of referrals where parental problems are a "
        "contributory factor. Should be disaggregated."
    ),
    rationale_quoted=True,
    unit="per_10k",
    polarity="neither",
    polarity_reason="A measure of the needs of the children referred, not of how well services respond.",
    comparability="munro",
    dfe_figures=("mental_health", "domestic_abuse"),
    comparability_note=(
        "DfE publishes episodes by each factor recorded at assessment, so `mental_health` and "
        "`domestic_abuse` can be compared with it; `substance_misuse` joins two published factors "
        "(alcohol and drugs) counting each episode once, and `any`, the headline, has no published "
        "equivalent."
    ),
    headline=(
        f"episodes with an assessment completed in the year that identified any of the three parental "
        f"factors, {PER_10K}"
    ),
    definition=(
        "Episodes of need (each opened by one referral) with an assessment authorised in the year that "
        "identified, for a parent or carer: `mental_health` (assessment factor 4B), `substance_misuse` "
        "(alcohol misuse 1B or drug misuse 2B) or `domestic_abuse` (3B); an episode counts once for each "
        "factor however many of its assessments record it. Each factor gives its count and its rate "
        f"{PER_10K}, and `any` counts episodes with at least one of the three. The headline is the rate "
        "for `any`."
    ),
    figures=("mental_health", "substance_misuse", "domestic_abuse", "any"),
)
def parental_factors_rate(ctx: Context) -> dict[Key, ItemResult]:
    a = ctx.during(ctx.t.assessments, "authorisation_date")
    a = a.select(*ctx.by, "la_child_id", "referral_date", "start_date")
    f = ctx.t.assessment_factors
    f = f.select(_la=f.la_code, _child=f.la_child_id, _referral=f.referral_date, _start=f.assessment_start_date,
                 factor=f.factor)
    # The factors joined to the periods' assessments before their codes are read: reading (trimming,
    # upper-casing) every factor of the history first cost two thirds of this item's time over a national
    # store. A factor is read once for each period its assessment counts in, which for the overlapping
    # periods of a monthly series, at an LA's scale, costs far less.
    j = f.join(a, [f._la == a.la_code, f._child == a.la_child_id, f._referral == a.referral_date,
                   f._start == a.start_date])
    code = _code(j.factor)
    # One row per episode and period: each factor counted once however many of the period's assessments
    # record it.
    per_episode = j.group_by([*ctx.by, "la_child_id", "referral_date"]).aggregate(
        **{name: flag(code.isin(codes)).max() for name, codes in PARENTAL_FACTORS.items()})
    any_ = per_episode[list(PARENTAL_FACTORS)[0]]
    for name in list(PARENTAL_FACTORS)[1:]:
        any_ = ibis.greatest(any_, per_episode[name])
    per_episode = per_episode.mutate(any=any_)
    names = [*PARENTAL_FACTORS, "any"]
    rows = _counts(ctx, per_episode, **{n: per_episode[n].sum() for n in names})
    out = {}
    for key in ctx.keys:
        groups = {n: {"count": count_of(rows[key].get(n))} for n in names}
        out[key] = rate_result(ctx, "parental_factors_rate", key, groups["any"]["count"], groups=groups)
    return out


# ---------------------------------------------------------------- plans and children in need


@item(
    id="cpp_starts_by_category",
    title="Child protection plans starting, by category of abuse (rate per 10,000)",
    section="activity",
    source="CIN census",
    needs=(),
    framework_item=(
        "Children becoming the subject of a Child Protection Plan for physical, emotional, "
        "and sexual abuse or neglect) (rate per 10,000 population)"
    ),
    framework_source=CIN_SOURCE,
    rationale=(
        "Provides a comparable measure of Child Protection Plans under the four main "
        "categories. Should be disaggregated"
    ),
    rationale_quoted=True,
    unit="per_10k",
    polarity="neither",
    polarity_reason=(
        "It reflects need and local practice in starting plans and recording categories; a high or low "
        "rate is not good or bad in itself."
    ),
    comparability="dfe",
    headline=f"child protection plans starting in the year {PER_10K}, all categories together",
    definition=(
        f"Child protection plans that started in the year, {PER_10K}, by the initial category of "
        f"abuse: neglect (`NEG`), physical abuse (`PHY`), emotional abuse (`EMO`), sexual abuse (`SAB`) "
        f"and multiple categories (`MUL`), each with its count and rate. Plans are counted, so a child "
        f"who starts two plans in the year counts twice. The headline is the rate for all categories "
        f"together."
    ),
    figures=("count",),
    breakdown=("categories", ("NEG", "PHY", "EMO", "SAB", "MUL")),
    framework_differences=(
        "The framework names four categories; the census also records multiple categories (`MUL`), "
        "shown separately. The framework speaks of children; the item counts plans."
    ),
    lait=(
        LaitMeasure("CPP_Abuse", "count", "count", "(all categories; LAIT has none by category)"),
        LaitMeasure("CPP_Abuse_Rate", "value", "per_10k"),
    ),
)
def cpp_starts_by_category(ctx: Context) -> dict[Key, ItemResult]:
    p = ctx.during(ctx.t.cp_plans, "start_date")
    cat = _code(p.initial_category)
    # a missing category is 'other' too (flag: NULL -> 0)
    rows = _counts(ctx, p, other=count_if(flag(cat.isin(CPP_CATEGORIES)) == 0),
                   **{f"n_{c}": count_if(cat == c) for c in CPP_CATEGORIES})
    out = {}
    for key in ctx.keys:
        counts = {c: count_of(rows[key].get(f"n_{c}")) for c in CPP_CATEGORIES}
        other = count_of(rows[key].get("other"))
        if other:  # 'other' is a group only when there are such plans
            counts["other"] = other
        groups = {c: {"count": n} for c, n in counts.items()}
        res = rate_result(ctx, "cpp_starts_by_category", key, sum(counts.values()), groups=groups)
        res.note = (f"{other} plans with another initial category are counted in the total and in 'other'"
                    if other else None)
        out[key] = res
    return out


@item(
    id="cin_rate",
    title="Children in need (rate per 10,000)",
    section="activity",
    source="CIN census",
    needs=(),
    framework_item=None,
    framework_source=None,
    rationale=(
        "Not a national item of the framework. definitions.md includes it as context for the other "
        "rates; the framework's foreword names \"the number and characteristics of children in need\" "
        "among the things nationally collected data describes."
    ),
    rationale_quoted=False,
    unit="per_10k",
    polarity="neither",
    polarity_reason="Context for the other rates: a measure of need and of local thresholds, not of performance.",
    comparability="dfe",
    headline=f"children in need at 31 March {PER_10K}",
    definition=(
        f"Children in need at 31 March, {PER_10K}: children with an episode of need open at 31 March, "
        f"leaving out referrals that led to no further action, each child counted once. Also `count`, "
        f"the number of children."
    ),
    figures=("count",),
    lait=(LaitMeasure("CIN", "value", "per_10k"),),
)
def cin_rate(ctx: Context) -> dict[Key, ItemResult]:
    e = ctx.t.episodes
    e = ctx.open_at(e.filter(e.referral_nfa.fill_null(0) != 1), "referral_date", "closure_date")
    rows = _counts(ctx, e, n=e.la_child_id.nunique())
    return {key: rate_result(ctx, "cin_rate", key, count_of(rows[key].get("n"))) for key in ctx.keys}


# id -> computation of this module's items, in the order they are defined (the register's view)
ITEMS = REGISTER.computations(__name__)
