"""Roles that the local-information functions check (the web service's roles, issue 8).

The functions take the caller's role as an argument; the web service maps a
signed-in user to one of these, the CLI runs as ``analyst`` unless told
otherwise. Least privilege: free text is read only by those who act on it.
"""

from __future__ import annotations

from ..errors import MunroError

ROLES = ("administrator", "analyst", "manager", "auditor", "survey_admin", "triage")
# Free-text answers verbatim: the survey's administrators (to act on them) and safeguarding triage.
FREE_TEXT_ROLES = frozenset({"survey_admin", "triage"})
TRIAGE_ROLES = frozenset({"triage"})


def check_role(role: str, allowed, doing: str) -> None:
    if role not in ROLES:
        raise MunroError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if role not in allowed:
        raise MunroError(f"the {role} role may not {doing} (allowed: {', '.join(sorted(allowed))})")
