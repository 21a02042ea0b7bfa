"""Answers in progress and exactly-once submission (munro.local.respond), and the web pages' library helpers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from munro.errors import MunroError
from munro.local import audits, triage
from munro.local.appdb import open_app_db
from munro.local.respond import Drafts, check_answer, link_key, survey_of_key
from munro.local.results import survey_answers
from munro.local.surveys import create_survey, open_survey, submit_response, survey_version

TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def db(tmp_path):
    return open_app_db(url=f"sqlite:///{tmp_path}/app.sqlite")


@pytest.fixture
def survey(db):
    return create_survey(db, la="330", instrument="children-8-11", opens_on=dt.date(2025, 1, 1),
                         closes_on=dt.date(2099, 1, 1))


def test_a_draft_is_stored_once_however_often_it_is_sent(db, survey):
    drafts = Drafts()
    key = drafts.start(survey.id)
    assert drafts.answer(key, survey.id, "safe_home", "always")
    rid, stored = drafts.submit(db, key, survey.id)
    assert stored and rid
    assert drafts.submit(db, key, survey.id) == (None, False)
    assert drafts.used(key) and drafts.answers(key, survey.id) is None
    assert survey_answers(db, survey.id) == [{"safe_home": "always"}]


def test_two_sends_at_once_store_one_response(db, survey):
    drafts = Drafts()
    keys = [drafts.start(survey.id) for _ in range(20)]
    for k in keys:
        drafts.answer(k, survey.id, "safe_home", "never")
    results, barrier = [], threading.Barrier(8)

    def send(k):
        barrier.wait()
        results.append(drafts.submit(db, k, survey.id)[1])

    for k in keys:  # eight threads race on every key
        threads = [threading.Thread(target=send, args=(k,)) for _ in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        barrier.reset()
    assert results.count(True) == 20 and len(survey_answers(db, survey.id)) == 20


def test_a_failed_send_keeps_the_draft_for_another_try(db):
    s = create_survey(db, la="330", instrument="families", opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2025, 2, 1))
    drafts = Drafts()
    key = drafts.start(s.id)
    drafts.answer(key, s.id, "views_social_worker", "agree")
    with pytest.raises(MunroError):
        drafts.submit(db, key, s.id)  # closed: nothing stored, nothing lost
    assert not drafts.used(key) and drafts.answers(key, s.id) is not None


def test_drafts_belong_to_their_survey_and_expire():
    now = [0.0]
    drafts = Drafts(clock=lambda: now[0], minutes=1)
    key = drafts.start(1)
    assert drafts.answers(key, 2) is None and drafts.answers(None, 1) is None
    assert drafts.answers(key, 1) == {}
    now[0] = 61
    assert drafts.answers(key, 1) is None
    assert not drafts.answer(key, 1, "q", "a")


def test_drafts_are_bounded():
    drafts = Drafts(limit=3)
    keys = [drafts.start(1) for _ in range(5)]
    assert [drafts.answers(k, 1) is not None for k in keys] == [False, False, True, True, True]


def test_link_keys_cannot_be_guessed_from_the_id():
    key = link_key("s" * 40, 7)
    assert survey_of_key("s" * 40, key) == 7
    assert survey_of_key("t" * 40, key) is None
    assert survey_of_key("s" * 40, "7-0000000000000000") is None
    assert survey_of_key("s" * 40, "x-1") is None and survey_of_key("s" * 40, "7") is None


def test_check_answer_gives_the_stored_value(survey):
    v = survey_version(survey)
    assert check_answer(v, "safe_home", "Always") == "always"
    assert check_answer(v, "safe_home", "") is None
    with pytest.raises(ValueError):
        check_answer(v, "safe_home", "purple")


def test_open_survey_moves_a_later_open_date_to_today(db):
    s = create_survey(db, la="330", instrument="staff", opens_on=dt.date(2025, 7, 1), closes_on=dt.date(2025, 8, 1))
    assert open_survey(db, s.id, today=TODAY).opens_on == TODAY
    submit_response(db, s.id, {"improved_safety": "agree"}, today=TODAY)
    with pytest.raises(MunroError, match="never reopened"):
        open_survey(db, s.id, today=dt.date(2025, 9, 1))


def test_triage_is_handled_only_within_its_la(db, survey):
    submit_response(db, survey.id, {"make_better": "my dad hits me"})
    entry = triage.triage_queue(db, role="triage")[0]
    with pytest.raises(MunroError):
        triage.handle(db, entry["id"], role="triage", handled_by="t", outcome="called", la="331")
    triage.handle(db, entry["id"], role="triage", handled_by="t", outcome="called", la="330")
    assert triage.triage_queue(db, role="triage", status="handled")[0]["outcome"] == "called"


def _audit(db, auditor="a@x"):
    grades = {q: "good" for q in ("child_seen", "voice_of_child", "overall")}
    audits.record_audits(db, "330", 2025, [audits.AuditRecord("C1", dt.date(2024, 5, 2), auditor, TODAY, grades)])
    return audits.list_audits(db, "330", 2025)[0]["id"]


def test_moderation_by_a_second_grader(db):
    aid = _audit(db)
    with pytest.raises(MunroError, match="someone other"):
        audits.moderate_audit(db, "330", aid, moderator="A@x", moderated_on=TODAY, grades={"overall": "good"})
    with pytest.raises(MunroError, match="overall"):
        audits.moderate_audit(db, "330", aid, moderator="m@x", moderated_on=TODAY, grades={"child_seen": "good"})
    with pytest.raises(MunroError):
        audits.get_audit(db, "331", aid)  # another LA's audit is not found
    audits.moderate_audit(db, "330", aid, moderator="m@x", moderated_on=TODAY,
                          grades={"overall": "requires_improvement", "child_seen": "good"}, agreed_grade="good")
    a = audits.get_audit(db, "330", aid)
    assert a["moderator"] == "m@x"
    assert a["moderator_grades"] == {"overall": "requires_improvement", "child_seen": "good"}
    assert audits.audit_results(db, "330", 2025)["moderation"]["moderated"] == 1
    with pytest.raises(MunroError, match="already"):
        audits.moderate_audit(db, "330", aid, moderator="n@x", moderated_on=TODAY, grades={"overall": "good"})


def test_a_number_kept_as_its_band_between_pages_is_sent_as_that_band(db):
    s = create_survey(db, la="330", instrument="staff", opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2099, 1, 1))
    drafts = Drafts()
    key = drafts.start(s.id)
    drafts.answer(key, s.id, "caseload", check_answer(survey_version(s), "caseload", "17"))
    drafts.submit(db, key, s.id)
    assert survey_answers(db, s.id) == [{"caseload": "16_20"}]
    with pytest.raises(ValueError, match="not a whole number"):
        check_answer(survey_version(s), "caseload", "1_7")  # Python's digit separators are not numbers here


def test_a_drafts_invitation_code_is_used_when_it_is_sent_and_a_refused_one_keeps_the_answers(db, survey):
    from munro.local.invitations import CodeRefused, create_codes, invitation_counts

    [code] = create_codes(db, survey, 1, dt.datetime(2025, 6, 1))
    drafts = Drafts()
    keys = [drafts.start(survey.id, code) for _ in range(2)]  # the same code given at two starts
    for k in keys:
        drafts.answer(k, survey.id, "safe_home", "always")
    assert drafts.submit(db, keys[0], survey.id)[1]
    with pytest.raises(CodeRefused):
        drafts.submit(db, keys[1], survey.id)
    assert drafts.answers(keys[1], survey.id) == {"safe_home": "always"}  # kept: the page says why
    assert survey_answers(db, survey.id) == [{"safe_home": "always"}]
    assert invitation_counts(db, survey.id) == {"codes": 1, "used": 1}
