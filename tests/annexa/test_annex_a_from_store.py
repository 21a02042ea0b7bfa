"""``munro annex-a``: lists 3 to 7 from the store, as an extract on the as-at date would list them.

A small store is built by hand: two returns of LA 201 (2023-24 and 2024-25, each holding what was known on
its 31 March) with five children whose referrals, assessments, enquiries and plans fall before, in and
after the 6 months to 31 December 2024 (1 July to 31 December 2024), and their allocations and visits.
The rows each list should hold are worked out below, record by record, from the story of each child.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os

import pytest
import sqlalchemy as sa

from munro import __version__
from munro.annexa import read_annex_a
from munro.errors import MunroError
from munro.report.annex_a import annex_a_lists

D = dt.date
AS_AT = D(2024, 12, 31)


def _returns(cin):
    """(2023-24 return, 2024-25 return) of the five children."""
    C, E, A, S, P = cin.Child, cin.Episode, cin.Assessment, cin.S47, cin.Plan
    y2024 = [
        # C1: referred in February 2024 (before the months), enquiry, conference and plan in March
        C(id="C1", birth="2015-05-01", gender="2", disabilities=["NONE"], episodes=[
            E(referral="2024-02-10", source="6", icpc="2024-03-15",
              assessments=[A("2024-02-12", auth="2024-03-20")],
              s47=[S("2024-03-01", icpc="2024-03-15")], plans=[P("2024-03-15")])]),
        # C2: an episode of need that closed before the months
        C(id="C2", birth="2010-01-15", gender="1", ethnicity="APKN", disabilities=["AUT"], episodes=[
            E(referral="2023-06-01", source="1A", need="N2", cin_plans=[cin.CinPlan("2023-07-01")])]),
        # C4: on a plan since January 2023, open throughout
        C(id="C4", birth="2012-03-03", gender="2", ethnicity="BAFR", episodes=[
            E(referral="2022-05-01", source="5A", plans=[P("2023-01-10", initial="PHY", latest="PHY", previous="1",
                                                           reviews=["2023-04-01", "2023-10-01"])])]),
        # C5: a plan and an episode that ended before the months
        C(id="C5", birth="2016-08-08", gender="1", episodes=[
            E(referral="2023-05-01", source="4", icpc="2023-06-01", s47=[S("2023-05-10", icpc="2023-06-01")],
              plans=[P("2023-06-01")])]),
    ]
    y2025 = [
        C(id="C1", birth="2015-05-01", sex="F", disabilities=["NONE"], episodes=[
            E(referral="2024-02-10", source="6", icpc="2024-03-15", closure="2024-08-20", reason="RC2",
              plans=[P("2024-03-15", end="2024-08-20", reviews=["2024-06-01"])]),
            # referred again in November: its assessment is authorised, and its conference held, after the date
            E(referral="2024-11-05", source="1A", icpc="2025-01-10",
              assessments=[A("2024-11-06", auth="2025-01-20")],
              s47=[S("2024-11-20", icpc="2025-01-10")], plans=[P("2025-01-10")])]),
        C(id="C2", birth="2010-01-15", sex="M", ethnicity="APKN", disabilities=["AUT"], episodes=[
            E(referral="2023-06-01", source="1A", need="N2", closure="2024-06-15", reason="RC2",
              cin_plans=[cin.CinPlan("2023-07-01", end="2024-06-15")]),
            # on the months' first day: no further action
            E(referral="2024-07-01", source="2A", need=None, nfa="true", closure="2024-07-01", reason="RC2"),
            # assessed, enquiry without a conference, closed as no further action after the assessment
            E(referral="2024-09-01", source="3A", closure="2024-10-12", reason="RC8",
              assessments=[A("2024-09-02", auth="2024-10-10")], s47=[S("2024-09-05", not_required="true")])]),
        # C3: referred before birth, born after the date
        C(id="C3", birth="2025-02-03", sex="F", episodes=[
            E(referral="2024-12-20", source="3B", assessments=[A("2024-12-21", auth="2025-02-15")])]),
        C(id="C4", birth="2012-03-03", sex="F", ethnicity="BAFR", episodes=[
            E(referral="2022-05-01", source="5A", closure="2025-03-10", reason="RC4",
              plans=[P("2023-01-10", end="2025-02-15", initial="PHY", latest="EMO", previous="1",
                       reviews=["2024-04-01", "2024-10-01", "2025-02-01"])])]),
        C(id="C5", birth="2016-08-08", sex="M", episodes=[
            E(referral="2023-05-01", source="4", icpc="2023-06-01", closure="2024-06-30", reason="RC2",
              plans=[P("2023-06-01", end="2024-05-01")])]),
    ]
    return cin.xml(2024, y2024), cin.xml(2025, y2025)


ALLOCATIONS = """child_id,worker_id,start_date,end_date
C1,W1,2024-02-12,2024-08-20
C1,W2,2024-11-07,
C2,W3,2024-09-03,2024-10-12
C4,W4,2023-01-01,2024-09-30
C4,W5,2024-10-01,2025-01-31
C3,W6,2025-01-05,
"""
VISITS = """child_id,visit_date,seen,seen_alone
C1,2024-08-01,1,0
C4,2024-12-10,1,1
C4,2024-12-20,0,
C4,2025-01-05,1,0
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory, cin):
    folder = tmp_path_factory.mktemp("annex-a-out")
    db = folder / "store.duckdb"
    files = []
    for name, text in zip(("cin_201_2024.xml", "cin_201_2025.xml"), _returns(cin), strict=True):
        files.append(folder / name)
        files[-1].write_text(text)
    for name, text in (("sw_allocations_201_2025.csv", ALLOCATIONS), ("cp_visits_201_2025.csv", VISITS)):
        files.append(folder / name)
        files[-1].write_text(text)
    from munro.loading import load_files

    for outcome in load_files(db, files):
        assert outcome.error is None, outcome.error
    return folder, db


# The children as the lists show them on the date: gender (GenderCurrent's codes), ethnicity, birth, disabled.
C1 = ("C1", "2", "WBRI", D(2015, 5, 1), False)
C2 = ("C2", "1", "APKN", D(2010, 1, 15), True)
C3 = ("C3", "0", "NOBT", None, False)  # not yet born on the date: no disability
C4 = ("C4", "2", "BAFR", D(2012, 3, 3), None)  # no disabilities recorded
CHILD = ("child_id", "gender", "ethnicity", "birth_date", "disabled")

EXPECTED = {
    3: (("referral_date", "referral_source", "referral_nfa", "referrals_12m", "team", "worker"), [
        (*C2[:4], D(2024, 7, 1), "2A", True, 2, None, None),  # no allocation open that day
        (*C2[:4], D(2024, 9, 1), "3A", False, 2, None, "W3"),
        (*C1[:4], D(2024, 11, 5), "1A", False, 2, None, "W2"),  # February's referral is in the 12 months
        (*C3[:4], D(2024, 12, 20), "3B", False, 1, None, None),  # the worker came after the date
    ]),
    4: (("start_date", "seen", "authorisation_date", "needs_support", "team", "worker"), [
        (*C2, D(2024, 9, 2), None, D(2024, 10, 10), False, None, "W3"),  # closed RC8 after it
        (*C1, D(2024, 11, 6), None, None, None, None, "W2"),  # authorised after the date
        (*C3, D(2024, 12, 21), None, None, None, None, None),
    ]),
    5: (("s47_date", "icpc_not_required", "icpc_date", "icpc_plan", "s47_12m", "icpc_12m", "team", "worker"), [
        (*C2, D(2024, 9, 5), True, None, None, 1, 0, None, "W3"),
        # its conference (and plan) came after the date; March's enquiry and conference are in the 12 months
        (*C1, D(2024, 11, 20), False, None, None, 2, 1, None, "W2"),
    ]),
    6: (("cin_start_date", "primary_need", "last_seen_date", "cin_closure_date", "closure_reason", "case_status",
         "team", "worker"), [
        (*C4, D(2022, 5, 1), "N1", None, None, None, "cp_plan", None, "W5"),  # closed after the date
        (*C1, D(2024, 2, 10), "N1", None, D(2024, 8, 20), "RC2", "closed", None, "W1"),
        (*C2, D(2024, 9, 1), "N1", None, D(2024, 10, 12), "RC8", "closed", None, "W3"),
        (*C1, D(2024, 11, 5), "N1", None, None, None, "open_assessment", None, "W2"),
        (*C3, D(2024, 12, 20), "N1", None, None, None, "open_assessment", None, None),
    ]),
    7: (("cpp_start_date", "initial_category", "latest_category", "last_visit_date", "seen_alone", "review_date",
         "cpp_end_date", "epo_or_police_6m", "previous_plans", "team", "worker"), [
        # ended after the date: open; February's review and January's visit not yet
        (*C4, D(2023, 1, 10), "PHY", "EMO", D(2024, 12, 10), True, D(2024, 10, 1), None, None, 1, None, "W5"),
        (*C1, D(2024, 3, 15), "NEG", "NEG", D(2024, 8, 1), False, D(2024, 6, 1), D(2024, 8, 20), None, 0, None, "W1"),
    ]),
}


def _as_rows(table, columns):
    return [tuple(r[c] for c in columns) for r in table.to_pylist()]


def test_the_cli_writes_lists_3_to_7_that_read_back_as_worked_out(built, munro, munro_env):
    folder, db = built
    out = folder / "annex" / "annex-a.xlsx"  # its folder made
    run = munro("annex-a", "--la", "201", "--as-at", "31/12/2024", "--months", "6", "--out", out,
                env=munro_env(MUNRO_DB=str(db)))
    assert run.returncode == 0, run.stderr
    annex = read_annex_a(out)
    assert (annex.findings, annex.not_found, sorted(annex.tables)) == ([], [1, 2], [3, 4, 5, 6, 7])
    for number, (columns, rows) in EXPECTED.items():
        shown = CHILD[:4] if number == 3 else CHILD
        assert _as_rows(annex.tables[number], (*shown, *columns)) == rows, f"list {number}"
    # restricted: said so, owner-only, no child's identifier on the screen
    lines = run.stdout.splitlines()
    assert lines[0] == (f"wrote {out}: Annex A of LA 201 as at 2024-12-31 (6 months from 2024-07-01): list 3 "
                        "referrals 4, list 4 assessments 3, list 5 section 47 enquiries and initial child protection "
                        "conferences 2, list 6 children in need 5, list 7 children subject of a child protection "
                        "plan 2")
    assert lines[1].startswith("RESTRICTED: the workbook holds child-level data")
    assert "'Allocated Team' of lists 3 to 7 (the social worker allocations loaded record no team)" in run.stdout
    assert lines[-1].startswith("not written: lists 1, 2 and 8 to 11")
    assert not any(f"C{i}" in run.stdout + run.stderr for i in range(1, 6))
    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o600


def test_the_ages_are_at_the_date_and_the_notes_say_what_is_blank(built, tmp_path):
    from openpyxl import load_workbook

    _, db = built
    out = tmp_path / "a.xlsx"
    from munro.report.annex_a import write_annex_a_from_store

    write_annex_a_from_store(db, "201", AS_AT, 6, out)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["List 3", "List 4", "List 5", "List 6", "List 7", "Notes"]
    ages = [row[4] for row in book["List 3"].iter_rows(min_row=2, values_only=True)]
    assert ages == [14, 14, 9, None]  # C2 born January 2010, C1 May 2015, C3 not yet born
    notes = [row[0] for row in book["Notes"].iter_rows(values_only=True)]
    assert notes[0].startswith("RESTRICTED: child-level data")
    assert notes[1:4] == [
        f"Annex A lists 3 to 7 of LA 201 as at 31/12/2024, the 6 months from 01/07/2024. Made with munro "
        f"{__version__} from the authority's own CIN census returns and local records (docs/annex-a.md, "
        "'Annex A out'). Nothing dated after the as-at date is shown.",
        "List 3 (Referrals): 4 rows.", "List 4 (Assessments): 3 rows."]
    assert "Blank: list 4, 'Child Seen During Continuous Assessment': the CIN census does not record whether the " \
           "child was seen during an assessment." in notes
    assert "Blank: list 7, 'Date of the Last Statutory Visit': " not in " ".join(notes)  # visits are loaded


def test_twelve_months_reach_back_to_january(built):
    _, db = built
    lists = annex_a_lists(db, "201", AS_AT, 12)
    assert lists.start == D(2024, 1, 1)
    # C1's February referral and March enquiry are in the 12 months; C2's episode closed in June is open in them
    assert [(r["child_id"], r["referral_date"]) for r in lists.lists[3]][:1] == [("C1", D(2024, 2, 10))]
    assert [(r["child_id"], r["s47_date"]) for r in lists.lists[5]][:1] == [("C1", D(2024, 3, 1))]
    assert ("C2", D(2023, 6, 1)) in [(r["child_id"], r["cin_start_date"]) for r in lists.lists[6]]
    assert lists.counts() == {3: 5, 4: 4, 5: 3, 6: 7, 7: 3}


def test_without_local_records_team_worker_and_visits_are_blank_and_said_so(tmp_path, cin):
    from munro.loading import load_files

    db = tmp_path / "s.duckdb"
    (tmp_path / "cin_201_2025.xml").write_text(_returns(cin)[1])
    assert [o.error for o in load_files(db, [tmp_path / "cin_201_2025.xml"])] == [None]
    lists = annex_a_lists(db, "201", D(2025, 3, 31), 6)
    assert {r["worker"] for n in lists.lists for r in lists.lists[n]} == {None}
    why = "no social worker allocations are loaded (local records, sw-allocations: docs/local-data.md)"
    assert lists.blank[5, "worker"] == why and lists.blank[7, "last_visit_date"].startswith("no child protection")


@pytest.mark.parametrize("args, message", [
    (("--la", "330", "--as-at", "2024-12-31"), "no CIN census return of LA 330 is loaded: load its returns with "
                                               "`munro ingest` first"),
    (("--la", "201", "--as-at", "2025-06-30"), "an Annex A as at 2025-06-30 covers 2024-07-01 to 2025-06-30, but "
                                               "LA 201's returns cover 2023-04-01 to 2025-03-31: give a date whose "
                                               "months they cover, or load the returns that do"),
    (("--la", "201", "--as-at", "2024-02-29", "--months", "12"), "an Annex A as at 2024-02-29 covers 2023-03-01 to "
                                                                 "2024-02-29, but LA 201's returns cover 2023-04-01 "
                                                                 "to 2025-03-31: give a date whose months they "
                                                                 "cover, or load the returns that do"),
    (("--la", "201", "--as-at", "2024-12-31", "--months", "3"), "Invalid value for '--months': '3' is not one of "
                                                                "'6', '12'."),
    (("--la", "201", "--as-at", "31/02/2025"), "Invalid value for '--as-at': "),
    (("--la", "Nowhere", "--as-at", "2024-12-31"), "Invalid value for '--la': "),
])
def test_bad_input_is_one_line_and_writes_nothing(built, munro, munro_env, tmp_path, args, message):
    _, db = built
    out = tmp_path / "a.xlsx"
    run = munro("annex-a", *args, "--out", out, env=munro_env(MUNRO_DB=str(db)))
    assert run.returncode != 0
    error = run.stderr.strip().splitlines()[-1]
    assert message in error and "Traceback" not in run.stderr
    assert not out.exists()


def test_a_file_not_named_xlsx_is_refused(built, tmp_path):
    with pytest.raises(MunroError, match=r"name the file \.xlsx"):
        from munro.report.annex_a import write_annex_a_from_store

        write_annex_a_from_store(built[1], "201", AS_AT, 6, tmp_path / "a.csv")


def test_the_audit_log_records_it(built, tmp_path, monkeypatch):
    from munro.cli import main
    from munro.local.appdb import open_app_db
    from munro.local.schema import audit_log

    _, db = built
    monkeypatch.setenv("MUNRO_APP_DB", f"sqlite:///{tmp_path / 'app.sqlite'}")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("correct horse battery staple\n"))
    main(["--db", str(db), "user", "add", "a@201.gov.uk", "--la", "201", "--role", "analyst"])
    main(["--db", str(db), "annex-a", "--la", "201", "--as-at", "2024-12-31", "--months", "6",
          "--out", str(tmp_path / "a.xlsx")])
    engine = open_app_db(store=db)
    try:
        with engine.connect() as con:
            rows = con.execute(sa.select(audit_log).order_by(audit_log.c.id)).all()
    finally:
        engine.dispose()
    assert [(r.event, r.email, r.la_code, r.detail) for r in rows][-1] == (
        "export", getpass.getuser(), "201",
        f"munro annex-a --la 201 --as-at 2024-12-31 --months 6 --out {tmp_path / 'a.xlsx'}")


# Columns the store cannot fill as the synthetic Annex A does: the synthetic allocations carry no team (the
# synthetic Annex A names each worker's), and the CIN census records neither whether a child was seen during an
# assessment nor emergency protection orders (the synthetic Annex A draws both).
NOT_FROM_THE_CENSUS = {(n, "team") for n in range(3, 8)} | {(4, "seen"), (7, "epo_or_police_6m")}


def test_the_synthetic_returns_give_the_synthetic_annex_a(tmp_path):
    """The same children, two ways: ``munro synth --annex-a`` writes their Annex A from their journeys, and
    ``munro annex-a`` from their returns and allocations once loaded. Every list has the same rows, in the same
    order, with the same values but for the columns above and the few rows ``explained`` says."""
    from munro.loading import load_files
    from munro.report.annex_a import write_annex_a_from_store
    from munro.synth import generate

    as_at = D(2025, 10, 31)
    results = generate("999", [2024, 2025, 2026], tmp_path / "synth", population=4000, seed=5, annex_a=as_at,
                       annex_a_months=6)
    files = [r.path for r in results] + [p for r in results for p in r.local.values()]
    db = tmp_path / "store.duckdb"
    assert [o.error for o in load_files(db, files) if o.error] == []
    out, _ = write_annex_a_from_store(db, "999", as_at, 6, tmp_path / "out.xlsx")
    ours, synthetic = read_annex_a(out), read_annex_a(results[-1].annex_a)
    assert ours.findings == []
    differences = []
    for n in (3, 4, 5, 6, 7):
        mine, theirs = ours.tables[n].to_pylist(), synthetic.tables[n].to_pylist()
        assert len(mine) == len(theirs) > 10, n
        for a, b in zip(mine, theirs, strict=True):
            differences += [(n, col, a[col], b[col]) for col in a
                            if (n, col) not in NOT_FROM_THE_CENSUS and a[col] != b[col]]
    explained = {
        # concluded after the date without a conference: the return of 31 March says "not required", undated
        (5, "icpc_not_required", True, False),
        # a short period of care during a plan (local_records.py) is in the SSDA903 episodes loaded, and the
        # template's case status puts looked after first; the synthetic Annex A reads only the journey's own care
        (6, "case_status", "looked_after", "cp_plan"),
    }
    assert set(differences) <= explained
    assert len(differences) < ours.tables[6].num_rows / 20


def test_the_allocations_team_fills_allocated_team_once_they_carry_one(built, tmp_path):
    """Allocations that record a team (the layout's optional ``team``) fill "Allocated Team"."""
    import shutil

    import duckdb

    from munro.localdata.layouts import SW_ALLOCATIONS
    from munro.localdata.schema import merged_select

    db = tmp_path / "teams.duckdb"
    shutil.copy(built[1], db)
    con = duckdb.connect(str(db))
    con.execute("CREATE OR REPLACE VIEW merged_sw_allocations AS SELECT m.* EXCLUDE (team), "
                "CASE m.worker_id WHEN 'W3' THEN 'Assessment' ELSE 'Child protection' END AS team "
                f"FROM ({merged_select(SW_ALLOCATIONS)}) m")
    con.close()
    lists = annex_a_lists(db, "201", AS_AT, 6)
    assert [(r["worker"], r["team"]) for r in lists.lists[4]] == [("W3", "Assessment"), ("W2", "Child protection"),
                                                                  (None, None)]
    assert not any(col == "team" for _, col in lists.blank)
