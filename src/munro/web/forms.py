"""Reading the staff forms' fields: GOV.UK date inputs and optional whole numbers, errors by field."""

from __future__ import annotations

import datetime as dt

from .params import whole


def date_field(form: dict, name: str, errors: dict, what: str) -> dt.date | None:
    """The date of a GOV.UK date input (``name-day``, ``name-month``, ``name-year``); records an error if not one."""
    parts = [form.get(f"{name}-{k}", "").strip() for k in ("day", "month", "year")]
    if not all(parts):
        errors[name] = f"Enter {what}, with a day, month and year"
        return None
    day, month, year = (whole(p) for p in parts)
    try:
        return dt.date(year, month, day)
    except (TypeError, ValueError):  # not digits (None), or no such date (31 2, year 0 or 10000)
        errors[name] = f"Enter {what} as a real date, for example 27 3 2026"
        return None


def whole_number(form: dict, name: str, errors: dict, what: str, low: int = 0) -> int | None:
    """An optional whole number field (blank: None); records an error below ``low`` or not a number."""
    text = form.get(name, "").strip()
    if not text:
        return None
    n = whole(text, low)
    if n is None:
        errors[name] = f"{what} must be a whole number, {low} or more"
    return n
