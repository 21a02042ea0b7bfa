"""Rules of the CINplanDates table (CIN plans, 2021-22 census onward)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import rule
from ._sql import (
    ALL_YEARS,
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

T = "CINplanDates"
START, END = "CINPlanStartDate", "CINPlanEndDate"


@rule("4000", "error", table=T, fields=("ReferralNFA",), years=ALL_YEARS,
      message="CIN Plan details provided for a referral with no further action")
def r4000(v: Context) -> str:
    """One finding per episode marked ReferralNFA that holds CIN plans, on the line of its first plan."""
    return nfa_episodes_with("cin_plans")


@rule("4001", "error", table=T, fields=(END, "CPPendDate"), years=ALL_YEARS,
      message="A CIN Plan cannot run concurrently with a Child Protection Plan")
def r4001(v: Context) -> str:
    """A CIN plan with no end date in a CINdetails that also holds a child protection plan with no
    end date: both are open at the reference date. The CIN plan is flagged."""
    return f"""
        SELECT p.la_child_id, NULL AS value, p.line FROM cin_plans p
        WHERE p.end_date IS NULL AND EXISTS (
            SELECT 1 FROM cp_plans c WHERE {same_episode('c', 'p')} AND c.end_date IS NULL)"""


@rule("4004", "error", table=T, fields=(END,), years=ALL_YEARS,
      message="This child is showing more than one open CIN Plan, i.e. with no End Date")
def r4004(v: Context) -> str:
    """Counted over the child's CINdetails, not within one: each open plan is flagged."""
    return flag_open_many("cin_plans", "end_date IS NULL", "child_seq")


@rule("4010", "error", table=T, fields=(START,), years=ALL_YEARS,
      message="CIN Plan start date is missing or out of data collection period")
def r4010(v: Context) -> str:
    """"Out of data collection period" is read as after the reference date: a plan that started
    before 1 April and was still open then belongs in the return (4013 checks its end)."""
    return rows("cin_plans", iso("start_date"), f"start_date IS NULL OR start_date > {v.date(v.reference_date)}")


@rule("4011", "error", table=T, fields=(END, START), years=ALL_YEARS,
      message="CIN Plan End Date earlier than Start Date")
def r4011(v: Context) -> str:
    return rows("cin_plans", iso("end_date"), "end_date < start_date")


@rule("4012Q", "query", table=T, fields=(START, END), years=ALL_YEARS,
      message="Please check and either amend or provide a reason: CIN Plan shown as starting and ending "
              "on the same day")
def r4012q(v: Context) -> str:
    return rows("cin_plans", iso("end_date"), "end_date = start_date")


@rule("4013", "error", table=T, fields=(END, "ReferenceDate"), years=ALL_YEARS,
      message="CIN Plan end date must fall within the census year")
def r4013(v: Context) -> str:
    return rows("cin_plans", iso("end_date"), outside_year("end_date", v))


@rule("4014", "error", table=T, fields=(START, END), years=ALL_YEARS,
      message="CIN Plan data contains overlapping dates")
def r4014(v: Context) -> str:
    """Across all the child's CINdetails: a plan starting on or between the start and end dates of
    another (on or after the start of an open one) is flagged, so a plan starting the day another
    ends overlaps it by that day."""
    return overlapping("cin_plans", "cin_plan_seq")


@rule("4015", "error", table=T, fields=(START, "CINreferralDate"), years=ALL_YEARS,
      message="The CIN Plan start date cannot be before the referral date")
def r4015(v: Context) -> str:
    return before_referral("cin_plans")


def _starts_within(inner: str, outer: str) -> str:
    """Rows of ``inner`` starting on or after the start of an ``outer`` row of the same CINdetails and
    before its end (or with no end). The end day itself is the usual step up or step down: not flagged."""
    return f"""
        SELECT i.la_child_id, {iso('i.start_date')} AS value, i.line FROM {inner} i
        WHERE EXISTS (SELECT 1 FROM {outer} o
                      WHERE {same_episode('o', 'i')} AND i.start_date >= o.start_date
                        AND (o.end_date IS NULL OR i.start_date < o.end_date))"""


@rule("4016", "error", table=T, fields=(START, "CPPstartDate", "CPPendDate"), years=ALL_YEARS,
      message="A CIN Plan has been reported as open at the same time as a Child Protection Plan.")
def r4016(v: Context) -> str:
    """A CIN plan starting while a child protection plan of the same CINdetails is open: on or after
    its start and before its end (or with no end). The CIN plan's start is flagged."""
    return _starts_within("cin_plans", "cp_plans")


@rule("4017", "error", table=T, fields=(START, END, "CPPstartDate"), years=ALL_YEARS,
      message="A CIN Plan has been reported as open at the same time as a Child Protection Plan.")
def r4017(v: Context) -> str:
    """A child protection plan starting while a CIN plan of the same CINdetails is open: on or after
    its start and before its end (or with no end). The child protection plan's start is flagged."""
    return _starts_within("cp_plans", "cin_plans")
