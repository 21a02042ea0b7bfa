"""`munro indicators`: the command over compute(), its formats, and the store's population overrides."""

from __future__ import annotations

import csv
import io
import json

from golden import load

from cli_support import run_cli


def _munro(db, *args):
    """``munro --db DB ARGS`` in this process (Spark's JVM, once started, serves every test of the process)."""
    return run_cli("--db", db, *args)


def _store(cin, tmp_path):
    # Three referrals in 2024-25 for LA 201 (City of London): two for A1 (the second 10 days
    # after the first, so a re-referral within 12 months) and one no-further-action referral for B2.
    text = cin.xml(2025, [
        cin.Child(id="A1", episodes=[cin.Episode(referral="2024-05-01", closure="2024-05-05", reason="RC8"),
                                     cin.Episode(referral="2024-05-11")]),
        cin.Child(id="B2", episodes=[cin.Episode(referral="2024-06-01", nfa="true", need=None,
                                                 closure="2024-06-01", reason="RC7")]),
    ], la="201")
    return load(tmp_path / "store.duckdb", {2025: text})


def test_json_carries_the_figures_and_the_population_used(cin, tmp_path):
    db = _store(cin, tmp_path)
    # City of London's 0-17 population at mid-2024 is 847 (ONS, reference/population): 3 / 847 * 10,000
    done = _munro(db, "indicators", "--la", "201", "--year", "2025", "--format", "json",
                  "--items", "referral_rate,rereferral_12m")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["la"], out["year"], out["history_years"]) == ("201", 2025, [2025])
    rate = out["items"]["referral_rate"]
    assert rate["count"] == 3 and rate["population"] == 847 and rate["population_source"] == "ONS"
    assert abs(rate["value"] - 3 / 847 * 10_000) < 1e-9
    # one of the three referrals follows another of the same child within 12 months
    assert out["items"]["rereferral_12m"]["numerator"] == 1
    assert abs(out["items"]["rereferral_12m"]["value"] - 100 / 3) < 1e-9


def test_an_override_changes_the_rate(cin, tmp_path):
    db = _store(cin, tmp_path)
    assert _munro(db, "population", "set", "--la", "201", "--year", "2025", "1500").returncode == 0
    done = _munro(db, "indicators", "--la", "201", "--year", "2025", "--format", "csv", "--items", "referral_rate")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["item"], float(r["value"]), r["count"]) for r in rows] == [("referral_rate", 20.0, "3")]


def test_table_rounds_at_the_edge_and_explains_missing_values(cin, tmp_path):
    db = _store(cin, tmp_path)
    done = _munro(db, "indicators", "--la", "201", "--year", "2025", "--items", "referral_rate")
    assert "35.4 per 10k" in done.stdout  # 35.419...
    # a year without the LA's return is refused: its figures would be what later returns repeat
    done = _munro(db, "indicators", "--la", "201", "--year", "2024", "--items", "referral_rate")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("munro: no 2023-24 return is loaded for LA 201 City of London (loaded: 2024-25): "
                           "load it with `munro ingest` or choose a loaded year\n")


def test_bad_input_is_one_line(cin, tmp_path):
    db = _store(cin, tmp_path)
    for args in (["--items", "nope"], []):
        done = _munro(db if args else tmp_path / "missing.duckdb", "indicators", "--la", "201", "--year", "2025",
                      *args)
        assert done.returncode != 0 and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_all_las_in_one_pass_give_what_each_gives_alone(cin, tmp_path):
    # LA 201 as above (3 referrals in 2024-25); LA 202 (Camden) with one referral and no 2024 return.
    db = _store(cin, tmp_path)
    load(db, {2025: cin.xml(2025, [cin.Child(id="C3", episodes=[cin.Episode(referral="2024-09-01")])], la="202")},
         la="202")
    every = json.loads(_munro(db, "indicators", "--la", "all", "--year", "2025", "--format", "json").stdout)
    assert [r["la"] for r in every] == ["201", "202"]
    for one in every:
        alone = json.loads(_munro(db, "indicators", "--la", one["la"], "--year", "2025", "--format", "json").stdout)
        assert one == alone
    assert [r["items"]["referral_rate"]["count"] for r in every] == [3, 1]
    # a year neither LA has a return for is refused
    done = _munro(db, "indicators", "--la", "all", "--year", "2024", "--format", "csv", "--items", "cin_rate")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"munro: no LA has a 2023-24 return loaded in {db} (loaded: 2024-25): "
                           "load one with `munro ingest` or choose a loaded year\n")


def test_population_option_overrides_the_store_for_one_run(cin, tmp_path):
    db = _store(cin, tmp_path)
    done = _munro(db, "indicators", "--la", "201", "--year", "2025", "--format", "json",
                  "--items", "referral_rate", "--population", "600")
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)["items"]["referral_rate"]
    assert (got["numerator"], got["population"], got["value"]) == (3, 600, 50.0)  # 3 / 600 * 10,000
    done = _munro(db, "indicators", "--la", "all", "--year", "2025", "--population", "600")
    assert done.returncode == 2 and "--population is one LA's" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_show_sql_prints_the_query_without_a_store(tmp_path):
    done = _munro(tmp_path / "none.duckdb", "indicators", "--show-sql", "cpp_rate", "--year", "2024",
                  "--dialect", "postgres")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("-- cpp_rate, reporting year 2024: query 1 of 1\nSELECT")
    assert 'FROM "merged_cp_plans"' in done.stdout and "MAKE_DATE(2024, 3, 31)" in done.stdout
    done = _munro(tmp_path / "none.duckdb", "indicators", "--show-sql", "s47_to_icpc_timeliness",
                  "--year", "2024", "--dialect", "mssql")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.startswith("munro: s47_to_icpc_timeliness cannot be written in mssql SQL")


def test_engine_spark_reads_an_export_folder_and_refuses_a_store(cin, tmp_path):
    db = _store(cin, tmp_path)
    done = _munro(db, "indicators", "--la", "201", "--year", "2025", "--engine", "spark")
    assert done.returncode != 0 and "not a munro export folder" in done.stderr
    folder = tmp_path / "export"
    done = _munro(db, "export", "--to", str(folder))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("exported ") and str(folder) in done.stdout
    done = _munro(folder, "indicators", "--la", "201", "--year", "2025", "--engine", "local[1]",
                  "--format", "csv", "--items", "rereferral_12m", "--population", "847")
    assert done.returncode == 0, done.stderr
    row = next(csv.DictReader(io.StringIO(done.stdout)))
    # A1's second referral 10 days after the first: 1 re-referral of 3 referrals
    assert (row["numerator"], row["denominator"]) == ("1", "3")
