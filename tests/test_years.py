"""Reporting years as users write them (munro.years): one reading for every --year option and file name."""

from __future__ import annotations

import datetime as dt

import click
import pytest

from munro.cli import cli
from munro.errors import MunroError
from munro.options import YEAR, YEARS
from munro.years import (
    Period,
    census_years_check,
    parse_year,
    parse_years,
    year_end,
    year_from_name,
    year_label,
    year_of_date,
    year_start,
    year_window,
    year_words,
    years_label,
)


@pytest.mark.parametrize("text", ["2025", "2024-25", "2024/25", " 2024 / 25 ", "2024 - 25", 2025])
def test_three_ways_of_writing_2024_25(text):
    assert parse_year(text) == 2025


@pytest.mark.parametrize("text, message", [
    ("2024-26", "'2024-26' is not a reporting year: 26 does not follow 2024 (did you mean 2024-25 or 2025-26?)"),
    ("2024-24", "'2024-24' is not a reporting year: 24 does not follow 2024 (did you mean 2023-24 or 2024-25?)"),
    ("2099-05", "'2099-05' is not a reporting year: 05 does not follow 2099 (did you mean 2004-05?)"),
    ("2024-2025", "'2024-2025' is a range of years: give one reporting year such as 2025, 2024-25 or 2024/25 "
                  "(all three mean 2024-25)"),
    ("1999", "'1999' is not a reporting year such as 2025, 2024-25 or 2024/25 (all three mean 2024-25)"),
    ("24-25", "'24-25' is not a reporting year such as 2025, 2024-25 or 2024/25 (all three mean 2024-25)"),
    ("twenty", "'twenty' is not a reporting year such as 2025, 2024-25 or 2024/25 (all three mean 2024-25)"),
    ("", "'' is not a reporting year such as 2025, 2024-25 or 2024/25 (all three mean 2024-25)"),
    # A slash joins a year only to the two digits of its end; with four it is neither one year nor a range.
    ("2024/2025", "'2024/2025' is not a reporting year such as 2025, 2024-25 or 2024/25 (all three mean 2024-25)"),
    ("2024/26", "'2024/26' is not a reporting year: 26 does not follow 2024 (did you mean 2024-25 or 2025-26?)"),
    ("2099/00", "'2099/00' is not a reporting year such as 2025, 2024-25 or 2024/25 (all three mean 2024-25)"),
])
def test_what_is_not_one_year_says_why(text, message):
    with pytest.raises(MunroError) as info:
        parse_year(text)
    assert str(info.value) == message


@pytest.mark.parametrize("text, years", [
    ("2021-2025", [2021, 2022, 2023, 2024, 2025]),  # four digits each side: a range
    ("2024-2025", [2024, 2025]),
    ("2024-25", [2025]),  # two digits that follow: one year
    ("2024/25", [2025]),
    ("2023,2024", [2023, 2024]),
    ("2025, 2022-23, 2020-2021", [2020, 2021, 2023, 2025]),
    ("2025", [2025]),
])
def test_lists_and_ranges_of_years(text, years):
    assert parse_years(text) == years


@pytest.mark.parametrize("text, message", [
    ("2025-2021", "'2025-2021' is not a range of years: 2021 is before 2025"),
    ("2021-25", "'2021-25' is not a reporting year: 25 does not follow 2021 (did you mean 2021-22 or 2024-25?); "
                "a range is written with four-digit years, such as 2021-2025"),
    ("x", "'x' is not a year such as 2025, 2024-25 or 2024/25 (all three mean 2024-25), a range such as "
          "2021-2025, or a comma list of them"),
])
def test_a_bad_list_of_years_says_why(text, message):
    with pytest.raises(MunroError) as info:
        parse_years(text)
    assert str(info.value) == message


@pytest.mark.parametrize("name, year", [
    ("SSDA903 episodes 2024-25", 2025),  # the file: read as 2023-24 before
    ("ssda903_episodes_330_2025", 2025),  # the LA code is three digits: never a year
    ("cp_visits_2024_25", 2025),
    ("cp visits 2024-2025", 2025),
    ("cp_visits_2024_2025", 2025),
    ("Core groups 2024 to 2025", 2025),
    ("core_groups_24-25", 2025),
    ("core groups 24_25", 2025),
    ("x_2025_2026", 2026),
    ("visits_2021-2025", None),  # a range names no one year
    ("visits_2425", None),  # four digits that are not 20xx: not a year
    ("visits", None),
    ("visits 12", None),  # a lone two-digit number
    ("visits 2025-03-31 10_11", 2025),  # a date's year counts before a two-digit pair (a time here)
    ("episodes 2023-24 extracted 2025-01-15", 2024),  # a pair led by four digits counts before a lone year
    ("ssda903_header_999_2024", 2024),
    ("visits 1999-00", None),  # not a year munro reads
])
def test_the_year_in_a_file_name(name, year):
    assert year_from_name(name) == year


def test_labels_and_the_year_of_a_date():
    assert (year_label(2025), year_label(2000), year_label(2010)) == ("2024-25", "1999-00", "2009-10")
    assert [year_of_date(dt.date(*d)) for d in ((2024, 3, 31), (2024, 4, 1), (2025, 3, 31), (2025, 4, 1))] == [
        2024, 2025, 2025, 2026]


def test_a_period_says_in_the_year_or_in_its_12_months():
    assert Period.of_year(2025).in_words == "in the year"
    assert Period(dt.date(2025, 3, 31)).in_words == "in the year"
    assert Period(dt.date(2025, 10, 31)).in_words == "in the 12 months to 31 October 2025"


def _options(command=cli, path="munro"):
    for p in command.params:
        if isinstance(p, click.Option):
            yield path, p
    for name, sub in getattr(command, "commands", {}).items():
        yield from _options(sub, f"{path} {name}")


def test_every_year_option_of_every_command_reads_years_the_same_way():
    found = {(path, p.opts[0]): p.type for path, p in _options()
             if p.opts[0] in ("--year", "--years", "--ruleset", "--schema-year")}
    assert len(found) == 14  # ingest, indicators, population x3, validate, benchmark, report, audit x3; synth x2
    assert {path for path, opt in found if opt == "--year"} == {
        "munro ingest", "munro indicators", "munro population set", "munro population unset",
        "munro population show", "munro benchmark", "munro report", "munro audit sample", "munro audit import",
        "munro audit results"}
    assert {k: t for k, t in found.items() if t is not YEAR} == {("munro synth", "--years"): YEARS}


@pytest.mark.parametrize("year", ["2025", "2024-25", "2024/25"])
def test_the_cli_takes_each_form(munro, db, year):
    run = munro("--db", db, "population", "show", "--la", "330", "--year", year)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines()[0] == "LA 330 (Birmingham), 2024-25: 292,859"  # written back as 2024-25


def test_the_cli_refuses_a_bad_year_in_one_line(munro, db):
    run = munro("--db", db, "indicators", "--la", "330", "--year", "2024-26")
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == ("munro indicators: Invalid value for '--year': '2024-26' is not a reporting year: 26 does "
                          "not follow 2024 (did you mean 2024-25 or 2025-26?) (see 'munro indicators --help')\n")
    assert not db.exists()


def test_synth_years_still_take_a_range(tmp_path, munro):
    run = munro("synth", "--la", "330", "--years", "2021-25", "--out", tmp_path)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == ("munro synth: Invalid value for '--years': '2021-25' is not a reporting year: 25 does not "
                          "follow 2021 (did you mean 2021-22 or 2024-25?); a range is written with four-digit "
                          "years, such as 2021-2025 (see 'munro synth --help')\n")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the window, and the forms decided (issue 21)


def test_the_window_of_a_reporting_year():
    assert year_window(2025) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert (year_start(2000), year_end(2000)) == (dt.date(1999, 4, 1), dt.date(2000, 3, 31))
    assert year_end(2024) == dt.date(2024, 3, 31)  # 2024 is a leap year: its window still ends on 31 March
    for y in (2013, 2024, 2025, 2027):  # each end is in its year, the day either side of the window is not
        first, last = year_window(y)
        assert (year_of_date(first), year_of_date(last)) == (y, y)
        assert year_of_date(first - dt.timedelta(days=1)) == y - 1
        assert year_of_date(last + dt.timedelta(days=1)) == y + 1
        # 29 February falls in the year that ends in a leap year (2023-24: 2024)
        assert (last - first).days + 1 == (366 if y % 4 == 0 else 365)


def test_the_label_reads_back_as_its_year():
    for y in (2000, 2009, 2010, 2025, 2099):
        assert parse_year(year_label(y)) == y
        assert parse_year(year_label(y).replace("-", "/")) == y
    assert year_label(2100) == "2099-00"  # written, though no reporting year munro reads
    assert (year_words(2025), year_words(2000)) == ("2024 to 2025", "1999 to 2000")  # the web's running text


def test_years_label_spans_reporting_years():
    assert years_label(2013, 2025) == "2012-13 to 2024-25"
    assert years_label(2025, 2025) == "2024-25"
    assert years_label(2000, 2010) == "1999-00 to 2009-10"


def test_census_years_check_names_the_year_and_the_span_as_dfe_writes_them():
    assert census_years_check(2025, 2013, 2027) == 2025
    with pytest.raises(MunroError, match=r"^year 2027-28 is outside the CIN census years, 2012-13 to 2026-27$"):
        census_years_check(2028, 2013, 2027)
