"""The comparison of an LA and year, over a benchmark table of hand-made published figures.

Every expected value below is worked out by hand from the rows the test writes.
"""

from __future__ import annotations

import shutil

import pytest

from munro.benchmark.compare import compare, compare_all, neighbour_stats, own_figure, rank_among
from munro.errors import MunroError
from munro.store.db import open_store

# cpp_repeat (percent, lower is better), 2023-24: Hartlepool 805 and others; 808 suppressed.
CPP_REPEAT_2024 = {"805": (20.0, 20, 100), "806": (15.0, 6, 40), "807": (25.0, 10, 40), "808": (None, None, None),
                   "810": (30.0, 12, 40), "801": (10.0, 4, 40), "802": (40.0, 16, 40)}


def _published(con, rows):
    con.executemany("INSERT INTO benchmark VALUES (?, ?, ?, ?, ?, 'value', ?, ?, ?, ?, ?, ?, 'test release', 'm')",
                    rows)


@pytest.fixture
def store(reference_load, db):
    """A store that has had the packaged statistics (so compare() will not load them again), with
    them replaced by the hand-made rows below."""
    shutil.copy(reference_load[0], db)
    con = open_store(db)
    con.execute("DELETE FROM benchmark; DELETE FROM statistical_neighbours")
    rows = []
    for la, (v, k, n) in CPP_REPEAT_2024.items():
        rows.append(("la", la, la, 2024, "cpp_repeat", v, k, n, "percent", "c" if v is None else None, "DfE CIN 2024"))
    rows += [("england", "E92000001", "England", 2024, "cpp_repeat", 22.0, 11000, 50000, "percent", None,
              "DfE CIN 2024"),
             ("region", "E12000001", "North East", 2024, "cpp_repeat", 21.0, 630, 3000, "percent", None,
              "DfE CIN 2024"),
             # a second source for the same figure: the DfE publication is preferred
             ("la", "805", "Hartlepool", 2024, "cpp_repeat", 99.0, None, None, "percent", None, "LAIT 2025"),
             # assessment_timeliness (higher is better), three LAs
             ("la", "805", "Hartlepool", 2024, "assessment_timeliness", 80.0, 80, 100, "percent", None, "DfE CIN 2024"),
             ("la", "806", "x", 2024, "assessment_timeliness", 90.0, 90, 100, "percent", None, "DfE CIN 2024"),
             ("la", "807", "x", 2024, "assessment_timeliness", 70.0, 70, 100, "percent", None, "DfE CIN 2024"),
             # an earlier year for the trend
             ("la", "805", "Hartlepool", 2022, "cpp_repeat", 18.5, None, None, "percent", None, "DfE CIN 2022"),
             ("england", "E92000001", "England", 2022, "cpp_repeat", 23.0, None, None, "percent", None, "DfE CIN 2022")]
    _published(con, rows)
    con.executemany("INSERT INTO statistical_neighbours VALUES (?, '805', ?, ?, 'Close')",
                    [("2025", 1, "806"), ("2025", 2, "807"), ("2025", 3, "808"), ("2025", 4, "810"),
                     ("2021", 1, "801"), ("2021", 2, "802")])
    con.close()
    return db


def _item(comparisons, item_id):
    (found,) = [c for c in comparisons if c.item_id == item_id]
    return found


def test_england_region_and_neighbours(store):
    c = _item(compare(store, "805", 2024), "cpp_repeat")
    assert (c.headline.value, c.headline.source) == (20.0, "DfE CIN 2024")  # not LAIT's 99.0
    assert c.england.value == 22.0 and c.region.value == 21.0 and c.region_name == "North East"
    sn = c.neighbours
    assert sn.model == 2025 and [m["code"] for m in sn.members] == ["806", "807", "808", "810"]
    # 808 is suppressed: left out, not counted as 0. (15 + 25 + 30) / 3 and the middle of 15, 25, 30.
    assert sn.with_data == 3
    assert sn.mean == pytest.approx(70 / 3) and sn.median == 25.0
    assert [m["symbol"] for m in sn.members] == [None, None, "c", None]


def test_the_2021_neighbours_are_selectable(store):
    c = _item(compare(store, "805", 2024, neighbours=2021), "cpp_repeat")
    assert [m["code"] for m in c.neighbours.members] == ["801", "802"]
    assert (c.neighbours.mean, c.neighbours.median) == (25.0, 25.0)  # 10 and 40
    with pytest.raises(MunroError, match="no statistical-neighbour model 2019"):
        compare(store, "805", 2024, neighbours=2019)


def test_rank_and_quartile_follow_polarity(store):
    got = compare(store, "805", 2024)
    repeat = _item(got, "cpp_repeat")  # lower is better: 10 and 15 are better than 20
    assert (repeat.rank, repeat.of, repeat.quartile) == (3, 6, 2)  # ceil(4 * 3 / 6)
    timely = _item(got, "assessment_timeliness")  # higher is better: only 90 beats 80
    assert (timely.rank, timely.of, timely.quartile) == (2, 3, 3)  # ceil(4 * 2 / 3)


def test_trend_has_published_years_with_england(store):
    c = _item(compare(store, "805", 2024), "cpp_repeat")
    assert [(t["year"], t["published"], t["england"]) for t in c.trend] == [(2022, 18.5, 23.0), (2024, 20.0, 22.0)]


def test_items_without_any_data_are_left_out(store):
    assert {c.item_id for c in compare(store, "805", 2024)} == {"cpp_repeat", "assessment_timeliness"}


def test_an_unpublished_year_is_compared_with_the_latest_published(store):
    c = _item(compare(store, "805", 2025), "cpp_repeat")
    assert c.headline.value is None and c.basis_year == 2024
    assert c.england.year == 2024 and c.england.value == 22.0
    assert c.rank is None  # no 2025 figure of its own to place


def test_unknown_la_is_one_clear_error(store):
    with pytest.raises(MunroError, match="no LA 999"):
        compare(store, "999", 2024)


def test_rank_among_ties_share_the_best_rank():
    values = {"a": 1.0, "b": 2.0, "c": 2.0, "d": 3.0}
    assert rank_among(values, "b", "higher_better") == (2, 4, 2)
    assert rank_among(values, "c", "lower_better") == (2, 4, 2)
    assert rank_among(values, "d", "neither") == (1, 4, 1)  # highest first
    assert rank_among(values, "z", "neither") == (None, 4, None)


def test_neighbour_stats_of_nothing_is_nothing():
    assert neighbour_stats([]) == (None, None)
    assert neighbour_stats([1.0, 2.0, 4.0, 9.0]) == (4.0, 3.0)


def test_interval_and_flag_against_england(store):
    c = _item(compare(store, "805", 2024), "cpp_repeat")
    # Wilson 95% for 20 of 100, by hand: centre (0.2 + 1.96^2/200) / (1 + 1.96^2/100) = 0.21110,
    # half-width 1.96 * sqrt(0.2 * 0.8 / 100 + 1.96^2 / 40000) / 1.038416 = 0.07773
    assert c.interval["low"] == pytest.approx(13.34, abs=0.01)
    assert c.interval["high"] == pytest.approx(28.88, abs=0.01)
    assert c.versus_england["flag"] == "not significantly different from England"  # 22.0 is inside
    # funnel around England's 22% at n = 100: 22 +/- z * sqrt(0.22 * 0.78 / 100) = 22 +/- z * 4.1425
    funnel = c.versus_england["funnel"]
    assert funnel["lower_95"] == pytest.approx(22 - 1.959964 * 4.14246, abs=1e-3)  # 13.881
    assert funnel["upper_998"] == pytest.approx(22 + 3.090232 * 4.14246, abs=1e-3)  # 34.801
    assert funnel["lower_95"] < 20.0 < funnel["upper_95"]  # the LA's 20% inside, as the flag says


def _two_first_plans(store, cin, year):
    """LA 805's return of ``year``: two children each on a first plan from 20 May of the year's start."""
    from munro.loading import ingest_file

    y = year - 1
    kids = [cin.Child(id=f"P{n}", episodes=[cin.Episode(referral=f"{y}-05-01", s47=[cin.S47(start=f"{y}-05-02",
            icpc=f"{y}-05-20")], plans=[cin.Plan(start=f"{y}-05-20")])]) for n in (1, 2)]
    path = store.parent / f"cin_805_{year}.xml"
    path.write_text(cin.xml(year, kids, la="805"), encoding="utf-8")
    assert ingest_file(store, path, workers=1).error is None


def test_own_and_published_differences_are_flagged(store, cin):
    from munro.population import set_population

    # Two children on a plan at 31 March 2024, a population of 10,000: own cpp_rate 2.0 per 10k.
    _two_first_plans(store, cin, 2024)
    set_population(store, "805", 2024, 10_000)
    con = open_store(store)
    _published(con, [("la", "805", "Hartlepool", 2024, "cpp_rate", 2.04, 2, 9800, "per_10k", None, "DfE CIN 2024")])
    con.close()
    got = compare(store, "805", 2024, items=["cpp_rate", "cpp_repeat"])
    rate = _item(got, "cpp_rate")
    assert rate.own.value == 2.0 and rate.published.value == 2.04
    assert rate.data_quality["differs"] is False  # within rounding to one decimal place
    # cpp_repeat: both plans are first plans (NumberOfPreviousCPP 0), so own 0%; DfE published 20.0%
    repeat = _item(got, "cpp_repeat")
    assert (repeat.own.value, repeat.published.value) == (0.0, 20.0)
    assert repeat.data_quality["differs"] is True and repeat.data_quality["difference"] == -20.0
    assert any("resubmitted" in r for r in repeat.data_quality["likely_reasons"])
    assert repeat.headline.value == 20.0  # the published figure is the one compared
    # Where each figure comes from, in words.
    assert (rate.own.kind, repeat.headline.kind) == ("returns", "published")
    assert rate.own.provenance == "computed by munro from this authority's children in need census returns (2023-24)"
    assert repeat.headline.provenance == "published: DfE CIN 2024, 2023-24 figure"


def test_every_output_flags_the_value_it_shows(store):
    import csv
    import io
    import json

    from munro.benchmark.output import as_csv, as_json, as_table

    got = compare(store, "805", 2024)
    row = next(r for r in csv.DictReader(io.StringIO(as_csv("805", 2024, got))) if r["item"] == "cpp_repeat")
    # Hartlepool's published 20.0% (20 of 100) against England's 22.0%: Wilson 99.8% 11.9 to 31.6, inside.
    assert (row["value"], row["value_kind"], row["vs_england"]) == ("20.0", "published",
                                                                     "not significantly different from England")
    assert row["value_provenance"] == "published: DfE CIN 2024, 2023-24 figure"
    shown = json.loads(as_json("805", 2024, got))["items"]["cpp_repeat"]
    assert shown["headline"]["value"] == 20.0 and shown["interval"]["low"] == pytest.approx(13.34, abs=0.01)
    line = next(x for x in as_table("805", 2024, got).splitlines() if x.startswith("cpp_repeat"))
    assert line.split()[1:4] == ["20.0%", "2024", "published"]
    assert line.endswith("not significantly different from England")


def test_an_own_figure_ranked_among_an_earlier_years_is_named_by_both_years_labels(store, cin):
    # 2024-25 (collection 2025): two first plans, so munro's own cpp_repeat is 0%; nothing is published for
    # 2024-25, so it is placed among the 2023-24 figures: 806 15, 807 25, 810 30, 801 10, 802 40 (808 is
    # suppressed), 805's own 0 first of six (lower is better).
    _two_first_plans(store, cin, 2025)
    c = _item(compare(store, "805", 2025, items=["cpp_repeat"]), "cpp_repeat")
    assert (c.headline.value, c.headline.year, c.basis_year) == (0.0, 2025, 2024)
    assert (c.rank, c.of, c.quartile) == (1, 6, 1)
    assert c.rank_note.startswith("munro's own 2024-25 figure placed among LAs' published 2023-24 figures; ")


def test_a_year_without_returns_is_named_by_its_label(store):
    # The store holds the published statistics only: no LA has any return, of 2024-25 or another year.
    with pytest.raises(MunroError, match=r"^no LA has a 2024-25 return loaded in "):
        compare_all(store, 2025)
    assert own_figure({}, "cpp_rate", 2024).reason == "no 2023-24 return loaded"
