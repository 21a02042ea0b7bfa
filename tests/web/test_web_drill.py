"""The drill-down from an item by team, then by worker (munro.web.drill): who may see it, what is shown, and
the audit record of each view. The store is tests/indicators/test_drill.py's children, as LA 330's."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from web_helpers import LA, YEAR, assert_route_matrix, audit_events, blueprint_routes, client_of, email

from drill_support import allocations, build
from munro.loading import ingest_file

ITEM = "assessment_timeliness"
ROUTES = {  # name -> (path, roles of LA 330 that get 200; the rest 403)
    "teams": (f"/la/{LA}/{YEAR}/items/{ITEM}/teams", {"analyst", "manager"}),
    "workers": (f"/la/{LA}/{YEAR}/items/{ITEM}/workers", {"analyst"}),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_factory, cin):
    root = tmp_path_factory.mktemp("drill-web")
    db = root / "store.duckdb"
    path = root / f"cin_{LA}_{YEAR}.xml"
    path.write_text(build(cin, LA)[YEAR], encoding="utf-8")
    assert ingest_file(db, path).error is None
    allocations(db, la=LA)
    return app_factory(db, root, sign_in_per_address=10_000)


def test_every_drill_route_is_in_the_matrix(app):
    assert blueprint_routes(app, "drill") == set(ROUTES)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_route_as_every_role(app, name):
    path, allowed = ROUTES[name]
    assert_route_matrix(app, path, allowed, regional=403)  # the regional user sees aggregates only


def test_by_team_is_disclosure_controlled_and_recorded(app):
    manager = client_of(app, email("manager"))
    item_page = manager.get(f"/la/{LA}/{YEAR}/items/{ITEM}").text
    assert ROUTES["teams"][0] in item_page and "/children" not in item_page
    page = manager.get(ROUTES["teams"][0]).text
    # North 2 of 2, South 1 of 2, unallocated 1 of 1, the LA 4 of 5: every count 1..5, so c.
    for unit in ("North", "South", "Unallocated", "Whole authority"):
        assert f'<th scope="row" class="govuk-table__header">{unit}</th>' in page
    assert ">c<" in page and "100.0" not in page and ">2<" not in page
    assert "W1" not in page and ROUTES["workers"][0] not in page  # no worker named; no link for a manager
    last = audit_events(app)[-1]
    assert (last.event, last.email, last.la_code) == ("view_breakdown", email("manager"), LA)
    assert last.detail == f"{YEAR} {ITEM} by team: 3 teams"


def test_by_worker_is_restricted_exact_and_recorded_as_child_level(app):
    analyst = client_of(app, email("analyst"))
    assert ROUTES["workers"][0] in analyst.get(ROUTES["teams"][0]).text
    page = analyst.get(ROUTES["workers"][0]).text
    assert "Restricted: names social workers" in page
    assert '<th scope="row" class="govuk-table__header">W3</th>' in page and "50.0%*" in page  # 1 of 2
    last = audit_events(app)[-1]
    assert (last.event, last.email, last.detail) == ("view_child_level", email("analyst"),
                                                     f"{YEAR} {ITEM} by worker: 4 workers")


def test_an_item_not_broken_down_has_no_link_and_no_page(app):
    analyst = client_of(app, email("analyst"))
    assert "/teams" not in analyst.get(f"/la/{LA}/{YEAR}/items/sw_vacancy_rate").text
    assert analyst.get(f"/la/{LA}/{YEAR}/items/sw_vacancy_rate/teams").status_code == 404


def _appendix_table(page: str, item_id: str) -> str:
    start = page.index(f'data-appendix-item="{item_id}"')
    return page[start:page.index("</table>", start)]


def test_the_internal_report_download_with_the_breakdown_by_team(app):
    manager = client_of(app, email("manager"))
    links = manager.get(f"/la/{LA}/{YEAR}/report").text
    assert "With the breakdown by team" in links and "by=team" in links
    response = manager.get(f"/la/{LA}/{YEAR}/report.html?by=team")
    assert response.status_code == 200
    assert f'filename="munro-{LA}-{YEAR}-report-internal-by-team.html"' in response.headers["Content-Disposition"]
    page = response.text
    assert "Appendix: breakdown by team" in page and "Internal: contains unsuppressed small numbers" in page
    assert "Disclosure-controlled, as on the service&#39;s drill-down pages" in page
    # The drill page's figures (test_by_team_is_disclosure_controlled_and_recorded): every count 1..5, so c.
    table = _appendix_table(page, ITEM)
    for unit in ("North", "South", "Unallocated", "Whole authority"):
        assert f'<th scope="row" class="govuk-table__header">{unit}</th>' in table
    assert ">c<" in table and "100.0" not in table and "W1" not in page
    assert audit_events(app)[-1].detail == f"{YEAR} report (html, internal, by team)"
    book = manager.get(f"/la/{LA}/{YEAR}/report.xlsx?by=team")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.data))["Breakdown by team"]
    assert str(sheet["A4"].value).startswith("Disclosure-controlled")
    # Without by=team the internal report has no appendix, as before.
    assert "Appendix: breakdown by team" not in manager.get(f"/la/{LA}/{YEAR}/report.html").text


def test_the_breakdown_by_team_download_only_internal_and_only_for_those_who_see_teams(app):
    auditor = client_of(app, email("auditor"))  # may download the report, not see an item per team
    assert "by=team" not in auditor.get(f"/la/{LA}/{YEAR}/report").text
    assert auditor.get(f"/la/{LA}/{YEAR}/report.html?by=team").status_code == 403
    analyst = client_of(app, email("analyst"))
    assert analyst.get(f"/la/{LA}/{YEAR}/report.html?by=team&variant=published").status_code == 403
    assert analyst.get(f"/la/{LA}/{YEAR}/report.html?by=worker").status_code == 404
