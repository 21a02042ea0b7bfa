"""What a rule's SQL may need besides the tables: ``Context`` (``v`` in the rule modules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..years import is_in_year, year_end, year_start


def sql_date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


@dataclass(frozen=True)
class Context:
    """What a rule's SQL may need besides the tables (``v`` in the rule modules).

    ``reference_date`` is 31 March of the header's collection Year, the date
    rule 100 requires: every other rule measures the census year from it, so
    that a wrong ReferenceDate is reported once (by rule 100), not by every
    date rule. An in-year extract (``in_year``: dated before 31 March in its
    collection's window) is measured to its own date instead: its census
    period runs from 1 April to the day it was taken, and rule 100 does not
    apply to it (``registry.YEAR_END_ONLY``). ``header_reference_date`` is the
    date the file gives.
    """

    collection_year: int
    la_code: str
    ruleset: int
    header_reference_date: dt.date | None = None

    @property
    def in_year(self) -> bool:
        return self.header_reference_date is not None and is_in_year(self.collection_year,
                                                                     self.header_reference_date)

    @property
    def reference_date(self) -> dt.date:
        if self.in_year:
            assert self.header_reference_date is not None  # in_year says so
            return self.header_reference_date
        return year_end(self.collection_year)

    @property
    def period_start(self) -> dt.date:
        """1 April of the year before: the first day of the census year."""
        return year_start(self.collection_year)

    @staticmethod
    def date(day: dt.date) -> str:
        return sql_date(day)
