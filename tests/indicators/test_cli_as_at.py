"""`munro indicators --as-at DATE [--months N]`: the command over compute_as_at and compute_series."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from test_cli_indicators import _munro, _store

NEXT_MONTH = dt.date.today() + dt.timedelta(days=31)


@pytest.fixture
def db(cin, tmp_path):
    return _store(cin, tmp_path)  # LA 201, the 2024-25 return only: three referrals in 2024-25


def test_31_march_is_the_reporting_year(db):
    year = json.loads(_munro(db, "indicators", "--la", "201", "--year", "2025", "--format", "json").stdout)
    done = _munro(db, "indicators", "--la", "201", "--as-at", "2025-03-31", "--format", "json")
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["items"] == year["items"]
    assert (got["as_at"], got["start"], got["period"], got["year"]) == ("2025-03-31", "2024-04-01", "2024-25", 2025)


def test_a_mid_year_date_says_what_it_needs(db):
    done = _munro(db, "indicators", "--la", "201", "--as-at", "2024-10-31", "--items", "referral_rate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("LA 201, 12 months to 31 October 2024 (returns loaded: 2024-25)")
    # 2024-25's return covers 31 October 2024; the months before 1 April 2024 need 2023-24's
    assert "needs the 2024 return (for the months before 1 April 2024)" in done.stdout


def test_a_series_as_csv_json_and_table(db):
    args = ("indicators", "--la", "201", "--as-at", "2025-03-31", "--months", "2", "--items", "referral_rate")
    rows = list(csv.DictReader(io.StringIO(_munro(db, *args, "--format", "csv").stdout)))
    assert [(r["as_at"], r["start"], r["year"], r["item"]) for r in rows] == [
        ("2025-02-28", "2024-03-01", "2025", "referral_rate"), ("2025-03-31", "2024-04-01", "2025", "referral_rate")]
    assert rows[0]["value"] == "" and rows[0]["reason"] == "needs the 2024 return (for the months before 1 April 2024)"
    assert rows[1]["count"] == "3"  # the three referrals of 2024-25
    got = json.loads(_munro(db, *args, "--format", "json").stdout)
    assert (got["la"], got["as_at"], got["months"], [p["as_at"] for p in got["periods"]]) == (
        "201", "2025-03-31", 2, ["2025-02-28", "2025-03-31"])
    assert got["periods"][1]["items"]["referral_rate"]["count"] == 3 and "munro_version" in got
    table = _munro(db, *args).stdout.splitlines()
    assert table[0].startswith("LA 201, rolling 12 months at 2 points to 31 March 2025")
    assert table[-2].startswith("  2025-02-28") and "needs the 2024 return" in table[-2]
    assert table[-1] == "  2025-03-31  35.4 per 10k  3 of 847"  # 3 / 847 (ONS, mid-2024) x 10,000


@pytest.mark.parametrize("args, message", [
    (("--as-at", "2025-02-29"), "'2025-02-29' is not a date in the calendar"),
    (("--as-at", "Oct 2025"), "is not a date: give one as YYYY-MM-DD or DD/MM/YYYY"),
    (("--as-at", "2025-03-31", "--year", "2025"), "--as-at cannot be used with --year"),
    (("--as-at", "2025-03-31", "--months", "37"), "a series has 1 to 36 months, not 37"),
    (("--as-at", "2025-03-31", "--months", "0"), "a series has 1 to 36 months, not 0"),
    (("--months", "12",), "--months needs --as-at"),
    (("--as-at", str(NEXT_MONTH)), f"{NEXT_MONTH} is in the future"),
    (("--as-at", "2020-10-31"), "2020-10-31 is before any return loaded for LA 201"),
])
def test_bad_input_is_one_line(db, args, message):
    done = _munro(db, "indicators", "--la", "201", *args)
    assert done.returncode != 0 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr


def test_a_series_is_one_las(db):
    done = _munro(db, "indicators", "--la", "all", "--as-at", "2025-03-31", "--months", "3")
    assert done.returncode != 0 and "--months is one LA's series" in done.stderr
