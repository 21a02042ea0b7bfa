"""The web core's authorisation matrix: uploads, child lists, report downloads, administration, legal pages,
the health check.

Every route of those blueprints, as every role of LA 330, as 331's analyst, as the regional manager and
signed out; then the URLs that try to reach another LA's children, whatever their shape.
"""

from __future__ import annotations

import io

import pytest
from test_web_authz import REGIONAL, expected_small, small_counts
from web_helpers import LA, OTHER, YEAR, email, form_token

from munro.local.roles import ROLES
from munro.report.child_lists import child_lists

ITEM = "cpp_repeat"  # an item with a list of children
AGGREGATES = {"administrator", "analyst", "manager", "auditor"}
PUBLIC = {"cookies", "accessibility", "privacy", "healthz"}  # open to anyone, signed in or not

# name -> (path, roles of LA 330 that get 200; the rest 403). The upload page is the user's own LA's.
ROUTES = {
    "upload": ("/upload", {"administrator", "analyst"}),
    "children": (f"/la/{LA}/{YEAR}/items/{ITEM}/children", {"analyst"}),
    "children_csv": (f"/la/{LA}/{YEAR}/items/{ITEM}/children.csv", {"analyst"}),
    "report_page": (f"/la/{LA}/{YEAR}/report", AGGREGATES),
    "report_file": (f"/la/{LA}/{YEAR}/report.xlsx", AGGREGATES),
    "users": ("/admin/users", {"administrator"}),
    "audit_log": ("/admin/audit-log", {"administrator"}),
    "retention": ("/admin/retention", {"administrator"}),
    **{name: (f"/{name}", set(ROLES)) for name in PUBLIC},
}
# Routes about a pending upload, and POST-only routes: tested below with their own expectations.
OTHER_ROUTES = {"findings", "load_upload", "cancel_upload", "change_user"}
CORE = ("uploads", "children", "downloads", "admin", "info", "health")


@pytest.fixture(scope="module")
def app(web_store, tmp_path_factory, app_factory):
    """One application for the whole module (its tests change nothing but sessions and the audit log);
    many sign-ins from the test client's one address, so the per-address limit is lifted."""
    return app_factory(web_store, tmp_path_factory.mktemp("core-authz"), sign_in_per_address=10_000)


def test_every_core_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint.split(".", 1)[1] for rule in app.url_map.iter_rules()
                 if rule.endpoint.split(".")[0] in CORE}
    assert endpoints == set(ROUTES) | OTHER_ROUTES


def workbook_text(body: bytes) -> str:
    """Every cell of a workbook, a row per line, cells apart: what small_counts reads."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    rows = (row for sheet in book for row in sheet.iter_rows(values_only=True))
    return "\n".join(" ".join(str(c) for c in row if c is not None) for row in rows)


def assert_report_variant(response, la: str, variant: str) -> None:
    """The report download holds the ``variant`` of ``la``'s figures (tests/web/test_web_authz.py works them out)."""
    text = workbook_text(response.data)
    assert ("Disclosure control applied" in text) == (variant == "published")
    if variant == "published":
        assert small_counts(text) == set()
    else:  # the internal workbook shows the LA's small counts (and, elsewhere in it, others')
        assert small_counts(text) >= expected_small(la, "internal")


@pytest.mark.parametrize("role", ROLES)
def test_every_route_as_every_role(app, signed_in, role):
    client = signed_in(email(role))
    for name, (path, granted) in ROUTES.items():
        response = client.get(path)
        assert response.status_code == (200 if role in granted else 403), (role, path, response.status_code)
        if name == "report_file" and response.status_code == 200:
            assert_report_variant(response, LA, "internal")  # the LA's own staff: internal unless they ask


def test_another_las_analyst_and_the_regional_manager(app, signed_in):
    other = signed_in(email("analyst", OTHER))
    for name, (path, _) in ROUTES.items():
        # 331's analyst: their own upload page and the public pages; nothing of 330.
        expected = 200 if name in PUBLIC | {"upload"} else 403
        assert other.get(path).status_code == expected, path
    regional = signed_in(REGIONAL)
    for name, (path, _) in ROUTES.items():
        # The regional manager: aggregates of both LAs, the published report only; no children, no upload, no admin.
        expected = 200 if name in PUBLIC | {"report_page", "report_file"} else 403
        for la in (LA, OTHER):
            response = regional.get(path.replace(f"/la/{LA}/", f"/la/{la}/"))
            assert response.status_code == expected, path
            if name == "report_file":  # the published variant by default, and never the internal one
                assert regional.get(path.replace(f"/la/{LA}/", f"/la/{la}/") + "?variant=internal").status_code == 403
                assert response.headers["Content-Disposition"].endswith('report.xlsx"')
                assert_report_variant(response, la, "published")


def test_signed_out(app):
    client = app.test_client()
    for name, (path, _) in ROUTES.items():
        response = client.get(path)
        if name in PUBLIC:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 302 and response.headers["Location"] == "/sign-in", path
    token = form_token(client)  # the signed-out form token does not open a POST route
    for path in ("/upload", "/upload/" + "a" * 22 + "/load", "/admin/users", "/admin/users/1/disable",
                 "/admin/retention"):
        assert client.post(path, data={"csrf_token": token}).status_code == 302, path


def test_the_published_variant_is_the_only_one_for_a_regional_user(app, signed_in):
    page = signed_in(REGIONAL).get(f"/la/{OTHER}/{YEAR}/report").text
    assert "variant=published" in page and "variant=internal" not in page
    page = signed_in(email("manager")).get(f"/la/{LA}/{YEAR}/report").text
    assert "variant=published" in page and "variant=internal" in page


@pytest.fixture(scope="module")
def child_ids(web_store):
    """Every LAchildID in 330's and 331's lists: none may reach anyone but the LA's own analysts."""
    return {la: {row[0] for _, _, _, rows in child_lists(web_store, la, YEAR) for row in rows} for la in (LA, OTHER)}


def test_no_url_reaches_another_las_children(app, signed_in, child_ids):
    assert child_ids[LA] and child_ids[OTHER]
    paths = [f"/la/{OTHER}/{YEAR}/items/{ITEM}/children", f"/la/{OTHER}/{YEAR}/items/{ITEM}/children.csv",
             f"/la/{OTHER},{LA}/{YEAR}/items/{ITEM}/children", f"/la/{OTHER}%2F/{YEAR}/items/{ITEM}/children",
             f"/la/%20{OTHER}/{YEAR}/items/{ITEM}/children", f"/la/{OTHER}/{YEAR}/items/{ITEM}/children?la={LA}",
             f"/la/../la/{OTHER}/{YEAR}/items/{ITEM}/children", f"/la/{OTHER}/{YEAR}/report.xlsx"]
    for role in ROLES:
        client = signed_in(email(role))
        for path in paths:
            response = client.get(path, follow_redirects=True)  # werkzeug redirects some odd shapes first
            assert response.status_code in (403, 404), (role, path, response.status_code)
            assert not any(i in response.get_data(as_text=True) for i in child_ids[OTHER]), (role, path)
    # 330's own analyst sees 330's children and only those.
    page = signed_in(email("analyst")).get(f"/la/{LA}/{YEAR}/items/{ITEM}/children").text
    assert "Restricted" in page and not any(f">{i}<" in page for i in child_ids[OTHER])


def test_child_level_pages_show_no_child_to_other_roles(app, signed_in, child_ids):
    for address in [email(r) for r in ROLES if r != "analyst"] + [REGIONAL, email("analyst", OTHER)]:
        client = signed_in(address)
        for path in (f"/la/{LA}/{YEAR}/items/{ITEM}/children", f"/la/{LA}/{YEAR}/items/{ITEM}/children.csv"):
            response = client.get(path)
            assert response.status_code == 403
            assert not any(i in response.text for i in child_ids[LA])


def test_the_item_page_links_to_its_children_only_for_the_analyst(app, signed_in):
    link = f"/la/{LA}/{YEAR}/items/{ITEM}/children"
    assert link in signed_in(email("analyst")).get(f"/la/{LA}/{YEAR}/items/{ITEM}").text
    for address in (email("manager"), email("administrator"), REGIONAL):
        assert link not in signed_in(address).get(f"/la/{LA}/{YEAR}/items/{ITEM}").text
    # An item with no list has no link, and its children URL is 404 for the analyst.
    assert "/children" not in signed_in(email("analyst")).get(f"/la/{LA}/{YEAR}/items/cpp_rate").text
    assert signed_in(email("analyst")).get(f"/la/{LA}/{YEAR}/items/cpp_rate/children").status_code == 404


def test_the_children_csv(app, signed_in, child_ids):
    response = signed_in(email("analyst")).get(f"/la/{LA}/{YEAR}/items/{ITEM}/children.csv")
    assert response.mimetype == "text/csv" and "RESTRICTED" in response.headers["Content-Disposition"]
    lines = response.text.splitlines()
    assert lines[0].startswith("la_child_id,") and {line.split(",")[0] for line in lines[1:]} <= child_ids[LA]


def test_csrf_on_every_new_form(app, signed_in):
    analyst, admin = signed_in(email("analyst")), signed_in(email("administrator"))
    for client, path in ((analyst, "/upload"), (analyst, "/upload/" + "a" * 22 + "/load"),
                         (analyst, "/upload/" + "a" * 22 + "/cancel"), (admin, "/admin/users"),
                         (admin, "/admin/users/1/disable"), (admin, "/admin/retention")):
        for fields in ({}, {"csrf_token": "forged"}):
            assert client.post(path, data=fields).status_code == 400, (path, fields)
    # Another session's token is refused too.
    assert admin.post("/admin/users", data={"csrf_token": form_token(analyst, "/dashboard")}).status_code == 400
