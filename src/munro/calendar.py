"""The England working-day calendar.

definitions.md section 1: working days are Monday to Friday except bank
holidays in England, including one-off days (2022-09-19, 2023-05-08). The
holidays come from the pinned ``holidays`` package (kept in
``data/bank_holidays.csv``), adjusted by ``data/bank_holidays_override.csv``
for days announced after that release.

Durations follow the contract: from ``a`` to ``b`` is the number of working
days ``d`` with ``a < d <= b``. The table form (``calendar_table``) carries a
cumulative working-day index so that any engine computes a duration as a
difference of two joined indexes.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2040, 12, 31)


def _data_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("munro.data").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


def package_holidays() -> list[dt.date]:
    """England's bank holidays from FIRST_DATE to LAST_DATE as the pinned ``holidays`` package lists them.

    munro reads them from ``data/bank_holidays.csv``, written by this function
    (``python -m munro.calendar``): importing the package and computing forty
    years of holidays takes a tenth of a second, which every load would pay.
    A test checks the file against the installed package.
    """
    # lazily: holidays (slow to import) only when the holiday file is made again, never by a load
    import holidays

    return sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_DATE.year, LAST_DATE.year + 1)))


def write_holiday_file(path: str | os.PathLike[str]) -> None:
    # lazily: holidays (slow to import) only when the holiday file is made again
    from holidays.version import __version__ as holidays_version

    with open(path, "w", newline="") as f:
        f.write(f"# England bank holidays {FIRST_DATE.year}-{LAST_DATE.year} as the holidays package "
                f"{holidays_version} lists them\n"
                "# (GB, subdivision ENG). Written by `python -m munro.calendar`; do not edit: corrections\n"
                "# go in bank_holidays_override.csv.\n")
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["date"])
        writer.writerows([day.isoformat()] for day in package_holidays())


@lru_cache(maxsize=1)
def bank_holidays() -> tuple[dt.date, ...]:
    """Every England bank holiday from FIRST_DATE to LAST_DATE, sorted."""
    days = {dt.date.fromisoformat(row["date"]) for row in _data_rows("bank_holidays.csv")}
    for row in _data_rows("bank_holidays_override.csv"):
        day = dt.date.fromisoformat(row["date"])
        if row["action"] == "add":
            days.add(day)
        elif row["action"] == "remove":
            days.discard(day)
        else:
            raise ValueError(f"bank_holidays_override.csv: unknown action {row['action']!r}")
    return tuple(sorted(days))


@lru_cache(maxsize=1)
def _busday_calendar() -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(bank_holidays(), dtype="datetime64[D]"))


def _check_range(*days: dt.date) -> None:
    for d in days:
        if not FIRST_DATE <= d <= LAST_DATE:
            raise ValueError(f"{d} is outside munro's calendar ({FIRST_DATE} to {LAST_DATE})")


def is_working_day(day: dt.date) -> bool:
    _check_range(day)
    return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=_busday_calendar()))


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days d with a < d <= b (negative when b is before a)."""
    _check_range(a, b)
    one = np.timedelta64(1, "D")
    return int(np.busday_count(np.datetime64(a, "D") + one, np.datetime64(b, "D") + one,
                               busdaycal=_busday_calendar()))


def add_working_days(a: dt.date, n: int) -> dt.date:
    """The date ``b`` with ``working_days_between(a, b) == n`` (the earliest such date, n >= 0).

    For n = 0 that is ``a`` itself; otherwise the n-th working day after ``a``.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return a
    _check_range(a)
    day = np.busday_offset(np.datetime64(a, "D") + np.timedelta64(1, "D"), n - 1,
                           roll="forward", busdaycal=_busday_calendar())
    found: dt.date = day.astype(dt.date)  # numpy types astype() as Any: a datetime64[D] gives a date
    return found


# The calendar table's columns in every engine and export (SQL types): dates are DATE, flags 0/1.
CALENDAR_COLUMNS = (("date", "DATE"), ("is_working_day", "INTEGER"), ("wd_index", "INTEGER"))


def calendar_table(first: dt.date = FIRST_DATE, last: dt.date = LAST_DATE) -> pa.Table:
    """The calendar as a pyarrow table: ``date``, ``is_working_day`` (0/1), ``wd_index``.

    ``wd_index`` counts working days up to and including ``date``, so the
    working-day duration from a to b is ``wd_index[b] - wd_index[a]``.
    """
    # lazily: pyarrow (slow to import) only when the calendar table is made
    import pyarrow as pa

    _check_range(first, last)
    days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
    working = np.is_busday(days, busdaycal=_busday_calendar()).astype(np.int8)
    # Arrow arrays straight from the numpy buffers: pa.array() on numpy data imports pandas (about 2 s).
    def column(values: np.ndarray, arrow_type: pa.DataType) -> pa.Array:
        return pa.Array.from_buffers(arrow_type, len(values), [None, pa.py_buffer(values)])

    return pa.table({"date": column(days.astype(np.int32), pa.date32()), "is_working_day": column(working, pa.int8()),
                     "wd_index": column(np.cumsum(working, dtype=np.int32), pa.int32())})


if __name__ == "__main__":
    with resources.as_file(resources.files("munro.data").joinpath("bank_holidays.csv")) as target:
        write_holiday_file(target)
