"""Timeliness items (definitions.md section 2, "Timeliness").

Each item is a function that takes a :class:`~munro.indicators.context.Context` and
returns ``{la_code: ItemResult}`` for the context's LAs, registered with its metadata
by ``@item`` (``registry.py``), in definitions.md order. Spans in working days come
from the calendar table only; a negative span (the end date before the start
date, whatever its working-day count) or one that cannot be measured (a date
outside the calendar) is left out and counted in ``excluded`` (``context.span``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from .context import Context, Key, Span, add_months, band_counts, count_if, days_between, percentiles, span
from .registry import CIN_SOURCE, REGISTER, LaitMeasure, item
from .result import ItemResult, clean, count_of, percent

# Bands of a span: name -> (low, high), both ends included, None for open-ended (context.band_counts).
Bands = Mapping[str, tuple[int | None, int | None]]

ASSESSMENT_BANDS = {
    "same_day": (0, 0), "1_10": (1, 10), "11_20": (11, 20), "21_30": (21, 30), "31_40": (31, 40),
    "41_45": (41, 45), "46_50": (46, 50), "51_60": (51, 60), "61_plus": (61, None),
}
S47_BANDS = {"0_10": (0, 10), "11_15": (11, 15), "16_20": (16, 20), "21_plus": (21, None)}
CIN_DURATION_BANDS = ("up_to_3m", "3m_6m", "6m_1y", "1y_2y", "2y_plus")

# The framework's words, quoted by more than one item.
_Q_DECISIONS = (
    "How do you measure and understand the quality and timeliness of professional "
    "decision making for vulnerable children and young people? Including:"
)
_TIMELINESS_RATIONALE_END = "[This is subject to any decision to be taken around timescales for assessment]"


# ---------------------------------------------------------------- shared: a distribution of spans


def _span_metrics(s: Span, bands: Bands, within: int) -> dict[str, ir.Scalar]:
    """Aggregates of a span: measured spans counted, banded, percentiles; the rest excluded."""
    return {
        **s.counts(),
        "within": count_if(s.value <= within),
        **percentiles(s.value),
        **band_counts(s.value, bands),
    }


def _span_rows(ctx: Context, t: ir.Table, start: str, end: str, bands: Bands,
               within: int) -> dict[Key, dict[str, Any]]:
    """``_span_metrics`` of the working days ``t.wd`` from ``t[start]`` to ``t[end]``, per LA and period."""
    s = span(t[start], t[end], t.wd)
    return ctx.per_key(t.group_by(ctx.by).aggregate(**_span_metrics(s, bands, within)))


def _span_figures(row: dict[str, Any], bands: Bands, within_name: str) -> dict[str, Any]:
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


def _span_result(item: str, key: Key, figures: dict[str, Any], within_name: str, what: str,
                 extra: dict[str, Any] | None = None) -> ItemResult:
    n = figures["count"]
    return ItemResult(
        id=item, unit="percent", value=figures["percent"],
        reason=None if n else f"no {what} {key.period.in_words}",
        numerator=figures[within_name], denominator=n, count=n, excluded=figures["excluded"],
        bands=figures["bands"],
        figures={"p25": figures["p25"], "median": figures["median"], "p75": figures["p75"],
                 within_name: figures[within_name], **(extra or {})},
    )


def _spanned(ctx: Context, t: ir.Table, start: str, end: str) -> ir.Table:
    """``t`` with ``wd``, the working days from ``start`` to ``end``, for ``ctx.during(..., end)``: counted
    once per row, before the join to the periods repeats it in each period it counts in. Neither date
    changes with the period: ``start`` identifies the row (a row that starts after R is left out, never
    changed) and ``end`` is on or before R in every period the row joins (``as_known``)."""
    return ctx.with_working_days(t, start, end, "wd")


# ---------------------------------------------------------------- assessment_timeliness


def assessment_spans(ctx: Context) -> ir.Table:
    """Assessments authorised in each period, with ``wd`` = working days from start to authorisation."""
    return ctx.during(_spanned(ctx, ctx.t.assessments, "start_date", "authorisation_date"), "authorisation_date")


def first_assessment_spans(ctx: Context) -> ir.Table:
    """Episodes whose first assessment (earliest start) was authorised in each period, with
    ``wd`` = working days from the episode's referral date to that authorisation."""
    a = ctx.t.assessments
    # start_date identifies an assessment within its episode; the rest only makes the order total.
    w = ibis.window(group_by=[a.la_code, a.la_child_id, a.referral_date],
                    order_by=[a.start_date, a.return_id, a.assessment_seq])
    a = a.mutate(_rank=ibis.row_number().over(w))
    return ctx.during(_spanned(ctx, a.filter(a._rank == 0), "referral_date", "authorisation_date"),
                      "authorisation_date")


@item(
    id="assessment_timeliness",
    title="Working days to complete assessments",
    section="timeliness",
    source="CIN census",
    needs=(),
    framework_item="Distribution of working days taken from referral to assessment completion",
    framework_source=CIN_SOURCE,
    rationale=(
        "Provides an indication of how quickly the assessment and provision of help to "
        "children in need takes place " + _TIMELINESS_RATIONALE_END
    ),
    rationale_quoted=True,
    unit="percent",
    polarity="higher_better",
    polarity_reason=(
        "More assessments completed within 45 working days means help is decided sooner, though the "
        "framework asks that speed be balanced with the quality of decisions."
    ),
    comparability="dfe",
    munro_figures=("from_referral",),
    comparability_note=(
        "The headline and its distribution follow DfE's published measure of assessment duration; "
        "`from_referral` answers the framework's wording and has no published equivalent."
    ),
    headline="percent of assessments completed within 45 working days",
    definition=(
        "Assessments authorised (completed) in the year, by the number of working days from the "
        "start of the assessment to its authorisation. The result gives the number of assessments, "
        "the 25th percentile, median and 75th percentile of working days, the number in each band "
        "(same day, 1-10, 11-20, 21-30, 31-40, 41-45, 46-50, 51-60, 61 or more working days) and the "
        "number completed within 45 working days (`within_45`). The headline is the percent completed "
        "within 45 working days. Because the framework asks for the time from referral, the result "
        "also gives the same figures measured from the referral that opened the episode of need to "
        "the authorisation of the episode's first assessment (`from_referral`). An assessment whose end "
        "date (its authorisation) is before its start date (the date it is measured from) is left out "
        "and counted in `excluded`, even when no working day lies between them (started on a Sunday, "
        "authorised on the Friday before)."
    ),
    figures=("count", "p25", "median", "p75", "bands", "within_45", "from_referral", "excluded"),
    breakdown=("bands", ("same_day", "1_10", "11_20", "21_30", "31_40", "41_45", "46_50", "51_60", "61_plus")),
    framework_differences=(
        "The framework asks for the time \"from referral to assessment completion\"; DfE measures each "
        "assessment from its own start, and that is the headline here. `from_referral` gives the "
        "framework's reading."
    ),
    key_questions=(_Q_DECISIONS,),
    lait=(LaitMeasure("Continue_Assess_Comp", "value", "percent"),),
)
def assessment_timeliness(ctx: Context) -> dict[Key, ItemResult]:
    item = "assessment_timeliness"
    main = _span_rows(ctx, assessment_spans(ctx), "start_date", "authorisation_date", ASSESSMENT_BANDS, 45)
    ref = _span_rows(ctx, first_assessment_spans(ctx), "referral_date", "authorisation_date", ASSESSMENT_BANDS, 45)
    out = {}
    for key in ctx.keys:
        figs = _span_figures(main[key], ASSESSMENT_BANDS, "within_45")
        r = _span_figures(ref[key], ASSESSMENT_BANDS, "within_45")
        from_referral = {"value": r.pop("percent"), **r}
        out[key] = _span_result(item, key, figs, "within_45", "assessments authorised",
                               {"from_referral": from_referral})
    return out


# ---------------------------------------------------------------- s47_to_icpc_timeliness


def s47_spans(ctx: Context) -> ir.Table:
    """Section 47 enquiries whose initial conference is in each period, ``wd`` from enquiry start to it."""
    return ctx.during(_spanned(ctx, ctx.t.section47, "start_date", "icpc_date"), "icpc_date")


@item(
    id="s47_to_icpc_timeliness",
    title="Working days from strategy discussion to initial child protection conference",
    section="timeliness",
    source="CIN census",
    needs=(),
    framework_item=(
        "Distribution of working days from Child Protection strategy meeting to Initial Child "
        "Protection Conference (ICPC)"
    ),
    framework_source=CIN_SOURCE,
    rationale=(
        "Provides an indication of how quickly the safety of children who are judged to be "
        "continuing to, or likely to suffer significant harm is being considered by a "
        "multi-agency meeting " + _TIMELINESS_RATIONALE_END
    ),
    rationale_quoted=True,
    unit="percent",
    polarity="higher_better",
    polarity_reason=(
        "More conferences within 15 working days means a multi-agency meeting considers the child's "
        "safety sooner."
    ),
    comparability="dfe",
    headline="percent of initial child protection conferences held within 15 working days of the strategy discussion",
    definition=(
        "Section 47 enquiries whose initial child protection conference was held in the year, by the "
        "number of working days from the strategy discussion that started the enquiry (the enquiry's "
        "start date) to the conference recorded on the same enquiry. The result gives the number of "
        "conferences, the 25th percentile, median and 75th percentile of working days, the number in "
        "each band (0-10, 11-15, 16-20, 21 or more working days) and the number held within 15 working "
        "days (`within_15`). The headline is the percent held within 15 working days. An enquiry whose "
        "end date (the conference) is before its start date is left out and counted in `excluded`, even "
        "when no working day lies between them (started on a Sunday, conference on the Friday before)."
    ),
    figures=("count", "p25", "median", "p75", "bands", "within_15", "excluded"),
    breakdown=("bands", ("0_10", "11_15", "16_20", "21_plus")),
    key_questions=(_Q_DECISIONS,),
    lait=(
        LaitMeasure("CP_conf_15days", "value", "percent"),
        LaitMeasure("10_ICPC", "band:0_10", "count"),
        LaitMeasure("15_ICPC", "band:11_15", "count"),
        LaitMeasure("20_ICPC", "band:16_20", "count"),
        LaitMeasure("21_ICPC", "band:21_plus", "count"),
    ),
)
def s47_to_icpc_timeliness(ctx: Context) -> dict[Key, ItemResult]:
    rows = _span_rows(ctx, s47_spans(ctx), "start_date", "icpc_date", S47_BANDS, 15)
    return {key: _span_result("s47_to_icpc_timeliness", key, _span_figures(rows[key], S47_BANDS, "within_15"),
                              "within_15", "initial child protection conferences")
            for key in ctx.keys}


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


def _duration_figures(row: dict[str, Any]) -> dict[str, Any]:
    n = count_of(row.get("n"))
    bands = {b: count_of(row.get("band_" + b)) for b in CIN_DURATION_BANDS}
    return {"count": n, "excluded": count_of(row.get("excluded")), "median": clean(row.get("median")),
            "bands": bands}


@item(
    id="cin_duration",
    title="Length of time children are in need",
    section="timeliness",
    source="CIN census",
    needs=(),
    framework_item="Length of time child is considered to be a child in need",
    framework_source=CIN_SOURCE,
    rationale=(
        "This is useful information for local areas to understand their pattern of service "
        "compared to other areas."
    ),
    rationale_quoted=True,
    unit="percent",
    polarity="neither",
    polarity_reason=(
        "A long time in need can mean drift or the right long-term support (for example for a disabled "
        "child), and the framework uses it to compare patterns of service, not as a target."
    ),
    comparability="dfe",
    headline="percent of episodes of need open at 31 March that had been open 2 years or more",
    definition=(
        "How long children are in need, in calendar days, leaving out referrals that led to no further "
        "action. Two distributions: `open`, episodes of need open at 31 March, measured from the "
        "referral date to 31 March; and `closed`, episodes that closed in the year, measured from the "
        "referral date to the closure date. Each gives the number of episodes (`count`), the median "
        "number of days (`median`) and the number in each band: 3 months or less, more than 3 months up "
        "to 6 months, more than 6 months but less than 1 year, 1 year but less than 2 years, and 2 years "
        "or more, with "
        "months and years counted on the calendar. The headline is the percent of episodes open at 31 "
        "March that had been open 2 years or more. A closed episode whose end date (closure) is before "
        "its start date (referral) is left out and counted in `excluded`."
    ),
    figures=("open", "closed", "count", "median", "excluded"),
    breakdown=("bands", ("up_to_3m", "3m_6m", "6m_1y", "1y_2y", "2y_plus")),
)
def cin_duration(ctx: Context) -> dict[Key, ItemResult]:
    e = ctx.t.episodes
    in_need = e.filter(e.referral_nfa.fill_null(0) != 1)
    open_ = ctx.open_at(in_need, "referral_date", "closure_date")
    open_ = open_.select(*ctx.by, s=open_.referral_date, e=open_.p_end)
    closed = ctx.during(in_need, "closure_date")
    closed = closed.select(*ctx.by, s=closed.referral_date, e=closed.closure_date)
    open_rows = ctx.per_key(open_.group_by(ctx.by).aggregate(**_duration_metrics(open_)))
    closed_rows = ctx.per_key(closed.group_by(ctx.by).aggregate(**_duration_metrics(closed)))
    out = {}
    for key in ctx.keys:
        o, c = _duration_figures(open_rows[key]), _duration_figures(closed_rows[key])
        o.pop("excluded")  # an open episode starts on or before R: never negative
        long = o["bands"]["2y_plus"]
        out[key] = ItemResult(
            id="cin_duration", unit="percent", value=percent(long, o["count"]),
            reason=None if o["count"] else f"no episodes of need open at {key.period.end_words}",
            numerator=long, denominator=o["count"], excluded=c["excluded"],
            figures={"open": o, "closed": c},
        )
    return out


# id -> computation of this module's items, in the order they are defined (the register's view)
ITEMS = REGISTER.computations(__name__)
