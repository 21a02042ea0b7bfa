"""The audit log: every kind of event recorded with who, what, LA and when; append-only; administrators only."""

from __future__ import annotations

import inspect

import pytest
import sqlalchemy as sa
from test_web_uploads import good_return, post, upload  # noqa: F401 (good_return is a fixture)
from web_helpers import LA, OTHER, PASSWORD, YEAR, client_of, email, form_token, sign_in

from munro.local.schema import audit_log as table
from munro.web import audit_log


def _events(app) -> list:
    with app.extensions["munro_app_db"].connect() as con:
        return con.execute(sa.select(table).order_by(table.c.id)).all()


def test_every_kind_of_event_is_recorded(loading_app, good_return, monkeypatch):  # noqa: F811
    engine = loading_app.extensions["munro_app_db"]
    sign_in(loading_app.test_client(), email("analyst"), "wrong password, twelve+")
    sign_in(loading_app.test_client(), "nobody@example.gov.uk", "wrong password, twelve+")
    analyst = client_of(loading_app, email("analyst"))
    upload(analyst, b"not a return")
    token = upload(analyst, good_return).headers["Location"].rsplit("/", 1)[1]
    post(analyst, f"/upload/{token}/cancel")
    token = upload(analyst, good_return).headers["Location"].rsplit("/", 1)[1]
    import munro.loading

    with monkeypatch.context() as m:  # a load that fails (the store busy, say) is recorded too
        m.setattr(munro.loading, "ingest_file", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("busy")))
        assert "could not be loaded" in post(analyst, f"/upload/{token}/load").text
    token = upload(analyst, good_return).headers["Location"].rsplit("/", 1)[1]
    post(analyst, f"/upload/{token}/load")
    analyst.get(f"/la/{LA}/{YEAR}/items/cpp_repeat/children")
    analyst.get(f"/la/{LA}/{YEAR}/items/cpp_repeat/children.csv")
    admin = client_of(loading_app, email("administrator"))
    admin.post("/admin/users", data={"csrf_token": form_token(admin, "/admin/users"), "email": "new@330.gov.uk",
                                     "role": "manager", "password": PASSWORD})
    new_id = engine.connect().execute(sa.text("SELECT id FROM users WHERE email = 'new@330.gov.uk'")).scalar()
    for change in ("unlock", "disable", "enable"):
        post(admin, f"/admin/users/{new_id}/{change}")
    admin.post(f"/admin/users/{new_id}/remove", data={"csrf_token": form_token(admin, "/dashboard"), "confirm": "yes"})
    post(analyst, "/sign-out")
    rows = _events(loading_app)
    # retention_run needs a store with old years to remove: tests/web/test_web_retention.py records one; the
    # surveys' and triage's events are tests/web/test_web_surveys.py's, the command line's tests/test_cli_audit.py's.
    assert {r.event for r in rows} == {
        "sign_in", "sign_in_failed", "sign_out", "upload", "upload_refused", "load", "load_failed",
        "upload_cancelled", "export", "view_child_level", "user_added", "user_unlocked", "user_disabled",
        "user_enabled", "user_removed"}
    by = {}
    for r in rows:
        by.setdefault(r.event, r)  # the first of each kind
    assert by["sign_in_failed"].email == email("analyst") and by["sign_in_failed"].la_code == LA
    assert by["view_child_level"].email == email("analyst") and by["view_child_level"].role == "analyst"
    assert by["view_child_level"].la_code == LA and "cpp_repeat" in by["view_child_level"].detail
    assert by["load"].la_code == LA and "return" in by["load"].detail and by["load"].at is not None
    assert by["user_removed"].detail == "new@330.gov.uk" and by["sign_in"].address == "127.0.0.1"
    # No child's identifier ever reaches the log.
    assert not any("3300" in (r.detail or "") for r in rows)


def test_the_library_only_inserts_and_reads():
    functions = {n: inspect.getsource(f) for n, f in inspect.getmembers(audit_log, inspect.isfunction)
                 if f.__module__ == audit_log.__name__}
    assert {n for n, source in functions.items() if "insert(" in source} == {"record"}
    assert not any(word in source for source in functions.values() for word in ("update(", "delete(", "DELETE"))
    with pytest.raises(ValueError):
        audit_log.record(None, "something_else")


def test_the_database_refuses_update_and_delete(app):
    engine = app.extensions["munro_app_db"]
    audit_log.record(engine, "sign_in", email="a@b.gov.uk", la=LA)
    for statement in (table.update().values(detail="changed"), table.delete()):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with engine.begin() as con:
                con.execute(statement)
    assert len(_events(app)) == 1 and _events(app)[0].detail == ""


def test_postgresql_refuses_update_delete_and_truncate():
    import sys
    from pathlib import Path

    from munro.local.appdb import open_app_db
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from engine_support import fresh_postgres_database

    engine = open_app_db(url=fresh_postgres_database("munro_audit_test"))
    try:
        audit_log.record(engine, "sign_in", email="a@b.gov.uk", la=LA)
        for statement in (table.update().values(detail="changed"), table.delete(), sa.text("TRUNCATE audit_log")):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with engine.begin() as con:
                    con.execute(statement)
        events, total = audit_log.read(engine, las=(LA,))
        assert total == 1 and events[0].email == "a@b.gov.uk"
    finally:
        engine.dispose()


def test_the_page_is_the_administrators_of_their_la_only(app, signed_in):
    engine = app.extensions["munro_app_db"]
    for i in range(audit_log.PAGE_SIZE + 5):
        audit_log.record(engine, "export", email="x@330.gov.uk", la=LA, detail=f"download {i}")
    audit_log.record(engine, "export", email="y@331.gov.uk", la=OTHER, detail="other la's download")
    admin = signed_in(email("administrator"))
    first = admin.get("/admin/audit-log").text
    assert "download 56" not in first and "download 54" in first and "other la" not in first
    assert "page 1 of 2" in first and "page=2" in first
    second = admin.get("/admin/audit-log?page=2").text
    assert "download 0<" in second and "other la" not in second
    assert admin.get(f"/admin/audit-log?la={OTHER}").status_code == 403  # not their LA
    signed_in("regional@example.gov.uk")
    filtered = admin.get("/admin/audit-log?event=sign_in").text
    assert "download 1" not in filtered and email("administrator") in filtered  # their own sign-in
    assert "regional@example.gov.uk" in filtered  # the regional manager sees 330's aggregates too
    assert admin.get("/admin/audit-log?event=nonsense").status_code == 404
    for role in ("analyst", "manager", "auditor", "survey_admin", "triage"):
        assert signed_in(email(role)).get("/admin/audit-log").status_code == 403


def test_administering_the_las_users(app, signed_in):
    engine = app.extensions["munro_app_db"]
    admin = signed_in(email("administrator"))
    page = admin.get("/admin/users").text
    assert email("manager") in page and email("analyst", OTHER) not in page and "regional@" not in page

    def add(**fields):
        return admin.post("/admin/users", data={"csrf_token": form_token(admin, "/admin/users"), **fields})

    assert "at least 12 characters" in add(email="n@330.gov.uk", role="auditor", password="short").text
    assert add(email="n@330.gov.uk", role="nobody", password=PASSWORD).status_code == 400
    added = add(email="n@330.gov.uk", role="auditor", password=PASSWORD)
    # Post/redirect/get: the list says what was done once; reloading it repeats nothing and says nothing.
    assert added.status_code == 303 and added.headers["Location"] == "/admin/users"
    assert "n@330.gov.uk added as auditor." in admin.get("/admin/users").text
    assert "added as auditor" not in admin.get("/admin/users").text
    newcomer = client_of(app, "n@330.gov.uk")
    assert newcomer.get(f"/la/{LA}/{YEAR}").status_code == 200
    new_id = engine.connect().execute(sa.text("SELECT id FROM users WHERE email = 'n@330.gov.uk'")).scalar()
    assert post(admin, f"/admin/users/{new_id}/disable").status_code == 303
    assert "n@330.gov.uk disabled." in admin.get("/admin/users").text
    assert newcomer.get("/dashboard").status_code == 302  # the session ended at once
    assert sign_in(app.test_client(), "n@330.gov.uk").status_code == 400
    post(admin, f"/admin/users/{new_id}/enable")
    for _ in range(5):
        sign_in(app.test_client(), "n@330.gov.uk", "not the password!!")
    assert "Locked" in admin.get("/admin/users").text
    post(admin, f"/admin/users/{new_id}/unlock")
    client_of(app, "n@330.gov.uk")
    asked = post(admin, f"/admin/users/{new_id}/remove")  # a page that asks first; nothing removed yet
    assert "Are you sure you want to remove n@330.gov.uk?" in asked.text and 'name="confirm"' in asked.text
    assert "n@330.gov.uk" in admin.get("/admin/users").text
    admin.post(f"/admin/users/{new_id}/remove", data={"csrf_token": form_token(admin, "/dashboard"), "confirm": "yes"})
    assert "n@330.gov.uk removed." in admin.get("/admin/users").text
    assert "n@330.gov.uk" not in admin.get("/admin/users").text.split("Add a user")[0]
    # Another LA's account, a regional one, or their own: not theirs to change.
    others = engine.connect().execute(sa.text(
        f"SELECT id FROM users WHERE email IN ('{email('analyst', OTHER)}', 'regional@example.gov.uk')")).scalars()
    for user_id in others:
        assert post(admin, f"/admin/users/{user_id}/disable").status_code == 404
    own = engine.connect().execute(sa.text(f"SELECT id FROM users WHERE email = '{email('administrator')}'")).scalar()
    assert post(admin, f"/admin/users/{own}/remove").status_code == 400
    assert post(admin, f"/admin/users/{own}/nonsense").status_code == 404


def test_munro_audit_log_lists_every_event_even_without_an_la(tmp_path, capsys):
    from munro.cli import main
    from munro.local.appdb import open_app_db

    store = tmp_path / "store.duckdb"
    engine = open_app_db(store=store)
    audit_log.record(engine, "sign_in_failed", email="nobody@example.gov.uk", address="10.0.0.9")
    audit_log.record(engine, "export", email="x@330.gov.uk", la=LA, detail="a download")
    main(["--db", str(store), "audit-log"])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2 events" and "\texport\tx@330.gov.uk\t-\t330\t-\ta download" in out[1]
    assert "sign_in_failed\tnobody@example.gov.uk" in out[2]
    main(["--db", str(store), "audit-log", "--la", LA])
    assert capsys.readouterr().out.startswith("1 event\n")


# ---------------------------------------------------------------- control characters never forge a line (issue 19)

FORGED = ("nobody@example.gov.uk\r\n2026-12-07 09:00:00\tsign_in\tadmin@330.gov.uk\tadministrator\t330\t10.0.0.1\t"
          "\x1b[1A")


def test_a_forged_sign_in_is_stored_and_shown_escaped(app):
    sign_in(app.test_client(), FORGED, "wrong password, twelve+")
    engine = app.extensions["munro_app_db"]
    # Written by other means than record (an attacker with the database): shown escaped all the same.
    with engine.begin() as con:
        con.execute(sa.text("INSERT INTO audit_log (at, event, email, la_code, detail) VALUES "
                            "('2026-12-07 10:00:00', 'export', 'x@330.gov.uk', '330', 'a\nb\rc\u202ed')"))
    stored = [r.email for r in _events(app) if r.event == "sign_in_failed"]
    assert stored == ["nobody@example.gov.uk\\r\\n2026-12-07 09:00:00\\tsign_in\\tadmin@330.gov.uk\\tadministrator"
                      "\\t330\\t10.0.0.1\\t\\x1b[1A"]
    events, total = audit_log.read(engine)
    text = audit_log.Page(events, total).text()
    assert len(text.splitlines()) == 3 and text.splitlines()[0] == "2 events"  # the header and two lines, no more
    assert text.splitlines()[1].endswith("\texport\tx@330.gov.uk\t-\t330\t-\ta\\nb\\rc\\u202ed")
    assert "\tsign_in_failed\tnobody@example.gov.uk\\r\\n2026-12-07 09:00:00\\tsign_in\\t" in text.splitlines()[2]
    admin = client_of(app, email("administrator"))
    page = admin.get("/admin/audit-log").text
    assert "a\\nb\\rc\\u202ed" in page and "\u202e" not in page


# ---------------------------------------------------------------- the hash chain (issue 19)


@pytest.fixture(params=["sqlite", "postgresql"])
def log_db(request, tmp_path):
    """A fresh application database of each kind, and how to drop its triggers as an attacker would."""
    import sys
    from pathlib import Path

    from munro.local.appdb import open_app_db

    if request.param == "sqlite":
        engine = open_app_db(url=f"sqlite:///{tmp_path}/app.sqlite")
        drop = ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from engine_support import fresh_postgres_database

        engine = open_app_db(url=fresh_postgres_database("munro_audit_chain_test"))
        drop = ["DROP TRIGGER audit_log_no_change ON audit_log"]

    def attack(*statements):
        with engine.begin() as con:
            for statement in [*drop, *statements]:
                con.execute(sa.text(statement))
            drop.clear()

    yield engine, attack
    engine.dispose()


def _five(engine):
    for i in range(1, 6):
        audit_log.record(engine, "export", email="x@330.gov.uk", la=LA, detail=f"download {i}")
    with engine.connect() as con:
        return {r.id: r for r in con.execute(sa.select(table).order_by(table.c.id))}


def test_an_intact_chain_and_its_anchor(log_db):
    engine, _ = log_db
    assert audit_log.verify(engine).text() == "0 entries, chain intact"
    rows = _five(engine)
    verdict = audit_log.verify(engine)
    assert verdict.intact and verdict.entries == 5 and verdict.latest == rows[5].hash
    assert verdict.text().startswith(f"5 entries, chain intact\nlatest hash {rows[5].hash} (entry 5, ")
    assert [rows[i].prev_hash for i in range(1, 6)] == ["", *(rows[i].hash for i in range(1, 5))]
    assert audit_log.verify(engine, expect=rows[3].hash.upper()).anchor_id == 3


def test_a_deleted_entry_is_found(log_db):
    engine, attack = log_db
    rows = _five(engine)
    attack("DELETE FROM audit_log WHERE id = 3")
    verdict = audit_log.verify(engine)
    assert not verdict.intact and verdict.entries == 2
    assert verdict.problem == (f"entry 4 ({rows[4].at:%Y-%m-%d %H:%M:%S}, export) does not follow entry 2 "
                               f"({rows[2].at:%Y-%m-%d %H:%M:%S}): an entry between them was deleted, or entries "
                               "were moved")


def test_an_altered_entry_is_found(log_db):
    engine, attack = log_db
    rows = _five(engine)
    attack("UPDATE audit_log SET detail = 'download 33' WHERE id = 3")
    assert audit_log.verify(engine).problem == (
        f"entry 3 ({rows[3].at:%Y-%m-%d %H:%M:%S}, export) has been altered since it was written: its content does "
        "not match its hash")


def test_swapped_entries_are_found(log_db):
    engine, attack = log_db
    _five(engine)
    # Entries 2 and 4 change places, each with its own hashes: as if the order of events were rewritten.
    attack("UPDATE audit_log SET id = -2 WHERE id = 2", "UPDATE audit_log SET id = 2 WHERE id = 4",
           "UPDATE audit_log SET id = 4 WHERE id = -2")
    problem = audit_log.verify(engine).problem
    assert problem.startswith("entry 2 (") and "does not follow entry 1 (" in problem


def test_one_added_outside_munro_and_the_first_entries_deleted(log_db):
    engine, attack = log_db
    rows = _five(engine)
    attack("INSERT INTO audit_log (id, at, event, detail) VALUES (6, '2026-12-07 10:00:00', 'sign_in', '')")
    assert audit_log.verify(engine).problem == ("entry 6 (2026-12-07 10:00:00, sign_in) was added by other means "
                                                "than munro: it has no hash")
    attack("DELETE FROM audit_log WHERE id < 3 OR id = 6")
    assert audit_log.verify(engine).problem == (
        f"entry 3 ({rows[3].at:%Y-%m-%d %H:%M:%S}, export) is not the first entry of the chain: the entries before "
        "it were deleted (or the chain was replaced)")


def test_a_cut_or_recomputed_chain_needs_the_anchor(log_db):
    """What verify cannot prove alone (docs/security.md): the newest entries cut off, or the whole chain
    recomputed by someone who can write the database. The latest hash kept elsewhere proves both."""
    engine, attack = log_db
    rows = _five(engine)
    anchor = audit_log.verify(engine).latest
    attack("DELETE FROM audit_log WHERE id > 3")
    assert audit_log.verify(engine).text().startswith("3 entries, chain intact")  # alone: nothing to see
    cut = audit_log.verify(engine, expect=anchor)
    assert not cut.intact and cut.problem.startswith(f"no entry has the expected hash {anchor}: entries were cut")
    # Rewritten whole: entry 2 altered and every hash after it recomputed.
    previous = rows[1].hash
    for i in (2, 3):
        row = {**rows[i]._mapping, "detail": "nothing to see" if i == 2 else rows[i].detail}
        digest = audit_log.entry_hash(previous, row)
        attack(f"UPDATE audit_log SET detail = '{row['detail']}', prev_hash = '{previous}', hash = '{digest}' "
               f"WHERE id = {i}")
        previous = digest
    assert audit_log.verify(engine).intact
    assert not audit_log.verify(engine, expect=rows[3].hash).intact


def test_two_writers_at_once_keep_one_chain(log_db):
    """The web service and the command line writing together: each append waits for the other's."""
    from concurrent.futures import ThreadPoolExecutor

    engine, _ = log_db

    def write(n):
        for i in range(25):
            audit_log.record(engine, "export", email=f"writer{n}@330.gov.uk", la=LA, detail=f"{n}.{i}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    verdict = audit_log.verify(engine)
    assert verdict.intact and verdict.entries == 100


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migration_chains_and_escapes_the_entries_already_written(tmp_path, kind):
    from munro.local.appdb import app_db_url, upgrade

    if kind == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path}/old.sqlite")
    else:
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from engine_support import fresh_postgres_database

        engine = sa.create_engine(app_db_url(url=fresh_postgres_database("munro_audit_migration_test")))
    upgrade(engine, "0004")
    with engine.begin() as con:
        for at, typed in (("2026-01-05 09:00:00.000001", "a@b\r\nforged"), ("2026-01-05 09:01:00", "c@d")):
            con.execute(sa.text("INSERT INTO audit_log (at, event, email, detail) VALUES (:at, 'sign_in_failed', "
                                ":typed, '')"), {"at": at, "typed": typed})
    upgrade(engine)
    assert audit_log.verify(engine).text().startswith("2 entries, chain intact")
    assert [r.email for r in _rows(engine)] == ["a@b\\r\\nforged", "c@d"]
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):  # the triggers are back
        with engine.begin() as con:
            con.execute(table.delete())
    engine.dispose()


def _rows(engine):
    with engine.connect() as con:
        return con.execute(sa.select(table).order_by(table.c.id)).all()
