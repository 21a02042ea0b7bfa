"""Rules of the ChildIdentifiers, ChildCharacteristics and Disabilities tables.

An unborn child is one with an ExpectedPersonBirthDate and no
PersonBirthDate (the DfE's own distinction: 8525Q asks for one or the other).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING

from ...reference import local_authorities
from ..registry import rule
from ._codes import code_list, missing_or_invalid, rows_where
from ._sql import ALL_YEARS, iso, outside_year

if TYPE_CHECKING:
    from ..context import Context

CI, CC, DIS = "ChildIdentifiers", "ChildCharacteristics", "Disabilities"
GENDER_YEARS, SEX_YEARS = range(2023, 2025), range(2025, ALL_YEARS.stop)
UNBORN = "(birth_date IS NULL AND expected_birth_date IS NOT NULL)"
# The UPN check-letter alphabet: A-Z without I, O and S (DfE, "A guide to the UPN").
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_LA_CODES = ("001-005, 201-213, 301-320, 330-336, 340-344, 350-359, 370-373, 380-384, 390-394, 420, "
                "660-681, 701-708, 800-803, 805-808, 810-813, 815, 816, 820-823, 825, 826, 830, 831, "
                "835-841, 845, 846, 850-852, 855-857, 860, 861, 865-896, 908, 909, 916, 919, 921, 925, "
                "926, 928, 929, 931, 933, 935-938, 940, 941")



def _rows(condition: str, value: str, field: str | None = None) -> str:
    return rows_where("children", condition, value, field)


# ---------------------------------------------------------------- UPN and LAchildID

def _upn_char13_value(upn: str) -> str:
    """Character 13 as a number: a digit, or a letter's place in the check-letter alphabet (A = 0)."""
    c = f"substr({upn}, 13, 1)"
    return (f"CASE WHEN {c} BETWEEN '0' AND '9' THEN TRY_CAST({c} AS INTEGER) "
            f"ELSE strpos('{UPN_LETTERS}', upper({c})) - 1 END")


@rule("1510", "error", table=CI, fields=("UPN",), years=ALL_YEARS,
      message="UPN invalid (wrong check letter at character 1)")
def r1510(v: Context) -> str:
    """Check letter: characters 2 to 13 weighted 2 to 13, summed, modulo 23, as a letter of
    ABCDEFGHJKLMNPQRTUVWXYZ (DfE's UPN guide). Only a UPN whose characters 2-13 can be
    weighted (13 characters, 2-12 digits, 13 a digit or one of those letters) is checked:
    the others are reported by 1540 and 1550."""
    weighted = " + ".join(f"TRY_CAST(substr(upn, {i}, 1) AS INTEGER) * {i}" for i in range(2, 13))
    total = f"({weighted} + ({_upn_char13_value('upn')}) * 13)"
    return _rows(
        f"regexp_full_match(upn, '.[0-9]{{11}}[0-9{UPN_LETTERS}]') "
        f"AND upper(substr(upn, 1, 1)) <> substr('{UPN_LETTERS}', {total} % 23 + 1, 1)", "upn")


@rule("1520", "error", table=CI, fields=("UPN",), years=ALL_YEARS,
      message="More than one record with the same UPN.")
def r1520(v: Context) -> str:
    """Every child whose UPN another child of the return also has."""
    return _rows("upn IN (SELECT upn FROM children GROUP BY upn HAVING count(*) > 1)", "upn")


@lru_cache(maxsize=1)
def _la_codes() -> tuple[str, ...]:
    codes: set[str] = set()
    for part in UPN_LA_CODES.split(", "):
        lo, _, hi = part.partition("-")
        codes.update(f"{i:03d}" for i in range(int(lo), int(hi or lo) + 1))

    return tuple(sorted(codes | set(local_authorities())))


@rule("1530", "error", table=CI, fields=("UPN",), years=ALL_YEARS,
      message="UPN invalid (characters 2-4 not a recognised LA code)")
def r1530(v: Context) -> str:
    """Recognised: the list of the community validator's 2023-24 version (FORMAT.md section 3)
    and every code of munro's LA reference list (which adds 942 and 943, the Cumbrian LAs of
    April 2023). The DfE changed the list for 2023-24; its 2022-23 list is not available
    offline, so 2022-23 is checked with the same list (a UPN could pass that the DfE's
    2022-23 check refused, never the other way round)."""
    codes = ", ".join(f"'{c}'" for c in _la_codes())
    return _rows(f"upn IS NOT NULL AND substr(upn, 2, 3) NOT IN ({codes})", "upn")


@rule("1540", "error", table=CI, fields=("UPN",), years=ALL_YEARS,
      message="UPN invalid (characters 5-12 not all numeric)")
def r1540(v: Context) -> str:
    return _rows("upn IS NOT NULL AND NOT regexp_full_match(substr(upn, 5, 8), '[0-9]{8}')", "upn")


@rule("1550", "error", table=CI, fields=("UPN",), years=ALL_YEARS,
      message="UPN invalid (character 13 not a recognised value)")
def r1550(v: Context) -> str:
    """Character 13 is a digit or a check-alphabet letter (a temporary UPN); a UPN that is not
    13 characters long has no valid character 13 and is reported here."""
    return _rows(f"upn IS NOT NULL AND (length(upn) <> 13 OR NOT regexp_full_match("
                     f"substr(upn, 13, 1), '[0-9{UPN_LETTERS}]'))", "upn")


@rule("1560Q", "query", table=CI, fields=("FormerUPN",), years=ALL_YEARS,
      message="Please check and either amend or provide a reason: Former UPN wrongly formatted")
def r1560q(v: Context) -> str:
    """Formatted as the census's UPN type: a letter, 11 digits, then a digit or a letter."""
    return _rows("former_upn IS NOT NULL AND NOT regexp_full_match(former_upn, "
                     "'[A-Za-z][0-9]{11}[0-9A-Za-z]')", "former_upn")


@rule("1570", "error", table=CI, fields=("LAchildID",), years=SEX_YEARS,
      message="LA Child ID must not be longer than 20 characters")
def r1570(v: Context) -> str:
    return _rows("length(la_child_id) > 20", "la_child_id")


@rule("1580", "error", table=CI, fields=("LAchildID",), years=SEX_YEARS,
      message="LA Child ID must not contain any non-alphanumeric characters")
def r1580(v: Context) -> str:
    """Alphanumeric: the ASCII letters and digits."""
    return _rows("NOT regexp_full_match(la_child_id, '[A-Za-z0-9]+')", "la_child_id")


@rule("8500", "error", table=CI, fields=("LAchildID",), years=ALL_YEARS, message="LA Child ID missing")
def r8500(v: Context) -> str:
    return _rows("la_child_id IS NULL", "NULL")


@rule("8510", "error", table=CI, fields=("LAchildID",), years=ALL_YEARS,
      message="More than one child record with the same LA Child ID")
def r8510(v: Context) -> str:
    return _rows("la_child_id IN (SELECT la_child_id FROM children GROUP BY 1 HAVING count(*) > 1)",
                     "la_child_id")


@rule("8590", "error", table=CI, fields=("LAchildID",), years=ALL_YEARS,
      message="Child does not have a recorded CIN episode.")
def r8590(v: Context) -> str:
    return _rows("child_seq NOT IN (SELECT child_seq FROM episodes)", "la_child_id")


# ---------------------------------------------------------------- births, deaths, ages

@rule("8520", "error", table=CI, fields=("PersonBirthDate", "ReferenceDate"), years=ALL_YEARS,
      message="Date of Birth is after data collection period (must be on or before the end of the census period)")
def r8520(v: Context) -> str:
    return _rows(f"birth_date > {v.date(v.reference_date)}", iso("birth_date"))


@rule("8525Q", "query", table=CI, fields=("PersonBirthDate", "ExpectedPersonBirthDate"), years=ALL_YEARS,
      message="Either Date of Birth or Expected Date of Birth must be provided (but not both)")
def r8525q(v: Context) -> str:
    return _rows("(birth_date IS NULL) = (expected_birth_date IS NULL)",
                     iso("coalesce(birth_date, expected_birth_date)"))


@rule("8530Q", "query", table=CI, fields=("ExpectedPersonBirthDate",), years=ALL_YEARS,
      message="Please check and either amend data or provide a reason: Expected Date of Birth is outside "
              "the expected range for this census (March to December of the Census Year end)")
def r8530q(v: Context) -> str:
    """The range is 1 March to 31 December of the year the census ends (the collection Year): from the
    month of the census's reference date (31 March) to nine months after it. An in-year extract is a
    census as at its own date, so its range runs from that date's month to nine months after: 1 April
    2025 to 31 January 2026 for an extract of 30 April 2025, where 2025-26's March to December 2026
    would flag every unborn child in it."""
    ref = v.reference_date
    after = dt.date(ref.year + (ref.month + 9) // 12, (ref.month + 9) % 12 + 1, 1)  # the month after the range
    return _rows(f"expected_birth_date NOT BETWEEN {v.date(ref.replace(day=1))} "
                 f"AND {v.date(after - dt.timedelta(days=1))}", iso("expected_birth_date"))


@rule("8535Q", "query", table=CI, fields=("PersonDeathDate", "PersonBirthDate"), years=ALL_YEARS,
      message="Please check and either amend data or provide a reason: Child’s date of death should not be "
              "prior to the date of birth")
def r8535q(v: Context) -> str:
    return _rows("death_date < birth_date", iso("death_date"))


@rule("8545Q", "query", table=CI, fields=("PersonDeathDate",), years=ALL_YEARS,
      message="Please check and either amend data or provide a reason: Child's date of death should be "
              "within the census year")
def r8545q(v: Context) -> str:
    return _rows(outside_year("death_date", v), iso("death_date"))


@rule("8775Q", "query", table=CI, fields=("PersonBirthDate", "CINclosureDate"), years=ALL_YEARS,
      message="Please check and either amend data or provide a reason: Child is over 25 years old")
def r8775q(v: Context) -> str:
    """Age on the last day the child was in need this year: the reference date while an
    episode is open, otherwise the latest closure date. "Over 25" read as 25 or older
    (the 25th birthday on or before that day)."""
    ref = v.date(v.reference_date)
    return f"""
        SELECT c.la_child_id, {iso('c.birth_date')} AS value, c.line
        FROM children c JOIN (SELECT child_seq, max(coalesce(closure_date, {ref})) AS last_day
                              FROM episodes GROUP BY child_seq) e USING (child_seq)
        WHERE c.birth_date + INTERVAL 25 YEAR <= e.last_day
          -- only children old enough on the latest day of any episode reach the join's result
          AND c.birth_date + INTERVAL 25 YEAR <= (SELECT max(coalesce(closure_date, {ref})) FROM episodes)"""


def _died_before(table: str, column: str, field: str) -> str:
    return f"""
        SELECT p.la_child_id, {iso(f'p.{column}')} AS value, p.line, '{field}' AS field
        FROM {table} p JOIN children c USING (child_seq)
        WHERE p.{column} > c.death_date"""


@rule("4008", "error", table=CI, fields=("PersonDeathDate", "CINPlanStartDate"), years=ALL_YEARS,
      message="CIN Plan shown as starting after the child’s Date of Death.")
def r4008(v: Context) -> str:
    return _died_before("cin_plans", "start_date", "CINPlanStartDate")


@rule("4009Q", "query", table=CI, fields=("PersonDeathDate", "CINPlanEndDate"), years=ALL_YEARS,
      message="CIN Plan cannot end after the child’s Date of Death")
def r4009q(v: Context) -> str:
    return _died_before("cin_plans", "end_date", "CINPlanEndDate")


# ---------------------------------------------------------------- gender and sex

@rule("4180", "error", table=CI, fields=("GenderCurrent",), years=GENDER_YEARS, message="Gender is missing")
def r4180_gender(v: Context) -> str:
    """Missing, or a code outside 0, 1, 2, 9 (which no other rule reports)."""
    return _rows(missing_or_invalid("gender", "gender", v), "gender")


@rule("4180", "error", table=CI, fields=("Sex",), years=SEX_YEARS,
      message="Sex must be provided and equal M, F, or U")
def r4180_sex(v: Context) -> str:
    return _rows(missing_or_invalid("sex", "sex", v), "sex")


@rule("8750", "error", table=CI, fields=("GenderCurrent", "PersonBirthDate", "ExpectedPersonBirthDate"),
      years=GENDER_YEARS, message="Gender must equal 0 for an unborn child")
def r8750_gender(v: Context) -> str:
    return _rows(f"{UNBORN} AND gender IS DISTINCT FROM '0'", "gender", "GenderCurrent")


@rule("8750", "error", table=CI, fields=("Sex", "PersonBirthDate", "ExpectedPersonBirthDate"),
      years=SEX_YEARS, message="Sex must equal U for an unborn child")
def r8750_sex(v: Context) -> str:
    return _rows(f"{UNBORN} AND sex IS DISTINCT FROM 'U'", "sex", "Sex")


def _no_sex_share(column: str, unknown: str) -> str:
    """'n of N (p%)': born children with ``column`` unknown or missing, as a share of born children."""
    return f"""
        SELECT printf('%d of %d (%.1f%%)', unknown, born, 100.0 * unknown / born) AS value
        FROM (SELECT count(*) FILTER ({column} IS NULL OR {column} = '{unknown}') AS unknown,
                     count(*) AS born
              FROM children WHERE NOT {UNBORN})
        WHERE born > 0 AND unknown > 0.02 * born"""


@rule("2886Q", "query", table=CI, fields=("ExpectedPersonBirthDate", "ChildIdentifiers"), years=GENDER_YEARS,
      level="return", message="Please check and either amend or provide a reason: Percentage of children with "
                              "no gender recorded is more than 2% (excluding unborns)")
def r2886q_gender(v: Context) -> str:
    """No gender recorded: GenderCurrent 0 (not known) or missing."""
    return _no_sex_share("gender", "0")


@rule("2886Q", "query", table=CI, fields=("ExpectedPersonBirthDate", "ChildIdentifiers"), years=SEX_YEARS,
      level="return", message="Please check and either amend or provide a reason: Percentage of children with "
                              "no sex recorded is more than 2% (excluding unborns)")
def r2886q_sex(v: Context) -> str:
    """No sex recorded: Sex U (unknown) or missing."""
    return _no_sex_share("sex", "U")


# ---------------------------------------------------------------- UPN unknown

# The DfE logic of 8770Q (both versions) begins "If <ReferralNFA> (N00112) = 0 or false": only a
# child with a referral that went on to further action is asked for a UPN. A child whose every
# referral is NFA is left out (UN7, "referral with no further action", is the reason for such a child).
FURTHER_ACTION = "child_seq IN (SELECT child_seq FROM episodes WHERE referral_nfa = 0)"


@rule("8770Q", "query", table=CI, fields=("UPN", "UPNunknown"), years=GENDER_YEARS,
      message="Please check and either amend data or provide a reason: UPN or reason UPN missing expected "
              "for a child who is more than 5 years old")
def r8770q_age(v: Context) -> str:
    """A child with at least one referral that is not NFA (ReferralNFA false or 0; a child whose
    every referral is NFA is not asked), born before the reference date minus 6 years (the DfE
    logic: "PersonBirthDate is earlier than [ReferenceDate minus 6 years]", so 6 or older), with
    neither a UPN nor a valid reason (a UPNunknown code of the year's list)."""
    six = f"{v.date(v.reference_date)} - INTERVAL 6 YEAR"
    return _rows(f"upn IS NULL AND {missing_or_invalid('upn_unknown', 'upn_unknown', v)} "
                 f"AND birth_date < {six} AND {FURTHER_ACTION}", iso("birth_date"))


@rule("8770Q", "query", table=CI, fields=("UPN", "UPNunknown"), years=SEX_YEARS,
      message="Please check and either amend data or provide a reason: UPN is missing or reason UPN is "
              "missing or is UN1 for a child who is of school age.")
def r8770q_school(v: Context) -> str:
    """A child with at least one referral that is not NFA (ReferralNFA false or 0; a child whose
    every referral is NFA is not asked), of school age: aged 5 to 15 on 31 August at the start of
    the census year (National Curriculum years 1 to 11, compulsory school age), with neither a
    UPN nor a valid reason (a UPNunknown code of the year's list). UN1 means "not of school
    age", so it is no reason for such a child."""
    aug31 = f"DATE '{v.collection_year - 1}-08-31'"
    return _rows(f"upn IS NULL AND ({missing_or_invalid('upn_unknown', 'upn_unknown', v)} "
                     f"OR upn_unknown = 'UN1') "
                     f"AND date_diff('year', birth_date, {aug31}) - "
                     f"(CASE WHEN strftime(birth_date, '%m-%d') > '08-31' THEN 1 ELSE 0 END) BETWEEN 5 AND 15 "
                     f"AND {FURTHER_ACTION}",
                     iso("birth_date"))


@rule("8772", "error", table=CI, fields=("UPNunknown", "ReferralNFA"), years=ALL_YEARS,
      message="UPN unknown reason is UN7 (Referral with no further action) but at least one CIN details "
              "is a referral going on to further action")
def r8772(v: Context) -> str:
    return _rows("upn_unknown = 'UN7' AND child_seq IN (SELECT child_seq FROM episodes "
                     "WHERE referral_nfa = 0)", "upn_unknown")


# ---------------------------------------------------------------- characteristics and disabilities

@rule("4220", "error", table=CC, fields=("Ethnicity",), years=ALL_YEARS,
      message="Ethnicity is missing or invalid (see Ethnicity table)")
def r4220(v: Context) -> str:
    return _rows(missing_or_invalid("ethnicity", "ethnicity", v), "ethnicity")


@rule("8540", "error", table=CC, fields=("Disability", "PersonBirthDate", "ReferralNFA"), years=ALL_YEARS,
      message="Child’s disability is missing or invalid (see Disability table)")
def r8540(v: Context) -> str:
    """Invalid: a Disability code outside the list. Missing: a born child (with a date of
    birth) with at least one referral that went on to further action and no Disability
    (NONE says there is none)."""
    return f"""
        SELECT la_child_id, disability AS value, line FROM disabilities
        WHERE disability NOT IN {code_list('disability', v)}
        UNION ALL
        SELECT la_child_id, NULL AS value, line FROM children
        WHERE birth_date IS NOT NULL
          AND child_seq IN (SELECT child_seq FROM episodes WHERE referral_nfa = 0)
          AND child_seq NOT IN (SELECT child_seq FROM disabilities)"""


@rule("8790", "error", table=DIS, fields=("Disability",), years=ALL_YEARS,
      message="Disability information includes both None and other values")
def r8790(v: Context) -> str:
    """One finding per child, on its NONE; the value lists the child's codes."""
    # The children are found first: listing every child's codes would cost most of the rule's time.
    return """
        SELECT any_value(la_child_id) AS la_child_id, string_agg(disability, ', ' ORDER BY disability_seq) AS value,
               min(line) FILTER (disability = 'NONE') AS line
        FROM disabilities
        WHERE child_seq IN (SELECT child_seq FROM disabilities GROUP BY child_seq
                            HAVING bool_or(disability = 'NONE') AND bool_or(disability <> 'NONE'))
        GROUP BY child_seq"""


@rule("8794", "error", table=DIS, fields=("Disability",), years=ALL_YEARS,
      message="Child has two or more disabilities with the same code")
def r8794(v: Context) -> str:
    """Each repeat of a code is flagged (the first use is not)."""
    return """
        SELECT la_child_id, disability AS value, line FROM (
            SELECT *, row_number() OVER (PARTITION BY child_seq, disability ORDER BY disability_seq) AS nth
            FROM disabilities)
        WHERE nth > 1"""


@rule("2887Q", "query", table=DIS, fields=("Disability",), years=ALL_YEARS, level="return",
      message="Please check and either amend or provide a reason: Less than 8 disability codes have been "
              "used in your return")
def r2887q(v: Context) -> str:
    """Codes used: the distinct valid codes other than NONE, which records no disability."""
    return f"""
        SELECT CAST(count(DISTINCT disability) AS VARCHAR) AS value FROM disabilities
        WHERE disability IN {code_list('disability', v)} AND disability <> 'NONE'
        HAVING count(DISTINCT disability) < 8"""


@rule("2888Q", "query", table=DIS, fields=("Disability",), years=ALL_YEARS, level="return",
      message="Please check and either amend or provide a reason: Only one disability code is recorded per "
              "child and multiple disabilities should be recorded where possible.")
def r2888q(v: Context) -> str:
    """A return-level query: children have disabilities (codes other than NONE) but none has
    more than one. The value is the number of children with one disability."""
    return """
        SELECT CAST(count(*) AS VARCHAR) AS value
        FROM (SELECT child_seq, count(*) AS n FROM disabilities WHERE disability <> 'NONE' GROUP BY child_seq)
        HAVING count(*) > 0 AND max(n) = 1"""
