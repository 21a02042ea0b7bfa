"""Whole numbers from URLs, query strings and forms: ASCII digits, a bounded count of them.

``str.isdigit`` accepts ``²`` and ``int`` then fails; ``int`` refuses more than 4,300 digits; SQLite and
DuckDB refuse an integer over 64 bits. Each was a 500. A number here is one to nine ASCII digits, so an
odd value is a 404 in a URL (no such page), and a 400 or the form's own message in a query or a form.
"""

from __future__ import annotations

import re

from flask import abort, request
from werkzeug.routing import IntegerConverter

DIGITS = re.compile(r"[0-9]{1,9}")
MAX = 999_999_999


class WholeNumber(IntegerConverter):
    """``<int:...>`` in every route: one to nine ASCII digits, else the URL matches nothing (404)."""

    regex = DIGITS.pattern


def whole(text: str | None, low: int = 0, high: int = MAX) -> int | None:
    """``text`` (spaces around it ignored) as a whole number from ``low`` to ``high``; None if it is not one."""
    text = (text or "").strip()
    if not DIGITS.fullmatch(text):
        return None
    n = int(text)
    return n if low <= n <= high else None


def arg(name: str, default: int, low: int = 0, high: int = MAX) -> int:
    """The query or form value ``name`` as a whole number from ``low`` to ``high``: ``default`` when it is
    absent or blank, 400 when it is something else."""
    text = request.values.get(name, "").strip()
    if not text:
        return default
    n = whole(text, low, high)
    if n is None:
        abort(400, f"The {name} asked for must be a whole number from {low:,} to {high:,}.")  # not echoed
    return n
