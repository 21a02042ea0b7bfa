"""Surveys, a triage flag and audits in a test application, for the local-information web tests."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from web_helpers import LA, OTHER, PASSWORD, YEAR, email

from munro.local.audits import AuditRecord, list_audits, record_audits
from munro.local.respond import link_key
from munro.local.roles import ROLES
from munro.local.survey_groups import set_groups
from munro.local.surveys import close_survey, create_survey, submit_response, survey_version
from munro.web import Config, create_app
from munro.web.users import add_user

OPEN_UNTIL = dt.date(2099, 1, 1)
PUBLIC_URL = "https://surveys.example.gov.uk"  # MUNRO_PUBLIC_URL of the test applications


def seed_local(app) -> dict:
    """Per LA: an open survey (with a flagged answer), a closed one with 12 responses, an open one for children
    aged 4 to 7 (faces), an audit. Returns their ids."""
    db = app.extensions["munro_app_db"]
    out = {}
    for la in (LA, OTHER):
        open_s = create_survey(db, la=la, instrument="children-8-11", opens_on=dt.date(2025, 1, 1),
                               closes_on=OPEN_UNTIL)
        submit_response(db, open_s.id, {"safe_home": "always", "make_better": "I am scared at home"})
        closed = create_survey(db, la=la, instrument="staff", opens_on=dt.date(2025, 1, 1), closes_on=OPEN_UNTIL)
        set_groups(db, closed, survey_version(closed), "team", ["North", "South"])
        for i in range(12):  # 8 agree and 4 disagree: the 4 is a small count, shown as c
            submit_response(db, closed.id, {"improved_safety": "agree" if i < 8 else "disagree", "team": "North",
                                            "what_would_help": "more time"})
        close_survey(db, closed.id)
        record_audits(db, la, YEAR, [AuditRecord(f"T{la}", dt.date(2024, 6, 3), "someone@example.gov.uk",
                                                 dt.date(2025, 6, 1), {"overall": "good", "child_seen": "good"})])
        young = create_survey(db, la=la, instrument="children-4-7", opens_on=dt.date(2025, 1, 1), closes_on=OPEN_UNTIL)
        out[la] = {"open": open_s.id, "closed": closed.id, "audit": list_audits(db, la, YEAR)[0]["id"],
                   "key": link_key(app.config["MUNRO"].secret_key, open_s.id),
                   "young_key": link_key(app.config["MUNRO"].secret_key, young.id)}
    return out


def token(client, path: str = "/") -> str:
    """The CSRF token of the page's forms (signed in: the session's, from the sign-out form every page has)."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def local_app(store, folder, **settings):
    """An application with a user of every role of 330, a 331 analyst and a regional manager, seeded by seed_local.

    The tests/web/conftest.py ``app`` fixture's users, built once per module here: argon2 hashing is slow on purpose.
    """
    settings.setdefault("public_url", PUBLIC_URL)
    app = create_app(Config(store=store, app_db=f"sqlite:///{folder}/app.sqlite", secret_key="k" * 48,
                            secure_cookies=False, **settings))
    engine = app.extensions["munro_app_db"]
    for role in ROLES:
        add_user(engine, email(role), [LA], role, PASSWORD)
    add_user(engine, email("analyst", OTHER), [OTHER], "analyst", PASSWORD)
    add_user(engine, "regional@example.gov.uk", [LA, OTHER], "manager", PASSWORD)
    app.extensions["test_seeded"] = seed_local(app)
    return app


# Module-scoped fixtures for the test modules that import them: one application per module.
@pytest.fixture(scope="module")
def app(web_store, tmp_path_factory):
    return local_app(web_store, tmp_path_factory.mktemp("web-local"))


@pytest.fixture(scope="module")
def seeded(app):
    return app.extensions["test_seeded"]
