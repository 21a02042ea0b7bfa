"""Single sign-on (issue 19, deliverable 6) against a real OpenID provider on loopback.

oidc-provider-mock is a real OpenID Connect provider (Authlib's server): discovery document, JWKS, RS256-signed
ID tokens, authorization codes bound to the client and redirect URI. One runs for the module. Its people are
defined here with their claims; a claim it is given for a person (aud, exp, iss) goes into their ID token as
it is, so the provider itself signs the wrong-audience and expired tokens that munro must refuse.

The browser's part is played by the test: munro's test client follows munro's redirect to the provider with
``requests``, the person "signs in" there by posting their subject, and the provider's redirect back to munro's
callback is followed with munro's test client (which holds the signed session cookie with the state).
"""

from __future__ import annotations

import html
import json
import re
import time
import warnings
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

with warnings.catch_warnings():
    # The provider uses Authlib's older server interfaces. Authlib turns its own deprecation warnings on for
    # good when first imported: imported here, that filter is undone on the way out of this block.
    import authlib.deprecate  # noqa: F401
    warnings.simplefilter("ignore", DeprecationWarning)
    from oidc_provider_mock import User, run_server_in_thread

from web_helpers import LA, OTHER, PASSWORD, client_of, email, form_token

from munro.errors import MunroError
from munro.web import Config, create_app
from munro.web.audit_log import read
from munro.web.sso import SingleSignOn, read_role_map
from munro.web.users import authenticate, list_users

CLIENT_ID, SECRET = "munro-test", "not-a-real-secret"
ROLE_MAP = {
    "Munro.Analyst.330": {"role": "analyst", "la": LA},
    "Munro.Triage.330": {"role": "triage", "la": LA},
    "Munro.Regional": {"role": "manager", "la": [LA, OTHER]},
}
AN_HOUR_AGO = int(time.time()) - 3600
PEOPLE = [
    User(sub="oid-analyst", claims={"email": "Ann.Alyst@council.example.gov.uk", "roles": ["Munro.Analyst.330",
                                                                                          "Email.Users"]}),
    User(sub="oid-regional", claims={"preferred_username": "rita@region.example.gov.uk", "roles": ["Munro.Regional"]}),
    User(sub="oid-stranger", claims={"email": "stranger@council.example.gov.uk", "roles": ["Email.Users"]}),
    User(sub="oid-two-roles", claims={"email": "two@council.example.gov.uk",
                                      "roles": ["Munro.Analyst.330", "Munro.Triage.330"]}),
    # Signed by the provider, but for another application, or an hour stale, or naming another issuer.
    User(sub="oid-other-app", claims={"email": "ann.alyst@council.example.gov.uk", "roles": ["Munro.Analyst.330"],
                                      "aud": "another-application"}),
    User(sub="oid-expired", claims={"email": "ann.alyst@council.example.gov.uk", "roles": ["Munro.Analyst.330"],
                                    "exp": AN_HOUR_AGO, "iat": AN_HOUR_AGO - 3600}),
    User(sub="oid-bad-issuer", claims={"email": "ann.alyst@council.example.gov.uk", "roles": ["Munro.Analyst.330"],
                                       "iss": "https://login.example.com/another-tenant"}),
    # Kept in munro: these have munro accounts (by e-mail address), or none.
    User(sub="oid-kept-analyst", claims={"email": email("analyst")}),
    User(sub="oid-impostor", claims={"email": email("analyst")}),
    User(sub="oid-no-account", claims={"email": "nobody@council.example.gov.uk"}),
]


@pytest.fixture(scope="module")
def issuer():
    with run_server_in_thread(user_claims=PEOPLE) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def app(web_store, tmp_path_factory, app_factory, issuer):
    """Roles and LAs from the provider's app roles (the role map); local passwords on too."""
    return app_factory(web_store, tmp_path_factory.mktemp("sso-mapped"), oidc_issuer=issuer, oidc_client_id=CLIENT_ID,
                       oidc_client_secret=SECRET, oidc_name="Test Council", oidc_role_map=json.dumps(ROLE_MAP))


@pytest.fixture(scope="module")
def kept_app(web_store, tmp_path_factory, app_factory, issuer):
    """Roles and LAs kept in munro (no role map), and local passwords turned off by the administrator."""
    return app_factory(web_store, tmp_path_factory.mktemp("sso-kept"), oidc_issuer=issuer, oidc_client_id=CLIENT_ID,
                       oidc_client_secret=SECRET, oidc_name="Test Council", local_passwords=False)


def at_provider(client, subject: str, follow: bool = True):
    """Start single sign-on in ``client``, sign in at the provider as ``subject``; munro's answer to the
    provider's redirect (or, ``follow`` False, the callback's path and query)."""
    start = client.get("/sign-in/sso")
    assert start.status_code == 302
    answer = requests.post(start.headers["Location"], data={"sub": subject}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/sign-in/callback"
    callback = f"{back.path}?{back.query}"
    return client.get(callback) if follow else callback


def events(app, event: str):
    return read(app.extensions["munro_app_db"], event=event)[0]


def test_the_sign_in_page_offers_the_provider_and_passwords(app):
    page = app.test_client().get("/sign-in").text
    assert "Sign in with Test Council" in page and 'href="/sign-in/sso"' in page
    assert 'name="password"' in page


def test_single_sign_on_adds_only_its_two_signed_out_routes(app):
    """Registered only when configured (so test_web_every_route_covered.py never meets them): both are for
    people not yet signed in, the start and the provider's way back."""
    rules = {r.endpoint: r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("sso.")}
    assert rules == {"sso.start": "/sign-in/sso", "sso.callback": "/sign-in/callback"}
    assert app.test_client().get("/sign-in/callback").status_code == 400  # no state: nothing is asked of anyone


def test_the_request_to_the_provider_uses_pkce_state_and_nonce(app, issuer):
    start = app.test_client().get("/sign-in/sso")
    url = urlsplit(start.headers["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{issuer}/oauth2/authorize"
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://localhost/sign-in/callback"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43  # SHA-256, base64url
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20


def test_sign_in_ends_on_the_dashboard_with_the_mapped_role_and_la(app):
    client = app.test_client()
    response = at_provider(client, "oid-analyst")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert "Birmingham" in dashboard.text and "Coventry" not in dashboard.text
    assert client.get(f"/la/{OTHER}/2025").status_code == 403
    # The account was made from the token: the address in lower case, the role and LA of the role map.
    account = {u["email"]: u for u in list_users(app.extensions["munro_app_db"])}["ann.alyst@council.example.gov.uk"]
    assert (account["role"], account["la_code"]) == ("analyst", LA)
    # It has no password: the password form never lets it in.
    engine = app.extensions["munro_app_db"]
    assert authenticate(engine, "ann.alyst@council.example.gov.uk", "", 5, 15) is None
    signed = [e for e in events(app, "sign_in") if e.email == "ann.alyst@council.example.gov.uk"][0]
    assert (signed.detail, signed.role, signed.la_code) == ("single sign-on", "analyst", LA)


def test_a_regional_group_gives_a_manager_of_both_las(app):
    client = app.test_client()
    assert at_provider(client, "oid-regional").headers["Location"] == "/dashboard"
    page = client.get("/dashboard").text
    assert "Birmingham" in page and "Coventry" in page
    account = {u["email"]: u for u in list_users(app.extensions["munro_app_db"])}["rita@region.example.gov.uk"]
    assert (account["role"], account["la_code"]) == ("manager", f"{LA},{OTHER}")


@pytest.mark.parametrize("subject,reason", [
    ("oid-other-app", "Invalid claim: 'aud'"),
    ("oid-expired", "expired"),
    ("oid-bad-issuer", "Invalid claim: 'iss'"),
])
def test_a_token_for_another_audience_expired_or_from_another_issuer_is_refused(app, subject, reason):
    client = app.test_client()
    response = at_provider(client, subject)
    assert response.status_code == 400
    assert "You cannot sign in to munro" in response.text and reason in html.unescape(response.text)
    assert client.get("/dashboard").headers["Location"] == "/sign-in"  # no session
    failed = events(app, "sign_in_failed")[0]
    assert failed.detail.startswith("single sign-on: the identity provider's ID token was not accepted")
    assert reason in failed.detail and "eyJ" not in failed.detail  # the reason, never the token


def test_a_replayed_state_is_refused(app):
    client = app.test_client()
    callback = at_provider(client, "oid-analyst", follow=False)
    assert client.get(callback).headers["Location"] == "/dashboard"
    again = client.get(callback)
    assert again.status_code == 400 and "had already been used" in again.text
    # Nor in another browser (login CSRF: someone else's callback link sent to a victim).
    elsewhere = app.test_client().get(at_provider(app.test_client(), "oid-analyst", follow=False))
    assert elsewhere.status_code == 400
    assert events(app, "sign_in_failed")[0].detail == ("single sign-on: the sign-in had expired or had "
                                                       "already been used")


def test_a_person_with_no_munro_role_is_refused(app):
    client = app.test_client()
    response = at_provider(client, "oid-stranger")
    assert response.status_code == 403
    assert "gives the account no munro role" in response.text and "ask the service's administrator" in response.text
    assert client.get("/dashboard").headers["Location"] == "/sign-in"
    failed = events(app, "sign_in_failed")[0]
    assert (failed.email, failed.detail) == ("stranger@council.example.gov.uk", "single sign-on: the identity "
                                             "provider gives the account no munro role (none of its roles is in "
                                             "MUNRO_OIDC_ROLE_MAP)")
    assert "stranger@council.example.gov.uk" not in {u["email"] for u in list_users(app.extensions["munro_app_db"])}


def test_two_munro_roles_at_once_are_refused(app):
    response = at_provider(app.test_client(), "oid-two-roles")
    assert response.status_code == 403 and "more than one munro role (analyst, triage)" in response.text


def test_the_person_cancelling_at_the_provider_is_refused_plainly(app):
    client = app.test_client()
    start = client.get("/sign-in/sso")
    answer = requests.post(start.headers["Location"], data={"action": "deny"}, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 400 and "refused the sign-in (access_denied)" in response.text


def test_roles_kept_in_munro_and_local_passwords_off(kept_app):
    client = kept_app.test_client()
    page = client.get("/sign-in").text
    assert "Sign in with Test Council" in page and 'name="password"' not in page
    with client.session_transaction() as session:  # no form to take a CSRF token from: one made by hand
        session["csrf"] = "token"
    refused = client.post("/sign-in", data={"email": email("analyst"), "password": PASSWORD, "csrf_token": "token"})
    assert refused.status_code == 403 and "Signing in with a password is turned off here" in refused.text
    # The munro account of the token's address, with munro's own role and LA.
    assert at_provider(client, "oid-kept-analyst").headers["Location"] == "/dashboard"
    assert "Birmingham" in client.get("/dashboard").text
    signed = events(kept_app, "sign_in")[0]
    assert (signed.email, signed.role, signed.la_code) == (email("analyst"), "analyst", LA)
    # Linked to that identity now: another identity with the same address cannot take the account over.
    impostor = at_provider(kept_app.test_client(), "oid-impostor")
    assert impostor.status_code == 403 and "linked to another identity" in impostor.text
    # No munro account, no role.
    nobody = at_provider(kept_app.test_client(), "oid-no-account")
    assert nobody.status_code == 403 and "no munro account has this identity" in nobody.text


def test_a_disabled_account_cannot_sign_in_by_single_sign_on(kept_app):
    from munro.web.users import disable_user

    engine = kept_app.extensions["munro_app_db"]
    user_id = {u["email"]: u["id"] for u in list_users(engine)}[email("auditor")]
    disable_user(engine, user_id)
    # The provider knows this person (any subject is accepted at the mock's form) by the auditor's address.
    requests.put(f"{kept_app.config['MUNRO'].oidc_issuer}/users/oid-auditor", json={"email": email("auditor")},
                 timeout=10).raise_for_status()
    response = at_provider(kept_app.test_client(), "oid-auditor")
    assert response.status_code == 403 and "the munro account is disabled" in response.text


def test_groups_map_to_a_role_and_las():
    role_map = read_role_map(json.dumps({"6f1c2a3e-group": {"role": "analyst", "la": "330"},
                                         "0b7d9e4f-group": {"role": "manager", "la": ["330", "331"]},
                                         "9a9a9a9a-group": {"role": "manager", "la": "332"}}))
    sso = SingleSignOn(client=None, issuer="https://idp", client_id="munro", roles_claim="groups", role_map=role_map)
    assert sso.grant({"groups": ["unrelated", "6f1c2a3e-group"]}) == ("analyst", ["330"])
    # Two groups of the same role: the LAs of both.
    assert sso.grant({"groups": ["0b7d9e4f-group", "9a9a9a9a-group"]}) == ("manager", ["330", "331", "332"])
    with pytest.raises(MunroError, match="no munro role"):
        sso.grant({"roles": ["6f1c2a3e-group"]})  # the app roles claim is not the one configured
    with pytest.raises(MunroError, match="too many groups"):
        sso.grant({"_claim_names": {"groups": "src1"}})  # Entra ID's group overage


@pytest.mark.parametrize("value,message", [
    ('{"Munro.Analyst": {"role": "boss", "la": "330"}}', "unknown role 'boss'"),
    ('{"Munro.Analyst": {"role": "analyst", "la": ["330", "331"]}}', "only a manager may cover several LAs"),
    ('{"Munro.Analyst": {"role": "analyst", "la": "999"}}', "'999' is not a DfE LA code"),
    ('{"Munro.Analyst": {"la": "330"}}', "needs a role and an la"),
    ("/no/such/file.json", "not a JSON object or a readable JSON file"),
])
def test_a_wrong_role_map_is_one_line(value, message):
    with pytest.raises(MunroError, match=message):
        read_role_map(value)


def test_settings_from_the_environment(tmp_path):
    env = {"MUNRO_SECRET_KEY": "k" * 48, "MUNRO_APP_DB": f"sqlite:///{tmp_path}/app.sqlite",
           "MUNRO_OIDC_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0/", "MUNRO_OIDC_CLIENT_ID": "app-id",
           "MUNRO_OIDC_CLIENT_SECRET": "secret", "MUNRO_OIDC_NAME": "Microsoft", "MUNRO_OIDC_ROLES_CLAIM": "groups",
           "MUNRO_LOCAL_PASSWORDS": "0"}
    config = Config.from_env(env, store=tmp_path / "store.duckdb")
    assert (config.oidc_issuer, config.oidc_client_id, config.oidc_name, config.oidc_roles_claim,
            config.local_passwords) == ("https://login.microsoftonline.com/tenant-id/v2.0", "app-id", "Microsoft",
                                        "groups", False)
    with pytest.raises(MunroError, match="must be an https:// address"):
        create_app(Config.from_env({**env, "MUNRO_OIDC_ISSUER": "http://idp.example.com"}, store=tmp_path / "s"))
    with pytest.raises(MunroError, match="needs single sign-on"):
        create_app(Config.from_env({**env, "MUNRO_OIDC_ISSUER": ""}, store=tmp_path / "s"))
    with pytest.raises(MunroError, match="MUNRO_OIDC_CLIENT_SECRET"):
        create_app(Config.from_env({**env, "MUNRO_OIDC_CLIENT_SECRET": ""}, store=tmp_path / "s"))


def test_an_account_without_a_password_signs_in_only_by_single_sign_on(kept_app):
    """``munro user add --single-sign-on``: no password matches, tries count for nothing (no lock-out)."""
    from munro.web.users import add_user

    engine = kept_app.extensions["munro_app_db"]
    add_user(engine, "sso.only@council.example.gov.uk", [LA], "auditor", None)
    for _ in range(2):  # beyond a lock-out after 1 failure
        assert authenticate(engine, "sso.only@council.example.gov.uk", "", 1, 15) is None
    assert not {u["email"]: u for u in list_users(engine)}["sso.only@council.example.gov.uk"]["locked"]
    requests.put(f"{kept_app.config['MUNRO'].oidc_issuer}/users/oid-sso-only",
                 json={"email": "sso.only@council.example.gov.uk"}, timeout=10).raise_for_status()
    assert at_provider(kept_app.test_client(), "oid-sso-only").headers["Location"] == "/dashboard"


def test_the_discovery_document_and_keys_are_fetched_once(app, caplog):
    """munro calls the provider only for what a sign-in needs: after the first, only the token endpoint."""
    at_provider(app.test_client(), "oid-analyst")  # the first sign-in of this application, or not
    caplog.clear()
    with caplog.at_level("INFO", logger="werkzeug"):
        assert at_provider(app.test_client(), "oid-analyst").headers["Location"] == "/dashboard"
        assert at_provider(app.test_client(), "oid-regional").headers["Location"] == "/dashboard"
    asked = [" ".join(re.search(r"(GET|POST|PUT) ([^ ?]+)", r.getMessage()).groups())
             for r in caplog.records if r.name == "werkzeug"]
    # The browser's two visits to the authorization page; munro's two code exchanges; nothing else.
    assert sorted(asked) == ["POST /oauth2/authorize"] * 2 + ["POST /oauth2/token"] * 2


def test_an_administrator_adds_accounts_that_sign_in_with_the_provider_or_a_password(app):
    admin = client_of(app, email("administrator"))
    page = admin.get("/admin/users").text
    # Both ways are offered where passwords are on, the council's provider first.
    assert 'value="single_sign_on" checked' in page and 'value="password"' in page and "With Test Council" in page
    new = "new.worker@council.example.gov.uk"
    added = admin.post("/admin/users", data={"email": new, "role": "analyst", "sign_in": "single_sign_on",
                                             "password": "", "csrf_token": form_token(admin, "/admin/users")})
    assert added.status_code == 303
    engine = app.extensions["munro_app_db"]
    assert authenticate(engine, new, "", 5, 15) is None and authenticate(engine, new, PASSWORD, 5, 15) is None
    # A password account still needs its password; a way that is not offered is refused.
    short = admin.post("/admin/users", data={"email": "p@council.example.gov.uk", "role": "analyst",
                                             "sign_in": "password", "password": "short",
                                             "csrf_token": form_token(admin, "/admin/users")})
    assert short.status_code == 400 and "at least" in short.text
    odd = admin.post("/admin/users", data={"email": "q@council.example.gov.uk", "role": "analyst",
                                           "sign_in": "carrier-pigeon",
                                           "csrf_token": form_token(admin, "/admin/users")})
    assert odd.status_code == 400 and "Choose how the user will sign in" in odd.text


def test_with_passwords_off_an_administrator_adds_provider_accounts_only(kept_app):
    issuer = kept_app.config["MUNRO"].oidc_issuer
    requests.put(f"{issuer}/users/oid-admin", json={"email": email("administrator")}, timeout=10).raise_for_status()
    admin = kept_app.test_client()
    assert at_provider(admin, "oid-admin").headers["Location"] == "/dashboard"
    page = admin.get("/admin/users").text
    assert 'name="password"' not in page and 'value="password"' not in page
    new = "added.by.admin@council.example.gov.uk"
    added = admin.post("/admin/users", data={"email": new, "role": "manager", "sign_in": "single_sign_on",
                                             "csrf_token": form_token(admin, "/admin/users")})
    assert added.status_code == 303
    # A password sent all the same makes no password account here.
    refused = admin.post("/admin/users", data={"email": "pw@council.example.gov.uk", "role": "manager",
                                               "sign_in": "password", "password": PASSWORD * 2,
                                               "csrf_token": form_token(admin, "/admin/users")})
    assert refused.status_code == 400
    requests.put(f"{issuer}/users/oid-added-by-admin", json={"email": new}, timeout=10).raise_for_status()
    person = kept_app.test_client()
    assert at_provider(person, "oid-added-by-admin").headers["Location"] == "/dashboard"
