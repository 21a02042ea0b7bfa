"""Numbers and labels as people read them: one place, so the page, the PDF and the workbook agree."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..indicators.catalogue import CATALOGUE
from ..indicators.result import ItemResult
from ..years import year_label

UNIT_WORDS = {"percent": "%", "per_10k": "per 10,000 children", "working_days": "working days",
              "days": "days", "count": ""}
# Band and group codes of the catalogue, said in words (the codes stay in the workbook's data sheet).
_BANDS = {
    "same_day": "same day", "1_10": "1 to 10", "11_20": "11 to 20", "21_30": "21 to 30", "31_40": "31 to 40",
    "41_45": "41 to 45", "46_50": "46 to 50", "51_60": "51 to 60", "61_plus": "61 or more",
    "0_10": "0 to 10", "11_15": "11 to 15", "16_20": "16 to 20", "21_plus": "21 or more",
    "up_to_3m": "up to 3 months", "3m_6m": "3 to 6 months", "6m_1y": "6 months to 1 year",
    "1y_2y": "1 to 2 years", "2y_plus": "2 years or more",
    "NEG": "neglect", "PHY": "physical abuse", "EMO": "emotional abuse", "SAB": "sexual abuse",
    "MUL": "multiple categories", "la_services": "LA services", "nfa": "no further action",
}


def words(code: str) -> str:
    return _BANDS.get(code, code.replace("_", " "))


def for_period(text: str, period: str | None) -> str:
    """An item's words of a reporting year said of an as-at ``period`` ('12 months to 31 October 2025'):
    'in the year' is 'in the 12 months' and 'at 31 March' the period's last day. Unchanged without one."""
    if not period:
        return text
    return text.replace("in the year", "in the 12 months").replace(
        "at 31 March", f"at {period.removeprefix('12 months to ')}")


def sentence_case(text) -> str:
    """The first letter in capitals, the rest as written (Jinja's capitalize lowercases "England")."""
    text = str(text)
    return text[:1].upper() + text[1:]


def number(value: Any, unit: str | None = None) -> str:
    """A value rounded at the edge (definitions.md section 1): one decimal place for rates and
    percentages, whole numbers for counts and days; a suppression symbol stays as it is."""
    if value is None:
        return "no value"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit in ("percent", "per_10k"):
        return f"{value:,.1f}"
    if isinstance(value, int) or unit in ("count",) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def with_unit(value: Any, unit: str) -> str:
    if value is None or isinstance(value, str):
        return number(value, unit)
    shown = number(value, unit)
    if unit == "percent":
        return f"{shown}%"
    return f"{shown} {UNIT_WORDS[unit]}".rstrip()


# ---------------------------------------------------------------- definitions, as a reader reads them

_TICKED = r"`([^`]+)`"
# Field names the catalogue's definitions use as words of a sentence, said as a reader would.
_TERMS = {"cin_closed": "closed episodes"}
_TITLES = {i.id: i.title for i in CATALOGUE}


def _term(code: str) -> str:
    """A name left in a definition after the rules below: an item by its title, a known field in words,
    and a group or part of a breakdown (``police``, ``open``, ``any``) in quotes, as the name it has in the table."""
    if code in _TITLES:
        return f"\u201c{_TITLES[code]}\u201d"
    if code in _TERMS:
        return _TERMS[code]
    return f"\u2018{words(code)}\u2019"


# (pattern, replacement) in order: the catalogue's analyst wording said for a reader.
_READER_RULES: tuple[tuple[str, str], ...] = (
    # Where the data is loaded from: a file layout, a doc page, a command-line option.
    (r"\s*\([^()]*(?:\.md\b|--|\blayout\b)[^()]*\)", ""),
    (r"is loaded with munro ingest[^;,.()]*", "is loaded from a file the authority supplies"),
    (r"\s*with munro ingest[^;,.()]*", ""),
    # "null with a reason": the report shows "No value" and says why.
    (r"the value is null with a reason", "there is no value (the report says why)"),
    (r"`[^`]+` is null with a reason", "that figure is not available"),
    # A parenthesis naming the fields that hold what the sentence has just said.
    (r"\s*\((?:\s*(?:`[^`]+`|,|and|with|or))+\s*\)", ""),
    (r"\s*\(counted in `[^`]+`\)", ""),
    (r"left out and counted in `excluded`", "left out as a data-quality exception"),
    (r"counted in `excluded`", "counted as a data-quality exception"),
    (r"counted in `[^`]+`", "counted separately"),
    # "(`field`: what it is)" and "Also `field`, what it is": what it is.
    (r"\(`[^`]+`:\s*", "("),
    (r"\bAlso `[^`]+`[,:]\s*", "Also "),
    (r"\bAlso (of|for|in) ", r"Also, \1 "),
    (r",? and a `note` says so", ""),  # the note is the workbook's and the JSON's, not on the page
)


def reader_definition(text: str) -> str:
    """An item's definition (``catalogue.Item.definition``, written for analysts) as a board reads it.

    The catalogue names the result's fields in backticks (``within_45``, ``excluded``) and says
    what the JSON holds (``value`` is null). For a reader: a parenthesis of field names goes (the
    sentence has said what they hold), "counted in `excluded`" is said in words, a sentence about
    the JSON's shape goes, "null with a reason" becomes "no value", references to file layouts and
    command-line options go, and any name left is said in words: an item by its title, a group of a
    breakdown by its name in the table. docs/indicators.md keeps the analyst's text.
    """
    sentences = re.split(r"(?<=\.)\s+(?=[A-Z`])", " ".join(str(text).split()))
    kept = []
    for s in sentences:
        if re.search(r"`(?:value|groups)`", s):  # the JSON's shape ("`value` is null and `groups` holds ...")
            continue
        for pattern, repl in _READER_RULES:
            s = re.sub(pattern, repl, s)
        if s.startswith("Also ") and "`" in s:  # "Also `a` (what a is) and `b` (what b is)."
            s = re.sub(_TICKED + r"\s*\(([^()]*)\)", r"\2", s)
        s = re.sub(_TICKED, lambda m: _term(m.group(1)), s)
        s = re.sub(r"\s+([,.;:)])", r"\1", s)
        kept.append(s.strip())
    return " ".join(k for k in kept if k)


# ---------------------------------------------------------------- the figures behind a headline, labelled for a reader

# How a figure is shown: a count, a percent, a rate per 10,000, a span of days, a year, a date, text or yes/no.
COUNT, PERCENT, RATE, WORKING_DAYS, DAYS, MID_YEAR, REPORT_YEAR, DATE, TEXT = (
    "count", "percent", "per_10k", "working_days", "days", "mid_year", "report_year", "date", "text")

_POPULATION = "Children aged 0 to 17 (population)"
_LEFT_OUT = "Left out as data-quality exceptions (end date before start date)"

# key -> (label, kind): the figures of every item, in words. An item's own words for a figure are in _ITEM_LABELS.
_LABELS: dict[str, tuple[str, str]] = {
    "numerator": ("Counted (numerator)", COUNT),
    "denominator": ("Out of (denominator)", COUNT),
    "count": ("Number", COUNT),
    "excluded": (_LEFT_OUT, COUNT),
    "percent": ("Percent", PERCENT),
    "rate": ("Per 10,000 children", RATE),
    "value": ("Percent", PERCENT),
    "p25": ("25th percentile", WORKING_DAYS),
    "median": ("Median", WORKING_DAYS),
    "p75": ("75th percentile", WORKING_DAYS),
    "within_45": ("Completed within 45 working days", COUNT),
    "within_15": ("Held within 15 working days", COUNT),
    "within_10": ("Held within 10 working days", COUNT),
    "plans_started": ("Plans started in the year", COUNT),
    "no_meeting_recorded": ("Plans with no core group meeting recorded", COUNT),
    "cohort_year": ("Cohort: plans that ended in", REPORT_YEAR),
    "cohort_start": ("Cohort: plans that ended on or after", DATE),
    "cohort_end": ("Cohort: plans that ended on or before", DATE),
    "open_2y": ("Plans open at 31 March that had lasted 2 years or more (percent)", PERCENT),
    "open_2y_count": ("Plans open at 31 March that had lasted 2 years or more", COUNT),
    "open_plans": ("Plans open at 31 March", COUNT),
    "within_2y": ("Second or later plans within 2 years of the previous plan (percent)", PERCENT),
    "within_2y_count": ("Second or later plans within 2 years of the previous plan", COUNT),
    "by_previous_cpp_count": ("Plans whose return records a previous plan", COUNT),
    "by_loaded_history": ("Plans with an earlier plan in the returns loaded", COUNT),
    "population": (_POPULATION, COUNT),
    "population_source": ("Population source", TEXT),
    "population_vintage": ("Population estimate used", TEXT),
    "population_mid_year": ("Population estimate (mid-year)", MID_YEAR),
    "population_estimated": ("Mid-year estimate for the reporting year published", "bool"),
    "population_reason": ("Why there is no population", TEXT),
    "cin_closed": ("Plans ended with the episode of need closed", COUNT),
    "became_looked_after": ("Plans ended with the child becoming looked after", COUNT),
    "became_looked_after_reason": ("Why it is not known who became looked after", TEXT),
    "stepped_down": ("Plans ended with the child still in need (stepped down)", COUNT),
    "children_on_plan": ("Children on a plan at 31 March", COUNT),
    "crude": ("Conferences held in the year as a percent of enquiries started", PERCENT),
    "conferences": ("Initial child protection conferences held in the year", COUNT),
    "cpp": ("Children on a plan: percent with 3 or more social workers", PERCENT),
    "cpp_numerator": ("Children on a plan with 3 or more social workers", COUNT),
    "cpp_denominator": ("Children on a plan at 31 March", COUNT),
    "visiting_standard": ("Visiting standard", WORKING_DAYS),
    "lapses": ("Lapses: gaps between visits longer than the standard", COUNT),
    "visits_seen": ("Visits in the year at which the child was seen", COUNT),
    "seen_alone": ("Of those visits, seen alone (percent, where recorded)", PERCENT),
    "nfa_count": ("Led to no further action", COUNT),
    "nfa_percent": ("Led to no further action (percent of the group)", PERCENT),
    "source": ("Source", TEXT),
}

# A column of a table, where the list's label is too long for one.
_COLUMN_LABELS = {"excluded": "Left out (end before start)", "value": "Percent"}
# Text figures whose values are codes.
_TEXT_WORDS = {"population_source": {"ONS": "Office for National Statistics (ONS)",
                                     "override": "the authority's own figure (an override)"}}
# A yes/no figure as a sentence: key -> (said when True, said when False).
_YES_NO = {
    "population_estimated": ("No: it is not published yet, so the latest published estimate is used", "Yes"),
}


def _rate_item(counted: str) -> dict[str, str]:
    return {"numerator": counted, "count": counted, "denominator": _POPULATION}


def _share(counted: str, of: str) -> dict[str, str]:
    return {"numerator": counted, "denominator": of, "count": of}


# item -> key -> label: what a generic figure (numerator, denominator, count) counts for that item.
_ITEM_LABELS: dict[str, dict[str, str]] = {
    "sw_changes": _share("Children in need with 3 or more social workers in the 12 months",
                         "Children in need at 31 March"),
    "assessment_timeliness": {**_share("Assessments completed within 45 working days",
                                       "Assessments completed in the year"),
                              "within_45": "Assessments completed within 45 working days",
                              "group.value": "Percent within 45 working days",
                              "group.within_45": "Within 45 working days", "group.count": "Assessments"},
    "s47_to_icpc_timeliness": {**_share("Conferences held within 15 working days of the strategy discussion",
                                        "Initial child protection conferences held in the year"),
                               "within_15": "Conferences held within 15 working days of the strategy discussion"},
    "cin_duration": {**_share("Episodes open at 31 March for 2 years or more", "Episodes of need open at 31 March"),
                     "group.count": "Episodes"},
    "icpc_to_core_group": {**_share("First core group meetings held within 10 working days of the conference",
                                    "Plans started in the year with a first core group meeting recorded"),
                           "within_10": "First core group meetings held within 10 working days of the conference"},
    "rereferral_after_cpp_12m": _share("Children re-referred within 12 months of the plan ending",
                                       "Children whose plan ended in the cohort year"),
    "rereferral_after_cpp_24m": _share("Children re-referred within 24 months of the plan ending",
                                       "Children whose plan ended in the cohort year"),
    "cpp_lasting_2y": _share("Plans ended in the year that had lasted 2 years or more", "Plans ended in the year"),
    "cpp_repeat": _share("Second or later plans", "Plans started in the year"),
    "cpp_end_outcome": _share("Plans ended with the episode closed or the child looked after",
                              "Plans ended in the year"),
    "further_s47_after_cpp": {"numerator": "Enquiries for a child who had an earlier plan",
                              "count": "Enquiries for a child who had an earlier plan",
                              "denominator": "Section 47 enquiries started in the year"},
    "looked_after_and_cpp": {"numerator": "Children on a plan who are also looked after",
                             "denominator": "Children on a plan at 31 March",
                             "percent": "Children on a plan who are also looked after (percent)"},
    "s47_to_icpc_conversion": _share("Enquiries with an initial child protection conference recorded",
                                     "Section 47 enquiries started in the year"),
    "rereferral_12m": _share("Referrals for a child referred in the previous 12 months",
                             "Referrals received in the year"),
    "referral_outcome": {**_share("Referrals that led to a service", "Referrals received in the year"),
                         "group": "Outcome", "group.count": "Referrals", "group.percent": "Percent of all referrals"},
    "referral_source": {"count": "Referrals received in the year", "group": "Source",
                        "group.count": "Referrals", "group.percent": "Percent of all referrals",
                        "group.nfa_count": "Led to no further action",
                        "group.nfa_percent": "Percent of the source's referrals that led to no further action"},
    "parental_factors_rate": {**_rate_item("Episodes with any of the three factors identified"),
                              "group": "Parental factor", "group.count": "Episodes"},
    "cpp_starts_by_category": {**_rate_item("Plans started in the year"),
                               "group": "Initial category of abuse", "group.count": "Plans started"},
    "cpp_rate": _rate_item("Children on a child protection plan at 31 March"),
    "referral_rate": _rate_item("Referrals received in the year"),
    "assessment_rate": _rate_item("Assessments completed in the year"),
    "s47_rate": _rate_item("Section 47 enquiries started in the year"),
    "icpc_rate": _rate_item("Initial child protection conferences held in the year"),
    "cin_rate": _rate_item("Children in need at 31 March"),
    "child_seen_per_cpp": _share("Children seen as the plan requires", "Children on a plan in the year"),
}
# Items whose spans are calendar days, not working days.
_CALENDAR_DAYS = {"cin_duration"}
# A part of a result (a nested set of figures) by name, and a breakdown's groups where words() is not enough.
_PARTS = {"open": "Open at 31 March", "closed": "Closed in the year", "from_referral": "The referral"}
_GROUP_WORDS = {"any": "Any of the three"}
# A part measured like the headline another way: the headline's own figures are a row of its table.
_SAME_MEASURE = {"from_referral": ("Measured from the start of the assessment and from the referral "
                                   "(percentiles and median in working days)", "Measured from",
                                   "The start of the assessment")}
# The order of a table's columns: what is counted, then how many met the standard, then the spread.
_COLUMN_ORDER = ("count", "within_45", "within_15", "within_10", "value", "percent", "rate", "nfa_count",
                 "nfa_percent", "p25", "median", "p75", "excluded")
_PART_HEADER = {"open": ("Episodes of need open at 31 March and closed in the year", "Episodes of need")}
_HIDDEN = ("value", "unit", "reason", "bands", "note", "groups")  # shown elsewhere on the page, or not a figure


def group_label(code: str) -> str:
    """A group or band code as a row of a table says it ("police" -> "Police")."""
    return _GROUP_WORDS.get(code) or sentence_case(words(code))


def figure_label(key: str, item: str | None = None) -> str:
    """A figure's name as a reader reads it ("population_mid_year" -> "Population estimate (mid-year)")."""
    own = _ITEM_LABELS.get(item or "", {}).get(key)
    if own:
        return own
    if key in _LABELS:
        return _LABELS[key][0]
    return sentence_case(words(key))


def _kind(key: str, value: Any, item: str | None) -> str:
    kind = _LABELS.get(key, ("", ""))[1]
    if kind == WORKING_DAYS and item in _CALENDAR_DAYS:
        return DAYS
    if kind:
        return kind
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return TEXT
    if "year" in key and isinstance(value, int):
        return REPORT_YEAR if 1900 < value < 2200 else COUNT
    return COUNT if isinstance(value, int) else ""


def _date(value: Any) -> str:
    try:
        d = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{d.day} {d.strftime('%B %Y')}"


def show(key: str, value: Any, item: str | None = None, *, in_table: bool = False) -> str:
    """A figure's value as a reader reads it: a year without a thousands separator ("mid-2024"), a
    date in words, a yes/no as a sentence, days with their unit (in a table the header has the unit)."""
    kind = _kind(key, value, item)
    if value is None:
        return "no figure" if in_table else "no value"
    if isinstance(value, str) and kind not in (DATE, TEXT):
        return value  # a suppression symbol
    if kind == "bool" or isinstance(value, bool):
        yes, no = _YES_NO.get(key, ("Yes", "No"))
        return yes if value else no
    if kind == MID_YEAR:
        return f"mid-{value}"
    if kind == REPORT_YEAR:
        return year_label(int(value))
    if kind == DATE:
        return _date(value)
    if kind == TEXT:
        return _TEXT_WORDS.get(key, {}).get(value, str(value))
    if kind == PERCENT:
        return number(value, "percent") if in_table else with_unit(value, "percent")
    if kind in (RATE, WORKING_DAYS, DAYS) and not in_table:
        return with_unit(value, kind)
    return number(value, kind or None)


def is_number(key: str, value: Any, item: str | None = None) -> bool:
    """True when the figure is a number (or a number hidden by disclosure control): a right-aligned cell."""
    return _kind(key, value, item) in (COUNT, PERCENT, RATE, WORKING_DAYS, DAYS, "")


def _column(key: str, item: str | None, unit_kind: str) -> str:
    label = (_ITEM_LABELS.get(item or "", {}).get(f"group.{key}") or _COLUMN_LABELS.get(key)
             or figure_label(key, item))
    if unit_kind in (WORKING_DAYS, DAYS) and key in ("p25", "median", "p75"):
        return f"{label} ({'working days' if unit_kind == WORKING_DAYS else 'days'})"
    return label


@dataclass
class FigureTable:
    """A breakdown of an item's figures: one row per group or part, one column per figure."""

    caption: str
    head: str  # the first column's header: what a row is
    columns: list[str]
    rows: list[tuple[str, list[tuple[str, bool]]]]  # (row label, [(cell text, is a number)])


@dataclass
class Figures:
    """The figures behind a headline as the page shows them: a list, then any breakdown as a table."""

    rows: list[tuple[str, str, bool]]  # (label, value as shown, is a number)
    tables: list[FigureTable]

    def __bool__(self) -> bool:
        return bool(self.rows or self.tables)


def _table(caption: str, head: str, parts: list[tuple[str, dict]], item: str | None,
           units_in_caption: bool = False) -> FigureTable | None:
    keys: list[str] = []
    for _, d in parts:
        keys += [k for k, v in d.items() if k not in keys and k not in ("bands", "unit") and not isinstance(v, dict)]
    keys = [k for k in keys if any(d.get(k) is not None for _, d in parts)]
    if not keys:
        return None
    keys.sort(key=lambda k: _COLUMN_ORDER.index(k) if k in _COLUMN_ORDER else len(_COLUMN_ORDER))
    columns = [_column(k, item, "" if units_in_caption else _kind(k, None, item)) for k in keys]
    rows = [(label, [(show(k, d.get(k), item, in_table=True), is_number(k, d.get(k), item)) for k in keys])
            for label, d in parts]
    return FigureTable(caption=caption, head=head, columns=columns, rows=rows)


def figures(r: ItemResult) -> Figures:
    """The figures behind ``r``'s headline for the page: every figure labelled for a reader, each
    value shown as it reads ("mid-2024", "1 April 2023", "24 working days"), the groups of a
    breakdown (``r.groups``) and the parts of a result (cin_duration's open and closed episodes,
    assessment_timeliness measured from the referral) as tables. Bands are left out: they are the
    distributions (chart and table)."""
    d = r.to_dict()
    item = r.id
    tables: list[FigureTable] = []
    shown_elsewhere: set[str] = set()
    parts = [(k, v) for k, v in d.items() if isinstance(v, dict) and k not in _HIDDEN]
    same = [(k, v) for k, v in parts if k in _SAME_MEASURE]
    for k, v in same:
        caption, head, base = _SAME_MEASURE[k]
        top = {key: d.get(key) for key in v if key != "bands"}
        top["value"] = d.get("value")
        t = _table(caption, head, [(base, top), (_PARTS.get(k, figure_label(k, item)), v)], item,
                   units_in_caption=True)
        if t:
            tables.append(t)
            shown_elsewhere |= set(top)
    others = [(k, v) for k, v in parts if k not in _SAME_MEASURE]
    if others:
        caption, head = _PART_HEADER.get(others[0][0], ("Parts of the result", "Part"))
        t = _table(caption, head, [(_PARTS.get(k, figure_label(k, item)), v) for k, v in others], item)
        if t:
            tables.append(t)
    groups = d.get("groups")
    if isinstance(groups, dict) and groups:
        rows = [(group_label(g), v if isinstance(v, dict) else {"value": v})
                for g, v in groups.items()]
        head = _ITEM_LABELS.get(item, {}).get("group", "Group")
        t = _table(f"By {head[:1].lower() + head[1:]}", head, rows, item)
        if t:
            tables.append(t)
    rows: list[tuple[str, str, bool]] = []
    seen: set[tuple[str, str]] = set()
    for k, v in d.items():
        if k in _HIDDEN or k in shown_elsewhere or v is None or isinstance(v, (dict, list, tuple)):
            continue
        label, text = figure_label(k, item), show(k, v, item)
        if (label, text) in seen:  # numerator and within_45 are one figure: shown once
            continue
        seen.add((label, text))
        rows.append((label, text, is_number(k, v, item)))
    return Figures(rows=rows, tables=tables)


def figure_rows(r: ItemResult) -> list[tuple[str, Any]]:
    """The figures behind a headline as (label, value) rows for the workbook's long form: the page's
    labels (a span of days with its unit), values as numbers (a year, a date and a yes/no as the page
    says them); a group's or a part's figures labelled "group: figure", each figure once.

    Bands are left out: they are shown as distributions (chart and table).
    """
    rows: list[tuple[str, Any]] = []
    item = r.id

    def walk(prefix: str, d: dict) -> None:
        for k, v in d.items():
            if k in ("value", "unit", "reason", "bands", "note") and not prefix:
                continue
            if k == "bands" or v is None or isinstance(v, (list, tuple)):
                continue
            if isinstance(v, dict):
                if k == "groups" and not prefix:
                    for g, gv in v.items():
                        name = group_label(g)
                        walk(f"{name}: ", gv if isinstance(gv, dict) else {"value": gv})
                else:
                    part = _PARTS.get(k, figure_label(k, item))
                    if k in _SAME_MEASURE:  # "Measured from the referral: ..."
                        part = f"{_SAME_MEASURE[k][1]} {part[:1].lower() + part[1:]}"
                    walk(f"{part}: ", v)
                continue
            label = (_ITEM_LABELS.get(item, {}).get(f"group.{k}") if prefix else None) or figure_label(k, item)
            kind = _kind(k, v, item)
            if isinstance(v, bool) or kind in (MID_YEAR, REPORT_YEAR, DATE, TEXT):
                v = show(k, v, item)  # as the label says it: "mid-2024", "No: ..."
            elif kind in (WORKING_DAYS, DAYS):
                label = f"{label} ({UNIT_WORDS[kind]})"
            row = (f"{prefix}{label[:1].lower() + label[1:] if prefix else label}", v)
            if row not in rows:  # a numerator that is also within_45, a count that is also the denominator
                rows.append(row)

    walk("", r.to_dict())
    return rows
