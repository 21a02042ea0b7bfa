"""Rules of the Section47 table: each with children that must trigger it and near misses that must not.

Returns are 2023-24 (census year 2023-04-01 to 2024-03-31); every expected finding was worked out by hand.
2023-06-10 is a Saturday, 2023-06-11 a Sunday, 2023-06-12 a Monday; 2023-08-28 is the summer bank holiday.
"""

from __future__ import annotations

from flagged import flagged, helpers

kid, at = helpers("s47", "<Section47>")


def test_1104_conference_before_the_referral(cin, check):
    S = cin.S47
    text, found = flagged(check, "1104", [
        kid(cin, "T1", S("2023-06-01", icpc="2023-05-31")),
        kid(cin, "T2", icpc="2023-05-31"),  # the CINdetails' own conference date
        kid(cin, "N", S("2023-06-01", icpc="2023-06-01")),
    ])
    fields = "CINreferralDate, DateOfInitialCPC"
    assert found == [("T1", fields, "2023-05-31", at(text, "T1")),
                     ("T2", fields, "2023-05-31", at(text, "T2", "<CINdetails>"))]


def test_2884_conference_recorded_at_both_levels(cin, check):
    S = cin.S47
    text, found = flagged(check, "2884", [
        kid(cin, "T", S("2023-06-01", icpc="2023-06-12"), icpc="2023-06-12"),
        kid(cin, "N", S("2023-06-01", icpc="2023-07-12"), icpc="2023-06-12"),  # two conferences
    ])
    assert found == [("T", "DateOfInitialCPC", "2023-06-12", at(text, "T"))]


def test_2889_enquiry_before_the_referral(cin, check):
    S = cin.S47
    text, found = flagged(check, "2889", [kid(cin, "T", S("2023-05-31")), kid(cin, "N", S("2023-06-01"))])
    assert found == [("T", "S47ActualStartDate, CINreferralDate", "2023-05-31", at(text, "T"))]


def test_8615_enquiry_start_missing_or_after_the_conference(cin, check):
    S = cin.S47
    text, found = flagged(check, "8615", [
        kid(cin, "T1", S("2023-06-13", icpc="2023-06-12")),
        kid(cin, "T2", S("")),  # empty: kept with no start by the tolerant read
        kid(cin, "N", S("2023-06-12", icpc="2023-06-12")),
    ])
    fields = "S47ActualStartDate, DateOfInitialCPC"
    assert found == [("T1", fields, "2023-06-13", at(text, "T1")), ("T2", fields, None, at(text, "T2"))]


def test_8675q_no_conference_more_than_15_working_days_on(cin, check):
    # Working days after 2024-03-06 up to Sunday 2024-03-31: 7, 8, 11-15, 18-22, 25-28 (Good Friday 29 March
    # is a bank holiday) = 16; after 2024-03-07: 15.
    S = cin.S47
    text, found = flagged(check, "8675Q", [
        kid(cin, "T", S("2024-03-06"), referral="2024-03-01"),
        kid(cin, "N1", S("2024-03-07"), referral="2024-03-01"),
        kid(cin, "N2", S("2024-03-06", not_required="true"), referral="2024-03-01"),
        kid(cin, "N3", S("2024-03-06", icpc="2024-03-20"), referral="2024-03-01"),
    ])
    assert found == [("T", "DateOfInitialCPC, S47ActualStartDate, ICPCnotRequired", "2024-03-06", at(text, "T"))]


def test_8715_conference_outside_the_census_year(cin, check):
    S = cin.S47
    text, found = flagged(check, "8715", [
        kid(cin, "T1", S("2023-03-20", icpc="2023-03-31"), referral="2023-03-01"),
        kid(cin, "T2", S("2024-03-20", icpc="2024-04-01"), referral="2024-03-01"),
        kid(cin, "N1", S("2023-03-20", icpc="2023-04-03"), referral="2023-03-01"),
        kid(cin, "N2", icpc="2021-05-04", referral="2021-05-01"),  # the episode's own, open since 2021
    ])
    fields = "DateOfInitialCPC, ReferenceDate"
    assert found == [("T1", fields, "2023-03-31", at(text, "T1")), ("T2", fields, "2024-04-01", at(text, "T2"))]


def test_8740_enquiry_awaiting_its_conference_started_before_the_year(cin, check):
    S = cin.S47
    old = dict(referral="2023-03-01")
    text, found = flagged(check, "8740", [
        kid(cin, "T", S("2023-03-31"), **old),
        kid(cin, "N1", S("2023-03-31", icpc="2023-04-12"), **old),
        kid(cin, "N2", S("2023-03-31", not_required="true"), **old),
        kid(cin, "N3", S("2023-04-01"), **old),
    ])
    assert found == [("T", "S47ActualStartDate, DateOfInitialCPC, ICPCnotRequired", "2023-03-31", at(text, "T"))]


def test_8839_two_open_enquiries_in_one_episode(cin, check):
    S, E = cin.S47, cin.Episode
    text, found = flagged(check, "8839", [
        kid(cin, "T", S("2023-06-01"), S("2023-07-01")),
        kid(cin, "N1", S("2023-06-01"), S("2023-07-01", not_required="true")),
        cin.Child(id="N2", episodes=[E(referral="2023-05-01", closure="2023-05-30", reason="RC7",
                                       s47=[S("2023-05-02")]),
                                     E(referral="2023-06-01", s47=[S("2023-06-02")])]),
    ])
    assert found == [("T", "DateOfInitialCPC", None, at(text, "T")),
                     ("T", "DateOfInitialCPC", None, at(text, "T", nth=2))]


def test_8870q_conference_target_at_a_weekend(cin, check):
    S = cin.S47
    text, found = flagged(check, "8870Q", [
        kid(cin, "T1", S("2023-06-01", target="2023-06-10")),
        kid(cin, "T2", S("2023-06-01", target="2023-06-11")),
        kid(cin, "N1", S("2023-06-01", target="2023-06-12")),
        kid(cin, "N2", S("2023-08-01", target="2023-08-28")),  # a bank holiday is not a weekend
    ])
    assert found == [("T1", "InitialCPCtarget", "2023-06-10", at(text, "T1")),
                     ("T2", "InitialCPCtarget", "2023-06-11", at(text, "T2"))]


def test_8875_conference_at_a_weekend(cin, check):
    S = cin.S47
    text, found = flagged(check, "8875", [
        kid(cin, "T1", S("2023-06-01", icpc="2023-06-10")),
        kid(cin, "T2", icpc="2023-06-11"),
        kid(cin, "N1", S("2023-06-01", icpc="2023-06-12")),
        kid(cin, "N2", S("2023-08-01", icpc="2023-08-28")),
    ])
    assert found == [("T1", "DateOfInitialCPC", "2023-06-10", at(text, "T1")),
                     ("T2", "DateOfInitialCPC", "2023-06-11", at(text, "T2", "<CINdetails>"))]
