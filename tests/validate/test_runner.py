"""The validation framework: rulesets by year, the runner, failures, tolerant reads, store returns.

Rule 1103 (an assessment starting before its referral) is the rule used end
to end here; every rule has its own tests in test_rules_<module>.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from munro.census.reader import CensusReader
from munro.errors import MunroError, RejectedFile
from munro.loading import ingest_file
from munro.validate import validate_file, validate_return
from munro.validate.read import memory_store
from munro.validate.registry import Rule, choose_ruleset, rule, ruleset
from munro.validate.runner import run


def _early_assessment(cin, child_id="A", start="2023-05-31"):
    return cin.Child(id=child_id, episodes=[cin.Episode(
        referral="2023-06-01", assessments=[cin.Assessment(start=start, auth="2023-06-20")])])


def test_rule_1103_end_to_end(cin, write):
    text = cin.xml(2024, [_early_assessment(cin, "A"), _early_assessment(cin, "B", start="2023-06-01"),
                          cin.Child(id="C")])
    report = validate_file(write("r.xml", text))
    found = [(f.code, f.type, f.la_child_id, f.table, f.value, f.line) for f in report.findings
             if f.code == "1103"]
    # A's assessment starts the day before its referral; B's on the referral day (allowed).
    assert found == [("1103", "error", "A", "Assessments", "2023-05-31",
                      cin.line_of(text, "<Assessments>"))]
    assert report.ruleset == 2024 and report.collection_year == 2024 and report.la_code == "201"
    assert report.children == 3 and report.complete
    assert ("1103", "error", 1, "The assessment start date cannot be before the referral date") in report.summary()


def test_ruleset_follows_the_header_or_the_option():
    assert choose_ruleset(2024) == (2024, None)
    assert choose_ruleset(2027) == (2027, None)
    year, note = choose_ruleset(2024, 2026)
    assert year == 2026 and "2025-26 rules" in note
    year, note = choose_ruleset(2020)
    assert year == 2023 and "2019-20 return" in note
    with pytest.raises(MunroError, match="no ruleset for 2031"):
        choose_ruleset(2024, 2031)


def test_rulesets_inherit_and_change_by_year():
    codes = {y: [r.code for r in ruleset(y)] for y in range(2023, 2028)}
    for y in range(2023, 2028):
        assert "1103" in codes[y]
        assert len(codes[y]) == len(set(codes[y])), "one version of each rule per year"


def test_a_code_cannot_have_two_versions_in_one_year():
    with pytest.raises(ValueError, match="defined twice"):
        rule("1103", "error", table="Assessments", fields=(), message="again", years=range(2026, 2027))(
            lambda v: "SELECT 1")


def _rule(code, sql, level="child"):
    return Rule(code, "error", "Test", ("F",), f"message {code}", range(2023, 2028), lambda v: sql, level)


def _store_with(cin, write, children):
    con = memory_store()
    reader = CensusReader(write("r.xml", cin.xml(2024, children)))
    from munro.validate.read import _load

    _load(con, reader)
    header = {"la_code": "201", "collection_year": 2024, "reference_date": dt.date(2024, 3, 31)}
    return con, header


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_a_rule_that_raises_fails_the_run_and_the_others_still_run(cin, write, threads):
    con, header = _store_with(cin, write, [cin.Child(id="A")])
    rules = [_rule("T1", "SELECT la_child_id, no_such_column AS value FROM children"),
             _rule("T2", "SELECT la_child_id, ethnicity AS value, line, 'Ethnicity' AS field FROM children"),
             _rule("T3", "SELECT CAST(count(*) AS VARCHAR) AS value FROM children", level="return"),
             _rule("T4", "SELECT la_child_id, CAST('x' AS INTEGER) AS value FROM children")]
    report = run(con, 1, header, rules, 2024, "test", threads=threads)
    assert [f.code for f in report.failures] == ["T1", "T4"] and not report.complete
    assert "no_such_column" in report.failures[0].error
    assert [(f.code, f.la_child_id, f.fields, f.value, f.level) for f in report.findings] == [
        ("T3", None, "F", "1", "return"), ("T2", "A", "Ethnicity", "WBRI", "child")]
    assert "2 rule(s) FAILED to run: T1, T4" in report.counts_line()
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal").fetchone()[0] == 0


def test_the_runner_sees_only_its_return_and_cleans_up(cin, write):
    con, header = _store_with(cin, write, [cin.Child(id="A")])
    con.execute("INSERT INTO children (return_id, la_code, child_seq, la_child_id, line) "
                "VALUES (2, '202', 1, 'OTHER', 1)")
    report = run(con, 1, header, [_rule("T", "SELECT la_child_id, la_code AS value FROM children")], 2024, "t")
    assert [(f.la_child_id, f.value) for f in report.findings] == [("A", "201")]
    assert con.execute("SELECT count(*) FROM children").fetchone()[0] == 2  # the views are gone
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal").fetchone()[0] == 0


def test_calendar_and_header_are_visible_to_rules(cin, write):
    con, header = _store_with(cin, write, [cin.Child(id="A")])
    rules = [_rule("T", "SELECT CAST(wd_index - (SELECT wd_index FROM calendar WHERE date = DATE '2024-03-28') "
                        "AS VARCHAR) AS value FROM calendar, header "
                        "WHERE date = header.reference_date", level="return")]
    # Good Friday 29 March and Easter Monday 1 April 2024 are bank holidays; 30-31 March a weekend.
    assert [f.value for f in run(con, 1, header, rules, 2024, "t").findings] == ["0"]


def test_a_value_the_format_refuses_is_a_finding_not_a_rejection(cin, write):
    text = cin.xml(2024, [cin.Child(id="A", birth="2015-02-30"), cin.Child(id="B", ethnicity="")])
    path = write("r.xml", text)
    with pytest.raises(RejectedFile):  # ingest's strict read still refuses it
        list(CensusReader(path).batches())
    report = validate_file(path)
    fmt = [(f.la_child_id, f.fields, f.value, f.line, f.message) for f in report.findings if f.code == "format"]
    assert fmt == [("A", "PersonBirthDate", "2015-02-30", cin.line_of(text, "2015-02-30"),
                    "<PersonBirthDate> is not a date (YYYY-MM-DD)"),
                   ("B", "Ethnicity", None, cin.line_of(text, "<Ethnicity", 2), "<Ethnicity> is empty")]
    assert report.children == 2


def test_a_file_that_is_not_a_return_is_rejected(write):
    with pytest.raises(RejectedFile, match="not an XML file"):
        validate_file(write("x.xml", "hello"))


def test_a_loaded_return_gives_the_findings_of_its_file(cin, write, db):
    path = write("r.xml", cin.xml(2024, [_early_assessment(cin, "A"), cin.Child(id="C")]))
    outcome = ingest_file(db, path)
    from_store = validate_return(db, outcome.return_id)
    from_file = validate_file(path)
    assert from_store.findings == from_file.findings
    assert from_store.source == f"return {outcome.return_id}"
    with pytest.raises(MunroError, match="no return 99"):
        validate_return(db, 99)


def test_ingest_records_the_findings_with_the_return(cin, write, db, store):
    path = write("r.xml", cin.xml(2024, [_early_assessment(cin, "A"), cin.Child(id="C", disabilities=["NONE"])]))
    outcome = ingest_file(db, path)
    # A's assessment starts before its referral (1103); A, born and referred for further action,
    # has no disability record (8540); only NONE is used, no disability code (2887Q, 0 codes);
    # neither child (both over 5) has a UPN or a reason (8770Q, twice); A's completed assessment
    # has no factors (8897Q).
    assert outcome.validation == "2 errors, 4 queries"
    assert "; validation: 2 errors, 4 queries" in outcome.summary()
    rows = store.query(db, "SELECT return_id, ruleset, rule, type, level, la_child_id, value "
                           "FROM validation_findings ORDER BY rule, la_child_id")
    assert rows == [(1, 2024, "1103", "error", "child", "A", "2023-05-31"),
                    (1, 2024, "2887Q", "query", "return", None, "0"),
                    (1, 2024, "8540", "error", "child", "A", None),
                    (1, 2024, "8770Q", "query", "child", "A", "2015-05-01"),
                    (1, 2024, "8770Q", "query", "child", "C", "2015-05-01"),
                    (1, 2024, "8897Q", "query", "child", "A", None)]


@pytest.mark.parametrize("in_memory", [True, False])
def test_a_rule_failing_during_ingest_loads_nothing(cin, write, db, store, monkeypatch, in_memory):
    import munro.store.ingest as ingest
    import munro.validate as validate

    if not in_memory:  # rows staged on disk: the rules run over them in the load's transaction
        monkeypatch.setattr(ingest, "MEMORY_STAGING_BYTES", 0)
    broken = [_rule("T1", "SELECT la_child_id, CAST('x' AS INTEGER) AS value FROM children")]
    monkeypatch.setattr(validate, "rules_of", lambda year: broken)
    with pytest.raises(MunroError, match="validation rule T1 failed .*the return was not loaded"):
        ingest_file(db, write("r.xml", cin.xml(2024, [cin.Child(id="A")])))
    assert store.query(db, "SELECT count(*) FROM returns") == [(0,)]
    assert store.query(db, "SELECT count(*) FROM children") == [(0,)]


def test_an_older_store_gains_the_findings_table(db, store):
    from munro.store.db import open_store
    from munro.store.schema import SCHEMA_VERSION

    con = open_store(db)
    con.execute("DROP TABLE validation_findings")
    con.execute("UPDATE munro_meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    open_store(db).close()
    assert store.query(db, "SELECT value FROM munro_meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    assert store.query(db, "SELECT count(*) FROM validation_findings") == [(0,)]
