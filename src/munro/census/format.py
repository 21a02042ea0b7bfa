"""munro's own definition of the CIN census XML, per collection year.

The third-party XSDs have known faults (see the reference SOURCES.md), so the
structure lives here as data: the reader checks files against it, the writer
emits files from it, and the store's columns are named by it.

A collection year is the year in which the census ends (2025 = 2024-25).
Every element, in schema order, with the store column it lands in:

    Message/Header/CollectionDetails   Collection, Year, ReferenceDate
    Message/Header/Source              SourceLevel, LEA, SoftwareCode, Release, SerialNo, DateTime
    Message/Children/Child             -> table ``children``
      ChildIdentifiers                 LAchildID ... PersonDeathDate
      ChildCharacteristics             Ethnicity, Disabilities/Disability* -> ``disabilities``
      CINdetails+                      -> ``episodes``
        Assessments*                   -> ``assessments``; AssessmentFactors* -> ``assessment_factors``
        CINPlanDates*    (2022+)       -> ``cin_plans``
        Section47*                     -> ``section47``
        ChildProtectionPlans*          -> ``cp_plans``; Reviews/CPPreviewDate* -> ``cp_reviews``
        PreProceedingsandFGDM* (2027+) -> ``pre_proceedings``
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

FIRST_YEAR = 2013
LATEST_YEAR = 2027  # the 2026-27 draft
ALL_YEARS = (FIRST_YEAR, LATEST_YEAR)


@dataclass(frozen=True)
class Field:
    """One simple element: its XML name, store column and type.

    ``kind`` is one of ``str``, ``date``, ``datetime``, ``bool`` (stored as
    0/1), ``int``. ``years`` is the inclusive range of collection years in
    which the element exists. ``codes`` names a code list in ``CODE_LISTS``.
    """

    element: str
    column: str
    kind: str = "str"
    required: bool = False
    years: tuple[int, int] = ALL_YEARS
    codes: str | None = None

    def in_year(self, year: int) -> bool:
        return self.years[0] <= year <= self.years[1]


@dataclass(frozen=True)
class ListOf:
    """A wrapper element holding repeated simple values, one row each.

    ``Disabilities/Disability*``, ``FactorsIdentifiedAtAssessment/AssessmentFactors*``,
    ``Reviews/CPPreviewDate*``.
    """

    wrapper: str
    element: str
    table: str
    column: str
    kind: str = "str"
    codes: str | None = None
    years: tuple[int, int] = ALL_YEARS

    def in_year(self, year: int) -> bool:
        return self.years[0] <= year <= self.years[1]


@dataclass(frozen=True)
class Group:
    """A repeated element that becomes one row of ``table`` per occurrence.

    ``items`` are in schema order: a ``Field``, a ``ListOf``, a nested
    ``Group``, or a ``Container`` (a non-repeating wrapper whose fields land
    in this group's row).
    """

    element: str
    table: str
    items: tuple[Item, ...]
    min_occurs: int = 0
    years: tuple[int, int] = ALL_YEARS

    def in_year(self, year: int) -> bool:
        return self.years[0] <= year <= self.years[1]


@dataclass(frozen=True)
class Container:
    element: str
    items: tuple[Item, ...]
    required: bool = True


# What a Group or Container holds, in schema order.
Item: TypeAlias = "Field | ListOf | Group | Container"


# Code lists (FORMAT.md section 3). Each maps code -> (label, first year, last year).
def _codes(spec: dict[str, str], years: dict[str, tuple[int, int]] | None = None) -> dict[str, tuple[str, int, int]]:
    years = years or {}
    return {code: (label, *years.get(code, ALL_YEARS)) for code, label in spec.items()}


CODE_LISTS: dict[str, dict[str, tuple[str, int, int]]] = {
    "gender": _codes({"0": "Not known", "1": "Male", "2": "Female", "9": "Indeterminate"}),
    "sex": _codes({"M": "Male", "F": "Female", "U": "Unknown or unborn"}),
    "upn_unknown": _codes({f"UN{i}": f"UPN unknown reason {i}" for i in range(1, 8)}),
    "ethnicity": _codes(
        {
            "WBRI": "White British", "WIRI": "White Irish",
            "WIRT": "Traveller of Irish heritage", "WOTH": "Any other White background",
            "WROM": "Gypsy/Roma", "MWBC": "White and Black Caribbean",
            "MWBA": "White and Black African", "MWAS": "White and Asian",
            "MOTH": "Any other mixed background", "AIND": "Indian", "APKN": "Pakistani",
            "ABAN": "Bangladeshi", "AOTH": "Any other Asian background",
            "BCRB": "Black Caribbean", "BAFR": "Black African",
            "BOTH": "Any other Black background", "CHNE": "Chinese",
            "OOTH": "Any other ethnic group", "REFU": "Refused",
            "NOBT": "Information not yet obtained",
        }
    ),
    "disability": _codes(
        {
            "NONE": "No disability", "MOB": "Mobility", "HAND": "Hand function",
            "PC": "Personal care", "INC": "Incontinence", "COMM": "Communication",
            "LD": "Learning", "HEAR": "Hearing", "VIS": "Vision", "BEH": "Behaviour",
            "CON": "Consciousness", "AUT": "Autism", "DDA": "Other DDA",
        }
    ),
    "referral_source": _codes(
        {
            "1A": "Individual: family member, relative or carer",
            "1B": "Individual: acquaintance", "1C": "Individual: self",
            "1D": "Individual: other", "2A": "Schools", "2B": "Education services",
            "3A": "Health: GP", "3B": "Health: health visitor", "3C": "Health: school nurse",
            "3D": "Health: other primary health", "3E": "Health: A&E",
            "3F": "Health: other", "4": "Housing", "5A": "LA services: social care",
            "5B": "LA services: other internal", "5C": "LA services: external",
            "5D": "LA services: early help", "6": "Police", "7": "Other legal agency",
            "8": "Other", "9": "Anonymous", "10": "Unknown",
        },
        {"5D": (2023, LATEST_YEAR)},
    ),
    "primary_need": _codes(
        {
            "N0": "Not stated", "N1": "Abuse or neglect", "N2": "Child's disability",
            "N3": "Parental disability or illness", "N4": "Family in acute stress",
            "N5": "Family dysfunction", "N6": "Socially unacceptable behaviour",
            "N7": "Low income", "N8": "Absent parenting",
            "N9": "Cases other than children in need",
        }
    ),
    "closure_reason": _codes(
        {
            "RC1": "Adopted", "RC2": "Died", "RC3": "Child arrangements order",
            "RC4": "Special guardianship order", "RC5": "Transferred to another LA",
            "RC6": "Transferred to adult social care",
            "RC7": "Services ceased for any other reason",
            "RC8": "Case closed after assessment, no further action",
            "RC9": "Case closed after assessment, referred to early help",
        },
        {"RC9": (2023, LATEST_YEAR)},
    ),
    "abuse_category": _codes(
        {"NEG": "Neglect", "PHY": "Physical abuse", "SAB": "Sexual abuse",
         "EMO": "Emotional abuse", "MUL": "Multiple"}
    ),
    "assessment_factor": _codes(
        {
            **{f"{n}{s}": f"{topic}: {who}"
               for n, topic in (("1", "Alcohol misuse"), ("2", "Drug misuse"),
                                ("3", "Domestic violence"), ("4", "Mental health"),
                                ("5", "Learning disability"),
                                ("6", "Physical disability or illness"))
               for s, who in (("A", "child"), ("B", "parent or carer"),
                              ("C", "other person in household"))},
            "7A": "Young carer", "8B": "Privately fostered: overseas, intend to return",
            "8C": "Privately fostered: overseas, intend to stay",
            "8D": "Privately fostered: UK, educational placement",
            "8E": "Privately fostered: UK, alternative family arrangement",
            "8F": "Privately fostered: other", "9A": "Unaccompanied asylum seeker",
            "10A": "Going or being missing", "11A": "Child sexual exploitation",
            "12A": "Trafficking", "13A": "Gangs", "14A": "Socially unacceptable behaviour",
            "15A": "Self-harm", "16A": "Neglect", "17A": "Emotional abuse",
            "18A": "Physical abuse", "18B": "Physical abuse: child on child",
            "18C": "Physical abuse: adult on child", "19A": "Sexual abuse",
            "19B": "Sexual abuse: child on child", "19C": "Sexual abuse: adult on child",
            "20": "Other", "21": "No factors identified", "22A": "Female genital mutilation",
            "23A": "Abuse linked to faith or belief", "24A": "Child criminal exploitation",
        },
        {
            "18A": (FIRST_YEAR, 2020), "19A": (FIRST_YEAR, 2020),
            "18B": (2021, LATEST_YEAR), "18C": (2021, LATEST_YEAR),
            "19B": (2021, LATEST_YEAR), "19C": (2021, LATEST_YEAR),
            "24A": (2022, LATEST_YEAR),
        },
    ),
    "pp_outcome": _codes({"A": "Outcome A", "B": "Outcome B", "C": "Outcome C"}),
}


def codes_for(name: str, year: int) -> frozenset[str]:
    """The codes of list ``name`` valid in collection ``year``."""
    return frozenset(c for c, (_, lo, hi) in CODE_LISTS[name].items() if lo <= year <= hi)


HEADER_FIELDS = (
    Field("Collection", "collection"),
    Field("Year", "collection_year", "int", required=True),
    Field("ReferenceDate", "reference_date", "date", required=True),
    Field("SourceLevel", "source_level"),
    Field("LEA", "la_code", required=True),
    Field("SoftwareCode", "software_code"),
    Field("Release", "release"),
    Field("SerialNo", "serial_no"),
    Field("DateTime", "source_datetime", "datetime"),
)
HEADER_PATHS = {
    "Collection": "CollectionDetails", "Year": "CollectionDetails",
    "ReferenceDate": "CollectionDetails", "SourceLevel": "Source", "LEA": "Source",
    "SoftwareCode": "Source", "Release": "Source", "SerialNo": "Source", "DateTime": "Source",
}

REVIEWS = ListOf("Reviews", "CPPreviewDate", "cp_reviews", "review_date", "date")

CP_PLAN = Group(
    "ChildProtectionPlans", "cp_plans",
    (
        Field("CPPstartDate", "start_date", "date", required=True),
        Field("CPPendDate", "end_date", "date"),
        Field("InitialCategoryOfAbuse", "initial_category", required=True, codes="abuse_category"),
        Field("LatestCategoryOfAbuse", "latest_category", required=True, codes="abuse_category"),
        Field("NumberOfPreviousCPP", "previous_cpp_count", "int", required=True),
        Field("SeenSocialWorker", "seen_social_worker", "bool", required=True, years=(FIRST_YEAR, 2016)),
        REVIEWS,
    ),
)

ASSESSMENT = Group(
    "Assessments", "assessments",
    (
        Field("AssessmentActualStartDate", "start_date", "date", required=True),
        Field("AssessmentInternalReviewDate", "internal_review_date", "date"),
        Field("AssessmentAuthorisationDate", "authorisation_date", "date"),
        ListOf("FactorsIdentifiedAtAssessment", "AssessmentFactors", "assessment_factors",
               "factor", codes="assessment_factor"),
    ),
)

CIN_PLAN = Group(
    "CINPlanDates", "cin_plans",
    (
        Field("CINPlanStartDate", "start_date", "date", required=True),
        Field("CINPlanEndDate", "end_date", "date"),
    ),
    years=(2022, LATEST_YEAR),
)

SECTION47 = Group(
    "Section47", "section47",
    (
        Field("S47ActualStartDate", "start_date", "date", required=True),
        Field("InitialCPCtarget", "icpc_target_date", "date"),
        Field("DateOfInitialCPC", "icpc_date", "date"),
        Field("ICPCnotRequired", "icpc_not_required", "bool", required=True),
    ),
)

PRE_PROCEEDINGS = Group(
    "PreProceedingsandFGDM", "pre_proceedings",
    (
        Field("PPStartDate", "start_date", "date", required=True),
        Field("LBPSentDate", "lbp_sent_date", "date"),
        Field("FGDMMeetingOffer", "fgdm_offered", "bool"),
        Field("FGDMMeetingFac", "fgdm_facilitated", "bool"),
        Field("InitialPPMeetingDate", "initial_meeting_date", "date"),
        Field("ReviewMeetingsCount", "review_meetings_count", "int"),
        Field("StepDecisionDate", "step_decision_date", "date"),
        Field("PPOutcome", "outcome", codes="pp_outcome"),
        Field("CourtAppDate", "court_application_date", "date"),
        Field("LetterInitCPDate", "letter_init_cp_date", "date"),
    ),
    years=(2027, LATEST_YEAR),
)

EPISODE = Group(
    "CINdetails", "episodes",
    (
        Field("CINreferralDate", "referral_date", "date", required=True),
        Field("ReferralSource", "referral_source", required=True, codes="referral_source"),
        Field("PrimaryNeedCode", "primary_need", codes="primary_need"),
        Field("CINclosureDate", "closure_date", "date"),
        Field("ReasonForClosure", "closure_reason", codes="closure_reason"),
        Field("DateOfInitialCPC", "icpc_date", "date"),
        ASSESSMENT,
        CIN_PLAN,
        SECTION47,
        Field("ReferralNFA", "referral_nfa", "bool", required=True),
        CP_PLAN,
        PRE_PROCEEDINGS,
    ),
    min_occurs=1,
)

CHILD = Group(
    "Child", "children",
    (
        Container(
            "ChildIdentifiers",
            (
                Field("LAchildID", "la_child_id", required=True),
                Field("UPN", "upn"),
                Field("FormerUPN", "former_upn"),
                Field("UPNunknown", "upn_unknown", codes="upn_unknown"),
                Field("PersonBirthDate", "birth_date", "date"),
                Field("ExpectedPersonBirthDate", "expected_birth_date", "date"),
                Field("GenderCurrent", "gender", required=True, years=(FIRST_YEAR, 2024), codes="gender"),
                Field("Sex", "sex", required=True, years=(2025, LATEST_YEAR), codes="sex"),
                Field("PersonDeathDate", "death_date", "date"),
            ),
        ),
        Container(
            "ChildCharacteristics",
            (
                Field("Ethnicity", "ethnicity", required=True, codes="ethnicity"),
                ListOf("Disabilities", "Disability", "disabilities", "disability", codes="disability"),
            ),
        ),
        EPISODE,
    ),
    min_occurs=1,
)

# Each table's parent, so that rows can carry their ancestors' sequence numbers.
PARENT = {
    "children": None,
    "disabilities": "children",
    "episodes": "children",
    "assessments": "episodes",
    "assessment_factors": "assessments",
    "cin_plans": "episodes",
    "section47": "episodes",
    "cp_plans": "episodes",
    "cp_reviews": "cp_plans",
    "pre_proceedings": "episodes",
}
TABLES = tuple(PARENT)


def seq_column(table: str) -> str:
    """The column numbering a table's rows within their parent (1-based)."""
    return {
        "children": "child_seq",
        "disabilities": "disability_seq",
        "episodes": "episode_seq",
        "assessments": "assessment_seq",
        "assessment_factors": "factor_seq",
        "cin_plans": "cin_plan_seq",
        "section47": "s47_seq",
        "cp_plans": "cpp_seq",
        "cp_reviews": "review_seq",
        "pre_proceedings": "pp_seq",
    }[table]


def key_columns(table: str) -> tuple[str, ...]:
    """Sequence columns that identify a row within a return: its ancestors' and its own."""
    chain = []
    t: str | None = table
    while t is not None:
        chain.append(seq_column(t))
        t = PARENT[t]
    return tuple(reversed(chain))


def _walk(node: Item, year: int | None, out: dict[str, list[Field]]) -> None:
    if isinstance(node, Group):
        cols = out.setdefault(node.table, [])
        for item in node.items:
            if isinstance(item, Field):
                cols.append(item)
            elif isinstance(item, Container):
                for sub in item.items:
                    _walk_item(sub, node, year, out)
            else:
                _walk(item, year, out)
    elif isinstance(node, ListOf):
        out.setdefault(node.table, []).append(
            Field(node.element, node.column, node.kind, True, node.years, node.codes)
        )


def _walk_item(item: Item, group: Group, year: int | None, out: dict[str, list[Field]]) -> None:
    if isinstance(item, Field):
        out[group.table].append(item)
    else:
        _walk(item, year, out)


def table_fields(year: int | None = None) -> dict[str, list[Field]]:
    """Data fields per table in schema order (all years when ``year`` is None)."""
    out: dict[str, list[Field]] = {}
    _walk(CHILD, year, out)
    return out
