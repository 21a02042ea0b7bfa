"""Rules of the PreProceedingsandFGDM module (the 2026-27 draft, d2i branch pre-proceedings-rules).

The draft names 9010Q and 9015Q like queries but types them as errors; munro follows the DfE
convention that a code ending in Q is a query (and both messages say "Please check").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import rule
from ._codes import code_list
from ._sql import DRAFT_2027, iso, outside_year, rows

if TYPE_CHECKING:
    from ..context import Context

T = "PreProceedings"
# The items after PPStartDate: (column, element).
ITEMS = (
    ("lbp_sent_date", "LBPSentDate"), ("fgdm_offered", "FGDMMeetingOffer"),
    ("fgdm_facilitated", "FGDMMeetingFac"), ("initial_meeting_date", "InitialPPMeetingDate"),
    ("review_meetings_count", "ReviewMeetingsCount"), ("step_decision_date", "StepDecisionDate"),
    ("outcome", "PPOutcome"), ("court_application_date", "CourtAppDate"),
    ("letter_init_cp_date", "LetterInitCPDate"),
)


def _dated(column: str, v: Context, not_before: str | None = None, strictly_after: bool = False) -> str:
    """A present date outside the reporting year, or earlier than the ``not_before`` date of its record
    (also equal to it when ``strictly_after``)."""
    order = ""
    if not_before:
        order = f" OR {column} {'<=' if strictly_after else '<'} {not_before}"
    return rows("pre_proceedings", iso(column), f"{outside_year(column, v)}{order}")


def _missing(column: str, when: str) -> str:
    return rows("pre_proceedings", "NULL", f"{column} IS NULL AND {when}")


@rule("8995Q", "query", table=T, fields=(), years=DRAFT_2027, level="return",
      message="Please check and provide a reason why no module 5 (pre-proceedings and FGM) data has been "
              "provided for any child.")
def r8995q(v: Context) -> str:
    return "SELECT '0 pre-proceedings records' AS value WHERE NOT EXISTS (SELECT 1 FROM pre_proceedings)"


@rule("9000Q", "query", table=T, fields=tuple(e for _, e in ITEMS), years=DRAFT_2027,
      message="Please check: If you do not yet collect this data, please leave this field blank and provide a "
              "reason.")
def r9000q(v: Context) -> str:
    """The draft names no field. munro reads it as a record giving its PPStartDate and nothing else: the
    sign of an LA that does not yet collect these items, which should leave them blank and say why.
    One finding per such record."""
    blank = " AND ".join(f"{c} IS NULL" for c, _ in ITEMS)
    return rows("pre_proceedings", iso("start_date"), blank)


@rule("9005", "error", table=T, fields=("PPStartDate",), years=DRAFT_2027,
      message="The date of the legal planning meeting or other decision making forum where the LA made the "
              "decision to commence pre-proceedings cannot fall outside the reporting year.")
def r9005(v: Context) -> str:
    """Read as written: pre-proceedings begun before 1 April are flagged too."""
    return _dated("start_date", v)


@rule("9006", "error", table=T, fields=("LBPSentDate",), years=DRAFT_2027,
      message="The date the letter before proceedings was sent must be within the reporting year and after "
              "the date pre-proceedings began.")
def r9006(v: Context) -> str:
    """"After" is read strictly (a letter sent the day of the decision is flagged), unlike the "on or
    after" of 9009, 9012 and 9013."""
    return _dated("lbp_sent_date", v, "start_date", strictly_after=True)


@rule("9007", "error", table=T, fields=("FGDMMeetingOffer",), years=DRAFT_2027,
      message="You have confirmed that a letter before proceedings was sent. Please confirm whether or not a "
              "FGDM meeting was offered in the letter.")
def r9007(v: Context) -> str:
    return _missing("fgdm_offered", "lbp_sent_date IS NOT NULL")


@rule("9008", "error", table=T, fields=("InitialPPMeetingDate",), years=DRAFT_2027,
      message="The date of the first effective pre-proceedings meeting must be within the reporting year.")
def r9008(v: Context) -> str:
    return _dated("initial_meeting_date", v)


@rule("9009", "error", table=T, fields=("StepDecisionDate",), years=DRAFT_2027,
      message="The date when the decision was made to step up or down must be on or after the date of the "
              "decision to begin pre-proceedings and must fall within the reporting year")
def r9009(v: Context) -> str:
    return _dated("step_decision_date", v, "start_date")


@rule("9010Q", "query", table=T, fields=("FGDMMeetingFac",), years=DRAFT_2027,
      message="Please check: You have reported that a FGDM meeting was offered in the letter before "
              "proceedings. Please confirm whether or not a FGDM meeting was facilitated in the "
              "pre-proceedings period following this offer.")
def r9010q(v: Context) -> str:
    return _missing("fgdm_facilitated", "fgdm_offered = 1")


@rule("9011", "error", table=T, fields=("PPOutcome",), years=DRAFT_2027,
      message="The outcome of the pre-proceedings must be reported using a valid value")
def r9011(v: Context) -> str:
    """A PPOutcome given with a code outside the list; a missing outcome (pre-proceedings still going on)
    is not flagged."""
    return rows("pre_proceedings", "outcome", f"outcome NOT IN {code_list('pp_outcome', v)}")


@rule("9012", "error", table=T, fields=("CourtAppDate",), years=DRAFT_2027,
      message="The date that the local authority submitted the court application to commence care "
              "proceedings must fall within the reporting year and be on or after the date of the decision "
              "to initiate care proceedings.")
def r9012(v: Context) -> str:
    """The decision to initiate care proceedings is read as the StepDecisionDate (stepping up)."""
    return _dated("court_application_date", v, "step_decision_date")


@rule("9013", "error", table=T, fields=("LetterInitCPDate",), years=DRAFT_2027,
      message="The date on which the letter to initiate care proceedings was sent to parents/guardians must "
              "fall within the reporting year and be on or after the date when the local authority submitted "
              "the court application to commence care proceedings.")
def r9013(v: Context) -> str:
    return _dated("letter_init_cp_date", v, "court_application_date")


@rule("9015Q", "query", table=T, fields=("ReviewMeetingsCount",), years=DRAFT_2027,
      message="Please check: if review meetings were held  following the initial pre-proceedings meeting, "
              "the total number held should be reported.")
def r9015q(v: Context) -> str:
    """Read as: an initial pre-proceedings meeting is recorded but no ReviewMeetingsCount (0 if none)."""
    return _missing("review_meetings_count", "initial_meeting_date IS NOT NULL")
