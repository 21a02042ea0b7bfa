"""The dashboard as at any date (munro.web.as_at): the date offered and chosen, the as-at view and each item's
monthly series with the published figures beside it, who may see which figures, and the audit of exports.

The store: LA 330's synthetic 2023-24 and 2024-25 returns and an in-year extract of 2025-26 dated 31 October 2025 (the
2025-26 return itself is not loaded: the date is before it is due)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from web_helpers import LA, assert_route_matrix, audit_events, blueprint_routes, client_of, email

from munro.loading import ingest_files
from munro.synth import generate

END = "2025-10-31"
ITEM = "referral_rate"
AGGREGATES = {"administrator", "analyst", "manager", "auditor"}  # who sees an LA's dashboard
ROUTES = {  # name -> path
    "choose": f"/la/{LA}/as-at",
    "dashboard": f"/la/{LA}/as-at/{END}",
    "item": f"/la/{LA}/as-at/{END}/items/{ITEM}",
    "chart_csv": f"/la/{LA}/as-at/{END}/items/{ITEM}/{ITEM}-series.csv",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_factory):
    root = tmp_path_factory.mktemp("as-at-web")
    generate(LA, [2024, 2025, 2026], root / "returns", seed=5, scale=0.02, in_year=[dt.date(2025, 10, 31)])
    files = [root / "returns" / f"cin_{LA}_{name}.xml" for name in ("2024", "2025", END)]
    assert all(o.error is None for o in ingest_files(root / "store.duckdb", files))
    return app_factory(root / "store.duckdb", root, sign_in_per_address=10_000)


def test_every_as_at_route_is_in_the_matrix(app):
    assert blueprint_routes(app, "as_at") == set(ROUTES)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_route_as_every_user(app, name):
    assert_route_matrix(app, ROUTES[name], AGGREGATES, regional=200)  # the regional user: published figures


def test_the_dashboard_offers_the_latest_extracts_date(app):
    analyst = client_of(app, email("analyst"))
    year_page = analyst.get(f"/la/{LA}/2025").text
    assert f'href="/la/{LA}/as-at"' in year_page
    assert f'href="/la/{LA}/as-at/{END}">the 12 months to 31 October 2025</a>, the latest in-year extract' in year_page
    form = analyst.get(ROUTES["choose"]).text
    assert f'href="/la/{LA}/as-at/{END}"' in form and 'name="as-at-day"' in form


def test_a_date_chosen_goes_to_its_view_and_a_bad_one_is_said_why(app):
    analyst = client_of(app, email("analyst"))
    got = analyst.get(f"{ROUTES['choose']}?as-at-day=31&as-at-month=10&as-at-year=2025")
    assert (got.status_code, got.headers["Location"]) == (302, ROUTES["dashboard"])
    bad = analyst.get(f"{ROUTES['choose']}?as-at-day=29&as-at-month=2&as-at-year=2025")
    assert bad.status_code == 400 and "Enter the date the 12 months end on as a real date" in bad.text
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    later = analyst.get(f"/la/{LA}/as-at/{future}")
    assert later.status_code == 400 and f"{future} is in the future" in later.text
    early = analyst.get(f"/la/{LA}/as-at/2020-10-31")
    assert early.status_code == 400 and "is before any return loaded for LA 330" in early.text
    assert analyst.get(f"/la/{LA}/as-at/not-a-date").status_code == 404


def test_the_item_shows_its_series_and_the_published_figures_each_labelled(app):
    page = client_of(app, email("analyst")).get(ROUTES["item"]).text
    assert "12 months to 31 October 2025" in page and "England (2024-25)" in page
    assert ("24 rolling 12-month figures, for the 12 months to each date from 30 November 2023 to "
            "31 October 2025") in page
    assert "with the figures published for 2023-24 and 2024-25 beside them at their 31 March" in page
    assert f'id="{ITEM}-series-caption"' in page and "published 2024-25" in page
    assert ROUTES["chart_csv"] in page
    dashboard = client_of(app, email("analyst")).get(ROUTES["dashboard"]).text
    assert f'href="{ROUTES["item"]}"' in dashboard and "none is of the same 12 months" in dashboard


def _series_cells(page: str, item: str) -> list[str]:
    table = page.split(f'id="{item}-series-caption"')[1].split("</table>")[0]
    return [c for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)
            for c in re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', row)[:1]]


def test_a_regional_user_sees_every_point_disclosure_controlled(app):
    from munro.web import data

    internal = data._report(app.config["MUNRO"].store, LA, dt.date(2025, 10, 31))
    # an item with points of 1 to 5 and others of more, so that the published chart still has points to draw
    small = next(v for v in internal.items() if v.series and any(
        p["numerator"] in (1, 2, 3, 4, 5) and isinstance(p["value"], float) for p in v.series.points)
        and sum(1 for p in v.series.points if (p["numerator"] or 0) > 5) >= 2)
    regional = client_of(app, "regional@example.gov.uk").get(f"/la/{LA}/as-at/{END}/items/{small.item.id}").text
    own = client_of(app, email("analyst")).get(f"/la/{LA}/as-at/{END}/items/{small.item.id}").text
    assert "Published figures." in regional and "Published figures." not in own
    assert "Figures on this page are published" in regional and "Figures are internal" not in regional
    hidden = [i for i, p in enumerate(small.series.points) if p["numerator"] in (1, 2, 3, 4, 5)]
    assert all(_series_cells(regional, small.item.id)[i] == "c" for i in hidden)
    assert all(_series_cells(own, small.item.id)[i] != "c" for i in hidden)


def test_a_chart_download_is_recorded(app):
    got = client_of(app, email("manager")).get(ROUTES["chart_csv"])
    assert got.status_code == 200 and got.text.startswith("12 months to,")
    last = audit_events(app)[-1]
    assert (last.event, last.email, last.la_code) == ("export", email("manager"), LA)
    assert last.detail == f"as at {END} {ITEM} chart {ITEM}-series (CSV)"
