"""A year with no return loaded for the LA: every page and download of it is a clear 404 that lists the loaded years."""

from __future__ import annotations

import html
import re

import pytest
from web_helpers import LA, OTHER, YEAR, email

MISSING = 2019
ROUTES = [f"/la/{LA}/{MISSING}", f"/la/{LA}/{MISSING}/sections/timeliness", f"/la/{LA}/{MISSING}/items/cpp_rate",
          f"/la/{LA}/{MISSING}/items/cpp_rate/trend.csv", f"/la/{LA}/{MISSING}/items/cpp_rate/children",
          f"/la/{LA}/{MISSING}/items/cpp_rate/children.csv", f"/la/{LA}/{MISSING}/report",
          f"/la/{LA}/{MISSING}/report.html", f"/la/{LA}/{MISSING}/report.xlsx"]


def _main(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.text.split("<main", 1)[1]))


@pytest.mark.parametrize("path", ROUTES)
def test_every_page_of_a_year_without_its_return_says_so(app, signed_in, path):
    response = signed_in(email("analyst")).get(path)  # an analyst of 330 may see its dashboard, lists and reports
    assert response.status_code == 404 and response.mimetype == "text/html"
    page = _main(response)
    assert "No return loaded for this year</h1>" in page
    assert ("There is no 2018 to 2019 return loaded for Birmingham (330), so there are no figures for that year: "
            "each year's figures need its own return.") in page
    assert "The years loaded for Birmingham (330):" in page
    assert f'<a class="govuk-link" href="/la/{LA}/{YEAR}">2024 to 2025</a>' in page  # the year that is loaded
    assert '<a class="govuk-link" href="/dashboard">Go to the dashboard</a>' in page


def test_another_las_user_learns_nothing_of_its_years(app, signed_in):
    response = signed_in(email("analyst", OTHER)).get(f"/la/{LA}/{MISSING}")
    assert response.status_code == 403 and str(YEAR) not in response.text.split("<main", 1)[1]


def test_other_errors_still_go_to_the_start_page(app, signed_in):
    response = signed_in(email("analyst")).get(f"/la/{LA}/{YEAR}/items/no-such-item")
    assert response.status_code == 404
    assert '<a class="govuk-link" href="/">Go to the start page</a>' in _main(response)


def test_the_dashboards_data_refuses_too(web_store):
    from munro.store.returns import NoReturn
    from munro.web import data
    from munro.web.users import User

    with pytest.raises(NoReturn, match=r"^no 2018-19 return is loaded for LA 330 Birmingham \(loaded: 2024-25\)"):
        data.report_for(web_store, User(1, "analyst@330.example.gov.uk", (LA,), "analyst"), LA, MISSING)
