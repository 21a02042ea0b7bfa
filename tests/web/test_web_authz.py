"""The authorisation matrix: every route, as every role, as another LA's user, as a regional user and signed out."""

from __future__ import annotations

import pytest

from web_helpers import LA, OTHER, YEAR, email
from munro.local.roles import ROLES
from munro.web import data

AGGREGATES = {"administrator", "analyst", "manager", "auditor"}  # who sees an LA's dashboard


@pytest.fixture(scope="module")
def item_with_chart(web_store):
    """(item id, chart id) of the first item of 330's report that has a chart."""
    report = data.report(web_store, LA, YEAR)
    for v in report.items():
        charts = data.charts(v)
        if charts:
            return v.item.id, charts[0].id
    raise AssertionError("no item of the test store has a chart")


def _routes(item, chart, la=LA):
    return {
        "start": "/",
        "sign_in": "/sign-in",
        "signed_out": "/signed-out",
        "stylesheet": "/assets/munro.css",
        "dashboard": "/dashboard",
        "la_dashboard": f"/la/{la}/{YEAR}",
        "item": f"/la/{la}/{YEAR}/items/{item}",
        "section": f"/la/{la}/{YEAR}/sections/timeliness",
        "chart_csv": f"/la/{la}/{YEAR}/items/{item}/{chart}.csv",
    }


PUBLIC = {"start", "sign_in", "signed_out", "stylesheet"}

# (who, LA asked for) -> the routes that answer 200; every other signed-in request is 403.
CASES = [(role, email(role), LA, AGGREGATES) for role in ROLES] + [
    ("analyst of another LA", email("analyst", OTHER), LA, set()),
    ("regional manager", "regional@example.gov.uk", LA, {"manager"}),
    ("regional manager, the other LA", "regional@example.gov.uk", OTHER, {"manager"}),
]


@pytest.mark.parametrize("who,address,la,granted", CASES, ids=[c[0] for c in CASES])
def test_every_route_as_every_user(app, signed_in, item_with_chart, who, address, la, granted):
    client = signed_in(address)
    role = address.split("@")[0] if address.split("@")[0] in ROLES else "manager"
    may = role in granted
    for name, path in _routes(*item_with_chart, la=la).items():
        response = client.get(path)
        if name in PUBLIC:
            expected = 200
        elif name == "dashboard":
            # Every aggregate role has a dashboard (listing only its own LAs); the others are sent to where
            # they work (tested below).
            expected = 200 if role in AGGREGATES else 302
        else:
            expected = 200 if may else 403
        assert response.status_code == expected, (who, path, response.status_code)
        if response.status_code == 403:
            assert str(YEAR) not in response.text.split("<main", 1)[1]  # the refusal says nothing of the LA's data


def test_another_las_dashboard_is_refused_to_every_330_user(app, signed_in, item_with_chart):
    for role in ROLES:
        client = signed_in(email(role))
        for name, path in _routes(*item_with_chart, la=OTHER).items():
            if name not in PUBLIC | {"dashboard"}:
                assert client.get(path).status_code == 403, (role, path)


def test_the_dashboard_lists_only_the_users_own_las(app, signed_in):
    assert "Coventry" not in signed_in(email("analyst")).get("/dashboard").text
    page = signed_in("regional@example.gov.uk").get("/dashboard").text
    assert "Birmingham" in page and "Coventry" in page


def test_signed_out_every_private_route_goes_to_sign_in(app, item_with_chart):
    client = app.test_client()
    for name, path in _routes(*item_with_chart).items():
        response = client.get(path)
        if name in PUBLIC:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 302 and response.headers["Location"] == "/sign-in", path


def test_unknown_la_year_and_item(app, signed_in):
    client = signed_in(email("analyst"))
    assert client.get("/la/999/2025").status_code == 403  # not the user's LA: no hint whether it exists
    assert client.get(f"/la/{LA}/2019").status_code == 404  # the user's LA, no return for that year
    assert client.get(f"/la/{LA}/{YEAR}/items/no-such-item").status_code == 404
    assert client.get(f"/la/{LA}/{YEAR}/sections/no-such-section").status_code == 404


def test_every_route_is_in_the_matrix(app, item_with_chart):
    """A new route must be added to the matrix above (and to authz.GRANTS) before this passes."""
    # The pages blueprint's routes. Every other blueprint has its own matrix: local information (surveys, public,
    # audits) in test_web_authz_local.py, the web core (uploads, children, downloads, admin, info) in
    # test_web_authz_core.py.
    endpoints = {rule.endpoint.split(".", 1)[-1] for rule in app.url_map.iter_rules()
                 if rule.endpoint.split(".")[0] == "pages"}
    assert endpoints == set(_routes(*item_with_chart)) | {"sign_out"}  # sign_out: POST only, tests/web/test_web_security.py


def test_the_item_page_shows_the_reports_chart_with_its_table_and_a_csv(app, signed_in, item_with_chart):
    item, chart = item_with_chart
    client = signed_in(email("manager"))
    page = client.get(f"/la/{LA}/{YEAR}/items/{item}").text
    assert "<svg" in page and "The data in this chart" in page and f"/{chart}.csv" in page
    csv = client.get(f"/la/{LA}/{YEAR}/items/{item}/{chart}.csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    assert csv.text.splitlines()[0].startswith("Reporting year")


def test_a_section_page_shows_the_reports_section_with_every_items_charts(app, signed_in):
    from munro.indicators.catalogue import by_section

    client = signed_in(email("manager"))
    dashboard = client.get(f"/la/{LA}/{YEAR}").text
    assert f'href="/la/{LA}/{YEAR}/sections/timeliness"' in dashboard
    page = client.get(f"/la/{LA}/{YEAR}/sections/timeliness").text
    main = page.split("<main", 1)[1]
    assert "The framework's purpose for this section" in main and "Local key questions" in main
    for it in by_section()["timeliness"]:
        assert it.title in main, it.id
    # Every chart on the page has its table and a CSV download, which answers with that table.
    charts = main.count("<svg")
    assert charts >= 2 and main.count("The data in this chart") == charts
    links = [part.split('"', 1)[0] for part in main.split('download href="')[1:]]
    assert len(links) == charts
    assert client.get(links[0]).mimetype == "text/csv"


def test_a_role_without_a_dashboard_is_sent_where_it_works(app, signed_in):
    assert signed_in(email("survey_admin")).get("/dashboard").headers["Location"] == f"/la/{LA}/surveys"
    assert signed_in(email("triage")).get("/dashboard").headers["Location"] == f"/la/{LA}/triage"
    survey_admin = signed_in(email("survey_admin"))
    assert survey_admin.get("/dashboard", follow_redirects=True).status_code == 200
