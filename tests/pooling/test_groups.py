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


def test_a_region_pools_its_las_in_the_store(north_east, las):
    assert north_east["la"] == "E12000001" and north_east["label"] == "North East"
    assert north_east["members"] == sorted(las) and north_east["missing"] == {}
    assert north_east["history_years"] == [2023, 2024, 2025]


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
    from munro.localdata.ingest import ingest_local_file
    from munro.store import ingest_file

    from pooling_helpers import write_visits

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
