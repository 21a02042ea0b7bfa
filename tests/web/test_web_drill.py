"""The drill-down from an item by team, then by worker (munro.web.drill): who may see it, what is shown, and
the audit record of each view. The store is tests/indicators/test_drill.py's children, as LA 330's."""

from __future__ import annotations

import pytest
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
