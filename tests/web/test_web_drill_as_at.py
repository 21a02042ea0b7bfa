"""The web's drill-down as at any date (``?as_at=``), its refusals, and its cache (munro.web.breakdowns).

The store is tests/indicators/test_drill.py's children, as LA 330's, with a 2023-24 return (one child closed
before the window) so that the 12 months to 30 September 2024 can be computed. At 30 September 2024, worked
out by hand: B1's North allocation (W1) ended that day, so it is not open at R, and its South one (W3)
starts on 1 October: B1 stays with W1, who last held it; B2 is W3's (open until 31 December); F1 was not
yet referred. Assessments in the window (1 October 2023 to 30 September 2024): A1 5 working days (W1),
A2 10 (W2), B1 50 (W1; not within 45), B2 5 (W3), U1 20 (unallocated). So by worker W1 1 of 2 (50.0%),
W2 1 of 1, W3 1 of 1 (100.0%: in the reporting year 2024-25 it is 1 of 2), unallocated 1 of 1.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from web_helpers import LA, YEAR, client_of, email

from drill_support import allocations, build
from munro.loading import ingest_file
from munro.local.schema import audit_log as table
from munro.web import breakdowns

ITEM = "assessment_timeliness"
TEAMS = f"/la/{LA}/{YEAR}/items/{ITEM}/teams"
WORKERS = f"/la/{LA}/{YEAR}/items/{ITEM}/workers"


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_factory, cin):
    root = tmp_path_factory.mktemp("drill-as-at")
    db = root / "store.duckdb"
    E = cin.Episode
    returns = {**build(cin, LA), 2024: cin.xml(2024, [cin.Child(id="Z1", episodes=[
        E(referral="2023-05-01", closure="2023-06-01", reason="RC1")])], la=LA)}
    for year in sorted(returns):
        path = root / f"cin_{LA}_{year}.xml"
        path.write_text(returns[year], encoding="utf-8")
        assert ingest_file(db, path).error is None
    allocations(db, la=LA)
    return app_factory(db, root, sign_in_per_address=10_000)


@pytest.fixture
def calls(monkeypatch):
    """Each call of breakdown the web makes: (items asked for, by)."""
    made = []
    real = breakdowns.breakdown

    def counted(store, la, period, items=None, by="team"):
        made.append((None if items is None else tuple(items), by, period.end.isoformat()))
        return real(store, la, period, items, by=by)

    monkeypatch.setattr(breakdowns, "breakdown", counted)
    return made


def _events(app) -> list:
    with app.extensions["munro_app_db"].connect() as con:
        return con.execute(sa.select(table).order_by(table.c.id)).all()


def _row(page: str, unit: str) -> str:
    return page.split(f'<th scope="row" class="govuk-table__header">{unit}</th>', 1)[1].split("</tr>", 1)[0]


def test_by_worker_as_at_a_date_says_the_period_and_its_links_carry_it(app):
    analyst = client_of(app, email("analyst"))
    teams = analyst.get(f"{TEAMS}?as_at=2024-09-30")
    assert teams.status_code == 200
    assert "The 12 months to 30 September 2024" in teams.text
    assert f"{WORKERS}?as_at=2024-09-30" in teams.text  # the link to by worker carries the date
    page = analyst.get(f"{WORKERS}?as_at=30/09/2024").text
    assert "12 months to 30 September 2024" in page and f"{TEAMS}?as_at=2024-09-30" in page
    assert "50.0%*" in _row(page, "W1") and "100.0%*" in _row(page, "W3")
    last = _events(app)[-1]
    assert "100.0%*" in _row(analyst.get(WORKERS).text, "W1")  # the reporting year: W1 1 of 1
    assert (last.event, last.email, last.detail) == (
        "view_child_level", email("analyst"), f"as at 2024-09-30 {ITEM} by worker: 4 workers")


def test_the_item_page_link_carries_an_as_at_date(app):
    page = client_of(app, email("manager")).get(f"/la/{LA}/{YEAR}/items/{ITEM}?as_at=2024-09-30").text
    assert f"{TEAMS}?as_at=2024-09-30" in page


@pytest.mark.parametrize("value, code, says", [
    ("2024-13-45", 400, "The as-at date must be a date, written 2025-10-31 or 31/10/2025."),
    ("<script>", 400, "The as-at date must be a date"),
    ("2099-01-31", 404, "2099-01-31 is outside munro&#39;s calendar"),
    ("2021-06-30", 404, "2021-06-30 is before any return loaded for LA 330"),
    ("2025-06-30", 404, "the 2026 return or an in-year extract dated on or after 30 June 2025"),
])
def test_a_bad_as_at_date_is_one_clear_page(app, value, code, says):
    got = client_of(app, email("manager")).get(TEAMS, query_string={"as_at": value})
    assert got.status_code == code and says in got.text
    assert "Traceback" not in got.text and "<script>" not in got.text


def test_a_second_view_and_every_other_item_come_from_memory_and_each_is_recorded(app, calls):
    manager = client_of(app, email("manager"))
    before = len(_events(app))
    assert manager.get(f"{TEAMS}?as_at=2024-08-31").status_code == 200
    breakdowns.wait()  # the background pass over every item
    assert calls == [((ITEM,), "team", "2024-08-31"), (None, "team", "2024-08-31")]
    assert manager.get(f"{TEAMS}?as_at=2024-08-31").status_code == 200
    other = f"/la/{LA}/{YEAR}/items/cin_rate/teams?as_at=2024-08-31"
    assert manager.get(other).status_code == 200
    assert len(calls) == 2  # neither computed again
    events = _events(app)[before:]
    assert [(e.event, e.detail.split(" by ")[0]) for e in events] == [
        ("view_breakdown", f"as at 2024-08-31 {ITEM}"), ("view_breakdown", f"as at 2024-08-31 {ITEM}"),
        ("view_breakdown", "as at 2024-08-31 cin_rate")]
    st = os.stat(app.config["MUNRO"].store)  # a load changes the store file: the cache no longer holds
    os.utime(app.config["MUNRO"].store, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert manager.get(other).status_code == 200
    breakdowns.wait()
    assert calls[2] == (("cin_rate",), "team", "2024-08-31")
