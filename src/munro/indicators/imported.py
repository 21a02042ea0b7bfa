"""The items from other sources (definitions.md section 3): an LA's own figures, imported.

munro does not compute them. An LA imports its figure for a year in the
own-figures layout (docs/local-data.md) with ``munro ingest``; each item then
reads it from ``own_figures`` (the merged view keeps each year's latest load),
so it appears in the indicators output, the benchmark and the report as a
computed item does, with its source. Without an import it is None with a
reason; the published figures of every LA stay in the benchmark table.

A figure is for a whole reporting year: one query reads the figures of every
reporting year of the context, and each period that is a reporting year takes
its own. A period that is not (the 12 months to another date) has no imported
figure: None with a reason, as no source gives one for those months.

Each is registered by ``imported(...)``, which gives it that one computation and
registers it as ``@item`` registers the computed items, in definitions.md
section 3's order.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from ..localdata.layouts import OWN_FIGURES
from ..years import year_label
from .context import Context, Key
from .registry import PER_10K, REGISTER, Compute, LaitMeasure, item
from .result import ItemResult, clean

_Q_EDUCATION = (
    "How do you know that vulnerable children and young people in your area are receiving a suitable education?"
)
_Q_SAFE = "What is done as a result to help children and young people to be safe and to feel safe?"
_Q_WORKLOAD = "c) Their workloads are manageable"
_NPD_SOURCE = "National Pupil Database matched to Children in Need (CIN) census"
_NPD_ITEM_SOURCE = "National Pupil Database (NPD) matched to the CIN census, imported"
_HES_SOURCE = "HES statistics (Currently collected)"
_WORKFORCE_ITEM = (
    "Social worker: a) Vacancy rate b) Turnover rate c) Absence/sickness rate d) "
    "Percentage of social work posts filled by agency workers"
)
_WORKFORCE_RATIONALE = (
    "Together, these would provide a good picture of social worker capacity and workforce "
    "stability, factors which contribute to overall quality of service provision"
)
_WORKFORCE_SOURCE = "DfE's children's social work workforce census, imported"
_WORKFORCE_DIFFERENCE = (
    "The framework's source was the NMDS-SC collection (\"Collected in 2011/12 via NMDS-SC\"); "
    "munro imports the figure from DfE's children's social work workforce census."
)
_IMPORTED = (
    " munro does not compute this figure: it is imported per authority and year from a documented "
    "file layout, shown with its source and benchmarked like the computed items. An authority's own figure "
    "for a year is loaded with munro ingest in the own-figures layout (docs/local-data.md); without it the "
    "value is null with a reason, and the published figures of every authority stay in the benchmark."
)


def own_figures(ctx: Context, item: str) -> ir.Table:
    """The LA's imported figures of ``item`` for the reporting years of the context's periods (``year``
    says which)."""
    f = ctx.t.own_figures
    f = f.filter((f.item_id == item) & f.year.isin(sorted({p.year for p in ctx.periods})))
    return f.select("la_code", "year", "figure", "value", "numerator", "denominator", "source")


def _own_figure(item: str, unit: str) -> Compute:
    """The computation of every imported item: the LA's own figure of ``item``, or None with a reason."""

    def compute_item(ctx: Context) -> dict[Key, ItemResult]:
        found: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
        for row in ctx.rows(own_figures(ctx, item)):
            found.setdefault((row["la_code"], row["year"]), {})[row["figure"]] = row
        out = {}
        for key in ctx.keys:
            la, p = key
            if not p.is_year:
                out[key] = ItemResult.missing(item, unit, (
                    f"not imported for the {p.label}: an LA's own figure is for a whole reporting year "
                    "(1 April to 31 March)"))
                continue
            figures = found.get((la, p.year), {})
            head = figures.get("value")
            if head is None:
                out[key] = ItemResult.missing(item, unit, (
                    f"not imported: munro does not compute it; load the LA's own {year_label(p.year)} "
                    f"figure in the {OWN_FIGURES.kind} layout with munro ingest (docs/local-data.md)"))
                continue
            extra = {name: clean(r["value"]) for name, r in sorted(figures.items()) if name != "value"}
            out[key] = ItemResult(id=item, unit=unit, value=clean(head["value"]),
                                 numerator=_whole(head["numerator"]), denominator=_whole(head["denominator"]),
                                 figures={"source": head["source"], **extra},
                                 note="imported: the LA's own figure from its source, not computed by munro")
        return out

    compute_item.__name__ = compute_item.__qualname__ = item
    return compute_item


def _whole(x: Any) -> Any:
    x = clean(x)
    return int(x) if isinstance(x, float) and x.is_integer() else x


def imported(**metadata: Any) -> Compute:
    """Register an item munro imports rather than computes (``metadata`` as ``@item`` takes it)."""
    return item(**metadata)(_own_figure(metadata["id"], metadata["unit"]))


def _workforce_item(id: str, title: str, *, polarity_reason: str, headline: str, definition: str,
                    lait: tuple[LaitMeasure, ...]) -> Compute:
    """The four social work workforce items share their source, framework item and rationale."""
    return imported(
        id=id,
        title=title,
        section="workforce",
        source=_WORKFORCE_SOURCE,
        needs=("workforce census",),
        framework_item=_WORKFORCE_ITEM,
        framework_source="Collected in 2011/12 via NMDS-SC",
        rationale=_WORKFORCE_RATIONALE,
        rationale_quoted=True,
        unit="percent",
        polarity="lower_better",
        polarity_reason=polarity_reason,
        comparability="published",
        headline=headline,
        definition=definition + _IMPORTED,
        framework_differences=_WORKFORCE_DIFFERENCE,
        key_questions=(_Q_WORKLOAD,),
        lait=lait,
    )


# ---------------------------------------------------------------- the items, in definitions.md section 3's order


cin_attainment = imported(
    id="cin_attainment",
    title="Educational attainment of children in need",
    section="outcomes",
    source=_NPD_ITEM_SOURCE,
    needs=("NPD",),
    framework_item="Educational attainment of CIN.",
    framework_source=_NPD_SOURCE,
    rationale=(
        "To understand the educational attainment of children in need as we can now do with "
        "other vulnerable groups such as looked after children."
    ),
    rationale_quoted=True,
    unit="percent",
    polarity="higher_better",
    polarity_reason="Better key stage results mean children in need are doing better in their education.",
    comparability="published",
    headline="key stage results of children in need, as imported",
    definition=(
        "Key stage results of children in need, from the National Pupil Database (NPD) matched to "
        "the CIN census." + _IMPORTED
    ),
    key_questions=(_Q_EDUCATION,),
    lait=(
        LaitMeasure("CIN_KS2_ExpStd_RWM", "value", "percent", "(KS2 reading, writing and maths, CINO)"),
        LaitMeasure("CPPO_KS2_RWM", "ks2_rwm:cppo", "percent"),
        LaitMeasure("CIN_EngMaths9-4", "ks4_eng_maths_9_4:cino", "percent"),
    ),
)


cin_absence = imported(
    id="cin_absence",
    title="School absence of children in need",
    section="outcomes",
    source=_NPD_ITEM_SOURCE,
    needs=("NPD",),
    framework_item="Attendance of CIN at School",
    framework_source=_NPD_SOURCE,
    rationale=(
        "To understand whether children in need as a group are attending school as we do for "
        "other groups of vulnerable children."
    ),
    rationale_quoted=True,
    unit="percent",
    polarity="lower_better",
    polarity_reason="Less absence means children in need spend more time in school.",
    comparability="published",
    headline="overall absence of children in need, as imported",
    definition=(
        "Overall absence from school of children in need, from the National Pupil Database (NPD) "
        "matched to the CIN census." + _IMPORTED
    ),
    framework_differences=(
        "The framework asks about attendance; the imported figure is overall absence, its reverse, "
        "so lower is better."
    ),
    key_questions=(_Q_EDUCATION,),
    lait=(
        LaitMeasure("CINTotalAb_3Term", "value", "percent", "(overall absence, CINO)"),
        LaitMeasure("CPPTotalAb_3Term", "overall:cppo", "percent"),
        LaitMeasure("CINPermAbsent_3Term", "persistent_10:cino", "percent"),
        LaitMeasure("CPPPerAbs_3Term", "persistent_10:cppo", "percent"),
    ),
)


cin_exclusions = imported(
    id="cin_exclusions",
    title="Suspensions and exclusions of children in need",
    section="outcomes",
    source=_NPD_ITEM_SOURCE,
    needs=("NPD",),
    framework_item="Rate of exclusion of CIN from school",
    framework_source=_NPD_SOURCE,
    rationale="As above.",
    rationale_quoted=True,
    rationale_note=(
        "The framework's \"As above.\" refers to its rationale for attendance: \"To understand whether "
        "children in need as a group are attending school as we do for other groups of vulnerable "
        "children.\""
    ),
    unit="percent",
    polarity="lower_better",
    polarity_reason="Fewer suspensions and exclusions mean children in need lose less of their education.",
    comparability="published",
    headline="suspensions and exclusions of children in need, as imported",
    definition=(
        "Suspensions and exclusions from school of children in need, from the National Pupil "
        "Database (NPD) matched to the CIN census." + _IMPORTED
    ),
    framework_differences=(
        "The framework asks for the rate of exclusion; the imported figures cover suspensions as well "
        "as exclusions."
    ),
    key_questions=(_Q_EDUCATION,),
    lait=(
        LaitMeasure("CINFixedExclusion", "value", "percent", "(at least one suspension, CINO)"),
        LaitMeasure("CINPermExclusion", "permanent", "percent"),
    ),
)


offences_against_children_rate = imported(
    id="offences_against_children_rate",
    title="Violent and sexual offences against children (rate per 10,000)",
    section="outcomes",
    source="Home Office, imported",
    needs=("Home Office",),
    framework_item="The rate of violent and sexual offences against children per 10,000 CYP population.",
    framework_source="Home Office Data Source (From 2013)",
    rationale=(
        "An important contextual indicator of the level of violence affecting CYP in any area "
        "which may be used locally to inform strategies and approaches to tackle these issues"
    ),
    rationale_quoted=True,
    unit="per_10k",
    polarity="neither",
    polarity_reason=(
        "The framework treats it as context, and recorded offences reflect how offences are reported "
        "and recorded as well as how often children are harmed."
    ),
    comparability="published",
    headline="violent and sexual offences against children per 10,000 children, as imported",
    definition="Violent and sexual offences against children, per 10,000 children, from Home Office data." + _IMPORTED,
    key_questions=(_Q_SAFE,),
)


injury_admissions_rate = imported(
    id="injury_admissions_rate",
    title="Hospital admissions for injuries to children and young people",
    section="outcomes",
    source="Hospital Episode Statistics (HES), imported",
    needs=("HES",),
    framework_item=(
        "Hospital admissions caused by unintentional and deliberate injuries to children and young people"
    ),
    framework_source=_HES_SOURCE,
    rationale=(
        "Key outcome measure which looks at both deliberate injuries (child protections) and "
        "unintentional injuries (wider safeguarding)."
    ),
    rationale_quoted=True,
    unit="per_10k",
    polarity="lower_better",
    polarity_reason="Fewer admissions for deliberate and unintentional injuries mean fewer children seriously hurt.",
    comparability="published",
    headline="hospital admissions for injuries per 10,000 children, as imported",
    definition=(
        "Hospital admissions caused by unintentional and deliberate injuries to children and young "
        "people, per 10,000 children, from Hospital Episode Statistics (HES)." + _IMPORTED
    ),
    key_questions=(_Q_SAFE,),
    lait=(LaitMeasure("HospAd0-14", "value", "per_10k", "(children aged 0-14)"),),
)


ae_attendance_rate = imported(
    id="ae_attendance_rate",
    title="A&E attendances for assault, self-harm and accidents (rate per 10,000)",
    section="outcomes",
    source="Hospital Episode Statistics (HES), imported",
    needs=("HES",),
    framework_item=(
        "Accident and Emergency attendance for assaults, deliberate self harm and other "
        "accidents in England rate per 10,000 children aged 0-17"
    ),
    framework_source=_HES_SOURCE,
    rationale=(
        "An important item to capture data on hospital attendances that do not result in an overnight stay."
    ),
    rationale_quoted=True,
    unit="per_10k",
    polarity="lower_better",
    polarity_reason="Fewer attendances for assault, self-harm and accidents mean fewer children hurt.",
    comparability="published",
    headline=f"A&E attendances for assault, self-harm and accidents {PER_10K}, as imported",
    definition=(
        f"Accident and emergency attendances for assault, deliberate self-harm and other accidents, "
        f"{PER_10K}, from Hospital Episode Statistics (HES)." + _IMPORTED
    ),
    key_questions=(_Q_SAFE,),
)


sw_vacancy_rate = _workforce_item(
    "sw_vacancy_rate", "Social worker vacancy rate",
    polarity_reason="Fewer vacant posts mean more social work capacity.",
    headline="social worker vacancy rate, as imported",
    definition="The vacancy rate of the authority's children's social workers.",
    lait=(LaitMeasure("Work_Force_Vac_Rate", "value", "percent"),),
)


sw_turnover_rate = _workforce_item(
    "sw_turnover_rate", "Social worker turnover rate",
    polarity_reason="Lower turnover means a more stable workforce and more continuity for children.",
    headline="social worker turnover rate, as imported",
    definition="The turnover rate of the authority's children's social workers.",
    lait=(LaitMeasure("Work_Force_TO_Rate", "value", "percent"),),
)


sw_absence_rate = _workforce_item(
    "sw_absence_rate", "Social worker absence (sickness) rate",
    polarity_reason="Less sickness absence means more social work capacity.",
    headline="social worker sickness absence rate, as imported",
    definition="The sickness absence rate of the authority's children's social workers.",
    lait=(LaitMeasure("Work_Force_SWAbsence", "value", "percent"),),
)


sw_agency_rate = _workforce_item(
    "sw_agency_rate", "Social work posts filled by agency workers",
    polarity_reason=(
        "Fewer posts filled by agency workers means a more stable permanent workforce, which the "
        "framework counts as part of workforce stability."
    ),
    headline="percent of social work posts filled by agency workers, as imported",
    definition="The percent of the authority's children's social work posts filled by agency workers.",
    lait=(LaitMeasure("Work_Force_Agecy_Rate", "value", "percent"),),
)


court_applications_rate = imported(
    id="court_applications_rate",
    title="Care applications (rate per 10,000)",
    section="plans",
    source="Cafcass, imported",
    needs=("Cafcass",),
    framework_item=(
        "Number per 10,000 children aged 0-17 years of children & young people who are the subject of an "
        "application to court in past 6 months (including care and supervision orders and police "
        "protection)"
    ),
    framework_source="CAFCASS",
    rationale=(
        "The framework lists this item at the end of the Plans table, marked \"[DN late item]\", without a "
        "rationale."
    ),
    rationale_quoted=False,
    unit="per_10k",
    polarity="neither",
    polarity_reason=(
        "Applications to court reflect need and local practice as well as the quality of work with "
        "families, so a high or low rate is not good or bad in itself."
    ),
    comparability="published",
    headline="care applications per 10,000 children, as imported",
    definition="Care applications per 10,000 children, from Cafcass." + _IMPORTED,
    framework_differences=(
        "The framework asks for children who were the subject of any application to court in the past "
        "6 months, \"including care and supervision orders and police protection\"; definitions.md "
        "imports Cafcass's care applications per 10,000 children."
    ),
    lait=(LaitMeasure("CareApplications", "value", "per_10k", "(Cafcass; denominator: ONS 0-17 projections)"),),
)


# id -> computation, and id -> unit (what an LA may load its own figure of), of this module's items
ITEMS = REGISTER.computations(__name__)
IMPORTED = {i: entry.unit for i, entry in REGISTER.of_module(__name__).items()}
