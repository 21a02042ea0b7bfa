"""The authorisation matrix: every route, as every role, as another LA's user, as a regional user and signed out;
and, for each route that answers, the variant of the figures it serves (internal or published)."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from web_helpers import LA, OTHER, REGIONAL, YEAR, email

from munro.local.roles import ROLES

AGGREGATES = {"administrator", "analyst", "manager", "auditor"}  # who sees an LA's dashboard

# The matrix's item: child protection plans starting in 2024-25 by category, whose groups chart has a CSV.
# Its counts in the fixture store (tests/web/conftest.py), read from the synthetic returns:
#   330: neglect 15, physical abuse 2, emotional abuse 7, sexual abuse 2, multiple categories 4 (30 plans);
#   331: neglect 5, physical abuse 0, emotional abuse 3, sexual abuse 1, multiple categories 0 (9 plans).
# Published (definitions.md section 1), worked by hand: 330's 2, 2 and 4 are c; the total 30 minus the
# 15 and the 7 leaves 8 shared by three hidden cells, so nothing more is hidden. 331's 5, 3 and 1 are c;
# the zeros stay (a zero identifies nobody) and 9 is shared by the three hidden cells.
ITEM, CHART, SECTION = "cpp_starts_by_category", "cpp_starts_by_category-groups", "activity"
CATEGORIES = ("Neglect", "Physical abuse", "Emotional abuse", "Sexual abuse", "Multiple categories")
GROUPS = {
    (LA, "internal"): [15, 2, 7, 2, 4],
    (LA, "published"): [15, "c", 7, "c", "c"],
    (OTHER, "internal"): [5, 0, 3, 1, 0],
    (OTHER, "published"): ["c", 0, "c", "c", 0],
}
FIGURES = {"la_dashboard", "item", "section", "chart_csv"}  # the routes that serve an LA's figures
# A category's count of 1 to 5 shown as a number: a category's name, then (after a colon, "plans started" or the
# cell boundary) a whole number 1 to 5 not followed by a decimal point, a digit or a percent sign.
SMALL = re.compile(r"(" + "|".join(CATEGORIES) + r")(?:: plans started)? ([1-5])(?![\d.,%])", re.IGNORECASE)


def small_counts(text: str) -> set[tuple[str, int]]:
    """(category, count) of every count of 1 to 5 beside a category's name in a page, CSV or workbook's text."""
    flat = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)).replace(",", " ").replace("\t", " "))
    return {(m.group(1).capitalize(), int(m.group(2))) for m in SMALL.finditer(flat)}


def expected_small(la: str, variant: str) -> set[tuple[str, int]]:
    """What ``small_counts`` finds on the matrix item's page of ``la``: its small counts, or none when published."""
    return {(c, n) for c, n in zip(CATEGORIES, GROUPS[(la, variant)]) if isinstance(n, int) and 1 <= n <= 5}


def assert_variant(name: str, response, la: str, variant: str) -> None:
    """The body of a figures route holds the ``variant`` of ``la``'s figures and, if published, no small count."""
    text = response.get_data(as_text=True)
    found = small_counts(text)
    if variant == "published":
        assert found == set(), (name, la, found)
    if name == "chart_csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows == [["Category", "Number"]] + [[c, str(n)] for c, n in zip(CATEGORIES, GROUPS[(la, variant)])]
        return
    # Every page says when its figures are the published ones, and only then.
    assert ("data-published" in text) == (variant == "published"), (name, la, variant)
    if name == "item":
        assert found == expected_small(la, variant), (name, la, variant, found)


def _routes(item=ITEM, chart=CHART, la=LA):
    return {
        "start": "/",
        "sign_in": "/sign-in",
        "signed_out": "/signed-out",
        "stylesheet": "/assets/munro.css",
        "dashboard": "/dashboard",
        "la_dashboard": f"/la/{la}/{YEAR}",
        "item": f"/la/{la}/{YEAR}/items/{item}",
        "section": f"/la/{la}/{YEAR}/sections/{SECTION}",
        "chart_csv": f"/la/{la}/{YEAR}/items/{item}/{chart}.csv",
    }


PUBLIC = {"start", "sign_in", "signed_out", "stylesheet"}

# (who, LA asked for) -> the routes that answer 200; every other signed-in request is 403.
CASES = [(role, email(role), LA, AGGREGATES) for role in ROLES] + [
    ("analyst of another LA", email("analyst", OTHER), LA, set()),
    ("regional manager", REGIONAL, LA, {"manager"}),
    ("regional manager, the other LA", REGIONAL, OTHER, {"manager"}),
]


@pytest.mark.parametrize("who,address,la,granted", CASES, ids=[c[0] for c in CASES])
def test_every_route_as_every_user(app, signed_in, who, address, la, granted):
    client = signed_in(address)
    role = address.split("@")[0] if address.split("@")[0] in ROLES else "manager"
    may = role in granted
    for name, path in _routes(la=la).items():
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
        if response.status_code == 200 and name in FIGURES:
            # The LA's own staff get its internal figures; the regional user only ever the published ones.
            assert_variant(name, response, la, "published" if address == REGIONAL else "internal")
        if response.status_code == 403:
            assert str(YEAR) not in response.text.split("<main", 1)[1]  # the refusal says nothing of the LA's data


def test_another_las_dashboard_is_refused_to_every_330_user(app, signed_in):
    for role in ROLES:
        client = signed_in(email(role))
        for name, path in _routes(la=OTHER).items():
            if name not in PUBLIC | {"dashboard"}:
                assert client.get(path).status_code == 403, (role, path)


def test_the_dashboard_lists_only_the_users_own_las(app, signed_in):
    assert "Coventry" not in signed_in(email("analyst")).get("/dashboard").text
    page = signed_in(REGIONAL).get("/dashboard").text
    assert "Birmingham" in page and "Coventry" in page


def test_signed_out_every_private_route_goes_to_sign_in(app):
    client = app.test_client()
    for name, path in _routes().items():
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


def test_every_route_is_in_the_matrix(app):
    """A new route must be added to the matrix above (and to authz.GRANTS) before this passes."""
    # The pages blueprint's routes. Every other blueprint has its own matrix: local information (surveys, public,
    # audits) in test_web_authz_local.py, the web core (uploads, children, downloads, admin, info) in
    # test_web_authz_core.py.
    endpoints = {rule.endpoint.split(".", 1)[-1] for rule in app.url_map.iter_rules()
                 if rule.endpoint.split(".")[0] == "pages"}
    assert endpoints == set(_routes()) | {"sign_out"}  # sign_out: POST only, tests/web/test_web_security.py


def test_the_item_page_shows_the_reports_chart_with_its_table_and_a_csv(app, signed_in):
    item, chart = ITEM, CHART
    client = signed_in(email("manager"))
    page = client.get(f"/la/{LA}/{YEAR}/items/{item}").text
    assert "<svg" in page and "The data in this chart" in page and f"/{chart}.csv" in page
    table = client.get(f"/la/{LA}/{YEAR}/items/{item}/{chart}.csv")
    assert table.mimetype == "text/csv" and "attachment" in table.headers["Content-Disposition"]
    assert table.text.splitlines()[0] == "Category,Number"


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


def test_routes_reach_an_las_figures_only_through_report_for():
    """A new page cannot forget the variant: no module of the web service but data.py gathers or computes figures
    itself, or reaches data.py's internal ReportData (``data._report``); they all go through ``data.report_for``."""
    import munro.web

    raw = re.compile(r"data\._\w|\bgather\(|\bmake_safe\b|build import|indicators\.compute|engines import"
                     r"|benchmark\.compare import [^\n]*\bcompare\b")
    for path in sorted(Path(munro.web.__file__).parent.glob("*.py")):
        if path.name != "data.py":
            assert not raw.search(path.read_text(encoding="utf-8")), path.name
