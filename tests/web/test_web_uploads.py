"""Upload a return -> validation findings -> load or cancel, with the test client, over a copy of the store."""

from __future__ import annotations

import io
import re
import stat

import pytest
from web_helpers import LA, OTHER, YEAR, client_of, email, form_token

from munro.store import list_returns
from munro.synth import generate

NEW_YEAR = YEAR - 1  # a year the store does not hold yet


@pytest.fixture(scope="session")
def good_return(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("upload")
    generate(LA, [NEW_YEAR], folder, seed=7, scale=0.02)
    return (folder / f"cin_{LA}_{NEW_YEAR}.xml").read_bytes()


@pytest.fixture
def other_las_return(web_store) -> bytes:
    return (web_store.parent / "returns" / f"cin_{OTHER}_{YEAR}.xml").read_bytes()


def upload(client, content: bytes, name: str = "return.xml"):
    return client.post("/upload", data={"csrf_token": form_token(client, "/upload"),
                                        "file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def post(client, path: str):
    return client.post(path, data={"csrf_token": form_token(client, "/dashboard")})


def _uploads(app):
    folder = app.config["MUNRO"].store.with_name("store.duckdb.uploads")
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _years(app) -> set:
    return {(r["la_code"], r["collection_year"]) for r in list_returns(app.config["MUNRO"].store)}


def test_upload_see_the_findings_and_load(loading_app, good_return):
    client = client_of(loading_app, email("analyst"))
    response = upload(client, good_return, f"cin_{LA}_{NEW_YEAR}.xml")
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[1]
    # Kept privately, under the store's folder, until the user decides.
    where = loading_app.config["MUNRO"].store.with_name("store.duckdb.uploads") / token
    assert (where / "return.xml").read_bytes() == good_return
    assert stat.S_IMODE(where.stat().st_mode) == 0o700 and stat.S_IMODE(where.parent.stat().st_mode) == 0o700
    page = client.get(f"/upload/{token}").text
    assert "Check the return before loading it" in page and "Load this return" in page
    assert re.search(r"Errors</dt><dd[^>]*>[\d,]+<", page) and re.search(r"Children</dt><dd[^>]*>[\d,]+<", page)
    assert (LA, NEW_YEAR) not in _years(loading_app)  # nothing loaded before the user says so
    done = post(client, f"/upload/{token}/load")
    assert done.status_code == 200 and "Return loaded" in done.text
    assert (LA, NEW_YEAR) in _years(loading_app) and _uploads(loading_app) == []
    assert f"/la/{LA}/{NEW_YEAR}" in client.get("/dashboard").text
    assert client.get(f"/upload/{token}").status_code == 404  # gone


def test_the_findings_are_counts_by_rule_without_children(loading_app, good_return):
    # A return with errors injected: the page lists rules and counts, never a child's identifier.
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        generate(LA, [NEW_YEAR], Path(folder), seed=8, scale=0.01, errors=5)
        content = Path(folder, f"cin_{LA}_{NEW_YEAR}.xml").read_bytes()
    client = client_of(loading_app, email("administrator"))
    page = client.get(upload(client, content).headers["Location"]).text
    assert "Findings by rule" in page and "govuk-tag--red" in page
    ids = set(re.findall(rb"<LAchildID>([^<]+)</LAchildID>", content))
    assert ids and not any(i.decode() in page for i in ids)


@pytest.mark.parametrize("content,says", [
    (b"", "empty"),
    (b"this is not XML at all\n" * 10, "The file cannot be loaded"),
    (b'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]><Message>&x;</Message>',
     "The file cannot be loaded"),
    (b'<?xml version="1.0"?><Message><Header><CollectionDetails>', "The file cannot be loaded"),
])
def test_a_broken_file_gets_one_clear_line_and_nothing_is_loaded(loading_app, content, says):
    client = client_of(loading_app, email("analyst"))
    before = _years(loading_app)
    response = upload(client, content)
    assert response.status_code == 400
    message = re.search(r'<p id="file-error" class="govuk-error-message">(.*?)</p>', response.text, re.S).group(1)
    assert says in message and "\n" not in message.strip() and "Traceback" not in response.text
    assert "root:" not in response.text  # no entity was ever expanded
    assert "<title>Error: " in response.text
    assert _uploads(loading_app) == [] and _years(loading_app) == before
    # The audit log says that, not the reader's message (which may quote the file's values).
    assert _refusals(loading_app) == ["return.xml: cannot be read"]


def test_another_las_return_is_refused(loading_app, other_las_return):
    client = client_of(loading_app, email("analyst"))
    response = upload(client, other_las_return)
    assert response.status_code == 400 and "you can only load your own authority" in response.text
    assert "Coventry (331)" in response.text and _uploads(loading_app) == []
    assert _refusals(loading_app) == [f"return.xml: a return of LA {OTHER}"]


def _refusals(app) -> list[str]:
    from munro.web.audit_log import read

    return [e.detail for e in read(app.extensions["munro_app_db"], event="upload_refused")[0]]


def test_no_file_and_a_file_too_large(loading_app):
    client = client_of(loading_app, email("analyst"))
    response = client.post("/upload", data={"csrf_token": form_token(client, "/upload")})
    assert response.status_code == 400 and "Select a CIN census XML file" in response.text
    too_big = upload(client, b"<" * (3 * 1024 * 1024))
    assert too_big.status_code == 413 and "smaller than 2 MB" in too_big.text and _uploads(loading_app) == []


def test_cancel_deletes_the_file(loading_app, good_return):
    client = client_of(loading_app, email("analyst"))
    token = upload(client, good_return).headers["Location"].rsplit("/", 1)[1]
    assert _uploads(loading_app) == [token]
    assert post(client, f"/upload/{token}/cancel").headers["Location"] == "/upload"
    assert _uploads(loading_app) == [] and (LA, NEW_YEAR) not in _years(loading_app)


def test_a_pending_upload_is_only_its_uploaders(loading_app, good_return):
    token = upload(client_of(loading_app, email("analyst")), good_return).headers["Location"].rsplit("/", 1)[1]
    admin = client_of(loading_app, email("administrator"))  # may upload, but this one is not theirs
    assert admin.get(f"/upload/{token}").status_code == 404
    assert post(admin, f"/upload/{token}/load").status_code == 404
    assert post(admin, f"/upload/{token}/cancel").status_code == 404
    other = client_of(loading_app, email("analyst", OTHER))
    assert other.get(f"/upload/{token}").status_code == 404
    for role in ("manager", "auditor", "survey_admin", "triage"):
        assert client_of(loading_app, email(role)).get(f"/upload/{token}").status_code == 403
    assert client_of(loading_app, "regional@example.gov.uk").get(f"/upload/{token}").status_code == 403
    assert _uploads(loading_app) == [token] and (LA, NEW_YEAR) not in _years(loading_app)
    for bad in ("../../etc", "a" * 21, "x" * 22):
        assert admin.get(f"/upload/{bad}").status_code == 404


def test_stale_uploads_are_removed(tmp_path):
    import os
    import time

    from munro.web.uploads import remove_stale, uploads_folder

    folder = uploads_folder(tmp_path / "store.duckdb")
    (folder / "old").mkdir()
    (folder / "new").mkdir()
    os.utime(folder / "old", (time.time() - 2 * 86400,) * 2)
    remove_stale(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["new"]


def test_a_large_upload_is_spooled_under_the_stores_folder_not_tmp(loading_app):
    import os

    with loading_app.test_request_context("/upload", method="POST"):
        from flask import request

        stream = request._get_file_stream(3 * 1024 * 1024, "text/xml", "big.xml")
        try:
            where = os.readlink(f"/proc/self/fd/{stream.fileno()}")
        finally:
            stream.close()
    assert where.startswith(str(loading_app.config["MUNRO"].store) + ".uploads/")


def test_the_return_already_loaded_changes_nothing(loading_app, web_store):
    client = client_of(loading_app, email("analyst"))
    same = (web_store.parent / "returns" / f"cin_{LA}_{YEAR}.xml").read_bytes()
    token = upload(client, same).headers["Location"].rsplit("/", 1)[1]
    before = list_returns(loading_app.config["MUNRO"].store, include_superseded=True)
    done = post(client, f"/upload/{token}/load")
    assert "Return already loaded" in done.text and "unchanged" in done.text
    assert list_returns(loading_app.config["MUNRO"].store, include_superseded=True) == before
    assert _uploads(loading_app) == []


def test_a_failed_load_keeps_the_upload_to_try_again(loading_app, good_return, monkeypatch):
    import munro.loading

    client = client_of(loading_app, email("analyst"))
    token = upload(client, good_return).headers["Location"].rsplit("/", 1)[1]
    with monkeypatch.context() as m:  # the store cannot be written this time
        m.setattr(munro.loading, "ingest_file", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
        failed = post(client, f"/upload/{token}/load")
    assert failed.status_code == 400 and "could not be loaded" in failed.text and "try again" in failed.text
    # The findings page again, with its button to load the same upload once more.
    assert f'action="/upload/{token}/load"' in failed.text and _uploads(loading_app) == [token]
    assert (LA, NEW_YEAR) not in _years(loading_app)
    again = post(client, f"/upload/{token}/load")
    assert again.status_code == 200 and (LA, NEW_YEAR) in _years(loading_app) and _uploads(loading_app) == []
