"""The item catalogue: every national information item munro reports, described for people.

One entry per item of definitions.md (section 2, computed from the CIN census,
and section 3, imported from other sources), in framework section order and
then in the order definitions.md lists them. Text quoted from the framework
(rationales, item wording, section purposes and local key questions) is
verbatim apart from whitespace, and ``tests/indicators/test_catalogue.py``
checks it against the framework file, so it can be shown to inspectors as the
framework's own words. Everything else is munro's, written from definitions.md;
where munro's text quotes the framework it does so in double quotes, and those
quotes are checked too.

``docs/indicators.md`` is generated from this module
(``python -m munro.indicators.docs > docs/indicators.md``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

UNITS = ("percent", "per_10k", "working_days", "days", "count")
POLARITIES = {
    "higher_better": "higher is better",
    "lower_better": "lower is better",
    "neither": "neither higher nor lower is better in itself",
}
# ``published`` exists because definitions.md section 3 items are imported as
# their publisher computes them: calling a Home Office or HES figure
# "DfE-comparable" or "munro's own" would both be untrue.
COMPARABILITY = {
    "dfe": "DfE-comparable",
    "munro": "munro's own definition",
    "published": "imported as published by its source",
}

_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@dataclass(frozen=True, kw_only=True)
class Question:
    """A local key question of the framework, quoted.

    ``parts`` are its lettered or bulleted sub-items; ``then`` the numbered
    lines that follow them (only the workforce question on key professionals
    has these: each numbered line applies to every lettered agency).
    """

    text: str
    parts: tuple[str, ...] = ()
    then: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Section:
    id: str
    name: str
    short_name: str
    purpose: tuple[str, ...]  # the framework's introductory paragraphs, quoted
    questions: tuple[Question, ...]  # the framework's local key questions, quoted
    note: str = ""  # munro's remark where the framework gives no introduction or questions


@dataclass(frozen=True, kw_only=True)
class Item:
    id: str
    title: str
    section: str
    source: str  # where munro's figure comes from
    needs: tuple[str, ...]  # data beyond the CIN census, if any
    framework_item: str | None  # the framework's wording, quoted; None when the framework has no such item
    framework_source: str | None  # the framework's "Data Source" column, quoted
    rationale: str
    rationale_quoted: bool  # True: the framework's own rationale; False: munro's statement of where the item comes from
    rationale_note: str = ""
    unit: str
    polarity: str
    polarity_reason: str
    comparability: str
    # Figures whose comparability differs from the headline's.
    munro_figures: tuple[str, ...] = ()
    dfe_figures: tuple[str, ...] = ()
    comparability_note: str = ""
    headline: str  # what ``value`` is, in words
    definition: str
    figures: tuple[str, ...] = ()
    breakdown: tuple[str, tuple[str, ...]] | None = None  # ("bands" | "groups" | ..., names)
    framework_differences: str = ""
    key_questions: tuple[str, ...] = ()  # quoted local questions (or parts of them) the item helps answer

    def __post_init__(self) -> None:
        # Cheap checks at import time: a typo here would otherwise reach a published report.
        if not _ID.match(self.id):
            raise ValueError(f"item id {self.id!r} is not snake_case")
        if self.section not in _SECTION_IDS:
            raise ValueError(f"{self.id}: unknown section {self.section!r}")
        if self.unit not in UNITS:
            raise ValueError(f"{self.id}: unknown unit {self.unit!r}")
        if self.polarity not in POLARITIES:
            raise ValueError(f"{self.id}: unknown polarity {self.polarity!r}")
        if self.comparability not in COMPARABILITY:
            raise ValueError(f"{self.id}: unknown comparability {self.comparability!r}")
        unknown = set(self.munro_figures + self.dfe_figures) - set(self.figures)
        if unknown:
            raise ValueError(f"{self.id}: comparability given for figures it does not have: {sorted(unknown)}")

    @property
    def section_name(self) -> str:
        return section(self.section).name


_SECTION_IDS = ("outcomes", "workforce", "timeliness", "plans", "activity")

SECTIONS: tuple[Section, ...] = (
    Section(
        id="outcomes",
        name="Outcomes and experiences of children, young people and their families",
        short_name="Outcomes and experiences",
        purpose=(
            "Professor Munro made it clear in her review of the child protection system that "
            "everyone involved in child protection should pursue child-centred working and "
            "recognise children and young people as individuals with rights, including their "
            "right to participation in decisions about them in line with their age and maturity.",
            "The review emphasises the importance of the quality of the relationship between the "
            "child and family and professionals and its impact on the effectiveness of help "
            "given. The clear message from children (and their parents) is that they value "
            "continuity in those key relationships. Professor Munro highlighted that the key "
            "measure of the success of child protection systems is whether children are receiving "
            "effective help when they need it.",
            "It is therefore crucial for local areas to get feedback from children and young "
            "people and their families to inform learning and drive service improvement. It is "
            "also key to understanding the impact of the service and the difference children "
            "young people and their families feel has been made to their lives. All too often "
            "children and young people report that they have not been involved in the decisions "
            "effecting their lives, they have not been provided with adequate information and "
            "they have not understood what is happening to them. We know also that social work is "
            "more effective when parents have clarity around expectations of their behaviour.",
            "These questions and information items also underline the importance of the quality "
            "and continuity of a child's or young person's relationship with their social "
            "workers. Additionally they provide information on the educational attainment of "
            "children in need, whether they are in school and the quality and/or quantity of the "
            "education they receive.",
        ),
        questions=(
            Question(
                text="How do you know how safe the children and young people engaged with children's "
                "social care services in your area feel:",
                parts=("(a) At home", "(b) At school", "(c) In their local area"),
            ),
            Question(text="What is done as a result to help children and young people to be safe and to feel safe?"),
            Question(text="And how do you know whether the services you provide have made a difference?"),
            Question(
                text="How do you know whether children and young people engaged with children's social "
                "care services feel that their wishes and feelings are considered by the "
                "professionals involved in their case and that they understand what is happening and "
                "why?"
            ),
            Question(
                text="How do you know what children feel about the difference key professionals have made "
                "and how well they feel treated?"
            ),
            Question(text="How is this fed into the development of the service?"),
            Question(
                text="How do you know how helpful children and young people think the relationship with "
                "their social worker is during their journey from needing help to being helped?"
            ),
            Question(text="How do you know what children think about changes of social worker?"),
            Question(
                text="How do you know whether the families engaged with children's social care feel that "
                "their views have been considered by each of the professionals involved in their "
                "child's case and that they understand what is happening, why it is happening and "
                "what the expectation of them is?"
            ),
            Question(text="How is this fed into the development of the service?"),
            Question(
                text="How do you know that vulnerable children and young people in your area are receiving "
                "a suitable education?"
            ),
        ),
    ),
    Section(
        id="workforce",
        name="Workforce",
        short_name="Workforce",
        purpose=(
            "With the Government's commitment to implement Professor Munro's recommendation to "
            "reduce prescription, leaders in local authorities will have more autonomy but also "
            "more responsibility for helping their staff to operate with a high level of "
            "knowledge and skills. In moving to a system that promotes the exercise of "
            "professional judgment, local multi-agency systems will need to be better at "
            "monitoring, learning and adapting their practice.",
            "Professor Munro's review highlighted that the messages frontline workers receive "
            "about what is important have a strong influence on the way they practise and on how "
            "caseloads are prioritised. A system based solely on process-based targets and "
            "performance indicators has skewed local priorities so that the focus is on specific "
            "aspects of process rather than practice quality and learning. To this end an "
            "understanding of how the workforce views the role they play in child protection and "
            "the difficulties they face is imperative in informing professional development and "
            "service improvement.",
            "The local workforce questions and information items are intended as a starting point "
            "for local areas to understand their social workers' workload, and that of other "
            "practitioners, and their perceptions of the support they receive and the service "
            "they are able to offer vulnerable children and young people.",
            "Professor Munro highlighted the importance of early help from the child or young "
            "person's point of view i.e. that preventative services do more to reduce abuse and "
            "neglect than reactive services. Early help is also cost effective when current "
            "expenditure is compared to the cost of intervention when serious problems develop "
            "later. The local questions and national information items will help local areas "
            "judge how key professionals understand how and when to identify if children are "
            "suffering or likely to suffer abuse or neglect.",
        ),
        questions=(
            Question(
                text="How do you know what children and young people's social workers and other key "
                "professionals working with vulnerable children think about whether:",
                parts=(
                    "a) Their interventions have improved the safety and welfare of children",
                    "b) They received adequate reflective supervision and support",
                    "c) Their workloads are manageable",
                    "d) They are able to spend enough time with children and young people",
                ),
            ),
            Question(text="And what are you doing as a result?"),
            Question(
                text="How do you know that key professionals within:",
                parts=(
                    "a) The police",
                    "b) The health service",
                    "c) Schools and early years settings",
                    "d) Adult social care",
                    "e) Youth services",
                    "f) Criminal justice agencies",
                    "g) Other services",
                ),
                then=(
                    "1) know how to identify concerns about a child or young persons welfare and what to do?",
                    "2) understand agreed children's social care referral thresholds for Section 17 "
                    "(children in need) which includes children about whom there are concerns about their "
                    "safety",
                    "3) know what to do where they have concerns about a child who would benefit from early help?",
                ),
            ),
            Question(
                text="How do you support children & young people who do not meet the threshold for "
                "statutory intervention but require targeted or multi-agency support?"
            ),
        ),
    ),
    Section(
        id="timeliness",
        name="Timeliness and quality of decision making and planning",
        short_name="Timeliness",
        purpose=(
            "Professor Munro was clear that local attention needs to be given to: the timeliness "
            "in the identification of children's needs and provision of help; the quality of the "
            "assessment to inform next steps to safeguard and promote children's welfare; and the "
            "effectiveness of the help provided.",
            "The local questions and national information items underline the continued "
            "importance of not allowing cases to drift, whilst emphasising the need to balance "
            "the speed of decision making with the quality and effectiveness of those decisions "
            "made.",
        ),
        questions=(
            Question(
                text="How do you measure and understand the quality and timeliness of professional "
                "decision making for vulnerable children and young people? Including:",
                parts=(
                    "Quality of assessments",
                    "Quality and timeliness of decisions after assessments have been completed.",
                    "Whether the plans have improved children's outcomes",
                ),
            ),
            Question(
                text="How do you know that the time from Initial Child Protection Conference to the first "
                "core group meeting is reasonable and appropriate for the child's safety and welfare?"
            ),
        ),
    ),
    Section(
        id="plans",
        name="Plans",
        short_name="Plans",
        purpose=(),
        questions=(),
        note=(
            "The framework gives the Plans table no introduction or local questions of its own. It "
            "follows the tables of \"Timeliness and quality of decision making and planning\", whose "
            "local questions ask, among other things, \"Whether the plans have improved children's "
            "outcomes\"."
        ),
    ),
    Section(
        id="activity",
        name="Activity",
        short_name="Activity",
        purpose=(),
        questions=(),
        note="The framework gives the Activity table no introduction or local questions of its own.",
    ),
)

_SECTIONS = {s.id: s for s in SECTIONS}


def section(section_id: str) -> Section:
    try:
        return _SECTIONS[section_id]
    except KeyError:
        raise KeyError(f"unknown section {section_id!r}; sections are {', '.join(_SECTION_IDS)}") from None


# Quoted text shared by several items.
_Q_EDUCATION = (
    "How do you know that vulnerable children and young people in your area are receiving a suitable education?"
)
_Q_SAFE = "What is done as a result to help children and young people to be safe and to feel safe?"
_Q_DECISIONS = (
    "How do you measure and understand the quality and timeliness of professional "
    "decision making for vulnerable children and young people? Including:"
)
_Q_PLANS_IMPROVED = "Whether the plans have improved children's outcomes"
_Q_WORKLOAD = "c) Their workloads are manageable"
_CIN_SOURCE = "CIN Census (Currently collected in CIN Census)"
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
_PER_10K = "per 10,000 children aged 0 to 17"
_RATE_REASON = (
    "The rate reflects local need and thresholds as much as practice: a high or low rate is not good or "
    "bad in itself and needs context."
)
_RE_REFERRAL_DIFFERENCE = (
    "The framework's wording (\"children who have been the subject of child protection plans in the past "
    "12/24 months are re-referred\") can be read in more than one way and has no DfE equivalent; munro "
    "follows the children whose plan ended in one cohort year for the full period."
)
_TIMELINESS_RATIONALE_END = "[This is subject to any decision to be taken around timescales for assessment]"


def _rereferral_after_cpp(months: int, cohort: str, example: str) -> Item:
    return Item(
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


def _activity_rate(id: str, title: str, *, framework_item: str, rationale: str, headline: str,
                   definition: str, framework_source: str = _CIN_SOURCE) -> Item:
    """A count of CIN census events per 10,000 children, benchmarked against DfE's figures."""
    return Item(
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
        polarity_reason=_RATE_REASON,
        comparability="dfe",
        headline=headline,
        definition=definition,
        figures=("count",),
    )


def _workforce_item(id: str, title: str, *, polarity_reason: str, headline: str, definition: str) -> Item:
    """The four social work workforce items share their source, framework item and rationale."""
    return Item(
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
    )


CATALOGUE: tuple[Item, ...] = (
    # ------------------------------------------------------------------ outcomes and experiences
    Item(
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
    ),
    Item(
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
    ),
    Item(
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
    ),
    Item(
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
    ),
    Item(
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
    ),
    Item(
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
        headline=f"A&E attendances for assault, self-harm and accidents {_PER_10K}, as imported",
        definition=(
            f"Accident and emergency attendances for assault, deliberate self-harm and other accidents, "
            f"{_PER_10K}, from Hospital Episode Statistics (HES)." + _IMPORTED
        ),
        key_questions=(_Q_SAFE,),
    ),
    # ------------------------------------------------------------------ workforce
    Item(
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
    ),
    _workforce_item(
        "sw_vacancy_rate", "Social worker vacancy rate",
        polarity_reason="Fewer vacant posts mean more social work capacity.",
        headline="social worker vacancy rate, as imported",
        definition="The vacancy rate of the authority's children's social workers.",
    ),
    _workforce_item(
        "sw_turnover_rate", "Social worker turnover rate",
        polarity_reason="Lower turnover means a more stable workforce and more continuity for children.",
        headline="social worker turnover rate, as imported",
        definition="The turnover rate of the authority's children's social workers.",
    ),
    _workforce_item(
        "sw_absence_rate", "Social worker absence (sickness) rate",
        polarity_reason="Less sickness absence means more social work capacity.",
        headline="social worker sickness absence rate, as imported",
        definition="The sickness absence rate of the authority's children's social workers.",
    ),
    _workforce_item(
        "sw_agency_rate", "Social work posts filled by agency workers",
        polarity_reason=(
            "Fewer posts filled by agency workers means a more stable permanent workforce, which the "
            "framework counts as part of workforce stability."
        ),
        headline="percent of social work posts filled by agency workers, as imported",
        definition="The percent of the authority's children's social work posts filled by agency workers.",
    ),
    # ------------------------------------------------------------------ timeliness
    Item(
        id="assessment_timeliness",
        title="Working days to complete assessments",
        section="timeliness",
        source="CIN census",
        needs=(),
        framework_item="Distribution of working days taken from referral to assessment completion",
        framework_source=_CIN_SOURCE,
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
    ),
    Item(
        id="s47_to_icpc_timeliness",
        title="Working days from strategy discussion to initial child protection conference",
        section="timeliness",
        source="CIN census",
        needs=(),
        framework_item=(
            "Distribution of working days from Child Protection strategy meeting to Initial Child "
            "Protection Conference (ICPC)"
        ),
        framework_source=_CIN_SOURCE,
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
    ),
    Item(
        id="cin_duration",
        title="Length of time children are in need",
        section="timeliness",
        source="CIN census",
        needs=(),
        framework_item="Length of time child is considered to be a child in need",
        framework_source=_CIN_SOURCE,
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
            "number of days (`median`) and the number in each band: 3 months or less, more than 3 months up to 6 months, more "
            "than 6 months but less than 1 year, 1 year but less than 2 years, and 2 years or more, with "
            "months and years counted on the calendar. The headline is the percent of episodes open at 31 "
            "March that had been open 2 years or more. A closed episode whose end date (closure) is before "
            "its start date (referral) is left out and counted in `excluded`."
        ),
        figures=("open", "closed", "count", "median", "excluded"),
        breakdown=("bands", ("up_to_3m", "3m_6m", "6m_1y", "1y_2y", "2y_plus")),
    ),
    Item(
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
    ),
    # ------------------------------------------------------------------ plans
    _rereferral_after_cpp(
        12, "the previous reporting year", "between 1 April 2022 and 31 March 2023"
    ),
    _rereferral_after_cpp(
        24, "the reporting year before the previous one", "between 1 April 2021 and 31 March 2022"
    ),
    Item(
        id="cpp_lasting_2y",
        title="Child protection plans lasting two years or more",
        section="plans",
        source="CIN census",
        needs=(),
        framework_item="Percentage of Child Protection Plans lasting two years or more",
        framework_source=_CIN_SOURCE,
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
    ),
    Item(
        id="cpp_repeat",
        title="Child protection plans that are a second or subsequent plan",
        section="plans",
        source="CIN census (earlier returns for `within_2y`)",
        needs=(),
        framework_item=(
            "Percentage of children becoming the subject of Child Protection Plan for a second or "
            "subsequent time (within two years)"
        ),
        framework_source=_CIN_SOURCE,
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
    ),
    Item(
        id="cpp_rate",
        title="Children subject of a child protection plan (rate per 10,000)",
        section="plans",
        source="CIN census",
        needs=(),
        framework_item=(
            "Number of children who are the subject of a Child Protection Plan (rate per 10,000 population)"
        ),
        framework_source=_CIN_SOURCE,
        rationale="Provides a comparable measure of numbers of CPPs",
        rationale_quoted=True,
        unit="per_10k",
        polarity="neither",
        polarity_reason=_RATE_REASON,
        comparability="dfe",
        headline=f"children with a child protection plan open at 31 March {_PER_10K}",
        definition=(
            f"Children with a child protection plan open at 31 March, {_PER_10K} in the authority. Also "
            f"`count`, the number of children."
        ),
        figures=("count",),
    ),
    Item(
        id="cpp_end_outcome",
        title="Child protection plans ending with the case closed or the child looked after",
        section="plans",
        source="CIN census and looked-after episodes",
        needs=("looked-after episodes (for `became_looked_after`)",),
        framework_item=(
            "Percentage of CPPs that close where the CIN case also closes or the child becomes looked after"
        ),
        framework_source=_CIN_SOURCE,
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
    ),
    Item(
        id="further_s47_after_cpp",
        title="Section 47 enquiries for children who had a previous child protection plan",
        section="plans",
        source="CIN census (earlier returns for previous plans)",
        needs=(),
        framework_item="Children with a previous CPP subject to a further S47 enquiry",
        framework_source=_CIN_SOURCE,
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
    ),
    Item(
        id="looked_after_and_cpp",
        title="Children both looked after and subject of a child protection plan",
        section="plans",
        source="CIN census and looked-after episodes",
        needs=("looked-after episodes",),
        framework_item="Children who are both looked after and have a CPP",
        framework_source=_CIN_SOURCE,
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
    ),
    Item(
        id="s47_to_icpc_conversion",
        title="Section 47 enquiries leading to an initial child protection conference",
        section="plans",
        source="CIN census",
        needs=(),
        framework_item="Rate of conversion of Section 47 enquiries to ICPC.",
        framework_source=_CIN_SOURCE,
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
    ),
    Item(
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
    ),
    # ------------------------------------------------------------------ activity
    Item(
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
        polarity_reason=_RATE_REASON,
        comparability="dfe",
        headline=f"referrals in the year {_PER_10K}",
        definition=(
            f"Referrals received in the year, including those that led to no further action, {_PER_10K}. "
            f"Also `count`, the number of referrals."
        ),
        figures=("count",),
    ),
    Item(
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
    ),
    _activity_rate(
        "assessment_rate", "Assessments (rate per 10,000)",
        framework_item="Rate of assessments per 10,000 population",
        framework_source="CIN Census (Currently in CIN Census)",
        rationale="Provides a comparable measure of throughput",
        headline=f"assessments completed in the year {_PER_10K}",
        definition=(
            f"Assessments authorised (completed) in the year, {_PER_10K}. Also `count`, the number of "
            f"assessments."
        ),
    ),
    _activity_rate(
        "s47_rate", "Section 47 enquiries (rate per 10,000)",
        framework_item="Rate of section 47 enquiries per 10,000 population",
        rationale="Provides a comparable measure of numbers of section 47 enquiries carried out",
        headline=f"section 47 enquiries starting in the year {_PER_10K}",
        definition=(
            f"Section 47 enquiries that started in the year, {_PER_10K}. Also `count`, the number of "
            f"enquiries."
        ),
    ),
    _activity_rate(
        "icpc_rate", "Initial child protection conferences (rate per 10,000)",
        framework_item="Rate of ICPCs per 10,000 population",
        rationale="Provides a comparable measure of ICPCs",
        headline=f"initial child protection conferences in the year {_PER_10K}",
        definition=(
            f"Initial child protection conferences held in the year, {_PER_10K}. A conference is one child "
            f"on one date, whether it is recorded on the section 47 enquiry or on the episode of need, so a "
            f"conference recorded in both places counts once. Also `count`, the number of conferences."
        ),
    ),
    Item(
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
    ),
    Item(
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
    ),
    Item(
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
            f"factors, {_PER_10K}"
        ),
        definition=(
            "Episodes of need (each opened by one referral) with an assessment authorised in the year that "
            "identified, for a parent or carer: `mental_health` (assessment factor 4B), `substance_misuse` "
            "(alcohol misuse 1B or drug misuse 2B) or `domestic_abuse` (3B); an episode counts once for each "
            "factor however many of its assessments record it. Each factor gives its count and its rate "
            f"{_PER_10K}, and `any` counts episodes with at least one of the three. The headline is the rate "
            "for `any`."
        ),
        figures=("mental_health", "substance_misuse", "domestic_abuse", "any"),
    ),
    Item(
        id="cpp_starts_by_category",
        title="Child protection plans starting, by category of abuse (rate per 10,000)",
        section="activity",
        source="CIN census",
        needs=(),
        framework_item=(
            "Children becoming the subject of a Child Protection Plan for physical, emotional, "
            "and sexual abuse or neglect) (rate per 10,000 population)"
        ),
        framework_source=_CIN_SOURCE,
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
        headline=f"child protection plans starting in the year {_PER_10K}, all categories together",
        definition=(
            f"Child protection plans that started in the year, {_PER_10K}, by the initial category of "
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
    ),
    Item(
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
        headline=f"children in need at 31 March {_PER_10K}",
        definition=(
            f"Children in need at 31 March, {_PER_10K}: children with an episode of need open at 31 March, "
            f"leaving out referrals that led to no further action, each child counted once. Also `count`, "
            f"the number of children."
        ),
        figures=("count",),
    ),
    Item(
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
    ),
)

_BY_ID = {i.id: i for i in CATALOGUE}
if len(_BY_ID) != len(CATALOGUE):
    raise ValueError("duplicate item ids in the catalogue")


def item(item_id: str) -> Item:
    """The catalogue entry for ``item_id``; KeyError naming the nearest ids when it is unknown."""
    try:
        return _BY_ID[item_id]
    except KeyError:
        near = difflib.get_close_matches(str(item_id), _BY_ID, n=3)
        hint = f" Did you mean {', '.join(near)}?" if near else ""
        raise KeyError(
            f"unknown item id {item_id!r}.{hint} The items are listed in docs/indicators.md "
            f"(munro.indicators.catalogue.CATALOGUE)."
        ) from None


def by_section() -> dict[str, tuple[Item, ...]]:
    """Every section id, in framework order, with its items in catalogue order."""
    return {s.id: tuple(i for i in CATALOGUE if i.section == s.id) for s in SECTIONS}


def question_of(quote: str) -> Question:
    """The local question that ``quote`` (an item's key question: a whole question or one of its parts) belongs to."""
    for s in SECTIONS:
        for q in s.questions:
            if quote == q.text or quote in q.parts or quote in q.then:
                return q
    raise KeyError(f"{quote!r} is not a local key question of the framework")
