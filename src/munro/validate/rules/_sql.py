"""SQL fragments shared by the rule modules: years, the census year, working days, common joins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...years import Period
from ..registry import FIRST_RULESET, LATEST_RULESET

if TYPE_CHECKING:
    from ..context import Context

# Every ruleset munro holds: the 2026-27 draft inherits 2025-26's rules (d2i's cin2026_27 = cin2025_26
# plus the pre-proceedings rules), so a rule with no end year runs to LATEST_RULESET.
ALL_YEARS = range(FIRST_RULESET, LATEST_RULESET + 1)
DRAFT_2027 = range(2027, LATEST_RULESET + 1)


def iso(column: str) -> str:
    """A value as the finding shows it: dates as ISO text."""
    return f"CAST({column} AS VARCHAR)"


def outside_year(column: str, v: Context) -> str:
    """True when a present date falls outside the census year (1 April to the reference date)."""
    return f"({column} < {v.date(v.period_start)} OR {column} > {v.date(v.reference_date)})"


def open_since_before_year(column: str, v: Context) -> str:
    """True when something still open at the reference date started before the 12 months ending on it, or
    after it. At the year's end that is outside the census year (1 April to 31 March), as the rules'
    text says; an in-year extract is measured over the 12 months to its own date, the census period as
    d2i derives it from a ReferenceDate (ReferenceDate - 1 year + 1 day: ../shared/reference/cin-census/
    FORMAT.md, section 1). Its own year so far would flag whatever was open on 1 April and is still
    open (an assessment started in March, an enquiry awaiting its conference), which "by the end of the
    census year" does not: the rule asks that nothing open at the year's end has been open over a year."""
    return f"({column} < {v.date(Period(v.reference_date).start)} OR {column} > {v.date(v.reference_date)})"


def workdays_to_reference(column: str, v: Context) -> str:
    """England working days d with ``column`` < d <= the reference date (munro.calendar's contract).

    NULL for a date outside munro's calendar (before 2000): rules using it say so.
    """
    ref = v.date(v.reference_date)
    return (f"((SELECT wd_index FROM calendar WHERE date = {ref})"
            f" - (SELECT wd_index FROM calendar WHERE date = {column}))")


def weekend(column: str) -> str:
    return f"isodow({column}) >= 6"


def same_episode(a: str, b: str) -> str:
    """Join condition: rows ``a`` and ``b`` belong to the same CINdetails of the same child."""
    return f"{a}.child_seq = {b}.child_seq AND {a}.episode_seq = {b}.episode_seq"


def rows(table: str, value: str, condition: str) -> str:
    """The rows of one table meeting ``condition``, flagging ``value`` (SQL) on each row's line."""
    return f"SELECT la_child_id, {value} AS value, line FROM {table} WHERE {condition}"


def before_referral(table: str, column: str = "start_date") -> str:
    """Rows of ``table`` whose ``column`` is earlier than their own CINdetails' referral date."""
    return f"""
        SELECT t.la_child_id, {iso('t.' + column)} AS value, t.line
        FROM {table} t JOIN episodes e ON {same_episode('t', 'e')} WHERE t.{column} < e.referral_date"""


def flag_open_many(table: str, open_condition: str, per: str) -> str:
    """Every row meeting ``open_condition`` whose group (``per``: key columns) holds two or more such rows.

    The value flagged is the missing end, so NULL; the line says which record.
    """
    return f"""
        SELECT la_child_id, NULL AS value, line
        FROM (SELECT *, count(*) OVER (PARTITION BY {per}) AS open_rows FROM {table} WHERE {open_condition})
        WHERE open_rows >= 2"""


def overlapping(table: str, seq: str) -> str:
    """Rows of ``table`` whose start falls on or between the start and end of another row of the same child.

    ``seq`` numbers the rows within their episode. An open row (no end) runs on indefinitely;
    two rows starting the same day are both flagged.
    """
    return f"""
        SELECT a.la_child_id, {iso('a.start_date')} AS value, a.line
        FROM {table} a
        WHERE EXISTS (SELECT 1 FROM {table} b
                      WHERE b.child_seq = a.child_seq
                        AND NOT (b.episode_seq = a.episode_seq AND b.{seq} = a.{seq})
                        AND a.start_date >= b.start_date
                        AND (b.end_date IS NULL OR a.start_date <= b.end_date))"""


# Every date of an initial child protection conference (N00110): each Section47's, and the one a
# CINdetails may hold itself (a conference with no S47 in this episode, e.g. after a transfer in).
ICPC_DATES = """(
    SELECT la_child_id, child_seq, episode_seq, icpc_date, line FROM section47 WHERE icpc_date IS NOT NULL
    UNION ALL
    SELECT la_child_id, child_seq, episode_seq, icpc_date, line FROM episodes WHERE icpc_date IS NOT NULL)"""


def nfa_episodes_with(table: str) -> str:
    """One finding per CINdetails marked ReferralNFA that holds rows of ``table``, on its first row's line."""
    return f"""
        SELECT e.la_child_id, '1' AS value, min(t.line) AS line
        FROM episodes e JOIN {table} t ON {same_episode('t', 'e')}
        WHERE e.referral_nfa = 1
        GROUP BY e.la_child_id, e.child_seq, e.episode_seq"""
