"""Rules of the DfE table Assessments (and its AssessmentFactors)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import rule
from ._sql import (
    ALL_YEARS,
    before_referral,
    flag_open_many,
    iso,
    open_since_before_year,
    outside_year,
    rows,
    same_episode,
    workdays_to_reference,
)

if TYPE_CHECKING:
    from ..context import Context

T = "Assessments"
START, END, FACTORS = "AssessmentActualStartDate", "AssessmentAuthorisationDate", "AssessmentFactors"


@rule("1103", "error", table=T, fields=(START, "CINreferralDate"), years=ALL_YEARS,
      message="The assessment start date cannot be before the referral date")
def r1103(v: Context) -> str:
    return before_referral("assessments")


@rule("8608", "error", table=T, fields=(START, END), years=ALL_YEARS,
      message="Assessment Start Date cannot be later than its End Date")
def r8608(v: Context) -> str:
    return rows("assessments", iso("start_date"), "start_date > authorisation_date")


@rule("8614", "error", table=T, fields=(END, FACTORS), years=ALL_YEARS,
      message="Parental or child factors at assessment should only be present for a completed assessment.")
def r8614(v: Context) -> str:
    """Flags every factor of an assessment with no authorisation date, each on its own line."""
    return f"""
        SELECT f.la_child_id, f.factor AS value, f.line
        FROM assessment_factors f JOIN assessments a
          ON {same_episode('f', 'a')} AND f.assessment_seq = a.assessment_seq
        WHERE a.authorisation_date IS NULL"""


@rule("8670Q", "query", table=T, fields=(START,), years=ALL_YEARS,
      message="Please check and either amend data or provide a reason: Assessment started more than 45 "
              "working days before the end of the census year. However, there is no Assessment end date.")
def r8670q(v: Context) -> str:
    """"More than 45 working days before the end of the census year": more than 45 England working
    days d with start < d <= the reference date (munro.calendar's count), with no authorisation date.
    A start before munro's calendar (2000) is flagged by 8736 instead."""
    return rows("assessments", iso("start_date"),
                f"authorisation_date IS NULL AND {workdays_to_reference('start_date', v)} > 45")


@rule("8696", "error", table=T, fields=(END, "ReferenceDate"), years=ALL_YEARS,
      message="Assessment end date must fall within the census year")
def r8696(v: Context) -> str:
    return rows("assessments", iso("authorisation_date"), outside_year("authorisation_date", v))


@rule("8736", "error", table=T, fields=(END, START), years=ALL_YEARS,
      message="For an Assessment that has not been completed, the start date must fall within the census year")
def r8736(v: Context) -> str:
    """An assessment with no authorisation date must have started between 1 April and the reference
    date: one started before the census year and still not completed has been open over a year. In an
    in-year extract, within the 12 months to its date (``open_since_before_year``): one started in March
    and open in April has been open weeks, not a year."""
    return rows("assessments", iso("start_date"),
                f"authorisation_date IS NULL AND {open_since_before_year('start_date', v)}")


@rule("8863Q", "query", table=T, fields=(START, END), years=ALL_YEARS,
      message="An Assessment is shown as starting when there is another Assessment ongoing.")
def r8863q(v: Context) -> str:
    """Within one CINdetails, an assessment is flagged when its start falls on or between the start
    and authorisation date of another assessment (on or after the start of one with no authorisation
    date). Two assessments starting the same day are both flagged."""
    return f"""
        SELECT a.la_child_id, {iso('a.start_date')} AS value, a.line
        FROM assessments a
        WHERE EXISTS (SELECT 1 FROM assessments b
                      WHERE {same_episode('b', 'a')} AND b.assessment_seq <> a.assessment_seq
                        AND a.start_date >= b.start_date
                        AND (b.authorisation_date IS NULL OR a.start_date <= b.authorisation_date))"""


@rule("8869", "error", table=T, fields=(FACTORS,), years=ALL_YEARS,
      message="The assessment factors code “21” cannot be used in conjunction with any other assessment factors.")
def r8869(v: Context) -> str:
    """Flags the code 21 of an assessment that has any other factor code as well."""
    return f"""
        SELECT f.la_child_id, f.factor AS value, f.line FROM assessment_factors f
        WHERE f.factor = '21' AND EXISTS (
            SELECT 1 FROM assessment_factors g
            WHERE {same_episode('g', 'f')} AND g.assessment_seq = f.assessment_seq AND g.factor <> '21')"""


@rule("8873Q", "query", table=T, fields=("ReasonForClosure", FACTORS), years=ALL_YEARS,
      message="Please check and either amend data or provide a reason: When there is only one assessment on "
              "the episode and the factors code “21 No factors identified” has been used for the completed "
              "assessment, the reason for closure ‘RC8’ or 'RC9' should be used.")
def r8873q(v: Context) -> str:
    """Every episode whose only assessment is completed (an authorisation date, as the message
    says) with factor 21, open or closed: the DfE logic, "Within a <CINDetails> group, if there is only one <Assessment>
    group present and <AssessmentFactors> (N00181) = 21, <ReasonForClosure> (N00103) should = RC8
    or RC9", does not ask for a closure, and an open episode has no reason, so not RC8 or RC9.
    Flags the episode's reason for closure (none while it is open)."""
    return f"""
        SELECT e.la_child_id, e.closure_reason AS value, e.line
        FROM episodes e JOIN assessments a ON {same_episode('a', 'e')}
        WHERE (e.closure_reason IS NULL OR e.closure_reason NOT IN ('RC8', 'RC9'))
          AND a.authorisation_date IS NOT NULL
          AND (SELECT count(*) FROM assessments o WHERE {same_episode('o', 'e')}) = 1
          AND EXISTS (SELECT 1 FROM assessment_factors f
                      WHERE {same_episode('f', 'a')} AND f.assessment_seq = a.assessment_seq
                        AND f.factor = '21')"""


@rule("8896", "error", table=T, fields=(END,), years=ALL_YEARS,
      message="Within one CINDetails group there are 2 or more open Assessments groups")
def r8896(v: Context) -> str:
    """An open assessment is one with no authorisation date; each open one of the episode is flagged."""
    return flag_open_many("assessments", "authorisation_date IS NULL", "child_seq, episode_seq")


@rule("8897Q", "query", table=T, fields=(END, FACTORS), years=ALL_YEARS,
      message="Parental or child factors at assessment information is missing from a completed assessment")
def r8897q(v: Context) -> str:
    return f"""
        SELECT a.la_child_id, NULL AS value, a.line FROM assessments a
        WHERE a.authorisation_date IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM assessment_factors f
            WHERE {same_episode('f', 'a')} AND f.assessment_seq = a.assessment_seq)"""


@rule("8898", "error", table=T, fields=(FACTORS,), years=ALL_YEARS,
      message="The assessment has more than one parental or child factors with the same code")
def r8898(v: Context) -> str:
    """Flags each repeat of a code after its first appearance in the assessment."""
    return """
        SELECT la_child_id, factor AS value, line FROM (
            SELECT *, row_number() OVER (PARTITION BY child_seq, episode_seq, assessment_seq, factor
                                         ORDER BY factor_seq) AS nth
            FROM assessment_factors)
        WHERE nth > 1"""


@rule("8945Q", "query", table=T, fields=(FACTORS,), years=range(2025, ALL_YEARS.stop),
      message="Please check and either amend data or provide a reason: the assessment factors code '18A' "
              "should not be used ('18B' or '18C' should be used instead)")
def r8945q(v: Context) -> str:
    return rows("assessment_factors", "factor", "factor = '18A'")


@rule("8950Q", "query", table=T, fields=(FACTORS,), years=range(2025, ALL_YEARS.stop),
      message="Please check and either amend data or provide a reason: the assessment factors code '19A' "
              "should not be used ('19B' or '19C' should be used instead)")
def r8950q(v: Context) -> str:
    return rows("assessment_factors", "factor", "factor = '19A'")
