"""A small two-LA store and a fresh web application per test, with a user of every role.

Birmingham (330) and Coventry (331) at 2% of their populations: two LAs so
that every route can be called by another LA's user.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from web_helpers import LA, OTHER, PASSWORD, YEAR, email, sign_in

from munro.loading import ingest_files
from munro.local.roles import ROLES
from munro.synth import generate
from munro.web import Config, create_app
from munro.web.users import add_user


@pytest.fixture(scope="session")
def web_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web-store")
    generate(LA, [YEAR], root / "returns", seed=5, scale=0.02)
    generate(OTHER, [YEAR], root / "returns", seed=6, scale=0.02)
    db = root / "store.duckdb"
    assert len(list(ingest_files(db, sorted((root / "returns").glob("cin_*.xml"))))) == 2
    return db


@pytest.fixture
def app(web_store, tmp_path):
    return make_app(web_store, tmp_path)


@pytest.fixture
def loading_app(web_store, tmp_path):
    """An application over its own copy of the store, for tests that load returns (uploads at most 2 MB)."""
    store = tmp_path / "store.duckdb"
    shutil.copyfile(web_store, store)
    return make_app(store, tmp_path, max_upload_mb=2)


@pytest.fixture(scope="session")
def app_factory():
    """``make_app`` below, for a test module that shares one application between its tests."""
    return make_app


def make_app(store: Path, folder: Path, **settings):
    """A web application over ``store`` with its application database in ``folder`` and a user of every role."""
    config = Config(store=store, app_db=f"sqlite:///{folder}/app.sqlite", secret_key="k" * 48,
                    secure_cookies=False, **settings)
    app = create_app(config)
    engine = app.extensions["munro_app_db"]
    for role in ROLES:
        add_user(engine, email(role), [LA], role, PASSWORD)
    add_user(engine, email("analyst", OTHER), [OTHER], "analyst", PASSWORD)
    add_user(engine, "regional@example.gov.uk", [LA, OTHER], "manager", PASSWORD)
    return app


@pytest.fixture
def signed_in(app):
    """``signed_in(email)``: a test client with that user signed in."""
    def _client(address: str):
        client = app.test_client()
        response = sign_in(client, address)
        assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
        return client
    return _client
