"""Activity items (definitions.md section 2, "Activity").

Each function takes a :class:`~munro.indicators.context.Context` and returns
``{la_code: ItemResult}``. Rates are per 10,000 children aged 0-17 (the
context's population for the LA and year); without a population a rate is
None with a reason, and its counts are still given.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from .context import Context, add_months, count_if, flag
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


def _code(col: ir.StringValue) -> ir.StringValue:
    """A code as loaded, trimmed and upper-cased (codes are compared as text)."""
    return col.strip().upper()


def _no_population(ctx: Context, la: str) -> str:
    return (f"no 0-17 population for LA {la} in {ctx.year} (mid-{ctx.year - 1}): "
            "give one with a population override")


def rate_result(ctx: Context, item: str, la: str, count: int, groups: dict | None = None,
                figures: dict | None = None) -> ItemResult:
    """A per-10k item: ``value`` = count / population x 10,000, each group's rate alike."""
    pop, pop_figures = ctx.population_of(la)
    reason = None if pop else (pop_figures.pop("population_reason", None) or _no_population(ctx, la))
    if groups is not None:
        groups = {g: {**v, "rate": per_10k(v["count"], pop)} for g, v in groups.items()}
    return ItemResult(
        id=item, unit="per_10k", value=per_10k(count, pop),
        reason=reason,
        numerator=count, denominator=pop, count=count, groups=groups,
        figures={"population": pop, **pop_figures, **(figures or {})},
    )


def _counts(ctx: Context, t: ir.Table, **metrics) -> dict[str, dict]:
    return ctx.per_la(t.group_by("la_code").aggregate(**metrics))


def referrals_in_year(ctx: Context) -> ir.Table:
    """Every episode whose referral date is in the year, no-further-action referrals included."""
    e = ctx.t.episodes
    return e.filter(ctx.in_year(e.referral_date))


def _missing_previous_year(ctx: Context, la: str, what: str) -> str | None:
    if ctx.year - 1 in ctx.history.get(la, []):
        return None
    return (f"the {ctx.year - 1} return is not loaded: referrals that closed before "
            f"{ctx.start.isoformat()} are missing, so {what} may be undercounted")


# ---------------------------------------------------------------- referrals


def referral_rate(ctx: Context) -> dict[str, ItemResult]:
    r = referrals_in_year(ctx)
    rows = _counts(ctx, r, n=r.count())
    return {la: rate_result(ctx, "referral_rate", la, count_of(rows[la].get("n"))) for la in ctx.las}


def rereferral_12m(ctx: Context) -> dict[str, ItemResult]:
    e = ctx.t.episodes
    # (la_code, la_child_id, referral_date) is the episode's key: the order is total, and
    # the previous referral is strictly earlier (a same-day duplicate is the same episode).
    w = ibis.window(group_by=[e.la_code, e.la_child_id], order_by=[e.referral_date])
    e = e.mutate(previous=e.referral_date.lag().over(w))
    r = e.filter(ctx.in_year(e.referral_date))
    rows = _counts(ctx, r, n=r.count(),
                   re=count_if((r.previous < r.referral_date) & (r.previous >= add_months(r.referral_date, -12))))
    out = {}
    for la in ctx.las:
        n, re = count_of(rows[la].get("n")), count_of(rows[la].get("re"))
        out[la] = ItemResult(id="rereferral_12m", unit="percent", value=percent(re, n),
                             reason=None if n else "no referrals in the year",
                             numerator=re, denominator=n, count=n,
                             note=_missing_previous_year(ctx, la, "re-referrals"))
    return out


def referral_outcome(ctx: Context) -> dict[str, ItemResult]:
    r = referrals_in_year(ctx)
    nfa = r.referral_nfa.fill_null(0) == 1
    not_in_need = ~nfa & _code(r.closure_reason).isin(NOT_IN_NEED_REASONS)
    rows = _counts(ctx, r, n=r.count(), nfa=count_if(nfa), not_in_need=count_if(not_in_need))
    out = {}
    for la in ctx.las:
        n = count_of(rows[la].get("n"))
        counts = {"nfa": count_of(rows[la].get("nfa")), "not_in_need": count_of(rows[la].get("not_in_need"))}
        counts["service"] = n - counts["nfa"] - counts["not_in_need"]
        groups = {g: {"count": c, "percent": percent(c, n)} for g, c in counts.items()}
        out[la] = ItemResult(id="referral_outcome", unit="percent", value=groups["service"]["percent"],
                             reason=None if n else "no referrals in the year",
                             numerator=counts["service"], denominator=n, count=n, groups=groups)
    return out


def source_group(code: ir.StringValue) -> ir.StringValue:
    """The referral_source group of a ReferralSource code."""
    code = _code(code)
    branches = [(code.isin(codes), name) for name, codes in SOURCE_GROUPS.items() if codes]
    return ibis.cases(*branches, else_="other")


def referral_source(ctx: Context) -> dict[str, ItemResult]:
    r = referrals_in_year(ctx)
    r = r.mutate(grp=source_group(r.referral_source), nfa=flag(r.referral_nfa.fill_null(0) == 1))
    by_group = r.group_by(["la_code", "grp"]).aggregate(n=r.count(), nfa=r.nfa.sum())
    rows = ctx.rows(by_group)
    counts = {la: {g: (0, 0) for g in SOURCE_GROUPS} for la in ctx.las}
    for row in rows:
        if row["la_code"] in counts:
            counts[row["la_code"]][row["grp"]] = (count_of(row["n"]), count_of(row["nfa"]))
    out = {}
    for la in ctx.las:
        total = sum(n for n, _ in counts[la].values())
        groups = {g: {"count": n, "percent": percent(n, total), "nfa_count": nfa, "nfa_percent": percent(nfa, n)}
                  for g, (n, nfa) in counts[la].items()}
        out[la] = ItemResult(id="referral_source", unit="percent", value=None,
                             reason=None if total else "no referrals in the year",
                             count=total, groups=groups, note="a breakdown: the figures are in groups")
    return out


# ---------------------------------------------------------------- assessments, enquiries, conferences


def assessment_rate(ctx: Context) -> dict[str, ItemResult]:
    a = ctx.t.assessments
    a = a.filter(ctx.in_year(a.authorisation_date))
    rows = _counts(ctx, a, n=a.count())
    return {la: rate_result(ctx, "assessment_rate", la, count_of(rows[la].get("n"))) for la in ctx.las}


def s47_rate(ctx: Context) -> dict[str, ItemResult]:
    s = ctx.t.section47
    s = s.filter(ctx.in_year(s.start_date))
    rows = _counts(ctx, s, n=s.count())
    return {la: rate_result(ctx, "s47_rate", la, count_of(rows[la].get("n"))) for la in ctx.las}


def initial_conferences(ctx: Context) -> ir.Table:
    """Distinct (LA, child, date) of initial conferences in the year, from both places they are recorded."""
    s, e = ctx.t.section47, ctx.t.episodes
    a = s.select("la_code", "la_child_id", icpc=s.icpc_date)
    b = e.select("la_code", "la_child_id", icpc=e.icpc_date)
    both = a.union(b, distinct=True)
    return both.filter(ctx.in_year(both.icpc))


def icpc_rate(ctx: Context) -> dict[str, ItemResult]:
    c = initial_conferences(ctx)
    rows = _counts(ctx, c, n=c.count())
    return {la: rate_result(ctx, "icpc_rate", la, count_of(rows[la].get("n"))) for la in ctx.las}


def parental_factors_rate(ctx: Context) -> dict[str, ItemResult]:
    a = ctx.t.assessments
    a = a.filter(ctx.in_year(a.authorisation_date)).select("la_code", "la_child_id", "referral_date", "start_date")
    f = ctx.t.assessment_factors
    j = f.join(a, [f.la_code == a.la_code, f.la_child_id == a.la_child_id, f.referral_date == a.referral_date,
                   f.assessment_start_date == a.start_date])
    code = _code(j.factor)
    flags = {name: flag(code.isin(codes)).max() for name, codes in PARENTAL_FACTORS.items()}
    # One row per episode: each factor counted once however many assessments record it.
    per_episode = j.group_by(["la_code", "la_child_id", "referral_date"]).aggregate(**flags)
    any_ = per_episode[list(PARENTAL_FACTORS)[0]]
    for name in list(PARENTAL_FACTORS)[1:]:
        any_ = ibis.greatest(any_, per_episode[name])
    per_episode = per_episode.mutate(any=any_)
    names = [*PARENTAL_FACTORS, "any"]
    rows = _counts(ctx, per_episode, **{n: per_episode[n].sum() for n in names})
    out = {}
    for la in ctx.las:
        groups = {n: {"count": count_of(rows[la].get(n))} for n in names}
        out[la] = rate_result(ctx, "parental_factors_rate", la, groups["any"]["count"], groups=groups)
    return out


# ---------------------------------------------------------------- plans and children in need


def cpp_starts_by_category(ctx: Context) -> dict[str, ItemResult]:
    p = ctx.t.cp_plans
    p = p.filter(ctx.in_year(p.start_date))
    cat = _code(p.initial_category)
    p = p.mutate(cat=ibis.cases((cat.isin(CPP_CATEGORIES), cat), else_="other"))
    rows = ctx.rows(p.group_by(["la_code", "cat"]).aggregate(n=p.count()))
    counts = {la: dict.fromkeys(CPP_CATEGORIES, 0) for la in ctx.las}
    for row in rows:
        if row["la_code"] in counts:
            counts[row["la_code"]][row["cat"]] = count_of(row["n"])
    out = {}
    for la in ctx.las:
        total = sum(counts[la].values())
        groups = {c: {"count": n} for c, n in counts[la].items()}
        note = None
        if counts[la].get("other"):
            note = f"{counts[la]['other']} plans with another initial category are counted in the total and in 'other'"
        res = rate_result(ctx, "cpp_starts_by_category", la, total, groups=groups)
        res.note = note
        out[la] = res
    return out


def cin_rate(ctx: Context) -> dict[str, ItemResult]:
    e = ctx.t.episodes
    e = e.filter((e.referral_nfa.fill_null(0) != 1) & ctx.open_at_r(e.referral_date, e.closure_date))
    rows = _counts(ctx, e, n=e.la_child_id.nunique())
    return {la: rate_result(ctx, "cin_rate", la, count_of(rows[la].get("n"))) for la in ctx.las}


ITEMS = {
    "referral_rate": referral_rate,
    "rereferral_12m": rereferral_12m,
    "assessment_rate": assessment_rate,
    "s47_rate": s47_rate,
    "icpc_rate": icpc_rate,
    "referral_outcome": referral_outcome,
    "referral_source": referral_source,
    "parental_factors_rate": parental_factors_rate,
    "cpp_starts_by_category": cpp_starts_by_category,
    "cin_rate": cin_rate,
}
