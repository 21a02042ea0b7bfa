"""Every number a route reads, in its address, its query or its form: an odd one is a 400 or a 404, never a
500 (issue 19, finding 7: ``?page=²`` and 5,000-digit values were fourteen 500s)."""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_helpers import LA, OTHER, YEAR, client_of, email

from munro.local.roles import ROLES

ODD = ["²", "٣", "-1", "0", "1" * 5000, "9" * 10, "9" * 20, " 7 ", "1.5", "1e3", "0x10", "", "\x00", "2025"]
# Every field or query value a route reads as a number (and a few it reads as a code), with the date inputs'.
NUMBERS = ["page", "year", "keep_years", "n", "seed", "min_group", "invited", "count", "change", "variant", "la",
           "event", "code", "answer"] + [f"{d}-{p}" for d in ("opens", "closes", "referral")
                                          for p in ("day", "month", "year")]
WHO = [*ROLES, "other", "regional", None]  # None: signed out


@pytest.fixture(scope="module")
def app(web_store, tmp_path_factory, app_factory):
    folder = tmp_path_factory.mktemp("params")
    store = folder / "store.duckdb"
    shutil.copyfile(web_store, store)  # forms are posted: retention, audits, surveys change their copy only
    return app_factory(store, folder)


@pytest.fixture(scope="module")
def clients(app):
    """A signed-in client of every role (and another LA's analyst, the regional user, nobody), with its CSRF token."""
    addresses = {r: email(r) for r in ROLES} | {"other": email("analyst", OTHER), "regional": "regional@example.gov.uk"}
    out = {}
    for who in WHO:
        client = client_of(app, addresses[who]) if who else app.test_client()
        page = client.get("/dashboard" if who else "/sign-in", follow_redirects=True).text
        out[who] = client, re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    return out


def rules(app):
    # Not signing out: the next example would be signed out.
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "pages.sign_out"), key=lambda r: r.rule)


def odd_number(post: bool):
    # A form posted to a thing that exists changes it (user 1 disabled...): posts reach none, gets any.
    real = [] if post else ["1", "2", str(YEAR)]
    return st.one_of(st.sampled_from(ODD + real), st.integers(0, 10**30).map(str))


def value():
    return st.one_of(st.sampled_from(ODD + [LA, OTHER, "999", "pdf", "xlsx", "published"]), st.text(max_size=12))


@st.composite
def requests(draw, app):
    rule = draw(st.sampled_from(rules(app)))
    method = draw(st.sampled_from(sorted(rule.methods & {"GET", "POST"})))
    path = rule.rule
    for name, converter in rule._converters.items():
        text = draw(odd_number(method == "POST") if converter.regex == "[0-9]{1,9}" else value())
        path = re.sub(rf"<[^>]*\b{name}>", quote(text, safe="") or "x", path)
    fields = draw(st.dictionaries(st.sampled_from(NUMBERS), st.one_of(st.sampled_from(ODD), value()), max_size=4))
    return draw(st.sampled_from(WHO)), method, path, fields


def test_the_converter_takes_only_ascii_digits(app):
    urls = app.url_map.bind("localhost")
    assert urls.match(f"/la/{LA}/{YEAR}")[1] == {"la": LA, "year": YEAR}
    for odd in ("²", "٣", "9" * 10, "1" * 5000, "-1"):
        with pytest.raises(Exception) as e:
            urls.match(f"/la/{LA}/{quote(odd)}", method="GET")
        assert getattr(e.value, "code", None) == 404, odd


@pytest.mark.parametrize("who, path, fields, status", [
    ("administrator", "/admin/audit-log", {"page": "²"}, 400),
    ("administrator", "/admin/audit-log", {"page": "1" * 5000}, 400),
    ("administrator", "/admin/audit-log", {"page": "3"}, 200),  # past the last page: none shown
    ("administrator", "/admin/retention", {"keep_years": "²"}, 400),
    ("administrator", "/admin/retention", {"keep_years": "9" * 5000}, 400),
    ("analyst", f"/la/{LA}/audits/results", {"year": "²"}, 400),
    ("analyst", f"/la/{LA}/audits/results", {"year": "9" * 20}, 400),
    ("auditor", f"/la/{LA}/audits/sample", {"year": "١٢"}, 400),
    ("analyst", f"/la/{LA}/{'9' * 20}", {}, 404),
    ("analyst", f"/la/{LA}/{quote('²')}", {}, 404),
    ("analyst", f"/la/{LA}/999999999", {}, 404),
    ("survey_admin", f"/la/{LA}/surveys/{'9' * 19}", {}, 404),
    ("survey_admin", f"/la/{LA}/surveys/999999999/results", {}, 404),
    (None, f"/s/{quote('²')}-0123456789abcdef", {}, 404),  # a survey's public key: its id, then its digest
    (None, f"/s/1-{quote('é')}", {}, 404),
])
def test_the_red_teams_odd_numbers(clients, who, path, fields, status):
    client, _ = clients[who]
    assert client.get(path + "?" + urlencode(fields)).status_code == status


@pytest.mark.parametrize("who, path, fields", [
    # (Numbers of up to 200 digits: a longer value is over the fields' length limit, test_web_limits.py.)
    ("survey_admin", f"/la/{LA}/surveys/new", {"min_group": "²", "invited": "1" * 200, "opens-year": "²",
                                               "closes-day": "9" * 30}),
    ("auditor", f"/la/{LA}/audits/sample", {"year": str(YEAR), "n": "²", "seed": "1" * 200}),
    ("auditor", f"/la/{LA}/audits/grade", {"la_child_id": "x", "referral-day": "²", "referral-month": "1",
                                           "referral-year": "9" * 200}),
])
def test_an_odd_number_in_a_form_is_the_forms_own_error(clients, who, path, fields):
    client, token = clients[who]
    response = client.post(path, data={"csrf_token": token, **fields})
    assert response.status_code == 400 and "govuk-error-summary" in response.text


# 150 examples in the suite (seconds); MUNRO_PARAMS_EXAMPLES=5000 with HYPOTHESIS_RANDOM=1 for a deeper search by hand.
@settings(max_examples=int(os.environ.get("MUNRO_PARAMS_EXAMPLES", 150)), deadline=None,
          derandomize=not os.environ.get("HYPOTHESIS_RANDOM"), database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_route_answers_an_odd_number_with_a_500(app, clients, data):
    who, method, path, fields = data.draw(requests(app))
    client, token = clients[who]
    if method == "GET":
        response = client.get(path, query_string=fields)
    else:
        response = client.post(path, data={"csrf_token": token, **fields})
    assert response.status_code < 500, (who, method, path[:200], {k: v[:50] for k, v in fields.items()})
