"""While another process writes the store, every page that reads it says so: 503, Retry-After, one clear page.

The writer is a real second process with a write transaction open on the store (DuckDB: one writer
process, and no reader in another process beside it); the pages answer at once, without waiting for it.
"""

from __future__ import annotations

import io
import re
import shutil
import time

import pytest
from web_helpers import LA, YEAR, client_of, email, form_token

from munro.synth import generate
from store_support import writer_holding

ITEM = "cpp_repeat"  # an item with a chart and a list of children
# Every page that reads the store, with a user who may see it.
PAGES = {
    "analyst": ["/dashboard", f"/la/{LA}/{YEAR}", f"/la/{LA}/{YEAR}/sections/timeliness",
                f"/la/{LA}/{YEAR}/items/{ITEM}",
                f"/la/{LA}/{YEAR}/items/{ITEM}/children", f"/la/{LA}/{YEAR}/items/{ITEM}/children.csv",
                f"/la/{LA}/{YEAR}/report", f"/la/{LA}/{YEAR}/report.html", f"/la/{LA}/{YEAR}/report.xlsx"],
    "auditor": [f"/la/{LA}/audits", f"/la/{LA}/audits/sample"],
    "administrator": ["/admin/retention"],
}


@pytest.fixture
def busy_app(web_store, tmp_path, app_factory):
    """An application over its own copy of the store (so no page of it is cached yet)."""
    store = tmp_path / "store.duckdb"
    shutil.copyfile(web_store, store)
    return app_factory(store, tmp_path)


def assert_busy(response, store) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "<h1 class=\"govuk-heading-l\">The figures are being updated</h1>" in response.text
    assert "Try again shortly" in response.text
    assert str(store) not in response.text and "Traceback" not in response.text


def test_every_page_that_reads_the_store_says_it_is_being_updated(busy_app):
    store = busy_app.config["MUNRO"].store
    clients = {role: client_of(busy_app, email(role)) for role in PAGES}
    with writer_holding(store):
        for role, paths in PAGES.items():
            for path in paths:
                started = time.monotonic()
                response = clients[role].get(path)
                assert_busy(response, store)
                assert time.monotonic() - started < 4, f"{path} waited for the writer"
    # The writer gone, the same pages answer.
    chart = None
    for role, paths in PAGES.items():
        for path in paths:
            response = clients[role].get(path)
            assert response.status_code == 200, path
            if path.endswith(f"/items/{ITEM}"):
                chart = re.search(rf'href="(/la/{LA}/{YEAR}/items/{ITEM}/[\w-]+\.csv)"', response.text).group(1)
    # Figures already gathered are kept until the store changes, so they are shown during a load that has
    # not changed it yet; once it has (here its time stamp), the page must read the store, and says it is busy.
    with writer_holding(store):
        assert clients["analyst"].get(chart).status_code == 200
        store.touch()
        assert_busy(clients["analyst"].get(chart), store)


@pytest.fixture(scope="module")
def new_year_return(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("busy-upload")
    generate(LA, [YEAR - 1], folder, seed=8, scale=0.02)
    return (folder / f"cin_{LA}_{YEAR - 1}.xml").read_bytes()


def test_an_upload_confirmed_while_the_store_is_busy_waits_to_be_loaded(busy_app, new_year_return):
    store = busy_app.config["MUNRO"].store
    client = client_of(busy_app, email("analyst"))
    sent = client.post("/upload", data={"csrf_token": form_token(client, "/upload"),
                                        "file": (io.BytesIO(new_year_return), f"cin_{LA}_{YEAR - 1}.xml")},
                       content_type="multipart/form-data")
    token = sent.headers["Location"].rsplit("/", 1)[1]
    load = f"/upload/{token}/load"
    with writer_holding(store):
        assert_busy(client.post(load, data={"csrf_token": form_token(client, f"/upload/{token}")}), store)
        assert client.get(f"/upload/{token}").status_code == 200  # the file is still there
    done = client.post(load, data={"csrf_token": form_token(client, f"/upload/{token}")})
    assert done.status_code == 200 and "Return loaded" in done.text
    assert f"/la/{LA}/{YEAR - 1}" in client.get("/dashboard").text
