"""Constants and helpers of the web tests (a module of its own: every test folder has a conftest)."""

from __future__ import annotations

import re

from munro.local.roles import ROLES

LA, OTHER, YEAR = "330", "331", 2025
PASSWORD = "correct horse battery staple"
REGIONAL = "regional@example.gov.uk"  # a manager of both LAs (the apps' fixtures add them)


def email(role: str, la: str = LA) -> str:
    return f"{role}@{la}.example.gov.uk"


def form_token(client, path: str = "/sign-in") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, address: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": address, "password": password, "csrf_token": form_token(client)})


def client_of(app, address: str, password: str = PASSWORD):
    """A test client of ``app`` signed in as ``address``."""
    client = app.test_client()
    response = sign_in(client, address, password)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard", response.status_code
    return client


def audit_events(app) -> list:
    """The application's audit log, oldest first."""
    import sqlalchemy as sa

    from munro.local.schema import audit_log as table

    with app.extensions["munro_app_db"].connect() as con:
        return con.execute(sa.select(table).order_by(table.c.id)).all()


def blueprint_routes(app, blueprint: str) -> set[str]:
    """The names of a blueprint's routes (each matrix checks that it lists them all)."""
    return {r.endpoint.split(".", 1)[1] for r in app.url_map.iter_rules() if r.endpoint.startswith(f"{blueprint}.")}


def assert_route_matrix(app, path: str, allowed: set[str], *, regional: int) -> None:
    """``path`` as every user: 200 for the roles of LA 330 in ``allowed`` and 403 for its other roles, 403
    for another LA's analyst, ``regional`` for the regional manager (200: the published figures; 403: not for
    them), and a signed-out visitor sent to sign in (302)."""
    for role in ROLES:
        got = client_of(app, email(role)).get(path).status_code
        assert got == (200 if role in allowed else 403), (role, got)
    assert client_of(app, email("analyst", OTHER)).get(path).status_code == 403
    assert client_of(app, REGIONAL).get(path).status_code == regional
    assert app.test_client().get(path).status_code == 302
