"""Rules of the Section47 table (section 47 enquiries and their initial conferences)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import rule
from ._sql import (
    ALL_YEARS,
    ICPC_DATES,
    before_referral,
    flag_open_many,
    iso,
    open_since_before_year,
    outside_year,
    rows,
    same_episode,
    weekend,
    workdays_to_reference,
)

if TYPE_CHECKING:
    from ..context import Context

T = "Section47"
START, ICPC, NOT_REQUIRED = "S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"
# An enquiry still waiting for its conference: no conference date, and one not said to be unneeded.
AWAITING_ICPC = "icpc_date IS NULL AND icpc_not_required IS DISTINCT FROM 1"


@rule("1104", "error", table=T, fields=("CINreferralDate", ICPC), years=ALL_YEARS,
      message="The date of the initial child protection conference cannot be before the referral date")
def r1104(v: Context) -> str:
    """Every DateOfInitialCPC (N00110) is checked: each Section47's and the CINdetails' own."""
    return before_referral(ICPC_DATES, "icpc_date")


@rule("2884", "error", table=T, fields=(ICPC,), years=ALL_YEARS,
      message="An initial child protection conference is recorded at both the S47 and CIN Details level "
              "and it should only be recorded in one")
def r2884(v: Context) -> str:
    """The same conference recorded twice: a Section47's DateOfInitialCPC equal to the one of its own
    CINdetails. Different dates are different conferences. The Section47's date is flagged."""
    return f"""
        SELECT s.la_child_id, {iso('s.icpc_date')} AS value, s.line FROM section47 s
        JOIN episodes e ON {same_episode('s', 'e')} WHERE s.icpc_date = e.icpc_date"""


@rule("2889", "error", table=T, fields=(START, "CINreferralDate"), years=ALL_YEARS,
      message="The S47 start date cannot be before the referral date.")
def r2889(v: Context) -> str:
    return before_referral("section47")


@rule("8615", "error", table=T, fields=(START, ICPC), years=ALL_YEARS,
      message="Section 47 Enquiry Start Date must be present and cannot be later than the date of the "
              "initial Child Protection Conference")
def r8615(v: Context) -> str:
    return rows("section47", iso("start_date"), "start_date IS NULL OR start_date > icpc_date")


@rule("8675Q", "query", table=T, fields=(ICPC, START, NOT_REQUIRED), years=ALL_YEARS,
      message="Please check and either amend data or provide a reason: S47 Enquiry started more than 15 "
              "working days before the end of the census year. However, there is no date of Initial Child "
              "Protection Conference.")
def r8675q(v: Context) -> str:
    """An enquiry with no conference date, not marked ICPCnotRequired, that started more than 15 England
    working days before the reference date (working days d with start < d <= reference date). A start
    before munro's calendar (2000) is left to 8740."""
    return rows("section47", iso("start_date"), f"{AWAITING_ICPC} AND {workdays_to_reference('start_date', v)} > 15")


@rule("8715", "error", table=T, fields=(ICPC, "ReferenceDate"), years=ALL_YEARS,
      message="Date of Initial Child Protection Conference must fall within the census year")
def r8715(v: Context) -> str:
    """The Section47's DateOfInitialCPC only: an enquiry belongs in the return for its conference in the
    year. The CINdetails' own DateOfInitialCPC stays with an episode open for years, like its referral date."""
    return rows("section47", iso("icpc_date"), outside_year("icpc_date", v))


@rule("8740", "error", table=T, fields=(START, ICPC, NOT_REQUIRED), years=ALL_YEARS,
      message="For a Section 47 Enquiry that has not held the Initial Child Protection Conference by the end "
              "of the census year, the start date must fall within the census year")
def r8740(v: Context) -> str:
    """"Has not held the conference": no conference date and not marked ICPCnotRequired (an enquiry
    that needed no conference has ended, whenever it started). "By the end of the census year": in an
    in-year extract, the start within the 12 months to its date (``open_since_before_year``)."""
    return rows("section47", iso("start_date"), f"{AWAITING_ICPC} AND {open_since_before_year('start_date', v)}")


@rule("8839", "error", table=T, fields=(ICPC,), years=ALL_YEARS,
      message="Within one CINDetails group there are 2 or more open S47 Assessments")
def r8839(v: Context) -> str:
    """An open enquiry has no conference date and is not marked ICPCnotRequired; each open one of the
    CINdetails is flagged."""
    return flag_open_many("section47", AWAITING_ICPC, "child_seq, episode_seq")


@rule("8870Q", "query", table=T, fields=("InitialCPCtarget",), years=ALL_YEARS,
      message="Please check and either amend or provide a reason: The Target Date for Initial Child "
              "Protection Conference should not be a weekend")
def r8870q(v: Context) -> str:
    return rows("section47", iso("icpc_target_date"), weekend("icpc_target_date"))


@rule("8875", "error", table=T, fields=(ICPC,), years=ALL_YEARS,
      message="The Date of Initial Child Protection Conference cannot be a weekend")
def r8875(v: Context) -> str:
    """Every DateOfInitialCPC (N00110) is checked: each Section47's and the CINdetails' own. Only
    Saturdays and Sundays: the text says weekend, not bank holiday."""
    return rows(ICPC_DATES, iso("icpc_date"), weekend("icpc_date"))
