"""The DfE CIN census validation rules as data: ``Rule``, the ``@rule`` decorator, rulesets by year.

A rule is a function returning DuckDB SQL over the tables of one return
(see ``runner.py`` for what the SQL sees). ``years`` are the collection years
(the year the census ends: 2025 = 2024-25) in which that version of the rule
applies. A year's ruleset is every rule whose years hold it, so a year
inherits the rules of the year before; a change is a second function for
the same code with later years, and a removal is a version whose years end.
An in-year extract is checked with its year's rules less those that wait for the
year's end (``YEAR_END_ONLY``, the one place that says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from ..errors import MunroError
from ..years import year_label

if TYPE_CHECKING:
    from .context import Context

# A rule's function: the SQL of its findings, given what the rule may need besides the tables.
RuleSQL: TypeAlias = "Callable[[Context], str]"

FIRST_RULESET = 2023  # 2022-23: the earliest rules munro holds
LATEST_RULESET = 2027  # the 2026-27 draft (pre-proceedings rules)
TYPES = ("error", "query")
LEVELS = ("child", "return")


@dataclass(frozen=True)
class Rule:
    code: str
    type: str  # "error" blocks a submission; "query" must be amended or explained
    table: str  # the DfE table the rule belongs to (Header, ChildIdentifiers, CINdetails, ...)
    fields: tuple[str, ...]
    message: str
    years: range
    sql: RuleSQL
    level: str = "child"  # "return": one finding for the whole return, no child
    reading: str = ""  # how munro reads the DfE text where it needs reading (the docstring)

    def applies(self, year: int, in_year: bool = False) -> bool:
        """In collection ``year``'s ruleset; ``in_year``: for an in-year extract too (``YEAR_END_ONLY``)."""
        return year in self.years and not (in_year and self.code in YEAR_END_ONLY)


# The one declared place of which rules apply mid-year. An in-year extract (a ReferenceDate before 31 March
# in its collection's window: years.is_in_year) is checked with every rule of its year's ruleset but these,
# which read a return as the whole year's picture; the others measure their dates to the extract's own
# ReferenceDate (runner.Context.reference_date). Code -> why it waits for the year's end (docs/validation.md).
YEAR_END_ONLY = {
    "100": "an in-year extract is dated the day it was taken, not 31 March",
    "2887Q": "the disability codes used over the whole year: an extract holds part of the year's children",
    "8995Q": "no pre-proceedings for any child in the whole year: an extract may hold none yet",
}


_RULES: list[Rule] = []


def rule(code: str, type: str, *, table: str, fields: tuple[str, ...] | list[str], message: str,
         years: range, level: str = "child") -> Callable[[RuleSQL], RuleSQL]:
    """Register the decorated function as the version of rule ``code`` for ``years``."""
    if type not in TYPES or level not in LEVELS:
        raise ValueError(f"rule {code}: type must be one of {TYPES}, level one of {LEVELS}")

    def register(fn: RuleSQL) -> RuleSQL:
        r = Rule(code, type, table, tuple(fields), message, years, fn, level,
                 " ".join((fn.__doc__ or "").split()))
        for other in _RULES:
            if other.code == code and set(other.years) & set(years):
                raise ValueError(f"rule {code} is defined twice for {sorted(set(other.years) & set(years))}")
        _RULES.append(r)
        return fn

    return register


def all_rules() -> list[Rule]:
    """Every version of every rule (the package imports the rule modules, which register themselves)."""
    return list(_RULES)


def ruleset(year: int, *, in_year: bool = False) -> list[Rule]:
    """The rules of collection ``year``, in code order; ``in_year``: those that apply to an in-year extract."""
    if not FIRST_RULESET <= year <= LATEST_RULESET:
        raise MunroError(f"there is no ruleset for {year}: munro holds the rules of "
                         f"{year_label(FIRST_RULESET)} ({FIRST_RULESET}) to the "
                         f"{year_label(LATEST_RULESET)} draft ({LATEST_RULESET})")
    return sorted((r for r in all_rules() if r.applies(year, in_year)), key=code_order)


def choose_ruleset(collection_year: int, requested: int | None = None) -> tuple[int, str | None]:
    """The ruleset year for a return, and a note when it is not the return's own year.

    A return older than the first ruleset is checked with the first one
    (DfE rules change little between years, and the older ones are not held).
    """
    if requested is not None:
        ruleset(requested)  # refuses a year with no rules
        note = None if requested == collection_year else (
            f"checked with the {year_label(requested)} rules, not its own year's ({year_label(collection_year)})")
        return requested, note
    if collection_year < FIRST_RULESET:
        return FIRST_RULESET, (f"a {year_label(collection_year)} return, checked with the earliest rules munro "
                               f"holds ({year_label(FIRST_RULESET)})")
    return min(collection_year, LATEST_RULESET), None


def code_key(code: str) -> tuple[int, str]:
    """Sorts codes by their number: 100, 1103, ..., 2886Q, 2887Q, ..."""
    digits = "".join(c for c in code if c.isdigit())
    return (int(digits or 0), code)


def code_order(r: Rule) -> tuple[int, str]:
    return code_key(r.code)
