"""The authorisation matrix of the survey, triage and audit pages: every route, as every role, as another LA's
user, as the regional manager and signed out. Public answering pages answer anyone and never show results."""

from __future__ import annotations

import re

import pytest
from web_helpers import LA, OTHER, email, sign_in
from web_local_helpers import app, seeded, token  # noqa: F401 (app, seeded: fixtures)

from munro.local.roles import ROLES

# route name -> (path template, roles that get it) for the signed-in GET pages
PAGES = {
    "surveys.index": ("/la/{la}/surveys", {"survey_admin", "analyst", "manager"}),
    "surveys.new": ("/la/{la}/surveys/new", {"survey_admin"}),
    "surveys.survey": ("/la/{la}/surveys/{open}", {"survey_admin"}),
    "surveys.qr": ("/la/{la}/surveys/{open}/qr.svg", {"survey_admin"}),
    "surveys.groups": ("/la/{la}/surveys/{closed}/groups", {"survey_admin"}),
    "surveys.results": ("/la/{la}/surveys/{closed}/results", {"survey_admin", "analyst", "manager"}),
    "surveys.triage": ("/la/{la}/triage", {"triage"}),
    "audits.index": ("/la/{la}/audits", {"auditor"}),
    "audits.sample": ("/la/{la}/audits/sample", {"auditor"}),
    "audits.grade": ("/la/{la}/audits/grade", {"auditor"}),
    "audits.moderate": ("/la/{la}/audits/{audit}/moderate", {"auditor"}),
    "audits.results": ("/la/{la}/audits/results", {"auditor", "analyst", "manager"}),
}
# POST-only actions: (path template, roles allowed); checked for refusal here, for their effect in test_web_surveys.py
ACTIONS = {
    "surveys.open_now": ("/la/{la}/surveys/{open}/open", {"survey_admin"}),
    "surveys.close": ("/la/{la}/surveys/{open}/close", {"survey_admin"}),
    "surveys.invitations": ("/la/{la}/surveys/{open}/invitations", {"survey_admin"}),
    "surveys.handle": ("/la/{la}/triage/1", {"triage"}),
}
PUBLIC = {
    "public.start": "/s/{key}",
    "public.question": "/s/{key}/1",
    "public.check": "/s/{key}/check",
    "public.done": "/s/{key}/done",
    "public.frontend_js": "/assets/govuk-frontend.min.js",
    "public.script": "/assets/munro.js",
    "public.leave": "/s/{key}/exit",
}
PUBLIC_POST = {"public.begin"}  # /s/<key>/start: tests/web/test_web_surveys.py

CASES = [(role, email(role), LA) for role in ROLES] + [
    ("analyst of another LA", email("analyst", OTHER), LA),
    ("regional manager", "regional@example.gov.uk", LA),
    ("regional manager, the other LA", "regional@example.gov.uk", OTHER),
]


@pytest.fixture(scope="module")
def signed_in(app):
    """``signed_in(email)``: a test client with that user signed in (one per user, kept for the module)."""
    clients = {}

    def _client(address: str):
        if address not in clients:
            clients[address] = app.test_client()
            assert sign_in(clients[address], address).status_code == 302
        return clients[address]
    return _client


def _role(address: str, la: str) -> str | None:
    """The role that counts for ``la``: None for a user of another LA."""
    name, _, domain = address.partition("@")
    if name == "regional":
        return "manager"
    return name if domain.startswith(la + ".") else None


# A count cell of a results table showing 1 to 5 as a number (survey and audit results pages).
SMALL_CELL = re.compile(r'govuk-table__cell--numeric">\s*[1-5]\s*<')
HIDDEN_CELL = re.compile(r'govuk-table__cell--numeric"><abbr title="suppressed to protect confidentiality">c<')


def assert_variant(name: str, response, role: str, regional: bool) -> None:
    """The results pages serve the variant of the user's role and LA: survey results are published to every role;
    audit results are published to a manager and to anyone who may see only the LA's published figures (the
    regional user, munro.web.data.published_only), internal to the LA's own analyst and auditor."""
    text = response.text
    if name == "surveys.results":  # the closed staff survey: 8 agree, 4 disagree; the 4 is c (and the 8 with it)
        assert not SMALL_CELL.search(text) and HIDDEN_CELL.search(text)
    elif name == "audits.results":  # one audit, graded good overall: 1 is a small count
        published = regional or role == "manager"
        assert ("Audits: c." if published else "Audits: 1.") in text, (name, role, regional)
        assert bool(SMALL_CELL.search(text)) == (not published), (name, role, regional)


@pytest.mark.parametrize("who,address,la", CASES, ids=[c[0] for c in CASES])
def test_every_page_as_every_user(seeded, signed_in, who, address, la):
    client = signed_in(address)
    role = _role(address, la)
    ids = seeded[la]
    for name, (path, granted) in PAGES.items():
        response = client.get(path.format(la=la, **ids))
        expected = 200 if role in granted else 403
        assert response.status_code == expected, (who, name, response.status_code)
        if expected == 200 and name in ("surveys.results", "audits.results"):
            assert_variant(name, response, role, address.startswith("regional@"))
        if expected == 403:
            main = response.text.split("<main", 1)[1]
            assert "Survey" not in main and f"T{la}" not in main  # the refusal tells nothing
    csrf = token(client)
    for name, (path, granted) in ACTIONS.items():
        if role not in granted:
            response = client.post(path.format(la=la, **ids), data={"csrf_token": csrf, "outcome": "x"})
            assert response.status_code == 403, (who, name, response.status_code)


def test_another_las_survey_and_audit_are_not_found(seeded, signed_in):
    """A 330 user asking for a 331 survey or audit under 330's URL: 404, never the other LA's data."""
    other = seeded[OTHER]
    admin, auditor = signed_in(email("survey_admin")), signed_in(email("auditor"))
    for path in (f"/la/{LA}/surveys/{other['open']}", f"/la/{LA}/surveys/{other['open']}/qr.svg",
                 f"/la/{LA}/surveys/{other['closed']}/results", f"/la/{LA}/surveys/{other['closed']}/groups"):
        assert admin.get(path).status_code == 404, path
    assert auditor.get(f"/la/{LA}/audits/{other['audit']}/moderate").status_code == 404
    for action in ("close", "invitations", "groups"):
        response = admin.post(f"/la/{LA}/surveys/{other['open']}/{action}", data={"csrf_token": token(admin),
                                                                                 "count": "3"})
        assert response.status_code == 404, action


def test_signed_out_every_staff_page_goes_to_sign_in(seeded, app):
    client = app.test_client()
    for name, (path, _) in {**PAGES, **ACTIONS}.items():
        response = client.get(path.format(la=LA, **seeded[LA])) if name in PAGES else client.post(
            path.format(la=LA, **seeded[LA]), data={"csrf_token": "x"})
        # A POST without a valid token stops at the CSRF check (400) before anything else.
        assert response.status_code in ((302,) if name in PAGES else (400,)), (name, response.status_code)
        if name in PAGES:
            assert response.headers["Location"] == "/sign-in"


@pytest.mark.parametrize("address", [None, email("analyst"), email("survey_admin")])
def test_public_pages_answer_anyone_and_show_no_results(seeded, app, signed_in, address):
    client = signed_in(address) if address else app.test_client()
    ids = seeded[LA]
    for name, path in PUBLIC.items():
        response = client.get(path.format(**ids))
        # Without answers in progress the question, check and done pages go back to the start page.
        expected = 302 if name in ("public.question", "public.check", "public.done", "public.leave") else 200
        assert response.status_code == expected, (name, response.status_code)
        if name == "public.leave":
            assert response.headers["Location"] == "https://www.bbc.co.uk/weather"
        elif expected == 302:
            assert response.headers["Location"] == f"/s/{ids['key']}"
        elif name == "public.start":
            assert "Start now" in response.text and "Exit this page" in response.text
            assert "Respondents" not in response.text and "results" not in response.text.lower()
    # A made-up key, or another survey's id with this key, is not found.
    assert client.get(f"/s/{ids['open']}-0000000000000000").status_code == 404
    assert client.get(f"/s/{ids['closed']}-{ids['key'].split('-')[1]}").status_code == 404


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.split(".")[0] in ("surveys", "public", "audits")}
    assert endpoints == set(PAGES) | set(ACTIONS) | set(PUBLIC) | PUBLIC_POST


def test_the_menu_links_only_the_pages_a_user_may_open(signed_in):
    menus = {role: signed_in(email(role)).get("/").text.split('aria-label="Menu"')[1].split("</nav>")[0]
             for role in ROLES}
    assert "/la/330/surveys" in menus["survey_admin"] and "/la/330/triage" not in menus["survey_admin"]
    assert "/la/330/triage" in menus["triage"] and "/surveys" not in menus["triage"]
    assert "/la/330/audits" in menus["auditor"] and "/la/330/audits/results" in menus["manager"]
    assert "/la/330/audits\"" not in menus["manager"] and "/la/" not in menus["administrator"]
    regional_menu = signed_in("regional@example.gov.uk").get("/").text.split('aria-label="Menu"')[1].split("</nav>")[0]
    assert "/la/" not in regional_menu
