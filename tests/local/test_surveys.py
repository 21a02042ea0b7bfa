"""Surveys: creating one freezes its instrument version; responses keep answers and nothing else."""

import datetime as dt

import pytest
import sqlalchemy as sa
from local_helpers import OPEN_DAY

from munro.errors import MunroError
from munro.local import schema as t
from munro.local.bank import load_bank
from munro.local.surveys import add_action, close_survey, freeze_version, list_actions, submit_response
from munro.local.triage import handle, triage_counts, triage_queue


def test_minimum_group_size_defaults_by_audience_and_can_be_set(make_survey):
    assert make_survey("children-8-11").min_group == 10
    assert make_survey("families").min_group == 10
    assert make_survey("staff").min_group == 5
    assert make_survey("partners").min_group == 5
    assert make_survey("partners", min_group=8).min_group == 8
    with pytest.raises(MunroError, match="at least 2"):
        make_survey("staff", min_group=1)


def test_surveys_refuse_audit_forms_bad_codes_and_dates(make_survey):
    with pytest.raises(MunroError, match="is an audit form"):
        make_survey("case-file-audit")
    with pytest.raises(MunroError, match="'33' is not a 3-digit DfE code"):
        make_survey(la="33")
    with pytest.raises(MunroError, match="closes .* before it opens"):
        make_survey(opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 2, 1))


def test_a_used_version_is_kept_and_may_never_change(app, make_survey):
    make_survey("families")
    with app.connect() as con:
        row = con.execute(sa.select(t.instrument_versions)).one()
    assert (row.instrument, row.version) == ("families", 1)
    assert "I have been treated with respect." in row.content
    changed = load_bank().get("families")
    object.__setattr__(changed, "fingerprint", "0" * 64)  # as if its file had been edited since
    with pytest.raises(MunroError, match="families/1 .* has changed since a survey or audit used it"):
        with app.begin() as con:
            freeze_version(con, changed)


def test_a_response_is_its_answers_parsed_and_nothing_else(app, make_survey):
    s = make_survey("staff")
    rid = submit_response(app, s.id, {"team": "North", "role": "Social worker", "caseload": "17",
                                      "workload_manageable": "Agree", "what_would_help": ""}, today=OPEN_DAY)
    with app.connect() as con:
        stored = dict(con.execute(sa.select(t.answers.c.question_id, t.answers.c.value)
                                  .where(t.answers.c.response_id == rid)).all())
    # The exact caseload is not kept, only its band; the blank answer is not stored.
    assert stored == {"team": "North", "role": "social_worker", "caseload": "16_20", "workload_manageable": "agree"}
    assert [c.name for c in t.responses.columns] == ["id", "survey_id", "import_id"]
    assert [c.name for c in t.answers.columns] == ["response_id", "question_id", "value"]


def test_responses_are_refused_outside_the_dates_after_closing_and_with_bad_answers(app, make_survey):
    s = make_survey("staff")
    with pytest.raises(MunroError, match="is not open"):
        submit_response(app, s.id, {"team": "North"}, today=dt.date(2026, 1, 4))
    with pytest.raises(MunroError, match="caseload: 'about 20' is not a whole number"):
        submit_response(app, s.id, {"caseload": "about 20"}, today=OPEN_DAY)
    with pytest.raises(MunroError, match="has no question 'name'"):
        submit_response(app, s.id, {"name": "Sam"}, today=OPEN_DAY)
    close_survey(app, s.id)
    with pytest.raises(MunroError, match="is not open"):
        submit_response(app, s.id, {"team": "North"}, today=OPEN_DAY)
    with pytest.raises(MunroError, match="already closed"):
        close_survey(app, s.id)


def test_free_text_that_may_disclose_harm_is_queued_without_its_text(app, make_survey):
    s = make_survey("children-12-17")
    submit_response(app, s.id, {"make_better": "More time with my social worker"}, today=OPEN_DAY)
    rid = submit_response(app, s.id, {"make_better": "My step dad hits me when he is drunk and I am scared to go home"},
                          today=OPEN_DAY)
    with app.connect() as con:
        flag = con.execute(sa.select(t.triage)).one()
    assert ((flag.response_id, flag.question_id, flag.reasons, flag.status)
            == (rid, "make_better", "hurt,unsafe", "open"))
    assert triage_counts(app, s.id) == {"open": 1, "handled": 0}
    for role in ("analyst", "manager", "survey_admin", "administrator"):
        with pytest.raises(MunroError, match=f"the {role} role may not read the safeguarding triage queue"):
            triage_queue(app, role=role)
    [entry] = triage_queue(app, role="triage")
    assert entry["text"].startswith("My step dad hits me")
    with pytest.raises(MunroError, match="may not handle"):
        handle(app, entry["id"], role="analyst", handled_by="A Analyst", outcome="x")
    handle(app, entry["id"], role="triage", handled_by="J Smith (MASH)", outcome="Passed to the MASH the same day",
           now=dt.datetime(2026, 2, 2, 9, 30))
    [done] = triage_queue(app, role="triage", status="handled")
    assert (done["handled_by"], done["handled_at"]) == ("J Smith (MASH)", dt.datetime(2026, 2, 2, 9, 30))
    assert triage_counts(app, s.id) == {"open": 0, "handled": 1}


def test_actions_record_you_said_we_did_against_a_key_question(app, make_survey):
    s = make_survey("children-12-17")
    add_action(app, la="330", survey_id=s.id, question_id="social_workers_12m",
               key_question="How do you know what children think about changes of social worker?",
               you_said="Too many changes of social worker", we_did="Introductions by the old and new worker together",
               status="done")
    [a] = list_actions(app, "330")
    assert ((a["survey_id"], a["status"], a["we_did"])
            == (s.id, "done", "Introductions by the old and new worker together"))
    with pytest.raises(MunroError, match="not a local key question"):
        add_action(app, la="330", key_question="Are we good?", you_said="x", we_did="y")


def test_the_schema_has_no_place_for_anything_identifying_a_respondent():
    # A guard for later migrations: no column that could hold who answered, or when.
    identifying = ("name", "email", "ip", "child", "upn", "address", "user", "agent", "submitted", "time")
    for table in (t.responses, t.answers, t.imports):
        for c in table.columns:
            assert not any(word in c.name for word in identifying), (table.name, c.name)
    times = {(c.table.name, c.name) for table in t.metadata.tables.values() for c in table.columns
             if isinstance(c.type, (sa.Date, sa.DateTime))}
    # Times kept: of surveys, audits, actions and imports (a file, not a person), and of a triage
    # flag, which the triage role needs to act in time.
    assert {x for x in times if x[0] in ("responses", "answers")} == set()
    assert ("triage_queue", "flagged_at") in times


def test_a_web_response_stores_its_answers_and_no_more(app, make_survey):
    s = make_survey("families")
    submit_response(app, s.id, {"team": "Family Help East", "treated_with_respect": "agree"}, today=OPEN_DAY)
    with app.connect() as con:
        assert [tuple(r) for r in con.execute(sa.select(t.responses))] == [(1, s.id, None)]
        assert sorted(tuple(r) for r in con.execute(sa.select(t.answers))) == [
            (1, "team", "Family Help East"), (1, "treated_with_respect", "agree")]
