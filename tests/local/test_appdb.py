"""The application database: where it is, migrations from the start, SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from munro.local.appdb import app_db_url, current_revision, open_app_db
from munro.local.schema import metadata

TABLES = ["actions", "alembic_version", "answers", "audit_grades", "audit_log", "audits", "instrument_versions",
          "response_imports", "responses", "survey_groups", "survey_invitations", "surveys", "triage_queue", "users",
          "web_sessions"]


def test_default_location_is_beside_the_store_or_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("MUNRO_APP_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert app_db_url(tmp_path / "x" / "munro.duckdb") == f"sqlite:///{tmp_path}/x/munro.duckdb.app.sqlite"
    assert app_db_url() == f"sqlite:///{tmp_path}/munro-app.sqlite"
    monkeypatch.setenv("MUNRO_APP_DB", "other.sqlite")
    assert app_db_url(tmp_path / "munro.duckdb") == f"sqlite:///{tmp_path}/other.sqlite"
    monkeypatch.setenv("MUNRO_APP_DB", "postgresql://munro@db.example/munro")
    assert app_db_url() == "postgresql+psycopg://munro@db.example/munro"


def test_opening_migrates_to_the_latest_revision_once(tmp_path):
    engine = open_app_db(url=str(tmp_path / "a.sqlite"))
    assert current_revision(engine) == "0006"
    assert sorted(sa.inspect(engine).get_table_names()) == TABLES
    engine.dispose()
    engine = open_app_db(url=str(tmp_path / "a.sqlite"))  # again: nothing to do, nothing lost
    assert current_revision(engine) == "0006"


def test_the_schema_module_matches_what_the_migrations_build(app):
    with app.connect() as con:
        assert compare_metadata(MigrationContext.configure(con), metadata) == []


def test_sqlite_enforces_foreign_keys(app):
    import pytest

    from munro.local.schema import responses
    with pytest.raises(sa.exc.IntegrityError):
        with app.begin() as con:
            con.execute(responses.insert().values(survey_id=99))


def test_postgresql_is_migrated_the_same_way():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from engine_support import fresh_postgres_database

    engine = open_app_db(url=fresh_postgres_database("munro_app_test"))
    assert current_revision(engine) == "0006"
    assert sorted(sa.inspect(engine).get_table_names()) == TABLES
    with engine.connect() as con:
        assert compare_metadata(MigrationContext.configure(con), metadata) == []
    # A survey's whole life on PostgreSQL: the same functions, the same results.
    import datetime as dt

    from munro.local.results import survey_results
    from munro.local.survey_groups import set_groups
    from munro.local.surveys import close_survey, create_survey, submit_response, survey_version
    s = create_survey(engine, la="330", instrument="staff", opens_on=dt.date(2026, 1, 5),
                      closes_on=dt.date(2026, 2, 27))
    set_groups(engine, s, survey_version(s), "team", ["North"])
    for answer, n in (("agree", 6), ("disagree", 7)):
        for _ in range(n):
            submit_response(engine, s.id, {"team": "North", "workload_manageable": answer}, today=dt.date(2026, 2, 2))
    close_survey(engine, s.id)
    work = next(q for q in survey_results(engine, s.id).questions if q.id == "workload_manageable")
    assert {a.code: a.count for a in work.answers}["disagree"] == 7 and work.respondents == 13
    engine.dispose()
