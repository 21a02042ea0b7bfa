"""In-year extracts on every engine (issue 22): ``history()`` keeps to the current annual returns,
``extracts()`` gives each LA's current extracts' dates, and an extract lets a period ending on or before
its date be computed.

Worked by hand. LA 201 loads its 2024-25 annual return and an extract of 31 October 2025 (collection
2025-26). LA 202 loads its 2024-25 return, an extract of 31 October 2025 that its 2025-26 annual return
then supersedes, and an extract of 30 September 2026 (collection 2026-27). So:

- history: 201 -> [2025]; 202 -> [2025, 2026];
- extracts: 201 -> [2025-10-31]; 202 -> [2026-09-30].

LA 201's referrals in the 12 months to 31 October 2025 (1 November 2024 to 31 October 2025): M1's of
2024-11-01 (in both files) and X1's of 2025-06-01 (in the extract); A1's of 2024-06-01 is before the
window. Two referrals, on a population of 1,000: 20 per 10,000.
"""

from __future__ import annotations

import datetime as dt

import pytest

from engine_support import ENGINES, engine_for
from munro.indicators.compute import compute_keys
from munro.indicators.context import Key
from munro.loading import ingest_file
from munro.years import Period


@pytest.fixture(scope="module")
def store_with_extracts(tmp_path_factory, cin):
    root = tmp_path_factory.mktemp("extracts")
    db = root / "store.duckdb"

    def load(name, year, children, la, reference_date=None):
        path = root / name
        path.write_text(cin.xml(year, children, la=la, reference_date=reference_date))
        assert ingest_file(db, path).status in ("loaded", "replaced")

    m1 = cin.Child(id="M1", episodes=[cin.Episode(referral="2024-11-01")])
    a1 = cin.Child(id="A1", episodes=[cin.Episode(referral="2024-06-01", closure="2024-07-01", reason="RC8")])
    x1 = cin.Child(id="X1", episodes=[cin.Episode(referral="2025-06-01")])
    for la in ("201", "202"):
        load(f"a2025_{la}.xml", 2025, [m1, a1], la)
        load(f"oct_{la}.xml", 2026, [m1, x1], la, "2025-10-31")
    load("a2026_202.xml", 2026, [m1, x1], "202")
    load("sep_202.xml", 2027, [m1, x1], "202", "2026-09-30")
    return db


@pytest.mark.parametrize("name", ENGINES)
def test_history_is_annual_returns_and_extracts_their_dates(name, store_with_extracts):
    with engine_for(name, store_with_extracts) as engine:
        assert engine.history() == {"201": [2025], "202": [2025, 2026]}
        assert engine.extracts() == {"201": [dt.date(2025, 10, 31)], "202": [dt.date(2026, 9, 30)]}


@pytest.mark.parametrize("name", ENGINES)
def test_an_extract_covers_the_periods_ending_on_or_before_its_date(name, store_with_extracts):
    october, november, year = Period(dt.date(2025, 10, 31)), Period(dt.date(2025, 11, 30)), Period.of_year(2026)
    with engine_for(name, store_with_extracts) as engine:
        found = compute_keys(engine, ["201"], [october, november, year], ["referral_rate"],
                             population=lambda la, y: 1000)
    got = found[Key("201", october)]["referral_rate"]
    assert (got.value, got["count"], got.reason) == (20.0, 2, None)
    # After the extract's date, and the year it is part of, still need the 2025-26 return (or, for the
    # 12 months to 30 November, an extract dated on or after it).
    assert found[Key("201", november)]["referral_rate"].reason == (
        "needs the 2026 return or an in-year extract dated on or after 30 November 2025")
    assert found[Key("201", year)]["referral_rate"].reason == "needs the 2026 return"
