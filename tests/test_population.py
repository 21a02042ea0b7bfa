"""Population denominators: ONS estimates, overrides, many resolved at once, the CLI.

Expected figures are read by hand from
shared/reference/population/ons_mid-year_population_estimates_2012_to_2024.csv
(row time_period = Y-1 for reporting year Y, as SOURCES.md says).
"""

from __future__ import annotations

import re

import duckdb
import pytest

from munro.errors import MunroError
from munro.population import (
    Population,
    list_populations,
    population_for,
    set_population,
    unset_population,
)
from munro.store import open_store
from munro.store.schema import SCHEMA_VERSION

SERIES = "2021-Census-based series (DfE CIN release)"
WHEN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"


# ---------------------------------------------------------------- ONS figures


@pytest.mark.parametrize("la,year,value", [
    ("330", 2025, 292_859),      # Birmingham, mid-2024
    ("330", 2024, 290_047),      # Birmingham, mid-2023
    ("330", 2013, 277_338),      # Birmingham, mid-2012: the first year of the series
    ("england", 2025, 12_183_016),
    ("england", 2013, 11_403_970),
    ("201", 2023, 985),          # City of London, mid-2022
    ("909", 2023, 90_547),       # Cumbria, mid-2022: its last estimate
    ("942", 2024, 52_019),       # Cumberland, mid-2023: its first
])
def test_ons_estimate_for_mid_year_before_the_reporting_year(db, la, year, value):
    assert population_for(db, la, year) == Population(
        value, "ONS", f"ONS mid-year estimate mid-{year - 1}, {SERIES}", year - 1)


def test_needs_no_store(db):
    population_for(db, "330", 2025)
    assert not db.exists()


def test_years_past_the_series_use_the_latest_estimate_and_say_so(db):
    p = population_for(db, "330", 2027)
    assert (p.value, p.source, p.mid_year, p.estimated) == (292_859, "ONS", 2024, True)
    assert p.vintage == (f"ONS mid-year estimate mid-2024, {SERIES}; "
                         "estimated: mid-2026 is not published yet, the latest (mid-2024) is used")
    assert population_for(db, "england", 2026).value == 12_183_016


@pytest.mark.parametrize("la,year,why,hint", [
    ("330", 2012, "LA 330 (Birmingham) for 2011-12 (the packaged series starts at mid-2012)", False),
    ("england", 2010, "England for 2009-10 (the packaged series starts at mid-2012)", False),
    ("999", 2025, "LA 999 for 2024-25 (not a known English LA code)", True),
    ("909", 2025, "LA 909 (Cumbria) for 2024-25 (its estimates stop at mid-2022)", True),
    ("909", 2027, "LA 909 (Cumbria) for 2026-27 (its estimates stop at mid-2022)", True),  # never "estimated"
    ("942", 2023, "LA 942 (Cumberland) for 2022-23 (its estimates start at mid-2023)", True),
    ("837", 2016, "LA 837 (Bournemouth) for 2015-16 (none is published for it in the packaged series)", True),
])
def test_no_population_says_why(db, la, year, why, hint):
    p = population_for(db, la, year)
    reason = f"no ONS population for {why} and no override"
    if hint:
        reason += f": set one with 'munro population set --la {la} --year {year} N'"
    assert p == Population(value=None, reason=reason)


@pytest.mark.parametrize("la", ["33", "3300", "abc", "", None, "३३०"])
def test_malformed_la_is_an_error(db, la):
    with pytest.raises(MunroError, match="must be 3 digits"):
        population_for(db, la, 2025)


def test_la_spelling(db):
    assert population_for(db, " England ", 2025).value == 12_183_016
    assert population_for(db, 330, 2025).value == 292_859


# ---------------------------------------------------------------- overrides


def test_override_wins_and_unset_restores_ons(db):
    p = set_population(db, "330", 2025, 300_000, note="LA's own 2024 count", set_by="analyst")
    assert (p.value, p.source, p.mid_year, p.estimated) == (300_000, "override", 2024, False)
    assert re.fullmatch(f"override set {WHEN} by analyst: LA's own 2024 count", p.vintage)
    assert population_for(db, "330", 2025) == p
    assert population_for(db, "330", 2024).value == 290_047  # other years untouched
    restored = unset_population(db, "330", 2025)
    assert restored == population_for(db, "330", 2025) == Population(
        292_859, "ONS", f"ONS mid-year estimate mid-2024, {SERIES}", 2024)


def test_override_for_synthetic_la_and_replacing_it(db):
    set_population(db, "999", 2025, 250_000, set_by="a")
    p = set_population(db, "999", 2025, 260_000, set_by="b")
    assert p.value == 260_000 and re.fullmatch(f"override set {WHEN} by b \\(no note\\)", p.vintage)
    assert [(r["la_code"], r["year"], r["population"]) for r in list_populations(db)] == [("999", 2025, 260_000)]
    gone = unset_population(db, "999", 2025)
    assert gone.value is None and "set one with 'munro population set --la 999 --year 2025 N'" in gone.reason


def test_override_beats_an_estimated_year(db):
    set_population(db, "330", 2026, 295_000, set_by="x")
    p = population_for(db, "330", 2026)
    assert (p.value, p.source, p.estimated) == (295_000, "override", False)


@pytest.mark.parametrize("kwargs,message", [
    (dict(la="33"), "local authority code '33' must be 3 digits, such as 330 (or 'england')"),
    (dict(year=2030), "year 2029-30 is outside the CIN census years, 2012-13 to 2026-27"),
    (dict(year=2012), "year 2011-12 is outside the CIN census years, 2012-13 to 2026-27"),
    (dict(year="2025"), "year '2025' must be a reporting year such as 2025 (for 2024-25)"),
    (dict(population=0), "population must be a whole number above 0, not 0"),
    (dict(population=-5), "population must be a whole number above 0, not -5"),
    (dict(population=2.5), "population must be a whole number above 0, not 2.5"),
    (dict(population=True), "population must be a whole number above 0, not True"),
    (dict(population=10**9),
     "population 1,000,000,000 is not plausible for children aged 0-17 (more than 100,000,000)"),
    (dict(note="two\nlines"), "the note must be one line of text (no line breaks or control characters)"),
    (dict(note="x" * 501), "the note is 501 characters long; at most 500 are kept"),
])
def test_bad_override_is_refused_and_changes_nothing(db, kwargs, message):
    args = dict(la="999", year=2025, population=1000, note=None) | kwargs
    with pytest.raises(MunroError) as e:
        set_population(db, **args)
    assert str(e.value) == message
    assert list_populations(db) == []


def test_unset_without_override_is_an_error(db):
    with pytest.raises(MunroError,
                       match=r"^no population override for LA 330 \(Birmingham\) for 2024-25: nothing to unset$"):
        unset_population(db, "330", 2025)
    assert not db.exists()  # no store made just to say so
    set_population(db, "999", 2025, 1000)
    with pytest.raises(MunroError, match="nothing to unset"):
        unset_population(db, "999", 2024)


def test_list_populations(db):
    assert list_populations(db) == []
    set_population(db, "999", 2025, 250_000, note="synthetic", set_by="a")
    set_population(db, "330", 2025, 300_000, set_by="b")
    set_population(db, "england", 2026, 12_300_000, set_by="c")
    rows = list_populations(db)
    assert [(r["la_code"], r["la_name"], r["year"], r["population"], r["ons_population"], r["note"], r["set_by"])
            for r in rows] == [
        ("330", "Birmingham", 2025, 300_000, 292_859, None, "b"),
        ("999", None, 2025, 250_000, None, "synthetic", "a"),
        ("england", "England", 2026, 12_300_000, 12_183_016, None, "c"),  # the estimate it replaces
    ]
    assert all(r["set_at"] is not None for r in rows)
    assert [r["la_code"] for r in list_populations(db, la="999")] == ["999"]


def test_connection_or_path(db):
    set_population(db, "999", 2025, 250_000)
    con = open_store(db, read_only=True)
    try:
        assert population_for(con, "999", 2025).value == 250_000
    finally:
        con.close()


def test_store_of_schema_1_gets_the_table(db):
    con = open_store(db)
    con.execute("DROP TABLE population_overrides")
    con.execute("UPDATE munro_meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    # Read-only cannot upgrade: a schema-1 store simply has no overrides.
    assert population_for(db, "330", 2025).source == "ONS"
    assert list_populations(db) == []
    set_population(db, "330", 2025, 1)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT value FROM munro_meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),)
    finally:
        con.close()
    assert population_for(db, "330", 2025).value == 1


# ---------------------------------------------------------------- many at once


def population_table(db_or_con, las, years):
    """Each LA x year's ``population_for`` as an Arrow table, sorted by LA then year: many checked at once.
    (munro's own ``population_table``, which only tests used, was removed: the engines resolve each LA and year
    with ``population_among``.)"""
    import pyarrow as pa

    cols = {c: [] for c in ("la_code", "year", "population", "source", "vintage", "mid_year", "estimated", "reason")}
    for la in sorted([las] if isinstance(las, str) else las):
        for year in sorted([years] if isinstance(years, int) else years):
            p = population_for(db_or_con, la, year)
            for c, v in (("la_code", la), ("year", year), ("population", p.value), ("source", p.source),
                         ("vintage", p.vintage), ("mid_year", p.mid_year), ("estimated", int(p.estimated)),
                         ("reason", p.reason)):
                cols[c].append(v)
    return pa.table(cols)



def test_population_table(db):
    set_population(db, "999", 2025, 250_000, note="synthetic", set_by="t")
    t = population_table(db, las=["999", "330", "england", "909"], years=[2025, 2024, 2027])
    assert t.column_names == ["la_code", "year", "population", "source", "vintage", "mid_year", "estimated", "reason"]
    rows = {(r["la_code"], r["year"]): r for r in t.to_pylist()}
    assert list(rows) == [(la, y) for la in ("330", "909", "999", "england") for y in (2024, 2025, 2027)]
    assert [(rows[k]["population"], rows[k]["source"], rows[k]["mid_year"], rows[k]["estimated"]) for k in (
        ("330", 2024), ("330", 2025), ("330", 2027), ("909", 2024), ("999", 2025), ("england", 2025))] == [
        (290_047, "ONS", 2023, 0), (292_859, "ONS", 2024, 0), (292_859, "ONS", 2024, 1),
        (None, None, None, 0), (250_000, "override", 2024, 0), (12_183_016, "ONS", 2024, 0)]
    # Each row is exactly what population_for gives for it.
    for (la, year), r in rows.items():
        p = population_for(db, la, year)
        assert (r["population"], r["source"], r["vintage"], r["mid_year"], bool(r["estimated"]), r["reason"]) == (
            p.value, p.source, p.vintage, p.mid_year, p.estimated, p.reason)


# ---------------------------------------------------------------- the CLI


def test_cli_set_show_list_unset(munro, db):
    run = munro("--db", db, "population", "set", "--la", "999", "--year", "2025", "250,000", "--note", "synthetic LA")
    assert (run.returncode, run.stderr) == (0, "")
    lines = run.stdout.splitlines()
    assert lines[:2] == ["LA 999, 2024-25: 250,000", "  source: override"]
    assert re.fullmatch(f"  vintage: override set {WHEN} by .+: synthetic LA", lines[2])

    run = munro("--db", db, "population", "show", "--la", "330", "--year", "2025")
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines() == ["LA 330 (Birmingham), 2024-25: 292,859", "  source: ONS",
                                       f"  vintage: ONS mid-year estimate mid-2024, {SERIES}"]

    munro("--db", db, "population", "set", "--la", "330", "--year", "2025", "300000")
    run = munro("--db", db, "population", "list")
    assert (run.returncode, run.stderr) == (0, "")
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["LA", "name", "year", "population", "ONS", "set", "at", "set", "by", "note"]
    assert lines[1].split()[:5] == ["330", "Birmingham", "2024-25", "300,000", "292,859"]
    assert lines[2].split()[:5] == ["999", "-", "2024-25", "250,000", "none"]
    assert lines[2].endswith("synthetic LA") and lines[0].index("note") == lines[2].index("synthetic LA")
    assert len(lines) == 3

    run = munro("--db", db, "population", "unset", "--la", "999", "--year", "2025")
    assert run.returncode == 0
    assert run.stdout.splitlines() == [
        "LA 999, 2024-25: no population",
        "  reason: no ONS population for LA 999 for 2024-25 (not a known English LA code) and no override: "
        "set one with 'munro population set --la 999 --year 2025 N'"]
    run = munro("--db", db, "population", "list", "--la", "999")
    assert run.stdout == "No population overrides.\n"


def test_cli_show_england_without_a_store(munro, db):
    run = munro("--db", db, "population", "show", "--la", "england", "--year", "2025")
    assert (run.returncode, run.stdout.splitlines()[0]) == (0, "England, 2024-25: 12,183,016")


@pytest.mark.parametrize("args,message", [
    (["set", "--la", "33", "--year", "2025", "1000"],
     "munro population set: Invalid value for '--la': no English LA has code 33: did you mean 303 Bexley, "
     "313 Hounslow or 330 Birmingham? (see 'munro population set --help')"),
    (["set", "--la", "999", "--year", "2031", "1000"],
     "munro: year 2030-31 is outside the CIN census years, 2012-13 to 2026-27"),
    (["set", "--la", "999", "--year", "2025", "0"], "munro: population must be a whole number above 0, not 0"),
    (["set", "--la", "999", "--year", "2025", "12.5"],
     "munro population set: Invalid value for 'POPULATION': '12.5' is not a whole number such as 250000 "
     "(see 'munro population set --help')"),
    (["set", "--la", "999", "--year", "2025", "1000", "--note", "a\nb"],
     "munro: the note must be one line of text (no line breaks or control characters)"),
    (["set", "--la", "999", "--year", "2024-26", "1000"],
     "munro population set: Invalid value for '--year': '2024-26' is not a reporting year: 26 does not follow "
     "2024 (did you mean 2024-25 or 2025-26?) (see 'munro population set --help')"),
    (["unset", "--la", "330", "--year", "2025"],
     "munro: no population override for LA 330 (Birmingham) for 2024-25: nothing to unset"),
    (["show", "--la", "Birmingam", "--year", "2025"],
     "munro population show: Invalid value for '--la': no English LA has the name 'Birmingam': did you mean "
     "330 Birmingham? (see 'munro population show --help')"),
    (["show", "--la", "330"], None),
])
def test_cli_bad_input_is_one_line(munro, db, args, message):
    run = munro("--db", db, "population", *args)
    assert run.returncode != 0 and run.stdout == ""
    assert len(run.stderr.splitlines()) == 1, run.stderr
    if message:
        assert run.stderr.rstrip("\n") == message
    assert not db.exists() or list_populations(db) == []


def test_reading_inside_the_callers_transaction(tmp_path):
    # A store without the table (schema 1, or a bare connection) must not abort the caller's transaction.
    con = duckdb.connect(str(tmp_path / "bare.duckdb"))
    con.execute("BEGIN TRANSACTION")
    assert population_table(con, las="330", years=2025)["population"].to_pylist() == [292_859]
    assert con.execute("SELECT 1").fetchone() == (1,)
    con.execute("COMMIT")
    con.close()
