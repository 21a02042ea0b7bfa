"""A pooled store: the LAs' exports loaded atomically and idempotently, each LA's items exactly its own."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from pooling_helpers import YEARS

from munro.indicators.compute import as_json, compute, compute_all
from munro.loading import ingest_files
from munro.store.keys import new_key_file
from munro.store.pseudonymise import export_pseudonymised
from munro.store.returns import format_returns, list_returns


def _counts(db) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_type = 'BASE TABLE'").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in names}
    finally:
        con.close()


@pytest.mark.parametrize("year", YEARS[1:])
def test_every_item_of_every_la_is_exactly_its_own_stores(las, pooled, year):
    for la in las.values():
        own = as_json(compute(la.store, la.code, year))
        assert own["items"]["assessment_timeliness"]["count"] > 30  # the items have data to agree on
        assert as_json(compute(pooled, la.code, year)) == own, la.code


def test_all_las_at_once_is_each_las_own(las, pooled):
    every = [as_json(r) for r in compute_all(pooled, 2025)]
    assert [r["la"] for r in every] == sorted(las)
    for r in every:
        assert r == as_json(compute(las[r["la"]].store, r["la"], 2025))


def test_a_report_from_the_pooled_store_has_the_las_figures(las, pooled):
    from munro.report.build import gather

    own, pool = gather(las["841"].store, "841", 2025), gather(pooled, "841", 2025)
    assert pool.by_year == own.by_year and sorted(own.by_year) == YEARS  # every item, every year of the trend
    assert [r["children"] for r in pool.quality["returns"]] == [r["children"] for r in own.quality["returns"]]
    assert pool.quality["by_rule"] == own.quality["by_rule"]  # the validation findings came with the export


def test_the_same_exports_again_change_nothing(las, pooled):
    before = _counts(pooled)
    outcomes = list(ingest_files(pooled, [la.export for la in las.values()]))
    assert all(o.unchanged == ["2022-23", "2023-24", "2024-25"] and not o.loaded for o in outcomes)
    assert _counts(pooled) == before


def test_returns_say_which_la_sent_which_years_with_which_key(las, pooled):
    rows = list_returns(pooled)
    assert sorted((r["la_code"], r["collection_year"]) for r in rows) == [(la, y) for la in sorted(las) for y in YEARS]
    fingerprints = {r["la_code"]: r["key_fingerprint"] for r in rows}
    for code, la in las.items():
        assert fingerprints[code] == json.loads((la.export / "munro_export.json").read_text())[
            "pseudonymised"]["key_fingerprint"]
    assert "sent by LA 807" in format_returns(rows)


def test_a_plain_export_is_refused(las, tmp_path):
    from munro.store.export import export_store

    export_store(las["805"].store, tmp_path / "plain")
    [outcome] = ingest_files(tmp_path / "pool.duckdb", [tmp_path / "plain"])
    assert "not a pseudonymised export" in outcome.error


def test_plain_identifiers_under_a_pseudonymised_manifest_are_refused(las, tmp_path):
    from munro.store.export import export_store

    folder = tmp_path / "forged"
    export_store(las["805"].store, folder, las=["805"])
    manifest = json.loads((folder / "munro_export.json").read_text())
    manifest["pseudonymised"] = json.loads((las["805"].export / "munro_export.json").read_text())["pseudonymised"]
    (folder / "munro_export.json").write_text(json.dumps(manifest))
    [outcome] = ingest_files(tmp_path / "pool.duckdb", [folder])
    assert "identifiers that are not pseudonyms" in outcome.error


def test_another_key_for_some_years_is_refused_and_for_every_year_replaces(las, tmp_path):
    la = las["807"]
    pool = tmp_path / "pool.duckdb"
    list(ingest_files(pool, [la.export]))
    before = _counts(pool)
    other = tmp_path / "new.key"
    new_key_file(other)
    own = tmp_path / "own.duckdb"  # the LA's store with its latest year only
    list(ingest_files(own, [la.files[-1]]))
    export_pseudonymised(own, tmp_path / "latest", other)
    [refused] = ingest_files(pool, [tmp_path / "latest"])
    assert "2022-23, 2023-24" in refused.error and "two identities" in refused.error
    assert _counts(pool) == before  # nothing loaded
    export_pseudonymised(la.store, tmp_path / "every", other)
    [done] = ingest_files(pool, [tmp_path / "every"])
    assert done.loaded == ["2022-23", "2023-24", "2024-25"] and len(done.replaced) == 3
    assert done.summary().endswith("return 1, return 2, return 3 now superseded")
    assert as_json(compute(pool, "807", 2025)) == as_json(compute(la.store, "807", 2025))
    [back] = ingest_files(pool, [la.export])  # the old key's export again: every year current again
    assert back.reinstated == ["2022-23", "2023-24", "2024-25"]


@pytest.mark.parametrize("field, value, message", [
    ("la_code", "805' OR 'a' = 'a", "does not name an LA"),
    ("scheme", "sha1 v0", "another scheme"),
])
def test_a_manifest_munro_cannot_trust_is_refused(las, tmp_path, field, value, message):
    folder = tmp_path / "odd"
    shutil.copytree(las["805"].export, folder)
    manifest = json.loads((folder / "munro_export.json").read_text())
    manifest["pseudonymised"][field] = value
    (folder / "munro_export.json").write_text(json.dumps(manifest))
    [outcome] = ingest_files(tmp_path / "pool.duckdb", [folder])
    assert message in outcome.error


def test_a_load_that_fails_part_way_leaves_the_store_as_it_was(las, tmp_path):
    pool = tmp_path / "pool.duckdb"
    list(ingest_files(pool, [las["805"].export]))
    before = _counts(pool)
    broken = tmp_path / "broken"
    shutil.copytree(las["841"].export, broken)
    # Reviews are copied after the returns, children and episodes: a date that is not one fails there.
    reviews = broken / "cp_reviews.parquet"
    duckdb.sql(f"COPY (SELECT * REPLACE ('31/02/2024' AS review_date) FROM '{las['841'].export / reviews.name}') "
               f"TO '{reviews}' (FORMAT parquet)")
    [outcome] = ingest_files(pool, [broken])
    assert "31/02/2024" in outcome.error
    assert _counts(pool) == before


@pytest.fixture(scope="module")
def pooled_with_reference(pooled, tmp_path_factory):
    from munro.benchmark.reference import load_reference

    db = tmp_path_factory.mktemp("pooled-reference") / "pool.duckdb"
    shutil.copy(pooled, db)
    load_reference(db)
    return db


def test_the_benchmark_of_an_la_from_the_pooled_store_is_its_own(las, pooled_with_reference, tmp_path):
    """With the published statistics loaded at both ends, every comparison of the LA is the same."""
    from munro.benchmark import compare
    from munro.benchmark.reference import load_reference

    own = tmp_path / "own.duckdb"
    shutil.copy(las["805"].store, own)
    load_reference(own)
    mine, theirs = compare(own, "805", 2025), compare(pooled_with_reference, "805", 2025)
    assert sum(1 for c in mine if c.own.value is not None) > 15
    assert [c.to_dict() for c in theirs] == [c.to_dict() for c in mine]


def test_local_records_travel_pseudonymised_and_give_the_same_items(las, tmp_path):
    from pooling_helpers import write_visits

    from munro.loading import ingest_local_file

    la = las["841"]
    own = tmp_path / "own.duckdb"
    shutil.copy(la.store, own)
    ingest_local_file(own, write_visits(own, 2025, tmp_path / "cp_visits_2025.csv"), year=2025)
    export_pseudonymised(own, tmp_path / "out", la.key)
    children = {line.split(",")[0].encode() for line in (tmp_path / "cp_visits_2025.csv").read_text().splitlines()[1:]}
    for name in ("cp_visits.parquet", "merged_cp_visits.parquet"):
        data = (tmp_path / "out" / name).read_bytes()
        assert not [c for c in children if c in data], name
    [outcome] = ingest_files(tmp_path / "pool.duckdb", [tmp_path / "out"])
    assert outcome.loaded == ["2022-23", "2023-24", "2024-25", "cp-visits 2024-25"]
    item = "child_seen_per_cpp"
    mine = as_json(compute(own, "841", 2025, items=[item]))
    assert mine["items"][item]["denominator"] > 10
    assert as_json(compute(tmp_path / "pool.duckdb", "841", 2025, items=[item])) == mine


def test_every_las_benchmark_at_once_is_each_las_own(las, pooled_with_reference):
    from munro.benchmark import compare, compare_all

    every = compare_all(pooled_with_reference, 2025)
    assert sorted(every) == sorted(las)
    for code, comparisons in every.items():
        assert sum(1 for c in comparisons if c.own.value is not None) > 15, code
        assert [c.to_dict() for c in comparisons] == [c.to_dict() for c in compare(pooled_with_reference, code, 2025)]


def test_benchmark_and_report_for_every_la_from_the_command_line(las, pooled_with_reference, tmp_path, capsys):
    from munro.cli import main

    main(["--db", str(pooled_with_reference), "benchmark", "--la", "all", "--year", "2025", "--format", "csv"])
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("la,year,item,") and sum(r.startswith("la,") for r in rows) == 1  # one header
    assert {r.split(",")[0] for r in rows[1:]} == set(las)
    main(["--db", str(pooled_with_reference), "benchmark", "--la", "all", "--year", "2025", "--format", "json"])
    assert sorted(json.loads(capsys.readouterr().out)["las"]) == sorted(las)
    main(["--db", str(pooled_with_reference), "report", "--la", "all", "--year", "2025", "--out", str(tmp_path),
          "--no-pdf"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"LA {code}" for code in sorted(las)]
    for code in las:
        page = (tmp_path / code / "index.html").read_text()
        assert (tmp_path / code / "report.xlsx").exists() and f"(LA {code}), reporting year 2024-25" in page
    assert "Hartlepool" in (tmp_path / "805" / "index.html").read_text()
    assert "Darlington" in (tmp_path / "841" / "index.html").read_text()
