"""The ``munro`` command line, run in a subprocess as a user runs it."""

from __future__ import annotations

import re

import pytest

LOADED = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@pytest.fixture
def files(cin, write):
    """Two good returns (LA 201 2022-23, LA 330 2024-25) and a different LA 201 2022-23 return."""
    a = write("la201_2023.xml", cin.xml(2023, [
        cin.Child(id="C1", episodes=[
            cin.Episode(referral="2022-05-01", closure="2022-06-01", reason="RC8",
                        assessments=[cin.Assessment("2022-05-02", auth="2022-05-30")]),
            cin.Episode(referral="2022-09-01", assessments=[cin.Assessment("2022-09-02")],
                        s47=[cin.S47("2022-09-03", icpc="2022-09-20")], plans=[cin.Plan("2022-09-20")]),
        ]),
        cin.Child(id="C2", episodes=[cin.Episode(referral="2022-10-01", need=None, nfa="1")]),
    ]))
    b = write("la330_2025.xml", cin.xml(2025, [
        cin.Child(id="W1", ethnicity="XXXX", episodes=[cin.Episode(referral="2024-06-01", assessments=[
            cin.Assessment("2024-06-02", factors=["18A", "19A", "1A"])])]),
    ], la="330"))  # dated 31 March: a ReferenceDate of 30 March is now an in-year extract's (issue 22)
    a2 = write("la201_2023_resubmitted.xml", cin.xml(2023, [cin.Child(id="C1")]))
    return a, b, a2


def _without_validation(stdout: str) -> list[str]:
    """Ingest's lines without the validation counts that close a loaded return's line (those are
    worked out for a2 in test_ingest_again_replace_and_reinstate, and rule by rule in tests/validate)."""
    return [re.sub(r"; validation: \d+ errors, \d+ queries$", "", line) for line in stdout.splitlines()]


A_COUNTS = "2 children, 3 episodes, 2 assessments, 1 section 47 enquiries, 1 plans, 0 warnings"
B_COUNTS = "1 children, 1 episodes, 1 assessments, 0 section 47 enquiries, 0 plans, 3 warnings"


def test_ingest_prints_one_summary_per_file(munro, files, db):
    a, b, _ = files
    run = munro("--db", db, "ingest", a, b)
    assert (run.returncode, run.stderr) == (0, "")
    lines = _without_validation(run.stdout)
    assert lines[0] == f"{a}: loaded as return 1 (LA 201, 2022-23): {A_COUNTS}"
    assert lines[1] == f"{b}: loaded as return 2 (LA 330, 2024-25): {B_COUNTS}"
    # Then the warnings of b, the most frequent first.
    assert lines[2] == "  warning: AssessmentFactors: code not in the 2024-25 code list (x2)"
    assert sorted(lines[3:]) == ["  warning: Ethnicity: code not in the 2024-25 code list"]


def test_ingest_again_replace_and_reinstate(munro, files, db):
    a, b, a2 = files
    munro("--db", db, "ingest", a, b)
    run = munro("--db", db, "ingest", a, b)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines() == [
        f"{a}: unchanged (already loaded) as return 1 (LA 201, 2022-23): {A_COUNTS}",
        f"{b}: unchanged (already loaded) as return 2 (LA 330, 2024-25): {B_COUNTS}",
    ]
    run = munro("--db", db, "ingest", a2)
    assert run.stdout.splitlines() == [
        f"{a2}: replaced as return 3 (LA 201, 2022-23): 1 children, 1 episodes, 0 assessments, "
        # a2's child has no disability record (error 8540), no disability codes are used (query
        # 2887Q), and the child, over 5, has neither a UPN nor a reason (query 8770Q).
        "0 section 47 enquiries, 0 plans, 0 warnings; validation: 1 errors, 2 queries; return 1 is now superseded"]
    run = munro("--db", db, "ingest", a)
    assert run.stdout.splitlines() == [
        f"{a}: reinstated as return 1 (LA 201, 2022-23): {A_COUNTS}; return 3 is now superseded"]


def test_returns_lists_current_and_all(munro, files, db):
    a, b, a2 = files
    munro("--db", db, "ingest", a, b, a2)
    run = munro("--db", db, "returns")
    assert (run.returncode, run.stderr) == (0, "")
    lines = run.stdout.splitlines()
    assert [line.split() for line in lines] == [
        ["id", "LA", "year", "status", "children", "episodes", "plans", "warnings", "loaded", "file"],
        ["3", "201", "2022-23", "current", "1", "1", "0", "0", *lines[1].split()[8:10], a2.name],
        ["2", "330", "2024-25", "current", "1", "1", "0", "3", *lines[2].split()[8:10], b.name],
    ]
    assert all(LOADED.search(line) for line in lines[1:])
    # Columns line up: every row's file name starts where the header's "file" does.
    assert {line.index(name) for line, name in zip(lines[1:], (a2.name, b.name))} == {lines[0].index("file")}
    run = munro("--db", db, "returns", "--all")
    assert [line.split()[:8] for line in run.stdout.splitlines()[1:]] == [
        ["3", "201", "2022-23", "current", "1", "1", "0", "0"],
        ["1", "201", "2022-23", "superseded", "2", "3", "1", "0"],
        ["2", "330", "2024-25", "current", "1", "1", "0", "3"],
    ]


def test_store_location_from_option_environment_or_default(munro, munro_env, files, tmp_path):
    a, _, _ = files
    env_db, opt_db = tmp_path / "from-env.duckdb", tmp_path / "from-option.duckdb"
    env = munro_env(MUNRO_DB=str(env_db))
    run = munro("ingest", a, env=env)
    assert run.returncode == 0 and env_db.exists()
    listing = munro("returns", env=env).stdout.splitlines()
    assert len(listing) == 2 and listing[1].endswith(a.name)
    # --db wins over MUNRO_DB
    run = munro("--db", opt_db, "returns", env=env)
    assert run.returncode == 2 and str(opt_db) in run.stderr
    munro("--db", opt_db, "ingest", a, env=env)
    assert opt_db.exists()
    # neither: ./munro.duckdb in the working folder
    work = tmp_path / "work"
    work.mkdir()
    run = munro("ingest", a, cwd=work)
    assert run.returncode == 0 and (work / "munro.duckdb").exists()


def test_returns_without_a_store(munro, tmp_path):
    missing = tmp_path / "nothing-here.duckdb"
    run = munro("--db", missing, "returns")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == f"munro: {missing}: no munro store here yet (load a return with 'munro ingest' first)\n"
    assert not missing.exists()


def test_returns_with_an_empty_store(munro, write, db):
    assert munro("--db", db, "ingest", write("bad.xml", "not xml")).returncode == 1
    run = munro("--db", db, "returns")
    assert (run.returncode, run.stdout, run.stderr) == (0, "No returns loaded.\n", "")


def test_a_rejected_file_among_good_ones(munro, files, write, db, store):
    a, b, _ = files
    bad1 = write("bad1.xml", "LAchildID,UPN\n")
    bad2 = write("bad2.xml", b"")
    run = munro("--db", db, "ingest", bad1, a, bad2, b)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"rejected {bad1}: not an XML file (it does not start with '<'); it looks like a CSV file (comma-separated "
        "text): if it is a local record, its header row must match a layout in docs/local-data.md; a CIN census "
        "return is an XML file",
        f"rejected {bad2}: the file is empty (0 bytes): copy or export the return again; a CIN census return is "
        "an XML file",
    ]
    out = _without_validation(run.stdout)
    assert out[0] == f"{a}: loaded as return 1 (LA 201, 2022-23): {A_COUNTS}"
    assert out[1] == f"{b}: loaded as return 2 (LA 330, 2024-25): {B_COUNTS}"
    assert "Traceback" not in run.stderr + run.stdout
    assert store.query(db, "SELECT return_id, file_name FROM returns ORDER BY 1") == [(1, a.name), (2, b.name)]


def test_schema_year_option(munro, cin, write, db):
    old_format = write("old.xml", cin.xml(2025).replace("<Sex>M</Sex>", "<GenderCurrent>1</GenderCurrent>"))
    run = munro("--db", db, "ingest", old_format)
    assert run.returncode == 1 and "<GenderCurrent> is not part of the 2024-25 format" in run.stderr
    run = munro("--db", db, "ingest", "--schema-year", "2024", old_format)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.startswith(f"{old_format}: loaded as return 1 (LA 201, 2024-25): 1 children")
    run = munro("--db", db, "ingest", "--schema-year", "2030", old_format)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", "munro: --schema-year must be between 2013 and 2027\n")


@pytest.mark.parametrize("args,message", [
    (["ingest", "--workers", "0", "x.xml"],
     "munro ingest: Invalid value for '--workers': 0 is not in the range 1<=x<=64. (see 'munro ingest --help')"),
    (["ingest"], "munro ingest: Missing argument 'FILES...'. (see 'munro ingest --help')"),
    (["frobnicate"], "munro: No such command 'frobnicate'. (see 'munro --help')"),
])
def test_usage_errors_are_one_line(munro, db, args, message):
    run = munro("--db", db, *args)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", message + "\n")


def test_store_problems_are_one_line(munro, files, write, tmp_path):
    a, _, _ = files
    not_a_store = write("not-a-store.duckdb", "hello")
    for command in (["returns"], ["ingest", str(a)]):
        run = munro("--db", not_a_store, *command)
        assert run.returncode == 2 and run.stdout == ""
        assert run.stderr.count("\n") == 1 and run.stderr.startswith(f"munro: {not_a_store}: ")
    no_folder = tmp_path / "no" / "such" / "folder" / "s.duckdb"
    run = munro("--db", no_folder, "ingest", a)
    assert (run.returncode, run.stderr) == (2, f"munro: {no_folder}: the folder {no_folder.parent} does not exist\n")


# ---------------------------------------------------------------- a year without its return is refused


def test_an_la_year_without_its_return_is_refused_by_every_command(munro, files, db, tmp_path):
    """LA 201 has only 2022-23 loaded: its 2024-25 figures would be what the merged history happens to hold."""
    a, b, _ = files
    assert munro("--db", db, "ingest", a, b).returncode == 0
    refused = ("munro: no 2024-25 return is loaded for LA 201 City of London (loaded: 2022-23): "
               "load it with `munro ingest` or choose a loaded year\n")
    out = tmp_path / "report"
    sample = tmp_path / "sample.csv"
    for command in (["indicators", "--la", "201", "--year", "2025"],
                    ["indicators", "--la", "201", "--year", "2025", "--format", "json"],
                    ["report", "--la", "201", "--year", "2025", "--out", out, "--no-pdf"],
                    ["report", "--la", "201", "--year", "2025", "--out", out, "--with-child-lists", "--no-pdf"],
                    ["audit", "sample", "--la", "201", "--year", "2025", "--size", "1", "--out", sample]):
        run = munro("--db", db, *command)
        assert (run.returncode, run.stdout, run.stderr) == (2, "", refused), command
    assert not out.exists() and not sample.exists()  # nothing written
    # the year that is loaded is computed as before
    run = munro("--db", db, "indicators", "--la", "201", "--year", "2023", "--items", "referral_rate")
    assert run.returncode == 0 and run.stdout.startswith("LA 201, 2022-23")


def test_an_la_with_no_returns_and_a_year_no_la_has_are_refused(munro, files, db, tmp_path):
    a, b, _ = files
    assert munro("--db", db, "ingest", a, b).returncode == 0
    run = munro("--db", db, "indicators", "--la", "805", "--year", "2025")
    assert (run.returncode, run.stdout, run.stderr) == (
        2, "", f"munro: no returns for LA 805 Hartlepool are loaded in {db}: load them with `munro ingest`\n")
    nobody = (f"munro: no LA has a 2023-24 return loaded in {db} (loaded: 2022-23, 2024-25): "
              "load one with `munro ingest` or choose a loaded year\n")
    for command in (["indicators", "--la", "all", "--year", "2024"],
                    ["report", "--la", "all", "--year", "2024", "--out", tmp_path / "r", "--no-pdf"]):
        run = munro("--db", db, *command)
        assert (run.returncode, run.stdout, run.stderr) == (2, "", nobody), command
    assert not (tmp_path / "r").exists()


def test_years_as_people_write_them():
    from munro.store.returns import NoReturn, year_words, years_words

    assert year_words(2019) == "2018-19" and year_words(2000) == "1999-00"
    assert years_words([2025, 2021, 2022, 2023, 2024]) == "2020-21 to 2024-25"
    assert years_words([2019, 2021, 2022, 2023, 2025]) == "2018-19, 2020-21 to 2022-23, 2024-25"
    assert years_words([]) == "none"
    e = NoReturn("999", 2019, [2020])
    assert str(e) == ("no 2018-19 return is loaded for LA 999 (loaded: 2019-20): "
                      "load it with `munro ingest` or choose a loaded year")
    assert (e.la, e.year, e.loaded) == ("999", 2019, [2020])
