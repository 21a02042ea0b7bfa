"""The check at the top of every signed-in page of one LA: signed in, a real LA code, allowed there."""

from __future__ import annotations

import re

from flask import abort

from . import authz
from .pages import signed_in
from .users import User

LA_CODE = re.compile(r"^\d{3}$")


def for_la(la: str, action: str, *or_actions: str) -> User:
    """The signed-in user if they may do ``action`` (or any of ``or_actions``) for ``la``; else sign in, or 403."""
    user = signed_in()
    if not LA_CODE.match(la):
        abort(404)
    if not any(authz.allowed(user, a, la) for a in or_actions):
        authz.authorise(user, action, la)
    return user


def found(value, la: str, attr: str = "la_code"):
    """``value`` if it belongs to ``la``: another LA's survey or audit is "not found", never shown."""
    if value is None or getattr(value, attr, None) != la:
        abort(404)
    return value
