"""Rules of the ChildProtectionPlans and Reviews tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import rule
from ._codes import missing_or_invalid
from ._sql import (
    ALL_YEARS,
    ICPC_DATES,
    before_referral,
    flag_open_many,
    iso,
    nfa_episodes_with,
    outside_year,
    overlapping,
    rows,
    same_episode,
)

if TYPE_CHECKING:
    from ..context import Context

T = "ChildProtectionPlans"
START, END, REVIEW = "CPPstartDate", "CPPendDate", "CPPreviewDate"
REVIEWS_OF_PLANS = f"cp_reviews r JOIN cp_plans c ON {same_episode('r', 'c')} AND r.cpp_seq = c.cpp_seq"


@rule("1105", "error", table=T, fields=(START, "CINreferralDate"), years=ALL_YEARS,
      message="The child protection plan start date cannot be before the referral date")
def r1105(v: Context) -> str:
    return before_referral("cp_plans")


@rule("2883", "error", table=T, fields=(START, "DateOfInitialCPC"), years=ALL_YEARS,
      message="There are more child protection plans starting than initial conferences taking place")
def r2883(v: Context) -> str:
    """Within one CINdetails: plans starting in the census year against the distinct conference dates in
    the census year (each Section47's and the CINdetails' own). A plan that started before 1 April had
    its conference in an earlier year, which this return need not hold (8715), and an earlier year's
    conference cannot account for this year's plan. One finding per CINdetails, on the line of its
    first such plan."""
    return f"""
        WITH plans AS (
            SELECT la_child_id, child_seq, episode_seq, count(*) AS n, min(line) AS line FROM cp_plans
            WHERE start_date >= {v.date(v.period_start)} GROUP BY ALL),
        conferences AS (
            SELECT child_seq, episode_seq, count(DISTINCT icpc_date) AS n FROM {ICPC_DATES}
            WHERE NOT {outside_year('icpc_date', v)} GROUP BY ALL)
        SELECT p.la_child_id, format('plans: {{}}, conferences: {{}}', p.n, coalesce(c.n, 0)) AS value,
               p.line
        FROM plans p LEFT JOIN conferences c USING (child_seq, episode_seq)
        WHERE p.n > coalesce(c.n, 0)"""


@rule("2885", "error", table=T, fields=(START, "DateOfInitialCPC"), years=ALL_YEARS,
      message="Child protection plan shown as starting a different day to the initial child protection "
              "conference.")
def r2885(v: Context) -> str:
    """A plan starting in the census year, in a CINdetails with a conference date (Section47 or its own),
    whose start matches none of them. A CINdetails with plans and no conference is 2883's finding."""
    return f"""
        SELECT c.la_child_id, {iso('c.start_date')} AS value, c.line FROM cp_plans c
        WHERE c.start_date >= {v.date(v.period_start)}
          AND EXISTS (SELECT 1 FROM {ICPC_DATES} i WHERE {same_episode('i', 'c')})
          AND NOT EXISTS (SELECT 1 FROM {ICPC_DATES} i
                          WHERE {same_episode('i', 'c')} AND i.icpc_date = c.start_date)"""


# Each dated activity of a CINdetails that 8565 checks against its closure date: (table, column, field).
ACTIVITY = (
    ("episodes", "icpc_date", "DateOfInitialCPC"),
    ("assessments", "start_date", "AssessmentActualStartDate"),
    ("assessments", "authorisation_date", "AssessmentAuthorisationDate"),
    ("section47", "start_date", "S47ActualStartDate"),
    ("section47", "icpc_date", "DateOfInitialCPC"),
    ("cp_plans", "end_date", END),
    ("cin_plans", "start_date", "CINPlanStartDate"),
    ("cin_plans", "end_date", "CINPlanEndDate"),
)


@rule("8565", "error", table=T, fields=("CINclosureDate", "DateOfInitialCPC", "AssessmentActualStartDate",
                                        "AssessmentAuthorisationDate", "S47ActualStartDate", END,
                                        "CINPlanStartDate", "CINPlanEndDate"), years=ALL_YEARS,
      message="Activity shown after a case has been closed")
def r8565(v: Context) -> str:
    """Each date of the listed fields later than its own CINdetails' closure date, one finding each."""
    dated = "\n            UNION ALL ".join(
        f"SELECT la_child_id, child_seq, episode_seq, {col} AS day, line, '{field}' AS field FROM {table}"
        for table, col, field in ACTIVITY)
    return f"""
        WITH dated AS ({dated})
        SELECT d.la_child_id, {iso('d.day')} AS value, d.line, d.field
        FROM dated d JOIN episodes e ON {same_episode('d', 'e')} WHERE d.day > e.closure_date"""


@rule("8720", "error", table=T, fields=(START, "ReferenceDate"), years=ALL_YEARS,
      message="Child Protection Plan Start Date missing or out of data collection period")
def r8720(v: Context) -> str:
    """"Out of data collection period" is read as after the reference date: a plan that started before
    1 April and was still open then belongs in the return (8930 checks its end)."""
    return rows("cp_plans", iso("start_date"), f"start_date IS NULL OR start_date > {v.date(v.reference_date)}")


@rule("8730", "error", table=T, fields=("NumberOfPreviousCPP",), years=ALL_YEARS,
      message="Total Number of previous Child Protection Plans missing")
def r8730(v: Context) -> str:
    return rows("cp_plans", "NULL", "previous_cpp_count IS NULL")


@rule("8832", "error", table=T, fields=("ReferralNFA",), years=ALL_YEARS,
      message="Child Protection details provided for a referral with no further action.")
def r8832(v: Context) -> str:
    """One finding per CINdetails marked ReferralNFA that holds plans, on the line of its first plan."""
    return nfa_episodes_with("cp_plans")


@rule("8840", "error", table=T, fields=(START, END), years=ALL_YEARS,
      message="Child Protection Plan cannot start and end on the same day")
def r8840(v: Context) -> str:
    return rows("cp_plans", iso("end_date"), "end_date = start_date")


@rule("8841", "error", table=T, fields=(START, REVIEW), years=ALL_YEARS,
      message="The review date cannot be on the same day or before the Child protection Plan start date.")
def r8841(v: Context) -> str:
    return f"""
        SELECT r.la_child_id, {iso('r.review_date')} AS value, r.line
        FROM {REVIEWS_OF_PLANS} WHERE r.review_date <= c.start_date"""


@rule("8842Q", "query", table="Reviews", fields=(REVIEW,), years=ALL_YEARS,
      message="Please check and either amend or provide a reason: Review Record has a missing date")
def r8842q(v: Context) -> str:
    """A CPPreviewDate that is empty or not a date. A tolerant read keeps no review row for it and
    records it in read_problems, with the text as written; a stored review with no date counts too."""
    return """
        SELECT la_child_id, NULL AS value, line FROM cp_reviews WHERE review_date IS NULL
        UNION ALL
        SELECT la_child_id, value, line FROM read_problems WHERE element = 'CPPreviewDate'"""


def _category(column: str, v: Context) -> str:
    return rows("cp_plans", column, missing_or_invalid(column, "abuse_category", v))


@rule("8905", "error", table=T, fields=("InitialCategoryOfAbuse",), years=ALL_YEARS,
      message="Initial Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census "
              "code set)")
def r8905(v: Context) -> str:
    return _category("initial_category", v)


@rule("8910", "error", table=T, fields=("LatestCategoryOfAbuse",), years=ALL_YEARS,
      message="Latest Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census "
              "code set)")
def r8910(v: Context) -> str:
    return _category("latest_category", v)


def _after_death(column: str) -> str:
    return f"""
        SELECT c.la_child_id, {iso('c.' + column)} AS value, c.line FROM cp_plans c
        JOIN children k ON k.child_seq = c.child_seq WHERE c.{column} > k.death_date"""


@rule("8915", "error", table=T, fields=(START, "PersonDeathDate"), years=ALL_YEARS,
      message="Child Protection Plan shown as starting after the child’s Date of Death")
def r8915(v: Context) -> str:
    return _after_death("start_date")


@rule("8920", "error", table=T, fields=("PersonDeathDate", END), years=ALL_YEARS,
      message="Child Protection Plan cannot end after the child’s Date of Death")
def r8920(v: Context) -> str:
    return _after_death("end_date")


@rule("8925", "error", table=T, fields=(START, END), years=ALL_YEARS,
      message="Child Protection Plan End Date earlier than Start Date")
def r8925(v: Context) -> str:
    return rows("cp_plans", iso("end_date"), "end_date < start_date")


@rule("8930", "error", table=T, fields=(END, "ReferenceDate"), years=ALL_YEARS,
      message="Child Protection Plan End Date must fall within the census year")
def r8930(v: Context) -> str:
    return rows("cp_plans", iso("end_date"), outside_year("end_date", v))


@rule("8935", "error", table=T, fields=(END,), years=ALL_YEARS,
      message="This child is showing more than one open Child Protection plan, i.e. with no End Date")
def r8935(v: Context) -> str:
    """Counted over the child's CINdetails: each open plan is flagged."""
    return flag_open_many("cp_plans", "end_date IS NULL", "child_seq")


@rule("8940", "error", table=T, fields=(START, END), years=ALL_YEARS,
      message="Child Protection Plan data contains overlapping dates")
def r8940(v: Context) -> str:
    """Across all the child's CINdetails: a plan starting on or between the start and end dates of
    another (on or after the start of an open one) is flagged."""
    return overlapping("cp_plans", "cpp_seq")


@rule("4003", "error", table="Reviews", fields=("CINPlanStartDate", "CINPlanEndDate", REVIEW), years=ALL_YEARS,
      message="A CPP review date is shown as being held at the same time as an open CIN Plan.")
def r4003(v: Context) -> str:
    """A review after the start of a CIN plan of the same CINdetails and before its end (or with no
    end). A review on the day a CIN plan starts or ends is the conference that stepped the plan down
    or up: not flagged."""
    return f"""
        SELECT r.la_child_id, {iso('r.review_date')} AS value, r.line FROM cp_reviews r
        WHERE EXISTS (SELECT 1 FROM cin_plans p
                      WHERE {same_episode('p', 'r')} AND r.review_date > p.start_date
                        AND (p.end_date IS NULL OR r.review_date < p.end_date))"""
