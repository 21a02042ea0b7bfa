"""The one place that decides who may do what, for which LA. Every route calls ``authorise``.

Tenancy: a user belongs to one LA, or (a regional manager) to several whose
aggregates they see. Child-level data is only ever for a performance analyst
of a single LA, about that LA. A route names its action and the LA the URL
asks for; anything not granted below is refused, so a new action is closed
until someone opens it here.
"""

from __future__ import annotations

from werkzeug.exceptions import Forbidden

from .users import User

# action -> roles allowed it (always within the user's own LAs)
GRANTS: dict[str, frozenset[str]] = {
    # Aggregates: the dashboard, item pages, their CSV downloads.
    "view_aggregates": frozenset({"administrator", "analyst", "manager", "auditor"}),
    # Lists of children (drill-through from an item, web/children.py, each view logged): analysts of a single LA.
    "view_child_level": frozenset({"analyst"}),
    # An item per team (web/drill.py, each view logged; by worker is view_child_level): a single LA's analysts
    # and managers (a head of service). Disclosure-controlled, but about the LA's own organisation.
    "view_team_breakdown": frozenset({"analyst", "manager"}),
    # Upload a return, see its validation findings, load it (web/uploads.py).
    "upload_return": frozenset({"administrator", "analyst"}),
    # The report as HTML, PDF or XLSX (web/downloads.py): a regional user gets the published variant only.
    "download_report": frozenset({"administrator", "analyst", "manager", "auditor"}),
    # Accounts of the administrator's own LA, and its audit log (web/admin.py).
    "manage_users": frozenset({"administrator"}),
    "view_audit_log": frozenset({"administrator"}),
    # Retention (web/admin.py over munro.store.retention): only of the administrator's own LA's files.
    "run_retention": frozenset({"administrator"}),
    # Surveys (web/surveys.py): create, open, close, link and QR code; results are disclosure-controlled
    # aggregates (free text only to FREE_TEXT_ROLES, munro.local.results); the triage queue holds text.
    "manage_surveys": frozenset({"survey_admin"}),
    "view_survey_results": frozenset({"analyst", "manager", "survey_admin"}),
    "triage": frozenset({"triage"}),
    # Audits (web/audits.py): sampling and grading name children; results are aggregates.
    "audit_cases": frozenset({"auditor"}),
    "view_audit_results": frozenset({"analyst", "manager", "auditor"}),
}
# Actions only for a user of a single LA: child-level data, and administering the LA (its accounts and log).
CHILD_LEVEL = frozenset({"view_child_level", "view_team_breakdown", "upload_return", "manage_users", "view_audit_log",
                         "audit_cases", "triage", "run_retention"})


def allowed(user: User | None, action: str, la: str | None) -> bool:
    if user is None or action not in GRANTS or user.role not in GRANTS[action]:
        return False
    if la is not None and la not in user.las:
        return False
    if action in CHILD_LEVEL and user.regional:
        return False  # a regional role sees aggregates only, whatever its role
    return True


def authorise(user: User | None, action: str, la: str | None) -> None:
    """Raise 403 unless ``user`` may do ``action`` for ``la`` (the caller checks sign-in first)."""
    if not allowed(user, action, la):
        raise Forbidden("You do not have permission to see this page.")


def visible_las(user: User, action: str = "view_aggregates") -> list[str]:
    return [la for la in user.las if allowed(user, action, la)]
