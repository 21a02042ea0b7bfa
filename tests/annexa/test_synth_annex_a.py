"""``munro synth --annex-a``: the synthetic children's Annex A agrees with their returns and allocations.

What each list should hold is worked out here from the return's XML (read with lxml, not munro's
reader) and the allocations CSV, by the Annex A's own rules: a referral, enquiry or contact is listed
when dated in the months ending on the as-at date; an assessment, episode or plan when open at some
time in them; nothing dated after the as-at date is known.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from lxml import etree

from munro.annexa.read import read_annex_a
from munro.errors import MunroError
from munro.synth import generate
from munro.synth.local_records import FRONT_DOOR, TEAMS

D = dt.date
POPULATION, SEED = 8000, 3


@pytest.fixture(scope="module")
def year_end(tmp_path_factory):
    """The 2024-25 return and the Annex A as at its 31 March, 12 months."""
    out = tmp_path_factory.mktemp("synth")
    (r,) = generate("999", [2025], out, population=POPULATION, seed=SEED, annex_a=D(2025, 3, 31))
    return r, read_annex_a(r.annex_a)


def _d(text):
    return D.fromisoformat(text) if text else None


def _return(path):
    """Per child ID, its episodes as dicts of the XML's values (dates as dates)."""
    out = {}
    for child in etree.parse(str(path)).getroot().iter("Child"):
        cid = child.findtext("ChildIdentifiers/LAchildID")
        out[cid] = [{
            "ref": _d(ep.findtext("CINreferralDate")), "nfa": ep.findtext("ReferralNFA") in ("true", "1"),
            "source": ep.findtext("ReferralSource"), "close": _d(ep.findtext("CINclosureDate")),
            "reason": ep.findtext("ReasonForClosure"),
            "assessments": [(_d(a.findtext("AssessmentActualStartDate")),
                             _d(a.findtext("AssessmentAuthorisationDate"))) for a in ep.iter("Assessments")],
            "s47": [(_d(s.findtext("S47ActualStartDate")), _d(s.findtext("DateOfInitialCPC")))
                    for s in ep.iter("Section47")],
            "plans": [(_d(p.findtext("CPPstartDate")), _d(p.findtext("CPPendDate")),
                       p.findtext("InitialCategoryOfAbuse")) for p in ep.iter("ChildProtectionPlans")],
        } for ep in child.iter("CINdetails")]
    return out


def _rows(table, *columns):
    return sorted(tuple(r[c] for c in columns) for r in table.to_pylist())


def test_lists_3_to_7_are_the_returns_records(year_end):
    r, annex = year_end
    assert (annex.not_found, annex.findings) == ([], [])
    ret = _return(r.path)
    S, A = D(2024, 4, 1), D(2025, 3, 31)
    eps = [(cid, e) for cid, es in ret.items() for e in es]
    referrals = sorted((cid, e["ref"], e["source"], e["nfa"]) for cid, e in eps if S <= e["ref"] <= A)
    assert _rows(annex.tables[3], "child_id", "referral_date", "referral_source", "referral_nfa") == referrals
    # the return holds every episode open in the year; children in need leave out no-further-action referrals
    assert _rows(annex.tables[6], "child_id", "cin_start_date", "cin_closure_date", "closure_reason") == sorted(
        (cid, e["ref"], e["close"], e["reason"]) for cid, e in eps if not e["nfa"])
    assert _rows(annex.tables[4], "child_id", "start_date", "authorisation_date") == sorted(
        (cid, *a) for cid, e in eps for a in e["assessments"])
    assert _rows(annex.tables[5], "child_id", "s47_date", "icpc_date") == sorted(
        (cid, *s) for cid, e in eps for s in e["s47"] if s[0] >= S)
    assert _rows(annex.tables[7], "child_id", "cpp_start_date", "cpp_end_date", "initial_category") == sorted(
        (cid, *p) for cid, e in eps for p in e["plans"])
    assert len(referrals) > 300 and annex.tables[7].num_rows > 30  # enough to mean something


def test_referral_counts_in_the_last_12_months(year_end):
    r, annex = year_end
    ret = _return(r.path)
    per_child = {cid: sum(D(2024, 4, 1) <= e["ref"] for e in es) for cid, es in ret.items()}
    assert {(row["child_id"], row["referrals_12m"]) for row in annex.tables[3].to_pylist()} == {
        (cid, n) for cid, n in per_child.items() if n}


def test_workers_are_the_allocations_and_each_in_one_team(year_end):
    r, annex = year_end
    with r.local["sw_allocations"].open(newline="") as f:
        allocated = {(row["child_id"], row["worker_id"]) for row in csv.DictReader(f)}
    teams: dict[str, set[str]] = {}
    for n in (3, 4, 5, 6, 7):
        for row in annex.tables[n].to_pylist():
            if row["worker"] is None:
                assert row["team"] == FRONT_DOOR
                continue
            assert (row["child_id"], row["worker"]) in allocated
            teams.setdefault(row["worker"], set()).add(row["team"])
    assert teams and all(len(t) == 1 for t in teams.values())
    assert set().union(*teams.values()) <= set(TEAMS)
    # an assessed episode has a worker from 0-3 working days after its referral (local_records.py), unless it
    # closed first: an assessment without one is of an episode referred just before the as-at date, or
    # closed within days of its referral
    episodes = {}
    for row in annex.tables[6].to_pylist():
        episodes.setdefault(row["child_id"], []).append((row["cin_start_date"], row["cin_closure_date"]))
    unallocated = [row for row in annex.tables[4].to_pylist() if row["worker"] is None]
    for row in unallocated:
        ref, close = max(e for e in episodes[row["child_id"]] if e[0] <= row["start_date"])
        assert ref > D(2025, 3, 25) or (close - ref).days <= 5
    assert len(unallocated) < annex.tables[4].num_rows / 50


def test_contacts_lead_to_the_referrals_and_early_help_follows_rc9(year_end):
    r, annex = year_end
    contacts = annex.tables[1].to_pylist()
    referrals = annex.tables[3].to_pylist()
    by_child: dict[str, list] = {}
    for c in contacts:
        by_child.setdefault(c["child_id"], []).append((c["contact_date"], c["contact_source"]))
    for ref in referrals:
        if ref["referral_date"] < D(2024, 4, 4):  # its contact may be before the months listed
            continue
        assert any(0 <= (ref["referral_date"] - day).days <= 3 and source == ref["referral_source"]
                   for day, source in by_child.get(ref["child_id"], [])), "a referral without its contact"
    # one contact per referral and 1.5 more on average: about 2.5 contacts per referral
    assert 2.1 < len(contacts) / len(referrals) < 2.9
    assert all(D(2024, 4, 1) <= c["contact_date"] <= D(2025, 3, 31) for c in contacts)
    rc9 = {(row["child_id"]) for row in annex.tables[6].to_pylist() if row["closure_reason"] == "RC9"
           and row["cin_closure_date"] <= D(2025, 3, 11)}  # early help begins within 20 days
    early = {row["child_id"] for row in annex.tables[2].to_pylist()}
    assert rc9 and rc9 <= early


def test_six_months_to_a_mid_year_date_know_nothing_after_it(tmp_path):
    A = D(2024, 12, 31)
    (r,) = generate("999", [2025], tmp_path, population=POPULATION, seed=SEED, annex_a=A, annex_a_months=6)
    assert r.annex_a.name == "annex_a_999_2024-12-31.xlsx"
    annex = read_annex_a(r.annex_a)
    ret = _return(r.path)
    assert _rows(annex.tables[3], "child_id", "referral_date") == sorted(
        (cid, e["ref"]) for cid, es in ret.items() for e in es if D(2024, 7, 1) <= e["ref"] <= A)
    dates = [v for n, t in annex.tables.items() for col in t.column_names if n != 2 or col != "completion_date"
             for v in t.column(col).to_pylist() if isinstance(v, dt.date)]
    assert max(dates) <= A
    # a plan the return shows ended in 2025 is open in the Annex A
    open_then = {(cid, p[0]) for cid, es in ret.items() for e in es for p in e["plans"]
                 if p[0] <= A and p[1] is not None and p[1] > A}
    listed = {(row["child_id"], row["cpp_start_date"]): row["cpp_end_date"] for row in annex.tables[7].to_pylist()}
    assert open_then and all(listed[k] is None for k in open_then)


def test_the_as_at_date_must_fall_within_the_years(tmp_path):
    with pytest.raises(MunroError) as e:
        generate("999", [2025], tmp_path / "out", population=100, annex_a=D(2024, 12, 31))
    assert str(e.value) == ("an Annex A as at 2024-12-31 covers 2024-01-01 to 2024-12-31: give a date whose 12 "
                            "months lie within the years written (2024-04-01 to 2025-03-31)")
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_the_cli_writes_it(tmp_path, munro):
    run = munro("synth", "--la", "999", "--population", "2000", "--years", "2025", "--out", tmp_path,
                "--annex-a", "31/03/2025", "--annex-a-months", "6", "--quiet")
    assert run.returncode == 0, run.stderr
    path = tmp_path / "annex_a_999_2025-03-31.xlsx"
    assert run.stdout.rstrip().endswith(f"; Annex A in {path}")
    assert sorted(read_annex_a(path).tables) == [1, 2, 3, 4, 5, 6, 7]
