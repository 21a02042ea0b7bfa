"""``/healthz``: what a load balancer needs to know, and nothing about children (issue 20, deliverable 4).

200 when the store and the application database can be opened and read (a store busy with another
process's load included: a healthy service that is loading); 503 when either cannot. No sign-in, no
session, nothing written, no rate limit however often a monitor asks.
"""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa
from test_web_limits import HUGE, Body, send

import munro
from munro.local.schema import audit_log
from munro.web import Config, create_app
from store_support import writer_holding

OK = {"status": "ok", "version": munro.__version__, "store": "ok", "app_db": "ok"}


def _app(store, folder):
    """An application with no accounts (the probe needs none): quicker to make than the shared fixture's."""
    return create_app(Config(store=store, app_db=f"sqlite:///{folder}/app.sqlite", secret_key="k" * 48,
                             secure_cookies=False))


@pytest.fixture(scope="module")
def app(web_store, tmp_path_factory):
    return _app(web_store, tmp_path_factory.mktemp("health"))


def _health(app):
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json(), response


def _audit_rows(app) -> int:
    with app.extensions["munro_app_db"].connect() as con:
        return con.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()


def test_a_healthy_service_answers_anyone_with_the_version_and_nothing_else(app):
    before = _audit_rows(app)
    client = app.test_client()
    for _ in range(20):  # a monitor every few seconds, for a few minutes: never limited, never recorded
        response = client.get("/healthz")
        assert response.status_code == 200 and response.get_json() == OK
        assert response.mimetype == "application/json" and "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
    assert _audit_rows(app) == before


def test_healthz_takes_no_body_and_no_other_method(app):
    status, _, _ = send(app, "/healthz", Body(HUGE), length=HUGE)
    assert status == 413  # refused on its Content-Length, as every route's
    assert app.test_client().get("/healthz", data=b"a" * (300 * 1024)).status_code == 413
    assert app.test_client().delete("/healthz").status_code in (400, 405)  # no form token, or not a GET


def test_a_missing_store_is_unavailable(tmp_path):
    status, body, _ = _health(_app(tmp_path / "nowhere.duckdb", tmp_path))
    assert (status, body) == (503, {**OK, "status": "unavailable", "store": "missing"})


def test_a_store_that_is_not_munros_is_unavailable(tmp_path):
    store = tmp_path / "store.duckdb"
    store.write_text("not a database\n")
    status, body, _ = _health(_app(store, tmp_path))
    assert (status, body) == (503, {**OK, "status": "unavailable", "store": "unreadable"})


def test_a_damaged_store_is_unavailable(web_store, tmp_path):
    store = tmp_path / "store.duckdb"
    shutil.copyfile(web_store, store)
    with open(store, "r+b") as f:  # its end lost, as by a copy cut short
        f.truncate(store.stat().st_size // 2)
    status, body, _ = _health(_app(store, tmp_path))
    assert (status, body) == (503, {**OK, "status": "unavailable", "store": "damaged"})


def test_an_unreadable_application_database_is_unavailable(web_store, tmp_path):
    app = _app(web_store, tmp_path)
    app.extensions["munro_app_db"].dispose()
    for leftover in tmp_path.glob("app.sqlite-*"):
        leftover.unlink()
    (tmp_path / "app.sqlite").write_bytes(b"\x00" * 8192)  # overwritten: no longer a SQLite database
    status, body, _ = _health(app)
    assert (status, body) == (503, {**OK, "status": "unavailable", "app_db": "unreadable"})


def test_a_store_busy_with_a_load_is_a_healthy_service_that_is_loading(web_store, tmp_path):
    store = tmp_path / "store.duckdb"
    shutil.copyfile(web_store, store)
    app = _app(store, tmp_path)
    with writer_holding(store):
        status, body, _ = _health(app)
    assert (status, body) == (200, {**OK, "store": "busy"})
    assert _health(app)[:2] == (200, OK)  # and ok again once the load has finished
