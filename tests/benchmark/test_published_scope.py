"""The published figures read for one LA's comparison (``Published(con, items, la, year)``) are exactly those
of the whole table that the comparison looks at; the other LAs' other years are not read, and asking for
them is refused rather than answered with nothing."""

from __future__ import annotations

import pytest

from munro.benchmark.compare import Published
from munro.indicators.catalogue import CATALOGUE
from munro.store.db import open_store

LA, YEAR = "330", 2025


@pytest.fixture(scope="module")
def both(reference_load):
    db, _ = reference_load
    items = [i.id for i in CATALOGUE]
    con = open_store(db, read_only=True)
    try:
        # Each item's latest year with any LA's figure, up to YEAR, straight from the table.
        basis = dict(con.execute(
            "SELECT item_id, max(year) FROM benchmark WHERE figure = 'value' AND area_level = 'la' "
            "AND value IS NOT NULL AND year <= ? GROUP BY item_id", [YEAR]).fetchall())
        return Published(con, items), Published(con, items, LA, YEAR), basis, items
    finally:
        con.close()


def test_england_the_regions_and_the_la_itself_are_read_whole(both):
    whole, scoped, _, _ = both
    mine = {k: v for k, v in whole.by_key.items() if k[1] != "la" or k[2] == LA}
    assert mine and {k: v for k, v in scoped.by_key.items() if k[1] != "la" or k[2] == LA} == mine
    for item in {k[0] for k in mine}:
        assert scoped.years(item, "la", LA) == whole.years(item, "la", LA)


def test_every_la_is_read_for_the_years_a_ranking_rests_on(both):
    whole, scoped, basis, items = both
    assert any(y < YEAR for y in basis.values()), "some item's latest LA figures are before the year"
    for item in items:
        assert scoped.latest_year(item, YEAR) == whole.latest_year(item, YEAR) == basis.get(item)
        for y in {YEAR, basis.get(item)} - {None}:
            assert scoped.las(item, y) == whole.las(item, y)
            assert len(scoped.las(item, y)) == len(whole.las(item, y))


def test_another_year_of_every_la_is_refused_not_empty(both):
    whole, scoped, _, _ = both
    assert len(whole.las("cpp_rate", YEAR - 3)) > 100  # 150-odd LAs published it
    with pytest.raises(ValueError, match="cpp_rate in 2022 were not read"):
        scoped.las("cpp_rate", YEAR - 3)
    assert len(scoped.by_key) < len(whole.by_key) / 3
