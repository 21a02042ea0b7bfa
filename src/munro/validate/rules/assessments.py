"""Rules of the Assessments table (and its AssessmentFactors)."""

from ..registry import rule


@rule("1103", "error", table="Assessments", fields=("AssessmentActualStartDate", "CINreferralDate"),
      message="The assessment start date cannot be before the referral date", years=range(2023, 2028))
def r1103(v):
    return """
        SELECT a.la_child_id, CAST(a.start_date AS VARCHAR) AS value, a.line
        FROM assessments a JOIN episodes e USING (child_seq, episode_seq)
        WHERE a.start_date < e.referral_date"""
