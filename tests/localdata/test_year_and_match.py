"""A local file's year (its name in every form, its dates when they disagree) and whether its children are the
LA's at all (refused below half, unless --force): issue 18's everyday mistakes, as a user meets them."""

from __future__ import annotations

import warnings

import pytest

from munro.errors import RejectedFile
from munro.loading import ingest_file, ingest_local_file, load_files
from munro.localdata.matching import MIN_MATCHED

KIDS = ("A1", "A2", "A3", "A4")


@pytest.fixture
def db(tmp_path, cin):
    """LA 201's 2023-24 and 2024-25 returns, each holding children A1 to A4."""
    db = tmp_path / "store.duckdb"
    for year in (2024, 2025):
        kids = [cin.Child(id=c, episodes=[cin.Episode(referral=f"{year - 1}-05-01")]) for c in KIDS]
        path = tmp_path / f"cin_201_{year}.xml"
        path.write_text(cin.xml(year, kids))
        assert ingest_file(db, path).error is None
    return db


def csv(tmp_path, name, rows, header="child_id,visit_date,seen"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def visits(*pairs):
    return [f"{child},{day},Y" for child, day in pairs]


def loads(store, db):
    return store.query(db, "SELECT load_id, kind, la_code, year, file_name, status FROM local_loads ORDER BY 1")


def refused(munro, store, db, tmp_path, args, stderr):
    """``munro --db DB ingest ARGS`` in ``tmp_path``: the one line ``stderr``, exit status 1, the store unchanged."""
    before = store.snapshot(db)
    run = munro("--db", db, "ingest", *args, cwd=tmp_path)
    assert (run.returncode, run.stdout, run.stderr) == (1, "", stderr)
    assert store.snapshot(db) == before


# ------------------------------------------------------------------ the year


EPISODES = ("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC",
            ["A1,01/05/2024,S,C2,N1,U1,,", "A2,2024-06-01,S,C2,N1,U1,01/07/2024,E11"])


def test_the_issues_file_loads_as_2024_25(db, tmp_path, munro, store):
    path = csv(tmp_path, "SSDA903 episodes 2024-25.csv", EPISODES[1], header=EPISODES[0])
    run = munro("--db", db, "ingest", path.name, cwd=tmp_path)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == ("SSDA903 episodes 2024-25.csv: loaded as local load 1 (ssda903-episodes, LA 201, 2024-25): "
                          "2 rows, 2 children\n")
    assert loads(store, db) == [(1, "ssda903-episodes", "201", 2025, "SSDA903 episodes 2024-25.csv", "current")]


@pytest.mark.parametrize("name", ["visits_2025.csv", "visits 2024-25.csv", "visits_2024_25.csv",
                                  "visits 2024-2025.csv", "visits_24-25.csv", "visits 2024 to 2025.csv"])
def test_every_form_of_the_year_in_a_name(db, tmp_path, store, name):
    got = ingest_local_file(db, csv(tmp_path, name, visits(("A1", "2024-06-03"))))
    assert (got.status, got.year) == ("loaded", 2025)


def test_the_dates_win_over_the_name_and_the_user_is_told(db, tmp_path, munro, store):
    # 3 visits, all in 2023-24: the median is the second, the latest the third
    path = csv(tmp_path, "visits_2024-25.csv", visits(("A1", "2023-06-01"), ("A2", "2023-09-15"), ("A3", "2024-01-10")))
    run = munro("--db", db, "ingest", path.name, cwd=tmp_path)
    assert run.returncode == 0
    assert run.stderr == ("munro: warning: visits_2024-25.csv: its name says 2024-25 but its dates are of 2023-24 "
                          "(half of them by 15 Sep 2023, the latest 10 Jan 2024): loaded as 2023-24\n")
    assert run.stdout == "visits_2024-25.csv: loaded as local load 1 (cp-visits, LA 201, 2023-24): 3 rows, 3 children\n"
    assert loads(store, db) == [(1, "cp-visits", "201", 2024, "visits_2024-25.csv", "current")]


def test_a_file_whose_dates_are_mostly_after_its_named_year(db, tmp_path):
    # named 2023-24; of 4 visits 3 are in 2024-25: the median (the 2nd) is 2 Apr 2024, the latest 3 Mar 2025
    path = csv(tmp_path, "visits_2024.csv", visits(("A1", "2024-03-28"), ("A2", "2024-04-02"), ("A3", "2024-09-30"),
                                                   ("A4", "2025-03-03")))
    said = []
    got = ingest_local_file(db, path, warn=said.append)
    assert (got.year, said) == (2025, [f"{path}: its name says 2023-24 but its dates are of 2024-25 (half of them by "
                                       "2 Apr 2024, the latest 3 Mar 2025): loaded as 2024-25"])


def test_dates_that_run_a_little_past_the_year_leave_it_alone(db, tmp_path):
    # an extract taken in May: a few visits of the next year, but the middle of them is in the named year
    rows = visits(*[("A1", f"2024-{m:02d}-10") for m in range(4, 13)], ("A2", "2025-01-10"), ("A2", "2025-04-10"),
                  ("A2", "2025-05-10"))
    said = []
    got = ingest_local_file(db, csv(tmp_path, "visits_2024-25.csv", rows), warn=said.append)
    assert (got.year, said) == (2025, [])


def test_year_given_stands_and_the_user_is_told(db, tmp_path, munro, store):
    path = csv(tmp_path, "visits.csv", visits(("A1", "2024-06-03"), ("A2", "2024-07-01")))
    run = munro("--db", db, "ingest", "--year", "2023/24", path.name, cwd=tmp_path)
    assert run.returncode == 0
    assert run.stderr == ("munro: warning: visits.csv: --year says 2023-24 but its dates are of 2024-25 (half of them "
                          "by 3 Jun 2024, the latest 1 Jul 2024): loaded as 2023-24, as --year says\n")
    assert loads(store, db) == [(1, "cp-visits", "201", 2024, "visits.csv", "current")]


def test_without_a_year_in_the_name_the_dates_decide(db, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to warn of
        got = ingest_local_file(db, csv(tmp_path, "visits.csv", visits(("A1", "2024-06-03"), ("A2", "2025-03-31"))))
    assert got.year == 2025


def test_no_year_anywhere_is_refused_and_nothing_loaded(db, tmp_path, munro, store):
    before = store.snapshot(db)
    # the SSDA903 header's only date is a birth date: no year in it
    path = csv(tmp_path, "header.csv", ["A1,1,01/02/2015"], header="CHILD,SEX,DOB")
    refused(munro, store, db, tmp_path, [path.name],
            "rejected header.csv: the file does not say its reporting year: give --year (2025, 2024-25 or 2024/25), "
            "or put the year in its name (docs/local-data.md)\n")
    # dates over two years (median 2023-24, latest 2024-25), no name: not a year to guess
    path = csv(tmp_path, "visits.csv", visits(("A1", "2024-03-01"), ("A2", "2024-03-02"), ("A3", "2024-06-01")))
    run = munro("--db", db, "ingest", path.name, cwd=tmp_path)
    assert run.returncode == 1 and run.stderr.startswith("rejected visits.csv: the file does not say its reporting")
    assert store.snapshot(db) == before


def test_a_returns_header_decides_over_its_name_with_a_warning(tmp_path, cin, munro, store):
    path = tmp_path / "cin_201_2024.xml"
    path.write_text(cin.xml(2025, [cin.Child(id="A1")]))
    db = tmp_path / "store.duckdb"
    run = munro("--db", db, "ingest", path.name, cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.startswith("cin_201_2024.xml: loaded as return 1 (LA 201, 2024-25)")
    assert run.stderr == ("munro: warning: cin_201_2024.xml: its name says 2023-24 but its header's collection year "
                          "is 2024-25: loaded as 2024-25\n")
    assert store.query(db, "SELECT collection_year FROM returns") == [(2025,)]


def test_the_library_warns_through_python_by_default(db, tmp_path):
    path = csv(tmp_path, "visits_2024-25.csv", visits(("A1", "2023-06-01")))
    with pytest.warns(UserWarning, match=r"its name says 2024-25 but its dates are of 2023-24"):
        assert ingest_local_file(db, path).year == 2024


def test_ingest_all_reads_a_year_as_the_cli_does(db, tmp_path):
    path = csv(tmp_path, "visits.csv", visits(("A1", "2024-06-03")))
    [got] = load_files(db, [path], year="2024-25")
    assert (got.error, got.year) == (None, 2025)


# ------------------------------------------------------------------ the children: is it this LA's file?


def test_another_las_file_is_refused_with_the_match_rate(db, tmp_path, munro, store):
    assert MIN_MATCHED == 0.5
    path = csv(tmp_path, "visits_2025.csv", visits(("A1", "2024-06-03"), ("X1", "2024-06-04"), ("X2", "2024-06-05"),
                                                   ("X3", "2024-06-06"), ("X3", "2024-06-20")))
    refused(munro, store, db, tmp_path, ["--la", "201", path.name],
            "rejected visits_2025.csv: 1 of 4 children (25%) match LA 201's CIN census returns for 2024-25 and "
            "2023-24: is it another LA's file? Check --la, or load it with --force; nothing was loaded\n")
    assert not (tmp_path / "visits_2025.csv.unmatched.csv").exists()

    run = munro("--db", db, "ingest", "--la", "201", path.name, "--force", cwd=tmp_path)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == ("visits_2025.csv: loaded as local load 1 (cp-visits, LA 201, 2024-25): 5 rows, 4 children, "
                          "3 not in the CIN census (listed in visits_2025.csv.unmatched.csv)\n")
    assert loads(store, db) == [(1, "cp-visits", "201", 2025, "visits_2025.csv", "current")]


def test_half_is_enough(db, tmp_path):
    got = ingest_local_file(db, csv(tmp_path, "visits_2025.csv", visits(("A1", "2024-06-03"), ("X1", "2024-06-04"))))
    assert (got.status, got.children, got.unmatched) == ("loaded", 2, 1)


def test_the_year_before_counts_and_a_thousand_children_read_with_commas(db, tmp_path, store):
    # a 2025-26 file (no 2025-26 return yet): matched against 2024-25's; 4 of 1,200 children match
    rows = visits(*[(f"A{i}", "2025-06-03") for i in range(1, 5)], *[(f"Z{i}", "2025-06-03") for i in range(1, 1197)])
    path = csv(tmp_path, "visits_2026.csv", rows)
    before = store.snapshot(db)
    with pytest.raises(RejectedFile) as info:
        ingest_local_file(db, path)
    assert str(info.value) == (f"{path}: 4 of 1,200 children (0.3%) match LA 201's CIN census returns for 2024-25: "
                               "is it another LA's file? Check --la, or load it with --force; nothing was loaded")
    assert store.snapshot(db) == before


def test_another_year_with_neither_return_is_matched_against_every_year(db, tmp_path):
    # 2020-21 visits of the same children: no 2020-21 or 2019-20 return, so the 2023-24 and 2024-25 ones count
    got = ingest_local_file(db, csv(tmp_path, "visits_2021.csv", visits(("A1", "2020-06-03"))))
    assert (got.status, got.year, got.unmatched) == ("loaded", 2021, 0)


def test_an_la_with_no_return_at_all(db, tmp_path, munro, store):
    path = csv(tmp_path, "visits_2025.csv", visits(("A1", "2024-06-03")))
    refused(munro, store, db, tmp_path, ["--la", "hartlepool", path.name],
            "rejected visits_2025.csv: LA 805 has no CIN census return loaded to match the file's children against: "
            "load its returns first, or load the file with --force; nothing was loaded\n")


def test_own_figures_have_no_children_to_match(db, tmp_path):
    path = csv(tmp_path, "own_figures_2025.csv", ["sw_vacancy_rate,,12.5,,,LA workforce return"],
               header="item_id,figure,value,numerator,denominator,source")
    got = ingest_local_file(db, path, la="805")  # LA 805 has no return: nothing to match, nothing refused
    assert (got.status, got.la, got.year, got.children) == ("loaded", "805", 2025, None)


def test_a_file_loaded_again_is_not_matched_again(db, tmp_path):
    path = csv(tmp_path, "visits_2025.csv", visits(("X1", "2024-06-03")))
    assert ingest_local_file(db, path, force=True).status == "loaded"
    assert ingest_local_file(db, path).status == "unchanged (already loaded)"
