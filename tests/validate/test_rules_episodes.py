"""Rules of CINdetails (episodes): a return that triggers each, and a near miss.

Cases as in test_rules_children.py: (rule, year, children, expected
(LAchildID, fields, value) in file order). All are 2023-24 returns: the
census year runs from 1 April 2023 (a Saturday; Friday 31 March 2023 is the
last working day before it) to 31 March 2024.
"""

from __future__ import annotations

import pytest


def _one(c, id, **episode):
    return c.Child(id=id, episodes=[c.Episode(**episode)])


def _open(c, referral, nfa="false", **kw):
    return c.Episode(referral=referral, nfa=nfa, **kw)


def _many(c, id, *episodes):
    return c.Child(id=id, episodes=list(episodes))


CLOSED = dict(closure="2023-07-01", reason="RC7")
F_NFA, F_NEED = "ReferralNFA", "ReferralNFA, PrimaryNeedCode"

CASES = {
    # codes and flags
    "8568 NFA flag": ("8568", lambda c: [_one(c, "T", nfa="maybe"), _one(c, "T2", nfa=""), _one(c, "N", nfa="TRUE")],
                      [("T", F_NFA, None), ("T2", F_NFA, None)]),
    "8640 closure reason": ("8640", lambda c: [_one(c, "T", closure="2023-07-01", reason="RC0"),
                                               _one(c, "N", closure="2023-07-01", reason="RC9")],
                            [("T", "ReasonForClosure", "RC0")]),
    "8650 primary need": ("8650", lambda c: [_one(c, "T", need="N10"), _one(c, "N", need="N0")],
                          [("T", "PrimaryNeedCode", "N10")]),
    "8610 need missing": ("8610", lambda c: [_one(c, "T", need=None), _one(c, "N", need=None, nfa="true")],
                          [("T", "PrimaryNeedCode", None)]),
    "8866 referral source": ("8866", lambda c: [
        _one(c, "T", source="11"), _one(c, "T2", source=""), _one(c, "N", source="5D"),
        _one(c, "N2", referral="2013-03-31", source="11")],
        [("T", "ReferralSource", "11"), ("T2", "ReferralSource", None)]),
    # dates
    "8600 referral date": ("8600", lambda c: [_one(c, "T", referral="2024-04-01"), _one(c, "N", referral="2024-03-31"),
                                              _one(c, "T2", referral="")],
                           [("T", "CINreferralDate", "2024-04-01"), ("T2", "CINreferralDate", None)]),
    "8620 closure outside year": ("8620", lambda c: [
        _one(c, "T", closure="2023-03-31", reason="RC7"), _one(c, "N", closure="2023-04-01", reason="RC7"),
        _one(c, "N2", closure="2024-03-31", reason="RC7"), _one(c, "T2", closure="2024-04-01", reason="RC7")],
        [("T", "CINclosureDate", "2023-03-31"), ("T2", "CINclosureDate", "2024-04-01")]),
    "8630 closed before referral": ("8630", lambda c: [
        _one(c, "T", referral="2023-06-01", closure="2023-05-31", reason="RC7"),
        _one(c, "N", referral="2023-06-01", closure="2023-06-01", reason="RC7")],
        [("T", "CINclosureDate", "2023-05-31")]),
    "8805 closure without reason": ("8805", lambda c: [_one(c, "T", closure="2023-07-01"), _one(c, "N", **CLOSED)],
                                    [("T", "ReasonForClosure", "2023-07-01")]),
    "8810 reason without closure": ("8810", lambda c: [_one(c, "T", reason="RC7"), _one(c, "N", **CLOSED)],
                                    [("T", "CINclosureDate", "RC7")]),
    "8555Q referred after death": ("8555Q", lambda c: [
        c.Child(id="T", death="2023-06-01", episodes=[c.Episode(referral="2023-06-02")]),
        c.Child(id="N", death="2023-06-01", episodes=[c.Episode(referral="2023-06-01")])],
        [("T", "PersonDeathDate, CINreferralDate", "2023-06-02")]),
    "8585Q died without a date": ("8585Q", lambda c: [
        _one(c, "T", closure="2023-07-01", reason="RC2"),
        c.Child(id="N", death="2023-06-30", episodes=[c.Episode(closure="2023-07-01", reason="RC2")])],
        [("T", "ReasonForClosure, PersonDeathDate", "RC2")]),
    # 280 days before 1 December 2023 is 24 February 2023.
    "8606 40 weeks before birth": ("8606", lambda c: [
        c.Child(id="T", birth="2023-12-01", episodes=[c.Episode(referral="2023-02-23")]),
        c.Child(id="N", birth="2023-12-01", episodes=[c.Episode(referral="2023-02-24")]),
        c.Child(id="T2", birth=None, expected_birth="2023-12-01", episodes=[c.Episode(referral="2023-02-23")])],
        [("T", "CINreferralDate, PersonBirthDate, ExpectedPersonBirthDate", "2023-02-23"),
         ("T2", "CINreferralDate, PersonBirthDate, ExpectedPersonBirthDate", "2023-02-23")]),
    "8569Q old referral marked NFA": ("8569Q", lambda c: [
        _one(c, "T", referral="2023-03-30", nfa="true"), _one(c, "N", referral="2023-03-31", nfa="true"),
        _one(c, "N2", referral="2023-03-30")],
        [("T", "CINreferralDate", "2023-03-30")]),
    # open episodes
    "8815 two open episodes": ("8815", lambda c: [
        _many(c, "T", _open(c, "2023-05-01"), _open(c, "2023-06-01")),
        _many(c, "N", _open(c, "2023-05-01"), _open(c, "2023-06-01", nfa="true"))],
        [("T", "ReferralNFA, CINclosureDate", "2023-05-01"), ("T", "ReferralNFA, CINclosureDate", "2023-06-01")]),
    "8816 open but not latest": ("8816", lambda c: [
        _many(c, "T", _open(c, "2023-05-01"), _open(c, "2023-06-01", closure="2023-07-01", reason="RC7")),
        _many(c, "N", _open(c, "2023-04-01", closure="2023-04-20", reason="RC7"), _open(c, "2023-05-01"))],
        [("T", "CINreferralDate, ReferralNFA", "2023-05-01")]),
    "8820 overlapping episodes": ("8820", lambda c: [
        _many(c, "T", _open(c, "2023-05-01", **CLOSED), _open(c, "2023-06-01", closure="2023-08-01", reason="RC7")),
        _many(c, "N", _open(c, "2023-05-01", **CLOSED), _open(c, "2023-07-01", closure="2023-08-01", reason="RC7")),
        _many(c, "T2", _open(c, "2023-05-01", **CLOSED), _open(c, "2023-05-01", **CLOSED))],
        [("T", "CINreferralDate, CINclosureDate", "2023-06-01"),
         ("T2", "CINreferralDate, CINclosureDate", "2023-05-01"),
         ("T2", "CINreferralDate, CINclosureDate", "2023-05-01")]),
    # activity on the episode
    "8831 activity on an NFA referral": ("8831", lambda c: [
        _one(c, "T", referral="2023-06-01", nfa="true", assessments=[c.Assessment("2023-06-02")]),
        _one(c, "T2", referral="2023-06-01", nfa="true", icpc="2023-06-10", s47=[c.S47("2023-06-03")]),
        _one(c, "N", referral="2023-06-01", assessments=[c.Assessment("2023-06-02")])],
        [("T", "AssessmentActualStartDate", "2023-06-02"), ("T2", "DateOfInitialCPC", "2023-06-10"),
         ("T2", "S47ActualStartDate", "2023-06-03")]),
    "2990 activity after RC8": ("2990", lambda c: [
        _one(c, "T", closure="2023-07-01", reason="RC8", assessments=[c.Assessment("2023-06-02", auth="2023-06-20")],
             cin_plans=[c.CinPlan("2023-06-21", "2023-06-30")]),
        _one(c, "N", closure="2023-07-01", reason="RC9", assessments=[c.Assessment("2023-06-02", auth="2023-06-20")])],
        [("T", "CINPlanStartDate", "2023-06-21")]),
    "8825Q RC8 without assessment": ("8825Q", lambda c: [
        _one(c, "T", closure="2023-07-01", reason="RC8"),
        _one(c, "N", closure="2023-07-01", reason="RC9", assessments=[c.Assessment("2023-06-02", auth="2023-06-20")])],
        [("T", "ReasonForClosure", "RC8")]),
    "2991Q S47 without assessment": ("2991Q", lambda c: [
        _one(c, "T", referral="2023-06-01", s47=[c.S47("2023-06-02")]),
        _one(c, "N", referral="2023-06-01", s47=[c.S47("2023-06-02")], assessments=[c.Assessment("2023-06-02")])],
        [("T", "CINdetailsID", "2023-06-01")]),
    "8867 closed with an open assessment": ("8867", lambda c: [
        _one(c, "T", assessments=[c.Assessment("2023-06-02")], **CLOSED),
        _one(c, "N", assessments=[c.Assessment("2023-06-02", auth="2023-06-20")], **CLOSED),
        _one(c, "N2", assessments=[c.Assessment("2023-06-02")])],
        [("T", "AssessmentAuthorisationDate", "2023-06-02")]),
    "8868 closed with an open S47": ("8868", lambda c: [
        _one(c, "T", s47=[c.S47("2023-06-02")], **CLOSED),
        _one(c, "N", s47=[c.S47("2023-06-02", not_required="true")], **CLOSED),
        _one(c, "N2", s47=[c.S47("2023-06-02", icpc="2023-06-20")], **CLOSED)],
        [("T", "DateOfInitialCPC", "2023-06-02")]),
    "8890 S47 during another": ("8890", lambda c: [
        _one(c, "T", s47=[c.S47("2023-06-01", icpc="2023-06-20"), c.S47("2023-06-10", icpc="2023-06-25")]),
        _one(c, "N", s47=[c.S47("2023-06-01", icpc="2023-06-20"), c.S47("2023-06-20", icpc="2023-06-30")]),
        _one(c, "N2", s47=[c.S47("2023-06-01", not_required="true"), c.S47("2023-06-02", icpc="2023-06-20")]),
        _one(c, "T2", s47=[c.S47("2023-06-01"), c.S47("2023-09-01", icpc="2023-09-20")])],
        [("T", "S47ActualStartDate", "2023-06-10"), ("T2", "S47ActualStartDate", "2023-09-01")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rule(name, cin, check):
    code, children, expected = CASES[name]
    assert check(code, 2024, children(cin)) == expected
