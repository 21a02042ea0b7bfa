"""Shared fixtures of the local-information tests: a fresh application database per test."""

import datetime as dt

import pytest

from munro.local.appdb import open_app_db
from munro.local.survey_groups import label_questions, set_groups
from munro.local.surveys import create_survey, survey_version

# The teams the survey administrator lists on make_survey's surveys that ask for one (the staff, families
# and partners questionnaires): the names the tests and tests/local/data's exports answer with.
TEAMS = ("North", "South", "Assessment North", "Family Help South", "Family Help East")


@pytest.fixture
def app(tmp_path):
    engine = open_app_db(url=str(tmp_path / "app.sqlite"))
    yield engine
    engine.dispose()


@pytest.fixture
def make_survey(app):
    def _make(instrument="staff", teams=TEAMS, **kw):
        kw.setdefault("la", "330")
        kw.setdefault("opens_on", dt.date(2026, 1, 5))
        kw.setdefault("closes_on", dt.date(2026, 2, 27))
        s = create_survey(app, instrument=instrument, **kw)
        v = survey_version(s)
        for q in label_questions(v) if teams else ():
            set_groups(app, s, v, q.id, teams)
        return s
    return _make

