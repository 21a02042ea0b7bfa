"""Seven children of LA 201 as its 2022-23 CIN return and its Annex A as at 31 March 2023 (12 months) record them.

Both are built here from one account of what happened, so that an item both can compute must agree:

- A1: contact 9 May 2022; referral 10 May (source 6); assessment 11 May, authorised 1 June; closed 1 September
  2022, RC8.
- A2: contacts 1 June and 1 July 2022; referral 1 June (3A), no further action (closed that day, RC8).
- A3: referral 1 October 2021 (2A); plan from 1 November 2021 (NEG), open; episode open.
- A4: referral 15 August 2022 (2A); assessment 16 August, authorised 20 October; enquiry 20 August, conference
  5 September; plan 5 September 2022 to 1 February 2023 (PHY); episode open.
- A5: contact 28 November 2022; referral 1 December (1A); assessment 2 December, authorised 20 December; closed
  10 January 2023, RC9; early help assessment 15 January 2023, completed 1 March 2023.
- A6: contact 1 October 2022; early help assessment 5 October 2022, not completed.
- A7: contact 30 March 2023.

A3's episode began before the months: the Annex A has it in lists 6 and 7 only (no referral in them).
A2's referral led to no further action: not a child in need, so not in list 6.
"""

from __future__ import annotations

import datetime as dt

D = dt.date
LA = "201"
AS_AT = D(2023, 3, 31)

_CHILD = {"A1": ("1", "WBRI", D(2012, 3, 4)), "A2": ("2", "WIRI", D(2015, 7, 1)), "A3": ("1", "BAFR", D(2010, 1, 9)),
          "A4": ("2", "WBRI", D(2018, 2, 2)), "A5": ("1", "APKN", D(2009, 11, 30)), "A6": ("2", "WBRI", D(2016, 6, 6)),
          "A7": ("1", "WBRI", D(2020, 12, 1))}


def _who(child: str) -> dict:
    gender, ethnicity, birth = _CHILD[child]
    return {"child_id": child, "gender": gender, "ethnicity": ethnicity, "birth_date": birth}


def lists() -> dict[int, list[dict]]:
    """The Annex A's lists 1 to 7 (munro's column names)."""
    w = {"team": "Team North", "worker": "Worker One"}
    return {
        1: [{**_who(c), "contact_date": d, "contact_source": s} for c, d, s in (
            ("A1", D(2022, 5, 9), "6"), ("A2", D(2022, 6, 1), "3A"), ("A2", D(2022, 7, 1), "2A"),
            ("A5", D(2022, 11, 28), "1A"), ("A6", D(2022, 10, 1), "8"), ("A7", D(2023, 3, 30), "6"))],
        2: [{**_who("A5"), "start_date": D(2023, 1, 15), "completion_date": D(2023, 3, 1), "organisation": "School"},
            {**_who("A6"), "start_date": D(2022, 10, 5), "completion_date": None, "organisation": "Health visitor"}],
        3: [{**_who(c), "referral_date": d, "referral_source": s, "referral_nfa": nfa, "referrals_12m": 1, **w}
            for c, d, s, nfa in (("A1", D(2022, 5, 10), "6", False), ("A2", D(2022, 6, 1), "3A", True),
                                 ("A4", D(2022, 8, 15), "2A", False), ("A5", D(2022, 12, 1), "1A", False))],
        4: [{**_who(c), "disabled": False, "start_date": s, "seen": True, "authorisation_date": a,
             "needs_support": True, **w}
            for c, s, a in (("A1", D(2022, 5, 11), D(2022, 6, 1)), ("A4", D(2022, 8, 16), D(2022, 10, 20)),
                            ("A5", D(2022, 12, 2), D(2022, 12, 20)))],
        5: [{**_who("A4"), "disabled": False, "s47_date": D(2022, 8, 20), "icpc_not_required": False,
             "icpc_date": D(2022, 9, 5), "icpc_plan": True, "s47_12m": 1, "icpc_12m": 1, **w}],
        6: [{**_who(c), "disabled": False, "cin_start_date": s, "primary_need": "N1", "last_seen_date": None,
             "cin_closure_date": e, "closure_reason": r, "case_status": st, **w}
            for c, s, e, r, st in (("A1", D(2022, 5, 10), D(2022, 9, 1), "RC8", "closed"),
                                   ("A3", D(2021, 10, 1), None, None, "cp_plan"),
                                   ("A4", D(2022, 8, 15), None, None, "cin_plan"),
                                   ("A5", D(2022, 12, 1), D(2023, 1, 10), "RC9", "closed"))],
        7: [{**_who(c), "disabled": False, "cpp_start_date": s, "initial_category": cat, "latest_category": cat,
             "last_visit_date": None, "seen_alone": None, "review_date": None, "cpp_end_date": e,
             "epo_or_police_6m": False, "previous_plans": 0, **w}
            for c, s, e, cat in (("A3", D(2021, 11, 1), None, "NEG"), ("A4", D(2022, 9, 5), D(2023, 2, 1), "PHY"))],
    }


def cin_return(cin) -> str:
    """The same children's 2022-23 CIN census return (``tests/conftest.py``'s builder)."""
    E, A, S, P = cin.Episode, cin.Assessment, cin.S47, cin.Plan

    def child(c, *episodes):
        gender, ethnicity, birth = _CHILD[c]
        return cin.Child(id=c, birth=birth.isoformat(), gender=gender, ethnicity=ethnicity,
                         episodes=list(episodes))

    return cin.xml(2023, [
        child("A1", E(referral="2022-05-10", source="6", closure="2022-09-01", reason="RC8",
                      assessments=[A("2022-05-11", auth="2022-06-01")])),
        child("A2", E(referral="2022-06-01", source="3A", nfa="true", closure="2022-06-01", reason="RC8")),
        child("A3", E(referral="2021-10-01", source="2A", plans=[P("2021-11-01", initial="NEG", latest="NEG")])),
        child("A4", E(referral="2022-08-15", source="2A", assessments=[A("2022-08-16", auth="2022-10-20")],
                      s47=[S("2022-08-20", icpc="2022-09-05")],
                      plans=[P("2022-09-05", "2023-02-01", initial="PHY", latest="PHY")])),
        child("A5", E(referral="2022-12-01", source="1A", closure="2023-01-10", reason="RC9",
                      assessments=[A("2022-12-02", auth="2022-12-20")])),
    ], la=LA)
