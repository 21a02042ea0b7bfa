"""Rules of ChildIdentifiers, ChildCharacteristics and Disabilities: a return that triggers each, and a near miss.

Each case is (rule, collection year, children, expected findings as
(LAchildID, fields, value) in file order), worked out from the rule's text.
The builder's default child: born 2015-05-01, GenderCurrent 1 (Sex M from
2025), WBRI, no disabilities, one episode referred 2022-06-01, not NFA.
UPN check letters were computed by hand: for Y201000000001 the weighted sum
of characters 2-13 is 2*2 + 1*4 + 1*13 = 21, and letter 21 of
ABCDEFGHJKLMNPQRTUVWXYZ is Y; for J20100000000A it is 2*2 + 1*4 + 0*13 = 8 (J).
"""

from __future__ import annotations

import pytest

UPN = "Y201000000001"
TEMP_UPN = "J20100000000A"


def _kids(c, **by_id):
    """Children with ids in order, each from keyword arguments of the builder's Child."""
    return [c.Child(id=i, **kw) for i, kw in by_id.items()]


def _open(c, referral="2023-05-01", nfa="false", **kw):
    return c.Episode(referral=referral, nfa=nfa, **kw)


CASES = {
    # UPN and LAchildID
    "1510 wrong check letter": ("1510", 2024, lambda c: _kids(
        c, T=dict(upn="A201000000001"), N=dict(upn=UPN), N2=dict(upn=TEMP_UPN)),
        [("T", "UPN", "A201000000001")]),
    "1520 shared UPN": ("1520", 2024, lambda c: _kids(c, T1=dict(upn=UPN), N=dict(upn=TEMP_UPN), T2=dict(upn=UPN)),
                        [("T1", "UPN", UPN), ("T2", "UPN", UPN)]),
    "1530 unknown LA": ("1530", 2024, lambda c: _kids(
        c, T=dict(upn="Y999000000001"), N=dict(upn=UPN), N2=dict(upn="A942000000001")),
        [("T", "UPN", "Y999000000001")]),
    "1540 letters in 5-12": ("1540", 2024, lambda c: _kids(c, T=dict(upn="Y2010000A0001"), N=dict(upn=UPN)),
                             [("T", "UPN", "Y2010000A0001")]),
    "1550 character 13": ("1550", 2024, lambda c: _kids(
        c, T=dict(upn="Y20100000000I"), T2=dict(upn="Y2010000000"), N=dict(upn=TEMP_UPN)),
        [("T", "UPN", "Y20100000000I"), ("T2", "UPN", "Y2010000000")]),
    "1560Q former UPN": ("1560Q", 2024, lambda c: _kids(
        c, T=dict(former_upn="12345"), N=dict(former_upn="A12345678901B")), [("T", "FormerUPN", "12345")]),
    "1570 long id": ("1570", 2025, lambda c: _kids(c, **{"A" * 21: {}, "B" * 20: {}}),
                     [("A" * 21, "LAchildID", "A" * 21)]),
    "1570 not before 2024-25": ("1570", 2024, lambda c: _kids(c, **{"A" * 21: {}}), []),
    "1580 non-alphanumeric": ("1580", 2025, lambda c: _kids(c, **{"AB-1": {}, "AB1": {}}),
                              [("AB-1", "LAchildID", "AB-1")]),
    "8500 no id": ("8500", 2024, lambda c: _kids(c, N={}) + [c.Child(id=None), c.Child(id="")],
                   [(None, "LAchildID", None), (None, "LAchildID", None)]),
    "8510 repeated id": ("8510", 2024, lambda c: [c.Child(id="D"), c.Child(id="E"), c.Child(id="D")],
                         [("D", "LAchildID", "D"), ("D", "LAchildID", "D")]),
    "8590 no episode": ("8590", 2024, lambda c: _kids(c, T=dict(episodes=[]), N={}), [("T", "LAchildID", "T")]),
    # births, deaths, ages (2023-24: 1 April 2023 to 31 March 2024)
    "8520 born after": ("8520", 2024, lambda c: _kids(c, T=dict(birth="2024-04-01"), N=dict(birth="2024-03-31")),
                        [("T", "PersonBirthDate, ReferenceDate", "2024-04-01")]),
    "8525Q neither or both": ("8525Q", 2024, lambda c: _kids(
        c, T=dict(birth=None), T2=dict(expected_birth="2024-05-01"), N={},
        N2=dict(birth=None, expected_birth="2024-05-01")),
        [("T", "PersonBirthDate, ExpectedPersonBirthDate", None),
         ("T2", "PersonBirthDate, ExpectedPersonBirthDate", "2015-05-01")]),
    "8530Q expected birth range": ("8530Q", 2024, lambda c: _kids(
        c, T=dict(birth=None, expected_birth="2024-02-29"), T2=dict(birth=None, expected_birth="2025-01-01"),
        N=dict(birth=None, expected_birth="2024-03-01"), N2=dict(birth=None, expected_birth="2024-12-31")),
        [("T", "ExpectedPersonBirthDate", "2024-02-29"), ("T2", "ExpectedPersonBirthDate", "2025-01-01")]),
    "8535Q died before birth": ("8535Q", 2024, lambda c: _kids(
        c, T=dict(death="2015-04-30"), N=dict(death="2015-05-01")),
        [("T", "PersonDeathDate, PersonBirthDate", "2015-04-30")]),
    "8545Q death outside year": ("8545Q", 2024, lambda c: _kids(
        c, T=dict(death="2023-03-31"), N=dict(death="2023-04-01"), N2=dict(death="2024-03-31"),
        T2=dict(death="2024-04-01")),
        [("T", "PersonDeathDate", "2023-03-31"), ("T2", "PersonDeathDate", "2024-04-01")]),
    # 25th birthday on the reference date (open episode): flagged; the day after: not; a child whose
    # last episode closed the day before the 25th birthday: not.
    "8775Q 25 or older": ("8775Q", 2024, lambda c: _kids(
        c, T=dict(birth="1999-03-31"), N=dict(birth="1999-04-01"),
        N2=dict(birth="1998-06-02", episodes=[c.Episode(referral="2023-05-01", closure="2023-06-01", reason="RC7")])),
        [("T", "PersonBirthDate, CINclosureDate", "1999-03-31")]),
    "4008 CIN plan after death": ("4008", 2024, lambda c: _kids(
        c, T=dict(death="2023-06-01", episodes=[c.Episode(cin_plans=[c.CinPlan("2023-06-02")])]),
        N=dict(death="2023-06-01", episodes=[c.Episode(cin_plans=[c.CinPlan("2023-06-01")])])),
        [("T", "CINPlanStartDate", "2023-06-02")]),
    "4009Q CIN plan ends after death": ("4009Q", 2024, lambda c: _kids(
        c, T=dict(death="2023-06-01", episodes=[c.Episode(cin_plans=[c.CinPlan("2023-01-01", "2023-06-02")])]),
        N=dict(death="2023-06-01", episodes=[c.Episode(cin_plans=[c.CinPlan("2023-01-01", "2023-06-01")])])),
        [("T", "CINPlanEndDate", "2023-06-02")]),
    # gender (to 2023-24) and sex (from 2024-25)
    "4180 gender": ("4180", 2024, lambda c: _kids(c, T=dict(gender=""), T2=dict(gender="3"), N=dict(gender="0")),
                    [("T", "GenderCurrent", None), ("T2", "GenderCurrent", "3")]),
    "4180 sex": ("4180", 2025, lambda c: _kids(c, T=dict(sex="X"), T2=dict(sex=""), N=dict(sex="U")),
                 [("T", "Sex", "X"), ("T2", "Sex", None)]),
    "8750 gender of unborn": ("8750", 2024, lambda c: _kids(
        c, T=dict(birth=None, expected_birth="2024-05-01"),
        N=dict(birth=None, expected_birth="2024-05-01", gender="0"), N2={}),
        [("T", "GenderCurrent", "1")]),
    "8750 sex of unborn": ("8750", 2025, lambda c: _kids(
        c, T=dict(birth=None, expected_birth="2025-05-01"),
        N=dict(birth=None, expected_birth="2025-05-01", sex="U"), N2={}),
        [("T", "Sex", "M")]),
    # 1 of 49 born children with gender 0 is 2.04%; the unborn child with 0 does not count.
    "2886Q gender share": ("2886Q", 2024, lambda c: (
        [c.Child(id="G", gender="0"), c.Child(id="U", birth=None, expected_birth="2024-05-01", gender="0")]
        + c.many(2024, 48)), [(None, "ExpectedPersonBirthDate, ChildIdentifiers", "1 of 49 (2.0%)")]),
    "2886Q gender 2% exactly": ("2886Q", 2024, lambda c: [c.Child(id="G", gender="0")] + c.many(2024, 49), []),
    "2886Q sex share": ("2886Q", 2025, lambda c: [c.Child(id="G", sex="U"), c.Child(id="H", sex="U")]
                        + c.many(2025, 48), [(None, "ExpectedPersonBirthDate, ChildIdentifiers", "2 of 50 (4.0%)")]),
    # UPN unknown
    # to 2023-24: born before 31 March 2024 minus 6 years (the DfE logic), so 6 or older; 5 is not enough.
    # UN9 is no code of the list, so no valid reason (the logic's "a valid <UPNunknown>").
    "8770Q 6 or older": ("8770Q", 2024, lambda c: _kids(
        c, T=dict(birth="2018-03-30"), N=dict(birth="2018-03-31"), N1=dict(birth="2019-03-30"),
        N2=dict(birth="2015-05-01", upn_unknown="UN2"), N3=dict(birth="2015-05-01", upn=UPN),
        T2=dict(upn_unknown="UN9")),
        [("T", "UPN, UPNunknown", "2018-03-30"), ("T2", "UPN, UPNunknown", "2015-05-01")]),
    # "If ReferralNFA = 0 or false": T's second referral went on to further action; every referral of N
    # is NFA; N2's flag is missing (8568's finding), so not false.
    "8770Q further action (to 2023-24)": ("8770Q", 2024, lambda c: _kids(
        c, T=dict(episodes=[_open(c, "2023-05-01", "true"), _open(c, "2023-07-01", "0")]),
        N=dict(episodes=[_open(c, "2023-05-01", "true"), _open(c, "2023-07-01", "1")]),
        N2=dict(episodes=[_open(c, nfa=None)])),
        [("T", "UPN, UPNunknown", "2015-05-01")]),
    # 2024-25: school age = 5 to 15 on 31 August 2024.
    "8770Q school age": ("8770Q", 2025, lambda c: _kids(
        c, T=dict(birth="2019-08-31"), N=dict(birth="2019-09-01"), T2=dict(upn_unknown="UN1"),
        N2=dict(upn_unknown="UN2"), N3=dict(birth="2008-08-31"), T3=dict(birth="2008-09-01"),
        T4=dict(upn_unknown="UN9")),
        [("T", "UPN, UPNunknown", "2019-08-31"), ("T2", "UPN, UPNunknown", "2015-05-01"),
         ("T3", "UPN, UPNunknown", "2008-09-01"), ("T4", "UPN, UPNunknown", "2015-05-01")]),
    # The same from 2024-25, with UN1: T (UN1, no UPN) has one referral going on to further action;
    # N and N2, both of school age with no UPN, have only NFA referrals.
    "8770Q further action": ("8770Q", 2025, lambda c: _kids(
        c, T=dict(upn_unknown="UN1", episodes=[_open(c, "2024-05-01", "true"), _open(c, "2024-07-01", "false")]),
        N=dict(episodes=[_open(c, "2024-05-01", "true")]),
        N2=dict(upn_unknown="UN1", episodes=[_open(c, "2024-05-01", "true"), _open(c, "2024-07-01", "TRUE")])),
        [("T", "UPN, UPNunknown", "2015-05-01")]),
    "8772 UN7 with further action": ("8772", 2024, lambda c: _kids(
        c, T=dict(upn_unknown="UN7"), N=dict(upn_unknown="UN7", episodes=[c.Episode(nfa="true")])),
        [("T", "UPNunknown, ReferralNFA", "UN7")]),
    # characteristics and disabilities
    "4220 ethnicity": ("4220", 2024, lambda c: _kids(c, T=dict(ethnicity="XXXX"), T2=dict(ethnicity=""), N={}),
                       [("T", "Ethnicity", "XXXX"), ("T2", "Ethnicity", None)]),
    "8540 disability": ("8540", 2024, lambda c: _kids(
        c, T=dict(disabilities=["ZZZ"]), T2={}, N=dict(episodes=[c.Episode(nfa="true")]),
        N2=dict(birth=None, expected_birth="2024-05-01"), N3=dict(disabilities=["NONE"])),
        [("T", "Disability, PersonBirthDate, ReferralNFA", "ZZZ"),
         ("T2", "Disability, PersonBirthDate, ReferralNFA", None)]),
    "8790 NONE and others": ("8790", 2024, lambda c: _kids(
        c, T=dict(disabilities=["NONE", "MOB"]), N=dict(disabilities=["NONE"]), N2=dict(disabilities=["MOB", "AUT"])),
        [("T", "Disability", "NONE, MOB")]),
    "8794 repeated code": ("8794", 2024, lambda c: _kids(
        c, T=dict(disabilities=["MOB", "HAND", "MOB"]), N=dict(disabilities=["MOB", "HAND"])),
        [("T", "Disability", "MOB")]),
    "2887Q fewer than 8 codes": ("2887Q", 2024, lambda c: _kids(
        c, A=dict(disabilities=["MOB", "HAND", "PC", "INC"]), B=dict(disabilities=["COMM", "LD", "HEAR", "NONE"])),
        [(None, "Disability", "7")]),
    "2887Q 8 codes": ("2887Q", 2024, lambda c: _kids(
        c, A=dict(disabilities=["MOB", "HAND", "PC", "INC"]), B=dict(disabilities=["COMM", "LD", "HEAR", "VIS"])), []),
    "2888Q one code each": ("2888Q", 2024, lambda c: _kids(
        c, A=dict(disabilities=["MOB"]), B=dict(disabilities=["HAND"]), C=dict(disabilities=["NONE"])),
        [(None, "Disability", "2")]),
    "2888Q someone has two": ("2888Q", 2024, lambda c: _kids(
        c, A=dict(disabilities=["MOB"]), B=dict(disabilities=["HAND", "VIS"])), []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rule(name, cin, check):
    code, year, children, expected = CASES[name]
    assert check(code, year, children(cin)) == expected


def test_findings_carry_the_record_line(cin, check):
    check("8790", 2024, [cin.Child(id="T", disabilities=["MOB", "NONE"])])
    assert check.state.lines == [cin.line_of(check.state.text, "<Disability>NONE")]
    check("1510", 2024, [cin.Child(id="N"), cin.Child(id="T", upn="A201000000001")])
    assert check.state.lines == [cin.line_of(check.state.text, "<Child>", 2)]
