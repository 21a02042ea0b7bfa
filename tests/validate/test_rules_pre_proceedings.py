"""Rules of the PreProceedingsandFGDM module (2026-27 draft): triggering children and near misses.

Returns are 2026-27 (reporting year 2026-04-01 to 2027-03-31); every expected finding was worked out by hand.
"""

from __future__ import annotations

from flagged import flagged, helpers

from munro.validate.registry import ruleset

kid, at = helpers("pre_proceedings", "<PreProceedingsandFGDM>")
START = "2026-09-09"


def pp(cin, cid, **items):
    return kid(cin, cid, cin.PreProceedings(items.pop("start", START), **items), referral="2026-06-01")


def check_rule(check, code, cin, cases):
    """Findings of ``code`` over children built from ``cases`` ({id: PreProceedings items})."""
    return flagged(check, code, [pp(cin, cid, **items) for cid, items in cases.items()], year=2027)


def test_pre_proceedings_rules_are_2026_27_only_and_q_codes_are_queries():
    codes = {"8995Q", "9000Q", "9005", "9006", "9007", "9008", "9009", "9010Q", "9011", "9012", "9013", "9015Q"}
    assert codes & {r.code for r in ruleset(2026)} == set()
    by_code = {r.code: r for r in ruleset(2027)}
    assert codes <= set(by_code)
    assert {c for c in codes if by_code[c].type == "query"} == {c for c in codes if c.endswith("Q")}


def test_8995q_no_pre_proceedings_for_any_child(check, cin):
    assert check("8995Q", 2027, [cin.Child(id="A", episodes=[cin.Episode(referral="2026-06-01")])]) == [
        (None, "", "0 pre-proceedings records")]
    assert check("8995Q", 2027, [pp(cin, "A", outcome="A")]) == []


def test_9000q_record_with_nothing_but_its_start(check, cin):
    text, found = check_rule(check, "9000Q", cin, {"T": {}, "N": {"outcome": "A"}})
    fields = ("LBPSentDate, FGDMMeetingOffer, FGDMMeetingFac, InitialPPMeetingDate, ReviewMeetingsCount, "
              "StepDecisionDate, PPOutcome, CourtAppDate, LetterInitCPDate")
    assert found == [("T", fields, START, at(text, "T"))]


def test_9005_start_outside_the_reporting_year(check, cin):
    text, found = check_rule(check, "9005", cin, {
        "T1": {"start": "2026-03-31"}, "T2": {"start": "2027-04-01"},
        "N1": {"start": "2026-04-01"}, "N2": {"start": "2027-03-31"}})
    assert found == [("T1", "PPStartDate", "2026-03-31", at(text, "T1")),
                     ("T2", "PPStartDate", "2027-04-01", at(text, "T2"))]


def test_9006_letter_before_proceedings_not_after_the_start_or_outside_the_year(check, cin):
    text, found = check_rule(check, "9006", cin, {
        "T1": {"lbp_sent": START}, "T2": {"lbp_sent": "2027-04-01"}, "T3": {"lbp_sent": "2026-09-08"},
        "N1": {"lbp_sent": "2026-09-10"}, "N2": {}})
    assert found == [("T1", "LBPSentDate", START, at(text, "T1")),
                     ("T2", "LBPSentDate", "2027-04-01", at(text, "T2")),
                     ("T3", "LBPSentDate", "2026-09-08", at(text, "T3"))]


def test_9007_letter_sent_but_no_word_on_an_fgdm_offer(check, cin):
    text, found = check_rule(check, "9007", cin, {
        "T": {"lbp_sent": "2026-09-20"}, "N1": {"lbp_sent": "2026-09-20", "offered": "0"}, "N2": {}})
    assert found == [("T", "FGDMMeetingOffer", None, at(text, "T"))]


def test_9008_first_meeting_outside_the_year(check, cin):
    text, found = check_rule(check, "9008", cin, {
        "T": {"initial_meeting": "2027-04-01"}, "N": {"initial_meeting": "2027-03-31"}})
    assert found == [("T", "InitialPPMeetingDate", "2027-04-01", at(text, "T"))]


def test_9009_step_decision_before_the_start_or_outside_the_year(check, cin):
    text, found = check_rule(check, "9009", cin, {
        "T1": {"step_decision": "2026-09-08"}, "T2": {"step_decision": "2027-04-01"},
        "N": {"step_decision": START}})
    assert found == [("T1", "StepDecisionDate", "2026-09-08", at(text, "T1")),
                     ("T2", "StepDecisionDate", "2027-04-01", at(text, "T2"))]


def test_9010q_fgdm_offered_but_no_word_on_facilitation(check, cin):
    text, found = check_rule(check, "9010Q", cin, {
        "T": {"offered": "1"}, "N1": {"offered": "true", "facilitated": "false"}, "N2": {"offered": "0"}})
    assert found == [("T", "FGDMMeetingFac", None, at(text, "T"))]


def test_9011_outcome_not_a_valid_code(check, cin):
    text, found = check_rule(check, "9011", cin, {"T": {"outcome": "D"}, "N1": {"outcome": "A"}, "N2": {}})
    assert found == [("T", "PPOutcome", "D", at(text, "T"))]


def test_9012_court_application_before_the_decision_or_outside_the_year(check, cin):
    text, found = check_rule(check, "9012", cin, {
        "T1": {"step_decision": "2026-12-01", "court_app": "2026-11-30"},
        "T2": {"step_decision": "2026-12-01", "court_app": "2027-04-01"},
        "N1": {"step_decision": "2026-12-01", "court_app": "2026-12-01"},
        "N2": {"court_app": "2026-10-01"}})
    assert found == [("T1", "CourtAppDate", "2026-11-30", at(text, "T1")),
                     ("T2", "CourtAppDate", "2027-04-01", at(text, "T2"))]


def test_9013_letter_initiating_proceedings_before_the_application_or_outside_the_year(check, cin):
    text, found = check_rule(check, "9013", cin, {
        "T1": {"court_app": "2026-12-18", "letter": "2026-12-17"},
        "T2": {"court_app": "2026-12-18", "letter": "2027-04-01"},
        "N": {"court_app": "2026-12-18", "letter": "2026-12-18"}})
    assert found == [("T1", "LetterInitCPDate", "2026-12-17", at(text, "T1")),
                     ("T2", "LetterInitCPDate", "2027-04-01", at(text, "T2"))]


def test_9015q_initial_meeting_but_no_count_of_reviews(check, cin):
    text, found = check_rule(check, "9015Q", cin, {
        "T": {"initial_meeting": "2026-09-28"}, "N1": {"initial_meeting": "2026-09-28", "review_count": "0"},
        "N2": {}})
    assert found == [("T", "ReviewMeetingsCount", None, at(text, "T"))]
