"""The report's trend years are computed in one pass (items grouped by year) and give exactly what
computing each year alone gives."""

from __future__ import annotations

import pytest

from munro.indicators.compute import compute
from munro.report import build

LA, YEAR = "330", 2025  # the report_store fixture's


def _values(by_year: dict[int, dict]) -> dict[int, dict]:
    return {y: {i: r.to_dict() for i, r in items.items()} for y, items in by_year.items()}


@pytest.fixture(scope="module")
def together(report_store):
    return build._own_years(report_store, LA, YEAR)


def test_the_store_has_a_trend_to_share(together):
    assert sorted(together[1]) == [2023, 2024, 2025]


def test_every_trend_year_equals_that_year_computed_alone(report_store, together):
    alone = {y: compute(report_store, LA, y)["items"] for y in (2023, 2024, 2025)}
    assert _values(together[1]) == _values(alone)
    assert together[0]["items"] is together[1][YEAR]  # the report's own year is one of them, not computed twice


def test_an_earlier_report_year_has_no_later_years_in_its_trend(report_store):
    computed, by_year = build._own_years(report_store, LA, 2024)
    assert computed["year"] == 2024 and sorted(by_year) == [2023, 2024]
