"""What an Annex A as at a date covers, in one place for every writer of one (the store's, the synthetic).

An Annex A is an extract taken on its as-at date over the 6 or 12 months ending then. Its months follow
``munro.years.Period``, as the items' 12 months do: from the day after the same date ``months`` earlier,
whole months when the date is a month's last day (6 months to 30 April 2025 are 1 November 2024 to 30
April 2025). "In the last 12 months" (the counts of lists 3 and 5) is the 12 months ending on the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..errors import MunroError
from ..years import Period
from . import layout as L

MONTHS = (6, 12)


def window(as_at: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the ``months`` (6 or 12) ending on ``as_at``."""
    if months not in MONTHS:
        raise MunroError(f"an Annex A covers 6 or 12 months, not {months}")
    return Period(as_at).earlier(months).end + dt.timedelta(days=1), as_at


def last_12_months(as_at: dt.date) -> dt.date:
    """The first day of the 12 months ending on ``as_at`` (the lists' counts "in the last 12 months")."""
    return Period(as_at).start


def date_column(number: int) -> str:
    """The column that dates list ``number``'s records (its required date: ``referral_date`` of list 3)."""
    return next(c.name for c in L.LISTS[number].columns if c.required and c.kind == "date")


def in_date_order(lists: Mapping[int, list[dict]]) -> None:
    """Sort each list's rows by its date, then child: the order every Annex A munro writes is in."""
    for number, rows in lists.items():
        column = date_column(number)
        rows.sort(key=lambda r: (r[column], r["child_id"]))


AFTER_ASSESSMENT = ("RC8", "RC9")  # closure reasons: closed after assessment, no further action or early help


def assessed_in_need(authorised: bool, last: bool, closure_reason: str | None) -> bool | None:
    """List 4's "assessed as requiring LA children's social care support?" as at the date: no when the episode
    closed by then after this, its last assessment, as no further action or referred to early help (RC8, RC9:
    ``closure_reason`` is None while it is open); yes otherwise; unknown (None) until it is authorised."""
    if not authorised:
        return None
    return not (last and closure_reason in AFTER_ASSESSMENT)
