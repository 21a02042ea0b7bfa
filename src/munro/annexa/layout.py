"""Ofsted's Annex A lists 1 to 7, declared once: sheets, headers, munro's columns, types and code lists.

The layout is that of the widely used Annex A template (FORMAT.md in the shared reference folder):
one sheet per list, headers in row 1, coded columns carrying the code and its label together
(``a) WBRI``, ``q) 6: Police``, ``b) No``). ``read.py`` reads by these declarations and ``write.py``
writes by them, so the two cannot drift apart.

Values are held as munro holds the CIN census's: an Annex A code that is a census code is stored as
that code (ethnicity ``WBRI``, referral source ``6``, primary need ``N1``, closure reason ``RC8``,
category of abuse ``NEG``, gender as the census's ``GenderCurrent``: 1 male, 2 female, 0 not stated,
9 neither), its labels taken from ``munro.census.format.CODE_LISTS``; yes/no as a boolean (``Unknown``
and blank as null); the case status of list 6, which the census lacks, as a short munro code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..census.format import CODE_LISTS

# ---------------------------------------------------------------- code lists


@dataclass(frozen=True)
class CodeList:
    """One Annex A code list: ``entries`` are (letter, value, label) in the template's order.

    ``style`` is how the template writes a value: ``code`` (``a) WBRI``), ``code_label``
    (``q) 6: Police``), ``label`` (``a) Neglect``) or ``plain`` (``N1 - Abuse or neglect``, no letter).
    ``aliases`` are further labels read as a value (the census's own wording, for one).
    """

    name: str
    entries: tuple[tuple[str, str, str], ...]
    style: str
    aliases: tuple[tuple[str, str], ...] = ()

    def written(self, value: str) -> str:
        """The cell text of ``value`` as the template writes it."""
        for letter, v, label in self.entries:
            if v == value:
                if self.style == "code":
                    return f"{letter}) {v}"
                if self.style == "code_label":
                    return f"{letter}) {v}: {label}"
                if self.style == "label":
                    return f"{letter}) {label}"
                return f"{v} - {label}"
        raise ValueError(f"{value!r} is not in the Annex A list {self.name}")

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for _, v, _ in self.entries)


def _census(name: str, letters: str | list[str], codes: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(letter, census code, census label) of census list ``name``, lettered in the template's order."""
    codes = codes or list(CODE_LISTS[name])
    return [(letter, c, CODE_LISTS[name][c][0]) for letter, c in zip(letters, codes, strict=True)]


_ETHNIC_ORDER = ["WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
                 "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"]
# The template names the source's group after the code (``g) 3A: Health services``); the census
# label says which of the group (``Health: GP``) and is read too.
_SOURCE_GROUP = {"1": "Individual", "2A": "Schools", "2B": "Education services", "3": "Health services",
                 "4": "Housing", "5": "LA services", "6": "Police", "7": "Other legal agency", "8": "Other",
                 "9": "Anonymous", "10": "Unknown"}
_SOURCE_LETTERS = [*"abcdefghijklmno", "p", "p1", *"qrstu"]
_SOURCE_ORDER = ["1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C",
                 "5D", "6", "7", "8", "9", "10"]


def _source_group(code: str) -> str:
    return _SOURCE_GROUP.get(code) or _SOURCE_GROUP[code[0]]


def _with_census_labels(name: str) -> tuple[tuple[str, str], ...]:
    return tuple((label, code) for code, (label, _, _) in CODE_LISTS[name].items())


# Yes/no columns are written ``a) Yes`` and ``b) No``; ``c) Unknown`` and blank are read as null.
YES, NO = "a) Yes", "b) No"

CODES: dict[str, CodeList] = {c.name: c for c in (
    CodeList("gender", (("a", "1", "Male"), ("b", "2", "Female"), ("c", "0", "Not stated/recorded"),
                        ("d", "9", "Neither")), "label",
             (("M", "1"), ("F", "2"), ("Unknown", "0"), ("Not known", "0"), ("Not stated", "0"),
              ("Not recorded", "0"), ("Indeterminate", "9"), ("U", "0"))),
    CodeList("ethnicity", tuple(_census("ethnicity", "abcdefghijklmnopqrst", _ETHNIC_ORDER)), "code",
             _with_census_labels("ethnicity")),
    CodeList("referral_source",
             tuple((letter, c, _source_group(c)) for letter, c in zip(_SOURCE_LETTERS, _SOURCE_ORDER, strict=True)),
             "code_label", _with_census_labels("referral_source")),
    CodeList("primary_need", tuple(_census("primary_need", " " * 10, [f"N{i}" for i in (*range(1, 10), 0)])),
             "plain"),
    CodeList("closure_reason", tuple(_census("closure_reason", " " * 9)), "plain"),
    CodeList("abuse_category", (("a", "NEG", "Neglect"), ("b", "PHY", "Physical abuse"), ("c", "SAB", "Sexual abuse"),
                                ("d", "EMO", "Emotional abuse"), ("e", "MUL", "Multiple/not recommended")), "label",
             (("Multiple", "MUL"),)),
    # Not in the CIN census: where the child's case stands at the extract's date.
    CodeList("case_status", (("a", "looked_after", "Looked after child"), ("b", "cp_plan", "Child Protection plan"),
                             ("c", "cin_plan", "Child in need plan"), ("d", "open_assessment", "Open assessment"),
                             ("e", "closed", "Closed episode")), "label"),
)}

# ---------------------------------------------------------------- columns and lists

KINDS = ("id", "date", "code", "yesno", "int", "text", "age")


@dataclass(frozen=True)
class Column:
    """One column: the template's header, munro's column name, its kind and, for codes, its code list.

    ``required``: a sheet without the column is not read, and a row without a value is skipped.
    ``variants``: other headers LAs write for it (matched as headers are: see ``header_key``).
    ``age`` columns are derived (often formulas): never read, written as whole years at the as-at date.
    """

    header: str
    name: str
    kind: str
    codes: str | None = None
    required: bool = False
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnexList:
    number: int
    title: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()  # other sheet names for the list, besides "List N" and the title

    @property
    def sheet(self) -> str:
        """The template's sheet name."""
        return f"List {self.number}"

    @property
    def read_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind != "age")

    def __str__(self) -> str:
        return f"list {self.number} ({self.title})"


def _id() -> Column:
    return Column("Child Unique ID", "child_id", "id", required=True,
                  variants=("Child ID", "Unique Child ID", "Child Unique Identifier", "Child Identifier",
                            "LA Child ID", "Child Reference", "ID"))


def _child(disability: bool = True) -> tuple[Column, ...]:
    """The columns every list 1-7 opens with."""
    cols = (
        _id(),
        Column("Gender", "gender", "code", "gender", variants=("Sex",)),
        Column("Ethnicity", "ethnicity", "code", "ethnicity"),
        Column("Date of Birth", "birth_date", "date", variants=("DOB", "Birth Date")),
        Column("Age", "age", "age", variants=("Age of Child (Years)", "Age of Child", "Age in Years")),
    )
    if disability:
        cols += (Column("Does the Child have a Disability", "disabled", "yesno",
                        variants=("Disability", "Disabled", "Child has a Disability")),)
    return cols


def _allocated() -> tuple[Column, ...]:
    return (Column("Allocated Team", "team", "text", variants=("Team",)),
            Column("Allocated Worker", "worker", "text", variants=("Worker", "Allocated Social Worker",
                                                                   "Social Worker")))


LISTS: dict[int, AnnexList] = {lst.number: lst for lst in (
    AnnexList(1, "Contacts", (
        *_child(disability=False),
        Column("Date of Contact", "contact_date", "date", required=True, variants=("Contact Date",)),
        Column("Contact Source", "contact_source", "code", "referral_source", variants=("Source of Contact",)),
    )),
    AnnexList(2, "Early help assessments", (
        *_child(disability=False),
        Column("Assessment start date", "start_date", "date", required=True,
               variants=("Early Help Assessment Start Date", "EHA Start Date")),
        Column("Assessment completion date", "completion_date", "date",
               variants=("Early Help Assessment Completion Date", "EHA Completion Date")),
        Column("Organisation completing assessment", "organisation", "text",
               variants=("Organisation Completing the Assessment",)),
    ), ("Early help", "EHA", "Early help assessment")),
    AnnexList(3, "Referrals", (
        *_child(disability=False),
        Column("Date of Referral", "referral_date", "date", required=True, variants=("Referral Date",)),
        Column("Referral Source", "referral_source", "code", "referral_source", variants=("Source of Referral",)),
        Column("Referral NFA?", "referral_nfa", "yesno", variants=("Referral NFA", "NFA")),
        Column("Number of Referrals in Last 12 Months", "referrals_12m", "int",
               variants=("Referrals in Last 12 Months", "Number of Referrals in the Last 12 Months")),
        *_allocated(),
    ), ("Referral",)),
    AnnexList(4, "Assessments", (
        *_child(),
        Column("Continuous Assessment Start Date", "start_date", "date", required=True,
               variants=("Assessment Start Date",)),
        Column("Child Seen During Continuous Assessment", "seen", "yesno",
               variants=("Child Seen During Assessment",)),
        Column("Continuous Assessment Date of Authorisation", "authorisation_date", "date",
               variants=("Assessment Date of Authorisation", "Assessment Authorisation Date",
                         "Date of Authorisation")),
        Column("Was the child assessed as requiring LA children's social care support?", "needs_support", "yesno",
               variants=("Assessed as Requiring Support", "Requires LA Children's Social Care Support")),
        *_allocated(),
    ), ("Assessment", "Continuous assessments", "Single assessments")),
    AnnexList(5, "Section 47 enquiries and initial child protection conferences", (
        *_child(),
        Column("Strategy discussion initiating Section 47 Enquiry Start Date", "s47_date", "date", required=True,
               variants=("Section 47 Enquiry Start Date", "S47 Start Date", "Section 47 Start Date",
                         "Date of Section 47")),
        Column("Was an Initial Child Protection Conference deemed unnecessary?", "icpc_not_required", "yesno",
               variants=("ICPC Not Required", "Initial Child Protection Conference Deemed Unnecessary")),
        Column("Date of Initial Child Protection Conference", "icpc_date", "date", variants=("ICPC Date",)),
        Column("Did the Initial Child Protection Conference Result in a Child Protection Plan", "icpc_plan", "yesno",
               variants=("ICPC Resulted in a Child Protection Plan", "ICPC Resulted in a Plan")),
        Column("Number of Section 47 Enquiries in the last 12 months", "s47_12m", "int",
               variants=("Section 47 Enquiries in the Last 12 Months",)),
        Column("Number of ICPCs in the last 12 months", "icpc_12m", "int", variants=("ICPCs in the Last 12 Months",)),
        *_allocated(),
    ), ("Section 47 enquiries", "Section 47", "S47", "S47 and ICPC", "Section 47 and ICPC")),
    AnnexList(6, "Children in need", (
        *_child(),
        Column("CIN Start Date", "cin_start_date", "date", required=True, variants=("Child in Need Start Date",)),
        Column("Primary Need Code", "primary_need", "code", "primary_need", variants=("Primary Need",)),
        Column("Date Child Was Last Seen", "last_seen_date", "date", variants=("Date Last Seen",)),
        Column("CIN Closure Date", "cin_closure_date", "date", variants=("Child in Need Closure Date",)),
        Column("Reason for Closure", "closure_reason", "code", "closure_reason", variants=("Closure Reason",)),
        Column("Case Status", "case_status", "code", "case_status"),
        *_allocated(),
    ), ("CIN", "Child in need")),
    AnnexList(7, "Children subject of a child protection plan", (
        *_child(),
        Column("Child Protection Plan Start Date", "cpp_start_date", "date", required=True,
               variants=("CP Plan Start Date", "CPP Start Date", "Plan Start Date")),
        Column("Initial Category of Abuse", "initial_category", "code", "abuse_category"),
        Column("Latest Category of Abuse", "latest_category", "code", "abuse_category"),
        Column("Date of the Last Statutory Visit", "last_visit_date", "date",
               variants=("Date of Last Statutory Visit", "Last Statutory Visit")),
        Column("Was the Child Seen Alone?", "seen_alone", "yesno", variants=("Seen Alone",)),
        Column("Date of latest review conference", "review_date", "date",
               variants=("Date of Latest Review Conference", "Latest Review Conference")),
        Column("Child Protection Plan End Date", "cpp_end_date", "date", variants=("CP Plan End Date", "CPP End Date",
                                                                                   "Plan End Date")),
        Column("Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
               "epo_or_police_6m", "yesno", variants=("Subject to Emergency Protection Order",
                                                      "EPO or Police Protection in Last Six Months")),
        Column("Number of Previous Child Protection Plans", "previous_plans", "int",
               variants=("Previous Child Protection Plans", "Number of Previous CP Plans")),
        *_allocated(),
    ), ("Child protection plans", "Child protection", "CP plans", "CPP", "Children on a child protection plan")),
)}

# Lists 8-11 are known by their sheet names, so that they are not taken for unknown sheets, but not read.
NOT_READ: dict[int, tuple[str, ...]] = {
    8: ("Children looked after", "Looked after children", "CLA", "LAC"),
    9: ("Care leavers",),
    10: ("Children with an adoption decision or plan", "Adoption"),
    11: ("Adopters",),
}

# ---------------------------------------------------------------- tolerant names


def header_key(text: str) -> str:
    """A header or sheet name as it is compared: lower case, apostrophes dropped, any other punctuation a
    space, spaces collapsed, a trailing ``(Y/N)`` dropped: ``Referral NFA?`` and ``referral  nfa`` agree."""
    text = text.casefold().replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^0-9a-z]+", " ", text).strip()
    return re.sub(r"\s*\by n\b$", "", text).strip()


def sheet_list(name: str) -> int | None:
    """The list a sheet's name says it holds (1-11), or None: ``List 3``, ``list3 - referrals``, ``Referrals``."""
    key = header_key(name)
    m = re.match(r"^list\s*(\d+)\b", key)
    if m:
        n = int(m.group(1))
        return n if 1 <= n <= 11 else None
    return _SHEET_NAMES.get(key)


_SHEET_NAMES = {header_key(n): lst.number for lst in LISTS.values() for n in (lst.title, *lst.aliases)}
_SHEET_NAMES.update({header_key(n): number for number, names in NOT_READ.items() for n in names})
