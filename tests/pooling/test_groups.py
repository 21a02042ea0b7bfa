"""Regions and named groups: the items over their LAs' children together, sums over sums."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from munro.errors import MunroError
from munro.indicators.compute import compute
from munro.indicators.groups import compute_group, compute_named_group, region_of

FIGURES = ("numerator", "denominator", "count", "excluded")


@pytest.fixture(scope="module")
def members(las, pooled):
    return {la: compute(pooled, la, 2025)["items"] for la in las}


@pytest.fixture(scope="module")
def north_east(pooled):
    return compute_named_group(pooled, 2025, region="north east")


NOT_POOLED = ["390", "391", "392", "393", "394", "806", "808", "840", "929"]  # the North East's other LAs


def test_a_region_pools_its_las_in_the_store_and_is_partial_without_the_others(north_east, las):
    assert north_east["la"] == "E12000001" and north_east["label"] == "North East"
    assert north_east["members"] == sorted(las)
    assert north_east["missing"] == {la: "no returns loaded" for la in NOT_POOLED}
    assert (north_east["group_size"], north_east["partial"]) == (12, True)
    assert north_east["coverage"] == "3 of 12 North East LAs have a 2024-25 return loaded: partial"
    assert north_east["history_years"] == [2023, 2024, 2025]


def test_partial_is_said_in_every_format(north_east, pooled):
    import csv
    import io
    import json

    from munro.indicators.output import render

    table = render("table", {**north_east, "items": {"cpp_rate": north_east["items"]["cpp_rate"]}}).splitlines()
    assert table[:2] == [
        "North East (partial), 2024-25 (returns loaded: 2022-23, 2023-24, 2024-25)",
        "3 of 12 North East LAs have a 2024-25 return loaded: partial; in: 805, 807, 841; "
        "left out: 390, 391, 392, 393, 394, 806, 808, 840, 929 (no returns loaded)"]
    rows = list(csv.DictReader(io.StringIO(render("csv", north_east))))
    assert {(r["las_included"], r["las_in_group"], r["partial"]) for r in rows} == {("3", "12", "yes")}
    got = json.loads(render("json", north_east))
    assert (got["partial"], got["group_size"], got["members"]) == (True, 12, ["805", "807", "841"])
    assert got["coverage"] == "3 of 12 North East LAs have a 2024-25 return loaded: partial"
    whole = compute_named_group(pooled, 2025, group="805,807,841", items=["cpp_rate"])
    assert (whole["partial"], whole["coverage"]) == (False, "3 of 3 LAs of the group have a 2024-25 return loaded")
    assert render("table", whole).splitlines()[:2] == [
        "LAs 805, 807, 841, 2024-25 (returns loaded: 2022-23, 2023-24, 2024-25)",
        "3 of 3 LAs of the group have a 2024-25 return loaded; in: 805, 807, 841"]
    assert {r["partial"] for r in csv.DictReader(io.StringIO(render("csv", whole)))} == {"no"}


def test_a_region_is_its_las_of_the_year():
    """Dorset (835), Poole (836) and Bournemouth (837) are in DfE's data to 2019; BCP (839) and Dorset (838) from it."""
    old, new = {"835", "836", "837"}, {"838", "839"}
    assert old <= set(region_of("South West", 2019)[2]) and new <= set(region_of("South West", 2019)[2])
    assert not old & set(region_of("South West", 2020)[2]) and new <= set(region_of("South West", 2020)[2])
    assert not new & set(region_of("South West", 2018)[2])
    assert len(region_of("West Midlands", 2025)[2]) == 14
    assert region_of("West Midlands", 2030) == region_of("West Midlands", 2025)  # the last year's LAs go on


def test_every_count_is_the_sum_of_the_members_and_every_percent_sums_over_sums(north_east, members):
    checked = 0
    for item, r in north_east["items"].items():
        mine = [m[item] for m in members.values()]
        for name in FIGURES:
            if getattr(r, name) is not None:
                assert getattr(r, name) == sum(getattr(m, name) or 0 for m in mine), (item, name)
                checked += 1
        for band, n in (r.bands or {}).items():
            assert n == sum((m.bands or {}).get(band, 0) for m in mine), (item, band)
        if r.unit == "percent" and r.numerator is not None and r.denominator:
            assert r.value == pytest.approx(100 * r.numerator / r.denominator)  # not a mean of the rates
    assert checked > 30


def test_a_rate_divides_by_the_members_populations_added_up(north_east, members):
    r = north_east["items"]["referral_rate"]
    assert r["population"] == sum(m["referral_rate"]["population"] for m in members.values())
    assert r.value == pytest.approx(r.count / r["population"] * 10_000)


def test_a_median_is_of_the_groups_records_not_of_the_members_medians(north_east, members):
    r = north_east["items"]["assessment_timeliness"]
    lows = [m["assessment_timeliness"]["p25"] for m in members.values()]
    highs = [m["assessment_timeliness"]["p75"] for m in members.values()]
    assert min(lows) <= r["median"] <= max(highs)


def test_a_named_group_and_a_member_without_the_year(pooled, members):
    g = compute_named_group(pooled, 2025, group="805,841")
    assert g["members"] == ["805", "841"]
    assert g["items"]["cpp_rate"].count == members["805"]["cpp_rate"].count + members["841"]["cpp_rate"].count
    late = compute_group(pooled, ["805", "330"], 2025)
    assert late["members"] == ["805"] and late["missing"] == {"330": "no returns loaded"}
    assert (late["partial"], late["group_size"]) == (True, 2)
    assert late["coverage"] == "1 of 2 LAs of the group have a 2024-25 return loaded: partial"


def test_a_group_with_none_of_its_las_for_the_year_is_refused(pooled):
    with pytest.raises(MunroError) as refused:
        compute_named_group(pooled, 2022, group="805,330")
    assert str(refused.value) == ("none of the 2 LAs of the group has a 2021-22 return loaded (loaded: 805 2022-23 to "
                                  "2024-25): load one with `munro ingest` or choose a loaded year")
    with pytest.raises(MunroError, match="^none of the 12 North East LAs has a 2021-22 return loaded "):
        compute_named_group(pooled, 2022, region="North East")


def test_children_of_different_las_never_meet(las, tmp_path):
    """Plain stores' identifiers may coincide across LAs: a group keeps each child within its LA.

    LA 807 here is a twin of 805, every child with the same identifier: every figure of the
    pair is twice 805's (a child counted once, or a twin's referral taken as a re-referral, would not be).
    """
    db = tmp_path / "twins.duckdb"
    shutil.copy(las["805"].store, db)
    population = compute(db, "805", 2025, items=["cpp_rate"])["items"]["cpp_rate"]["population"]
    con = duckdb.connect(str(db))
    for (table,) in con.execute("SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = "
                                "'return_id' AND table_name IN (SELECT table_name FROM information_schema.tables "
                                "WHERE table_type = 'BASE TABLE') AND table_name <> 'returns'").fetchall():
        cols = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        la = ", '807' AS la_code" if "la_code" in cols else ""
        con.execute(f"INSERT INTO {table} SELECT * REPLACE (return_id + 100 AS return_id{la}) FROM {table}")
    con.execute("INSERT INTO returns SELECT * REPLACE (return_id + 100 AS return_id, '807' AS la_code, "
                "file_sha256 || '-twin' AS file_sha256) FROM returns")
    con.execute("INSERT INTO population_overrides VALUES ('807', 2025, ?, NULL, 'test', now())", [population])
    con.close()
    one = compute(db, "805", 2025)["items"]
    pair = compute_group(db, ["805", "807"], 2025)["items"]
    checked = 0
    for item, r in pair.items():
        for name in FIGURES:
            if getattr(r, name) is not None:
                assert getattr(r, name) == 2 * getattr(one[item], name), (item, name)
                checked += 1
        if r.value is not None and r.unit != "count":
            assert r.value == pytest.approx(one[item].value), item
    assert checked > 30


def test_unknown_regions_and_groups_are_one_line():
    with pytest.raises(MunroError, match="unknown region 'Wessex'"):
        region_of("Wessex")
    with pytest.raises(MunroError, match="at least two"):
        compute_named_group("unused", 2025, group="805")
    assert region_of("London")[2] == sorted(region_of("Inner London")[2] + region_of("Outer London")[2])


def test_local_records_count_in_a_group_when_every_member_has_them(las, tmp_path):
    from pooling_helpers import write_visits

    from munro.loading import ingest_file, ingest_local_file

    db = tmp_path / "two.duckdb"
    shutil.copy(las["805"].store, db)
    for f in las["841"].files:
        ingest_file(db, f)
    ingest_local_file(db, write_visits(db, 2025, tmp_path / "cp_visits_805_2025.csv", "805"), la="805",
                      year=2025)
    item = "child_seen_per_cpp"
    alone = compute_group(db, ["805", "841"], 2025, items=[item])["items"][item]
    assert alone.value is None and "needs visit records" in alone.reason  # 841 has none
    ingest_local_file(db, write_visits(db, 2025, tmp_path / "cp_visits_841_2025.csv", "841"), la="841",
                          year=2025)
    for standard in (10, 20):
        pair = compute_group(db, ["805", "841"], 2025, items=[item], visiting_standard=standard)["items"][item]
        each = [compute(db, la, 2025, items=[item], visiting_standard=standard)["items"][item] for la in ("805", "841")]
        assert pair.denominator == sum(r.denominator for r in each) > 20
        assert pair.numerator == sum(r.numerator for r in each)
