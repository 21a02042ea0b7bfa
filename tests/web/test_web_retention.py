"""The administrators' retention page: preview, remove, recorded; never another LA's files."""

from __future__ import annotations

import re

import pytest
from web_helpers import LA, OTHER, email, form_token, sign_in

from munro.loading import ingest_files
from munro.store import list_returns
from munro.synth import generate


def _store(root, years_by_la: dict[str, list[int]]):
    for la, years in years_by_la.items():
        generate(la, years, root / "returns", seed=3, scale=0.01)
    db = root / "store.duckdb"
    assert all(o.status == "loaded" for o in ingest_files(db, sorted((root / "returns").glob("cin_*.xml"))))
    return db


def _admin(app):
    client = app.test_client()
    assert sign_in(client, email("administrator")).status_code == 302
    return client


def _years(db) -> set[tuple[str, int]]:
    return {(r["la_code"], r["collection_year"]) for r in list_returns(db, include_superseded=True)}


@pytest.fixture
def own_store(tmp_path):
    return _store(tmp_path, {LA: [2023, 2024, 2025]})


def test_preview_then_remove_the_old_years_of_the_las_own_store(own_store, tmp_path, app_factory):
    app = app_factory(own_store, tmp_path)
    admin = _admin(app)
    assert "Nothing has been removed by retention." in admin.get("/admin/retention").text
    preview = admin.get("/admin/retention?keep_years=2").text
    # Keeping 2 years of 2023-2025 keeps 2023-24 and 2024-25: the 2022-23 return goes.
    assert "Keeping 2 years, from 2023-24" in preview and "cin_330_2023.xml" in preview
    assert "cin_330_2024.xml" not in preview and "Remove these years" in preview
    assert _years(own_store) == {(LA, 2023), (LA, 2024), (LA, 2025)}  # a preview removes nothing
    token = form_token(admin, "/admin/retention?keep_years=2")
    done = admin.post("/admin/retention", data={"csrf_token": token, "keep_years": "2"})
    assert done.status_code == 303 and done.headers["Location"] == "/admin/retention"
    assert _years(own_store) == {(LA, 2024), (LA, 2025)}
    page = admin.get("/admin/retention").text
    assert re.search(r"Removed 1 files \([\d,]+ records\) of the collection years before 2023-24\.", page)
    history = page.split("Removed so far")[1]
    assert "cin_330_2023.xml" in history and email("administrator") in history and "2022-23" in history
    assert "Removed 1 files" not in admin.get("/admin/retention").text  # said once; reloading repeats nothing
    log = admin.get("/admin/audit-log?event=retention_run").text
    assert "kept 2 year(s) from 2024: removed 1 file(s)" in log
    # Again: nothing older is left.
    assert "there is nothing to remove" in admin.get("/admin/retention?keep_years=2").text


def test_a_removal_that_would_take_another_las_files_is_refused(tmp_path, app_factory):
    db = _store(tmp_path, {LA: [2024, 2025], OTHER: [2024, 2025]})
    app = app_factory(db, tmp_path)
    admin = _admin(app)
    preview = admin.get("/admin/retention?keep_years=1").text
    assert "would also remove other authorities' returns (LA 331)" in preview
    assert "Remove these years" not in preview
    token = form_token(admin, "/admin/retention")
    assert admin.post("/admin/retention", data={"csrf_token": token, "keep_years": "1"}).status_code == 200
    assert _years(db) == {(LA, 2024), (LA, 2025), (OTHER, 2024), (OTHER, 2025)}
    assert "retention_run" not in admin.get("/admin/audit-log").text.split("<tbody", 1)[-1]


@pytest.mark.parametrize("keep", ["0", "abc", "51", "-1"])
def test_a_number_of_years_that_is_not_one_to_fifty_is_an_error(own_store, tmp_path, app_factory, keep):
    admin = _admin(app_factory(own_store, tmp_path))
    response = admin.get(f"/admin/retention?keep_years={keep}")
    assert response.status_code == 400 and "Enter a whole number of years from 1 to 50" in response.text
    assert 'href="#keep_years"' in response.text  # the error summary links to the field
    token = form_token(admin, "/admin/retention")
    assert admin.post("/admin/retention", data={"csrf_token": token, "keep_years": keep}).status_code == 400
    assert _years(own_store) == {(LA, 2023), (LA, 2024), (LA, 2025)}
