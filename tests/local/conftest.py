"""Shared fixtures of the local-information tests: a fresh application database per test."""

import datetime as dt

import pytest

from munro.local.appdb import open_app_db
from munro.local.surveys import create_survey


@pytest.fixture
def app(tmp_path):
    engine = open_app_db(url=str(tmp_path / "app.sqlite"))
    yield engine
    engine.dispose()


@pytest.fixture
def make_survey(app):
    def _make(instrument="staff", **kw):
        kw.setdefault("la", "330")
        kw.setdefault("opens_on", dt.date(2026, 1, 5))
        kw.setdefault("closes_on", dt.date(2026, 2, 27))
        return create_survey(app, instrument=instrument, **kw)
    return _make

