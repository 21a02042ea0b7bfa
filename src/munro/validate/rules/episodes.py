"""Rules of the CINdetails table (``episodes``: one row per referral and its episode of need).

ReferralNFA is stored as 1 (true) or 0 (false); NULL when it is missing or
unreadable (rule 8568). "Not a referral with no further action" is
``referral_nfa = 0``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import rule
from ._codes import code_list, missing_or_invalid, rows_where
from ._sql import ALL_YEARS, iso, outside_year

if TYPE_CHECKING:
    from ..context import Context

T = "CINdetails"
CLOSED_AFTER_ASSESSMENT = "('RC8', 'RC9')"



def _has(table: str, where: str = "TRUE") -> str:
    """True when episode ``e`` has a row of ``table`` (meeting ``where``, on alias ``x``)."""
    return (f"EXISTS (SELECT 1 FROM {table} x WHERE x.child_seq = e.child_seq "
            f"AND x.episode_seq = e.episode_seq AND {where})")


def _with_child(condition: str, value: str) -> str:
    return f"""
        SELECT e.la_child_id, {value} AS value, e.line
        FROM episodes e JOIN children c USING (child_seq) WHERE {condition}"""


def _rows(condition: str, value: str, field: str | None = None) -> str:
    return rows_where("episodes", condition, value, field)


# ---------------------------------------------------------------- codes and flags

@rule("8568", "error", table=T, fields=("ReferralNFA",), years=ALL_YEARS, message="RNFA flag is missing or invalid")
def r8568(v: Context) -> str:
    """Valid: true, false, 1 or 0 in any case (a value the format refuses is stored as NULL)."""
    return _rows("referral_nfa IS NULL", "NULL")


@rule("8640", "error", table=T, fields=("ReasonForClosure",), years=ALL_YEARS,
      message="CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)")
def r8640(v: Context) -> str:
    return _rows(f"closure_reason NOT IN {code_list('closure_reason', v)}", "closure_reason")


@rule("8650", "error", table=T, fields=("PrimaryNeedCode",), years=ALL_YEARS,
      message="Primary Need Code invalid (see Primary Need table in CIN census code set)")
def r8650(v: Context) -> str:
    return _rows(f"primary_need NOT IN {code_list('primary_need', v)}", "primary_need")


@rule("8610", "error", table=T, fields=("ReferralNFA", "PrimaryNeedCode"), years=ALL_YEARS,
      message="Primary Need code is missing for a referral which led to further action.")
def r8610(v: Context) -> str:
    return _rows("referral_nfa = 0 AND primary_need IS NULL", "NULL", "PrimaryNeedCode")


@rule("8866", "error", table=T, fields=("CINreferralDate", "ReferralSource"), years=ALL_YEARS,
      message="Source of Referral is missing or an invalid code")
def r8866(v: Context) -> str:
    """Checked for referrals from 1 April 2013, when the current code set began."""
    return _rows(f"referral_date >= DATE '2013-04-01' AND "
                     f"{missing_or_invalid('referral_source', 'referral_source', v)}", "referral_source",
                     "ReferralSource")


# ---------------------------------------------------------------- dates

@rule("8600", "error", table=T, fields=("CINreferralDate",), years=ALL_YEARS,
      message="Child referral date missing or after data collection period")
def r8600(v: Context) -> str:
    return _rows(f"referral_date IS NULL OR referral_date > {v.date(v.reference_date)}", iso("referral_date"))


@rule("8620", "error", table=T, fields=("CINclosureDate",), years=ALL_YEARS,
      message="CIN Closure Date present and does not fall within the Census year")
def r8620(v: Context) -> str:
    return _rows(outside_year("closure_date", v), iso("closure_date"))


@rule("8630", "error", table=T, fields=("CINreferralDate", "CINclosureDate"), years=ALL_YEARS,
      message="CIN Closure Date is before CIN Referral Date for the same CIN episode")
def r8630(v: Context) -> str:
    return _rows("closure_date < referral_date", iso("closure_date"), "CINclosureDate")


@rule("8805", "error", table=T, fields=("CINclosureDate", "ReasonForClosure"), years=ALL_YEARS,
      message="A CIN case cannot have a CIN closure date without a Reason for Closure")
def r8805(v: Context) -> str:
    return _rows("closure_date IS NOT NULL AND closure_reason IS NULL", iso("closure_date"), "ReasonForClosure")


@rule("8810", "error", table=T, fields=("ReasonForClosure", "CINclosureDate"), years=ALL_YEARS,
      message="A CIN case cannot have a Reason for Closure without a CIN Closure Date")
def r8810(v: Context) -> str:
    return _rows("closure_reason IS NOT NULL AND closure_date IS NULL", "closure_reason", "CINclosureDate")


@rule("8555Q", "query", table=T, fields=("PersonDeathDate", "CINreferralDate"), years=ALL_YEARS,
      message="Child cannot be referred after its recorded date of death")
def r8555q(v: Context) -> str:
    return _with_child("e.referral_date > c.death_date", iso("e.referral_date"))


@rule("8585Q", "query", table=T, fields=("ReasonForClosure", "PersonDeathDate"), years=ALL_YEARS,
      message="Please check and either amend or provide a reason: CIN episode shows Died as the Closure Reason, "
              "however child has no recorded Date of Death")
def r8585q(v: Context) -> str:
    return _with_child("e.closure_reason = 'RC2' AND c.death_date IS NULL", "e.closure_reason")


@rule("8606", "error", table=T, fields=("CINreferralDate", "PersonBirthDate", "ExpectedPersonBirthDate"),
      years=ALL_YEARS, message="Child referral date is more than 40 weeks before DOB or expected DOB")
def r8606(v: Context) -> str:
    """Measured from the date of birth, or the expected one when there is none: 280 days."""
    return _with_child("e.referral_date < coalesce(c.birth_date, c.expected_birth_date) - INTERVAL 280 DAY",
                       iso("e.referral_date"))


@rule("8569Q", "query", table=T, fields=("ReferralNFA",), years=ALL_YEARS,
      message="A case with referral date before one working day prior to the collection start date must not "
              "be flagged as a no further action case")
def r8569q(v: Context) -> str:
    """The collection starts on 1 April; one working day before it is the last England
    working day before 1 April. A referral NFA dated before that day is flagged."""
    return _rows(f"referral_nfa = 1 AND referral_date < (SELECT max(date) FROM calendar "
                     f"WHERE is_working_day = 1 AND date < {v.date(v.period_start)})", iso("referral_date"),
                     "CINreferralDate")


# ---------------------------------------------------------------- open episodes

OPEN_FURTHER_ACTION = "closure_date IS NULL AND referral_nfa = 0"


@rule("8815", "error", table=T, fields=("ReferralNFA", "CINclosureDate"), years=ALL_YEARS,
      message="More than one open CIN Details episode (a module with no CIN Closure Date) has been provided "
              "for this child and case is not a referral with no further action.")
def r8815(v: Context) -> str:
    """Every open episode that went on to further action, when the child has two or more."""
    return f"""
        SELECT la_child_id, {iso('referral_date')} AS value, line FROM (
            SELECT *, count(*) OVER (PARTITION BY child_seq) AS open_episodes
            FROM episodes WHERE {OPEN_FURTHER_ACTION})
        WHERE open_episodes >= 2"""


@rule("8816", "error", table=T, fields=("CINreferralDate", "ReferralNFA"), years=ALL_YEARS,
      message="An open CIN episode is shown and case is not a referral with no further action, but it is not "
              "the latest episode.")
def r8816(v: Context) -> str:
    """Latest: by referral date; an open episode with a later-referred episode of the same child is flagged."""
    return _rows(f"{OPEN_FURTHER_ACTION} AND EXISTS (SELECT 1 FROM episodes l WHERE l.child_seq = e.child_seq "
                     "AND l.referral_date > e.referral_date)", iso("referral_date"))


@rule("8820", "error", table=T, fields=("CINreferralDate", "CINclosureDate"), years=ALL_YEARS,
      message="The dates on the CIN episodes for this child overlap")
def r8820(v: Context) -> str:
    """An episode overlaps when it is referred on or after another episode's referral and
    before that episode's closure (or while it is open). A referral on the day another
    episode closes is a new episode, not an overlap; two episodes referred the same day
    overlap and are both flagged."""
    return _rows("EXISTS (SELECT 1 FROM episodes o WHERE o.child_seq = e.child_seq "
                     "AND o.episode_seq <> e.episode_seq AND e.referral_date >= o.referral_date "
                     "AND (o.closure_date IS NULL OR e.referral_date < o.closure_date))", iso("referral_date"))


# ---------------------------------------------------------------- activity on the episode

def _activity(table: str, column: str, field: str, where: str) -> str:
    return f"""
        SELECT x.la_child_id, {iso(f'x.{column}')} AS value, x.line, '{field}' AS field
        FROM {table} x JOIN episodes e USING (child_seq, episode_seq) WHERE {where}"""


@rule("8831", "error", table=T, fields=("AssessmentActualStartDate", "AssessmentAuthorisationDate",
                                        "S47ActualStartDate", "DateOfInitialCPC"), years=ALL_YEARS,
      message="Activity is recorded against a case marked as a referral with no further action")
def r8831(v: Context) -> str:
    """Activity: an assessment, a section 47 enquiry or an initial conference, each flagged on
    its own record. (CIN and protection plans on such a referral are rules 4000 and 8832.)"""
    nfa = "e.referral_nfa = 1"
    return " UNION ALL ".join([
        _activity("assessments", "start_date", "AssessmentActualStartDate", nfa),
        _activity("section47", "start_date", "S47ActualStartDate", nfa),
        _rows("referral_nfa = 1 AND icpc_date IS NOT NULL", iso("icpc_date"), "DateOfInitialCPC")])


@rule("2990", "error", table=T, fields=("ReasonForClosure",), years=ALL_YEARS,
      message="Activity is recorded against a case marked as ‘Case closed after assessment, no further action’ "
              "or 'case closed after assessment, referred to early help'.")
def r2990(v: Context) -> str:
    """Activity beyond the assessment: a CIN plan, a section 47 enquiry, an initial conference
    or a protection plan, each flagged on its own record."""
    closed = f"e.closure_reason IN {CLOSED_AFTER_ASSESSMENT}"
    return " UNION ALL ".join([
        _activity("cin_plans", "start_date", "CINPlanStartDate", closed),
        _activity("section47", "start_date", "S47ActualStartDate", closed),
        _activity("cp_plans", "start_date", "CPPstartDate", closed),
        _rows(f"closure_reason IN {CLOSED_AFTER_ASSESSMENT} AND icpc_date IS NOT NULL", iso("icpc_date"),
                  "DateOfInitialCPC")])


@rule("8825Q", "query", table=T, fields=("ReasonForClosure",), years=ALL_YEARS,
      message="Please check and either amend data or provide a reason: Reason for Closure code RC8 (case closed "
              "after assessment) or RC9 (case closed after assessment, referred to early help) has been returned "
              "but there is no assessment present for the episode.")
def r8825q(v: Context) -> str:
    return _rows(f"closure_reason IN {CLOSED_AFTER_ASSESSMENT} AND NOT {_has('assessments')}",
                     "closure_reason")


@rule("2991Q", "query", table=T, fields=("CINdetailsID",), years=ALL_YEARS,
      message="Please check and either amend data or provide a reason: A Section 47 module is recorded and there "
              "is no assessment on the episode")
def r2991q(v: Context) -> str:
    return _rows(f"{_has('section47')} AND NOT {_has('assessments')}", iso("referral_date"))


@rule("8867", "error", table=T, fields=("CINclosureDate", "AssessmentAuthorisationDate"), years=ALL_YEARS,
      message="CIN episode is shown as closed, however Assessment is not shown as completed")
def r8867(v: Context) -> str:
    """Flagged on each assessment with no authorisation date in a closed episode."""
    return _activity("assessments", "start_date", "AssessmentAuthorisationDate",
                     "e.closure_date IS NOT NULL AND x.authorisation_date IS NULL")


@rule("8868", "error", table=T, fields=("ICPCnotRequired", "CINclosureDate", "DateOfInitialCPC"), years=ALL_YEARS,
      message="CIN episode is shown as closed, however Section 47 enquiry is not shown as completed by ICPC date "
              "or ICPC not required flag")
def r8868(v: Context) -> str:
    """Flagged on each section 47 enquiry of a closed episode with neither an initial
    conference date nor ICPCnotRequired true."""
    return _activity("section47", "start_date", "DateOfInitialCPC",
                     "e.closure_date IS NOT NULL AND x.icpc_date IS NULL AND x.icpc_not_required IS DISTINCT FROM 1")


@rule("8890", "error", table=T, fields=("S47ActualStartDate",), years=ALL_YEARS,
      message="A Section 47 enquiry is shown as starting when there is another Section 47 Enquiry ongoing")
def r8890(v: Context) -> str:
    """An enquiry is ongoing from its start until its initial conference; one with neither a
    conference date nor ICPCnotRequired is ongoing still; one whose conference was not required
    and has no date ended the day it started. An enquiry starting on or after another's start
    and before that one ended is flagged (on the conference day, a new enquiry may begin);
    two starting the same day are both flagged. Across the child's episodes."""
    return """
        SELECT s.la_child_id, CAST(s.start_date AS VARCHAR) AS value, s.line
        FROM section47 s
        WHERE EXISTS (
            SELECT 1 FROM section47 o
            WHERE o.child_seq = s.child_seq AND NOT (o.episode_seq = s.episode_seq AND o.s47_seq = s.s47_seq)
              AND s.start_date >= o.start_date
              AND (CASE WHEN o.icpc_date IS NOT NULL THEN s.start_date < o.icpc_date
                        WHEN o.icpc_not_required = 1 THEN s.start_date = o.start_date
                        ELSE TRUE END))"""
