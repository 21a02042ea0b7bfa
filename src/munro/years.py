"""Reporting years as people write them: one reading for every ``--year`` option and every file name.

A reporting year runs from 1 April to 31 March and munro stores it as the year
it ends in: 2024-25 is 2025. A user may write it ``2025``, ``2024-25`` or
``2024/25`` (``parse_year``); a list of years may also hold ranges of
four-digit years, ``2021-2025`` (``parse_years``). The rule that tells the
two apart: a two-digit second part that follows the first (``2024-25``) is one
year; a four-digit second part (``2021-2025``) is a range. A slash joins a year only
to the two digits of its end: ``2024/2025`` is refused, as neither one year nor a range.

A file's name may hold its year in more forms (``year_from_name``), because a
name cannot hold a ``/`` and people name files ``2024_25`` or ``2024-2025``.
Whatever was read, munro writes a year back as ``2024-25`` (``year_label``), or in the web's running
text as ``2024 to 2025`` (``year_words``).

The window of a year is here too: ``year_start`` (1 April), ``year_end`` (31 March, the census's
reference date), ``year_window`` (both), ``year_of_date`` and ``is_in_year`` (a return dated inside
its collection's window before 31 March: an in-year extract). Every module that needs a year's
label or its days takes them from here rather than writing ``f"{y - 1}-{y % 100:02d}"`` or
``date(y - 1, 4, 1)`` again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import MunroError

FIRST, LAST = 2000, 2099  # what can be a reporting year at all; each command checks its own range

_EXAMPLES = "such as 2025, 2024-25 or 2024/25 (all three mean 2024-25)"
_ONE = re.compile(r"(\d{4})(?:\s*[-/]\s*(\d{2}))?")
_RANGE = re.compile(r"(\d{4})\s*-\s*(\d{4})")


def year_label(year: int) -> str:
    """2025 -> '2024-25', as DfE writes a reporting year."""
    return f"{int(year) - 1}-{int(year) % 100:02d}"


def years_label(first: int, last: int) -> str:
    """2013, 2025 -> '2012-13 to 2024-25': a span of reporting years (one year: its label)."""
    return year_label(first) if int(first) == int(last) else f"{year_label(first)} to {year_label(last)}"


def census_years_check(year: int, first: int, last: int) -> int:
    """``year``, or a MunroError when it is not among the CIN census years ``first`` to ``last``."""
    if not first <= int(year) <= last:
        raise MunroError(f"year {year_label(year)} is outside the CIN census years, {years_label(first, last)}")
    return int(year)


def year_words(year: int) -> str:
    """2025 -> '2024 to 2025': a reporting year in running text, as GOV.UK's style writes one (the web's pages)."""
    return f"{int(year) - 1} to {int(year)}"


def date_words(day: dt.date) -> str:
    """2025-10-15 -> '15 October 2025': a date in running text."""
    return f"{day.day} {day:%B %Y}"


# How people write a day, as munro reads it everywhere (command-line options, local records, Annex A
# workbooks, audit and survey imports): ISO (a time of day after it, as a spreadsheet or SSD datetime
# has, is dropped), or the UK's day first with /, . or - between. Nothing else: 10/31/2025 and
# "31 Oct 2025" are refused rather than guessed.
_TIME = r"(?:[ T][0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?"
_DATE_FORMS = (re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME),
               re.compile(r"(?P<d>\d{1,2})(?P<s>[/.-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})" + _TIME))
DATE_FORMS = "YYYY-MM-DD or DD/MM/YYYY"


class NotADate(MunroError, ValueError):
    """A text that is not a day: ``reason`` says why without repeating the text (a file's reader names
    the row and column, and shows the text its own way)."""

    def __init__(self, text: str, reason: str):
        shown = text if len(text) <= 40 else text[:40] + "..."
        super().__init__(f"{shown!r} is {reason}")
        self.reason = reason


def parse_date(text: str | dt.date) -> dt.date:
    """'2025-10-31', '31/10/2025' (or 31.10.2025, 31-10-2025), with a time of day or not -> that day.

    The one reader of a day a person wrote (module comment above). Raises ``NotADate`` (a MunroError
    and a ValueError) saying whether the text is not a date at all or a day the calendar does not have
    (2025-02-29)."""
    if isinstance(text, dt.date):
        return text
    text = str(text).strip()
    for shape in _DATE_FORMS:
        found = shape.fullmatch(text)
        if found:
            y, m, d = map(int, found.group("y", "m", "d"))
            try:
                return dt.date(y, m, d)
            except ValueError:
                raise NotADate(text, f"not a date in the calendar: {_no_such_day(y, m, d)}") from None
    raise NotADate(text, f"not a date: give one as {DATE_FORMS}, such as 2025-10-31")


def _no_such_day(y: int, m: int, d: int) -> str:
    if not 1 <= m <= 12:
        return f"there is no month {m}"
    if y < dt.MINYEAR:
        return f"there is no year {y}"
    return f"there is no {d} {dt.date(y, m, 1):%B %Y}"


def year_start(year: int) -> dt.date:
    """1 April of the year before: the first day of reporting year ``year`` (2025 -> 1 April 2024)."""
    return dt.date(int(year) - 1, 4, 1)


def year_end(year: int) -> dt.date:
    """31 March: the last day of reporting year ``year``, the census's reference date (2025 -> 31 March 2025)."""
    return dt.date(int(year), 3, 31)


def year_window(year: int) -> tuple[dt.date, dt.date]:
    """(1 April, 31 March) of reporting year ``year``, both days in it: 2025 -> (2024-04-01, 2025-03-31)."""
    return year_start(year), year_end(year)


def year_of_date(day: dt.date) -> int:
    """The reporting year a date falls in: 1 April 2024 to 31 March 2025 is 2025."""
    return day.year + (1 if day.month >= 4 else 0)


def is_in_year(year: int, reference_date: dt.date) -> bool:
    """Whether a CIN census return of collection ``year`` dated ``reference_date`` is an in-year extract:
    dated inside its collection's window but not on its last day (31 March, the annual return's date).
    A date outside the window is neither: the load refuses it and DfE rule 100 reports it."""
    start, end = year_window(year)
    return start <= reference_date < end


def _checked(year: int, text: str) -> int:
    if not FIRST <= year <= LAST:
        raise MunroError(f"{text!r} is not a reporting year {_EXAMPLES}")
    return year


def parse_year(text: str | int) -> int:
    """'2025', '2024-25' or '2024/25' -> 2025. Raises MunroError with a message naming what was given."""
    if isinstance(text, int) and not isinstance(text, bool):
        return _checked(text, str(text))
    text = str(text).strip()
    m = _ONE.fullmatch(text)
    if m and m.group(2) is None:
        return _checked(int(m.group(1)), text)
    if m:
        first, second = int(m.group(1)), int(m.group(2))
        if second == (first + 1) % 100:
            return _checked(first + 1, text)
        near = [year_label(y) for y in sorted({first + 1, first - first % 100 + second}) if FIRST <= y <= LAST]
        raise MunroError(f"{text!r} is not a reporting year: {second:02d} does not follow {first}"
                         + (f" (did you mean {' or '.join(near)}?)" if near else ""))
    if _RANGE.fullmatch(text):
        raise MunroError(f"{text!r} is a range of years: give one reporting year {_EXAMPLES}")
    raise MunroError(f"{text!r} is not a reporting year {_EXAMPLES}")


def parse_years(text: str) -> list[int]:
    """'2021-2025', '2023,2024', '2024-25' or '2025' -> the sorted years (a range's ends included)."""
    years: set[int] = set()
    for part in str(text).split(","):
        part = part.strip()
        m = _RANGE.fullmatch(part)
        if m:
            lo, hi = _checked(int(m.group(1)), part), _checked(int(m.group(2)), part)
            if hi < lo:
                raise MunroError(f"{part!r} is not a range of years: {hi} is before {lo}")
            years.update(range(lo, hi + 1))
            continue
        try:
            years.add(parse_year(part))
        except MunroError as e:
            m = _ONE.fullmatch(part)
            if not m:  # not even the shape of a year: say what a list can hold
                raise MunroError(f"{part or text!r} is not a year {_EXAMPLES}, a range such as 2021-2025, "
                                 "or a comma list of them") from None
            if m.group(2):  # 2021-25: perhaps a range written short
                raise MunroError(f"{e}; a range is written with four-digit years, such as "
                                 f"{m.group(1)}-{int(m.group(1)) // 100}{m.group(2)}") from None
            raise
    return sorted(years)


# In a file's name: 2025; 2024-25, 2024_25, 2024-2025, 2024_2025, 2024 to 2025; 24-25, 24_25. A lone two-digit
# number, or four digits that are not 20xx, is not a year (an LA code, a count, a time).
_NAME = re.compile(
    r"(?<![0-9])(?P<first>20[0-9]{2}|[0-9]{2})"
    r"(?:(?:\s*[-_]\s*|[\s_-]*to[\s_-]*)(?P<second>20[0-9]{2}|[0-9]{2}))?(?![0-9])",
    re.IGNORECASE)


def _name_year(first: str, second: str | None) -> tuple[int, int] | None:
    """(strength, year) of one match: a pair led by four digits (2), a lone four-digit year (1), a two-digit
    pair (0); None for no year (a range such as 2021-2025, a lone two-digit number)."""
    start = int(first) if len(first) == 4 else 2000 + int(first)
    if second is None:
        return (1, start) if len(first) == 4 else None
    if int(second) % 100 == (start + 1) % 100 and (len(second) == 2 or int(second) == start + 1):
        return (2 if len(first) == 4 else 0), start + 1
    if len(second) == 2 and len(first) == 4:
        return 1, start  # 2025-03-31: a date, and its year as the name has it
    return None


def year_from_name(name: str) -> int | None:
    """The reporting year written in a file's name (``SSDA903 episodes 2024-25.csv`` -> 2025), or None.

    Read: ``2025``, ``2024-25``, ``2024_25``, ``2024-2025``, ``2024_2025``, ``2024 to 2025``, ``24-25`` and
    ``24_25`` (``-``, ``_``, spaces or ``to`` between the parts). Where a name holds several, a pair led by
    four digits (``2024-25``) counts before a lone year (``2025``, as in a date ``2025-03-31``), which counts
    before a two-digit pair (``24-25``); among equals, the last. A range such as ``2021-2025`` names no year.
    """
    found = [y for m in _NAME.finditer(name) if (y := _name_year(m.group("first"), m.group("second")))]
    found = [y for y in found if FIRST <= y[1] <= LAST]
    return max(enumerate(found), key=lambda f: (f[1][0], f[0]))[1][1] if found else None


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier, a day that does not exist becoming the month's last
    (31 May - 3 months is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


@dataclass(frozen=True, order=True)
class Period:
    """The 12 months ending on ``end`` (R, the as-at date): the window every item is computed over.

    A reporting year is the period ending 31 March (``Period.of_year(2025)``: 1 April 2024 to 31 March
    2025). Any other date gives the 12 months an extract taken that day would report: from the day after
    the same date a year earlier (``Period(date(2025, 10, 15))``: 16 October 2024 to 15 October 2025),
    whole months when ``end`` is a month's last day (the 12 months ending 28 February 2025 start on
    1 March 2024, and those ending 29 February 2024 on 1 March 2023).
    """

    end: dt.date

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(year_end(year))

    @property
    def start(self) -> dt.date:
        if _is_month_end(self.end):
            return _months_before(self.end + dt.timedelta(days=1), 12)
        return _months_before(self.end, 12) + dt.timedelta(days=1)

    @property
    def year(self) -> int:
        """The reporting year ``end`` falls in (its population, its return): 31 October 2025 is in 2026."""
        return year_of_date(self.end)

    @property
    def is_year(self) -> bool:
        """Whether this is a whole reporting year (ending 31 March)."""
        return (self.end.month, self.end.day) == (3, 31)

    @property
    def first_year(self) -> int:
        """The reporting year the 12 months start in: the year itself for a reporting year; the one before
        for any other period (the 12 months to 31 October 2025 start on 1 November 2024, in 2024-25)."""
        return year_of_date(self.start)

    @property
    def years(self) -> tuple[int, ...]:
        """The reporting years the 12 months touch: one for a reporting year, else two (2025 and 2026 for
        the 12 months to 31 October 2025)."""
        return tuple(range(self.first_year, self.year + 1))

    @property
    def years_words(self) -> str:
        """``years`` as labels in running text: '2024-25', or '2024-25 and 2025-26'."""
        return " and ".join(year_label(y) for y in self.years)

    @property
    def population_year(self) -> int:
        """The reporting year whose 0-17 population a rate divides by: the one of the 30 June inside the
        12 months (definitions.md section 1 takes mid-year Y-1, the 30 June inside reporting year Y, for the
        period ending 31 March Y). The 12 months to 31 October 2025 hold 30 June 2025 (reporting year
        2026's mid-year); those to 15 June 2025 hold 30 June 2024 (2025's)."""
        mid_year = self.end.year if (self.end.month, self.end.day) >= (6, 30) else self.end.year - 1
        return mid_year + 1

    @property
    def end_words(self) -> str:
        """The period's end as its texts say "at R": '31 March' for a reporting year (each text is read beside
        its year), else the whole date, '31 October 2025'."""
        return "31 March" if self.is_year else date_words(self.end)

    @property
    def in_words(self) -> str:
        """"In the period" as its texts say it: 'in the year' for a reporting year (read beside its year), else
        'in the 12 months to 31 October 2025'."""
        return "in the year" if self.is_year else f"in the {self.label}"

    def earlier(self, months: int) -> Period:
        """The period ending ``months`` calendar months before this one ends (month ends kept as month ends)."""
        if _is_month_end(self.end):
            return Period(_months_before(self.end + dt.timedelta(days=1), months) - dt.timedelta(days=1))
        return Period(_months_before(self.end, months))

    @property
    def label(self) -> str:
        """'2024-25' for a reporting year, else '12 months to 15 October 2025'."""
        if self.is_year:
            return year_label(self.year)
        return f"12 months to {date_words(self.end)}"
