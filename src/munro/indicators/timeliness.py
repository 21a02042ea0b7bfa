"""Timeliness items (definitions.md section 2, "Timeliness").

Each function takes a :class:`~munro.indicators.context.Context` and returns
``{la_code: ItemResult}`` for the context's LAs. Spans in working days come
from the calendar table only; a negative span (the end date before the start
date, whatever its working-day count) or one that cannot be measured (a date
outside the calendar) is left out and counted in ``excluded`` (``context.span``).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from .context import Context, Span, add_months, band_counts, count_if, days_between, percentiles, span
from .result import ItemResult, clean, count_of, percent

ASSESSMENT_BANDS = {
    "same_day": (0, 0), "1_10": (1, 10), "11_20": (11, 20), "21_30": (21, 30), "31_40": (31, 40),
    "41_45": (41, 45), "46_50": (46, 50), "51_60": (51, 60), "61_plus": (61, None),
}
S47_BANDS = {"0_10": (0, 10), "11_15": (11, 15), "16_20": (16, 20), "21_plus": (21, None)}
CIN_DURATION_BANDS = ("up_to_3m", "3m_6m", "6m_1y", "1y_2y", "2y_plus")


# ---------------------------------------------------------------- shared: a distribution of spans


def _span_metrics(s: Span, bands, within: int) -> dict[str, ir.Scalar]:
    """Aggregates of a span: measured spans counted, banded, percentiles; the rest excluded."""
    return {
        **s.counts(),
        "within": count_if(s.value <= within),
        **percentiles(s.value),
        **band_counts(s.value, bands),
    }


def _span_rows(ctx: Context, t: ir.Table, start: str, end: str, bands, within: int) -> dict[str, dict]:
    """``_span_metrics`` of the working days ``t.wd`` from ``t[start]`` to ``t[end]``, per LA."""
    s = span(t[start], t[end], t.wd)
    return ctx.per_la(t.group_by("la_code").aggregate(**_span_metrics(s, bands, within)))


def _span_figures(row: dict, bands, within_name: str) -> dict:
    n = count_of(row.get("n"))
    within = count_of(row.get("within"))
    return {
        "count": n,
        "excluded": count_of(row.get("excluded")),
        "p25": clean(row.get("p25")),
        "median": clean(row.get("median")),
        "p75": clean(row.get("p75")),
        "bands": {b: count_of(row.get("band_" + b)) for b in bands},
        within_name: within,
        "percent": percent(within, n),
    }


def _span_result(item: str, figures: dict, within_name: str, what: str, extra: dict | None = None) -> ItemResult:
    n = figures["count"]
    return ItemResult(
        id=item, unit="percent", value=figures["percent"],
        reason=None if n else f"no {what} in the year",
        numerator=figures[within_name], denominator=n, count=n, excluded=figures["excluded"],
        bands=figures["bands"],
        figures={"p25": figures["p25"], "median": figures["median"], "p75": figures["p75"],
                 within_name: figures[within_name], **(extra or {})},
    )


# ---------------------------------------------------------------- assessment_timeliness


def assessment_spans(ctx: Context) -> ir.Table:
    """Assessments authorised in the year, with ``wd`` = working days from start to authorisation."""
    a = ctx.t.assessments
    a = a.filter(ctx.in_year(a.authorisation_date))
    return ctx.with_working_days(a, "start_date", "authorisation_date", "wd")


def first_assessment_spans(ctx: Context) -> ir.Table:
    """Episodes whose first assessment (earliest start) was authorised in the year, with
    ``wd`` = working days from the episode's referral date to that authorisation."""
    a = ctx.t.assessments
    # start_date identifies an assessment within its episode; the rest only makes the order total.
    w = ibis.window(group_by=[a.la_code, a.la_child_id, a.referral_date],
                    order_by=[a.start_date, a.return_id, a.assessment_seq])
    a = a.mutate(_rank=ibis.row_number().over(w))
    first = a.filter((a._rank == 0) & ctx.in_year(a.authorisation_date))
    return ctx.with_working_days(first, "referral_date", "authorisation_date", "wd")


def assessment_timeliness(ctx: Context) -> dict[str, ItemResult]:
    item = "assessment_timeliness"
    main = _span_rows(ctx, assessment_spans(ctx), "start_date", "authorisation_date", ASSESSMENT_BANDS, 45)
    ref = _span_rows(ctx, first_assessment_spans(ctx), "referral_date", "authorisation_date", ASSESSMENT_BANDS, 45)
    out = {}
    for la in ctx.las:
        figs = _span_figures(main[la], ASSESSMENT_BANDS, "within_45")
        r = _span_figures(ref[la], ASSESSMENT_BANDS, "within_45")
        from_referral = {"value": r.pop("percent"), **r}
        out[la] = _span_result(item, figs, "within_45", "assessments authorised",
                               {"from_referral": from_referral})
    return out


# ---------------------------------------------------------------- s47_to_icpc_timeliness


def s47_spans(ctx: Context) -> ir.Table:
    """Section 47 enquiries whose initial conference is in the year, ``wd`` from enquiry start to it."""
    s = ctx.t.section47
    s = s.filter(ctx.in_year(s.icpc_date))
    return ctx.with_working_days(s, "start_date", "icpc_date", "wd")


def s47_to_icpc_timeliness(ctx: Context) -> dict[str, ItemResult]:
    rows = _span_rows(ctx, s47_spans(ctx), "start_date", "icpc_date", S47_BANDS, 15)
    return {la: _span_result("s47_to_icpc_timeliness", _span_figures(rows[la], S47_BANDS, "within_15"),
                             "within_15", "initial child protection conferences")
            for la in ctx.las}


# ---------------------------------------------------------------- cin_duration


def _duration_metrics(t: ir.Table) -> dict[str, ir.Scalar]:
    """Bands of definitions.md (calendar months from the referral date ``s`` to the end ``e``)."""
    s, e = t.s, t.e
    m3, m6, y1, y2 = add_months(s, 3), add_months(s, 6), add_months(s, 12), add_months(s, 24)
    days = span(s, e, days_between(s, e))
    ok = days.measured
    return {
        **days.counts(),
        "median": days.value.cast("float64").quantile(0.5),
        "band_up_to_3m": count_if(ok & (e <= m3)),
        "band_3m_6m": count_if((e > m3) & (e <= m6)),
        "band_6m_1y": count_if((e > m6) & (e < y1)),
        "band_1y_2y": count_if((e >= y1) & (e < y2)),
        "band_2y_plus": count_if(e >= y2),
    }


def _duration_figures(row: dict) -> dict:
    n = count_of(row.get("n"))
    bands = {b: count_of(row.get("band_" + b)) for b in CIN_DURATION_BANDS}
    return {"count": n, "excluded": count_of(row.get("excluded")), "median": clean(row.get("median")),
            "bands": bands}


def cin_duration(ctx: Context) -> dict[str, ItemResult]:
    e = ctx.t.episodes
    in_need = e.filter(e.referral_nfa.fill_null(0) != 1)
    r = ibis.date(ctx.R)
    open_ = in_need.filter(ctx.open_at_r(in_need.referral_date, in_need.closure_date))
    open_ = open_.select("la_code", s=open_.referral_date, e=r)
    closed = in_need.filter(ctx.in_year(in_need.closure_date))
    closed = closed.select("la_code", s=closed.referral_date, e=closed.closure_date)
    open_rows = ctx.per_la(open_.group_by("la_code").aggregate(**_duration_metrics(open_)))
    closed_rows = ctx.per_la(closed.group_by("la_code").aggregate(**_duration_metrics(closed)))
    out = {}
    for la in ctx.las:
        o, c = _duration_figures(open_rows[la]), _duration_figures(closed_rows[la])
        o.pop("excluded")  # an open episode starts on or before R: never negative
        long = o["bands"]["2y_plus"]
        out[la] = ItemResult(
            id="cin_duration", unit="percent", value=percent(long, o["count"]),
            reason=None if o["count"] else "no episodes of need open at 31 March",
            numerator=long, denominator=o["count"], excluded=c["excluded"],
            figures={"open": o, "closed": c},
        )
    return out


ITEMS = {
    "assessment_timeliness": assessment_timeliness,
    "s47_to_icpc_timeliness": s47_to_icpc_timeliness,
    "cin_duration": cin_duration,
}
