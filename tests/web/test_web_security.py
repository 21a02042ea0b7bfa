"""Sign-in, CSRF, lock-out, session timeout, cookies, headers, and no request leaving the service."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from web_helpers import LA, PASSWORD, YEAR, email, form_token, sign_in

from munro.local.schema import users, web_sessions
from munro.web import Config, create_app
from munro.web.security import CSP


def _engine(app):
    return app.extensions["munro_app_db"]


def test_sign_in_and_out(app):
    client = app.test_client()
    assert sign_in(client, email("analyst")).headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    page = client.get("/dashboard").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/sign-out", data={"csrf_token": token}).headers["Location"] == "/signed-out"
    assert client.get("/dashboard").status_code == 302
    with _engine(app).connect() as con:
        assert con.execute(sa.select(sa.func.count()).select_from(web_sessions)).scalar() == 0


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(app):
    client = app.test_client()
    wrong = sign_in(client, email("analyst"), "not the password at all")
    unknown = sign_in(client, "nobody@example.gov.uk", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert re.sub(r'value="[^"]*"', "", wrong.text) == re.sub(r'value="[^"]*"', "", unknown.text)
    assert "<title>Error: Sign in - munro</title>" in wrong.text


def test_csrf_is_required_on_every_form(app):
    client = app.test_client()
    form_token(client)  # a signed-out token exists in the cookie, but none is sent
    for token in (None, "", "forged"):
        fields = {"email": email("analyst"), "password": PASSWORD}
        if token is not None:
            fields["csrf_token"] = token
        assert client.post("/sign-in", data=fields).status_code == 400
    assert client.get("/dashboard").status_code == 302  # not signed in
    sign_in(client, email("analyst"))
    assert client.post("/sign-out", data={}).status_code == 400
    assert client.post("/sign-out", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/dashboard").status_code == 200  # still signed in


def test_the_signed_out_token_does_not_work_once_signed_in(app):
    client = app.test_client()
    before = form_token(client)
    sign_in(client, email("analyst"))
    assert client.post("/sign-out", data={"csrf_token": before}).status_code == 400


def test_lock_out_after_repeated_failures(app):
    client = app.test_client()
    other = sign_in(app.test_client(), email("analyst"))  # a session open elsewhere
    assert other.status_code == 302
    for _ in range(app.config["MUNRO"].lock_after):
        assert sign_in(client, email("analyst"), "a wrong password!").status_code == 400
    assert sign_in(client, email("analyst")).status_code == 400  # the right password, but locked
    with _engine(app).begin() as con:
        assert con.execute(sa.select(sa.func.count()).select_from(web_sessions)).scalar() == 0  # sessions ended
        locked = con.execute(sa.select(users.c.locked_until).where(users.c.email == email("analyst"))).scalar()
        assert locked > dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=14)
        con.execute(users.update().values(locked_until=dt.datetime(2000, 1, 1)))  # the lock has run out
    assert sign_in(client, email("analyst")).status_code == 302
    assert sign_in(app.test_client(), email("manager")).status_code == 302  # other accounts never locked


def test_an_idle_session_times_out(app):
    client = app.test_client()
    sign_in(client, email("analyst"))
    with _engine(app).begin() as con:
        seen = con.execute(sa.select(web_sessions.c.last_seen_at)).scalar_one()
        con.execute(web_sessions.update().values(last_seen_at=seen - dt.timedelta(minutes=31)))
    assert client.get("/dashboard").headers["Location"] == "/sign-in"


def test_passwords_are_stored_only_as_argon2id_hashes(app):
    with _engine(app).connect() as con:
        hashes = con.execute(sa.select(users.c.password_hash)).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_cookies_are_httponly_samesite_and_secure_by_default(web_store, tmp_path):
    app = create_app(Config(store=web_store, app_db=f"sqlite:///{tmp_path}/app.sqlite", secret_key="s" * 48))
    from munro.web.users import add_user
    add_user(app.extensions["munro_app_db"], "a@example.gov.uk", [LA], "analyst", PASSWORD)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in", base_url="https://localhost").text)
    response = client.post("/sign-in", base_url="https://localhost",
                           data={"email": "a@example.gov.uk", "password": PASSWORD, "csrf_token": token.group(1)})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("munro_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    signed_out = app.test_client().get("/sign-in", base_url="https://localhost")  # the form's CSRF cookie
    form_cookie = next(c for c in signed_out.headers.getlist("Set-Cookie") if c.startswith("munro_form="))
    assert "HttpOnly" in form_cookie and "SameSite=Lax" in form_cookie and "Secure" in form_cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_security_headers_on_every_response(app, signed_in):
    client = signed_in(email("analyst"))
    for path in ("/", "/sign-in", "/dashboard", f"/la/{LA}/{YEAR}", "/la/331/2025", "/no-such-page",
                 "/assets/munro.css"):
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == CSP, path
        assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
        for name in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy"):
            assert name in response.headers, (path, name)
    assert client.get(f"/la/{LA}/{YEAR}").headers["Cache-Control"] == "no-store"


def test_no_page_refers_to_anything_outside_the_service(app, signed_in):
    client = signed_in(email("analyst"))
    for path in ("/", "/sign-in", "/dashboard", f"/la/{LA}/{YEAR}"):
        page = client.get(path).text
        assert not re.search(r'(src|href|action)="(https?:)?//', page), path
        assert "<script" not in page and " style=" not in page  # the CSP would block them: there must be none
    css = client.get("/assets/munro.css").text
    assert "url(" not in css.replace("url(none", "") and "@import" not in css


def test_errors_show_no_framework_page(app):
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404 and "govuk-heading-l" in response.text and "Werkzeug" not in response.text


def test_sign_in_attempts_from_one_address_are_limited(app):
    """Password spraying: many accounts tried from one address meet 429, and the accounts are not locked."""
    client = app.test_client()
    limit = app.config["MUNRO"].sign_in_per_address
    for i in range(limit):
        assert sign_in(client, f"guess{i}@example.gov.uk", "a wrong password!").status_code == 400
    response = sign_in(client, email("analyst"))
    assert response.status_code == 429 and "too many attempts" in response.text
    assert "Content-Security-Policy" in response.headers
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    assert sign_in(other, email("analyst")).status_code == 302  # from elsewhere, the account still works


def test_the_rate_limit_window_slides():
    from munro.web.ratelimit import RateLimit

    now = [0.0]
    limit = RateLimit(2, 60, clock=lambda: now[0])
    assert limit.allow("a") and limit.allow("a") and not limit.allow("a") and limit.allow("b")
    now[0] = 59.9
    assert not limit.allow("a")
    now[0] = 60.0
    assert limit.allow("a")


def test_signing_in_again_ends_the_session_it_replaces(app):
    client = app.test_client()
    sign_in(client, email("analyst"))
    sign_in(client, email("manager"))
    with _engine(app).connect() as con:
        assert con.execute(sa.select(sa.func.count()).select_from(web_sessions)).scalar() == 1
    assert "Signed in as manager@" in client.get("/dashboard").text


def test_a_session_ends_after_12_hours_however_active(app):
    client = app.test_client()
    sign_in(client, email("analyst"))
    with _engine(app).begin() as con:
        started = con.execute(sa.select(web_sessions.c.created_at)).scalar_one()
        con.execute(web_sessions.update().values(created_at=started - dt.timedelta(hours=12, minutes=1)))
    assert client.get("/dashboard").headers["Location"] == "/sign-in"
