"""What a rule's SQL may need besides the tables: ``Context`` (``v`` in the rule modules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..years import year_end, year_start


def sql_date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


@dataclass(frozen=True)
class Context:
    """What a rule's SQL may need besides the tables (``v`` in the rule modules).

    ``reference_date`` is 31 March of the header's collection Year, the date
    rule 100 requires: every other rule measures the census year from it, so
    that a wrong ReferenceDate is reported once (by rule 100), not by every
    date rule. ``header_reference_date`` is the date the file gives.
    """

    collection_year: int
    la_code: str
    ruleset: int
    header_reference_date: dt.date | None = None

    @property
    def reference_date(self) -> dt.date:
        return year_end(self.collection_year)

    @property
    def period_start(self) -> dt.date:
        """1 April of the year before: the first day of the census year."""
        return year_start(self.collection_year)

    @staticmethod
    def date(day: dt.date) -> str:
        return sql_date(day)
