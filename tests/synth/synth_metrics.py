"""An independent reading of CIN census returns, for checking the generator.

Deliberately separate from munro's own reader and store: it parses the XML
with lxml, merges returns as definitions.md section 1 says, and computes the
section 2 items the calibration targets name. Only ``munro.calendar`` is
shared (the working-day calendar is part of the contract).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import numpy as np
from lxml import etree

from munro.calendar import working_days_between

_fromiso = dt.date.fromisoformat
_DATE_TAGS = {
    "CINreferralDate": "ref", "CINclosureDate": "close", "DateOfInitialCPC": "icpc",
}


def _episode(e):
    ep = {"ref": None, "source": None, "close": None, "reason": None, "icpc": None, "nfa": False,
          "assessments": {}, "cin_plans": {}, "s47": {}, "plans": {}}
    for x in e:
        tag = x.tag
        if tag in _DATE_TAGS:
            ep[_DATE_TAGS[tag]] = _fromiso(x.text)
        elif tag == "ReferralSource":
            ep["source"] = x.text
        elif tag == "ReasonForClosure":
            ep["reason"] = x.text
        elif tag == "ReferralNFA":
            ep["nfa"] = x.text in ("true", "1")
        elif tag == "Assessments":
            a = {"start": None, "auth": None, "factors": ()}
            for y in x:
                if y.tag == "AssessmentActualStartDate":
                    a["start"] = _fromiso(y.text)
                elif y.tag == "AssessmentAuthorisationDate":
                    a["auth"] = _fromiso(y.text)
                elif y.tag == "FactorsIdentifiedAtAssessment":
                    a["factors"] = tuple(f.text for f in y)
            ep["assessments"][a["start"]] = a
        elif tag == "Section47":
            s = {"start": None, "icpc": None}
            for y in x:
                if y.tag == "S47ActualStartDate":
                    s["start"] = _fromiso(y.text)
                elif y.tag == "DateOfInitialCPC":
                    s["icpc"] = _fromiso(y.text)
            ep["s47"][s["start"]] = s
        elif tag == "ChildProtectionPlans":
            p = {"start": None, "end": None, "initial": None, "previous": 0, "reviews": set()}
            for y in x:
                t = y.tag
                if t == "CPPstartDate":
                    p["start"] = _fromiso(y.text)
                elif t == "CPPendDate":
                    p["end"] = _fromiso(y.text)
                elif t == "InitialCategoryOfAbuse":
                    p["initial"] = y.text
                elif t == "NumberOfPreviousCPP":
                    p["previous"] = int(y.text)
                elif t == "Reviews":
                    p["reviews"] = {_fromiso(r.text) for r in y}
            ep["plans"][p["start"]] = p
    return ep


def read_return(path: Path):
    """(year, {child_id: [episode]}) with each episode a dict of plain values."""
    children = {}
    year = None
    for _, el in etree.iterparse(str(path), events=("end",), tag=("Year", "Child")):
        if el.tag == "Year":
            year = int(el.text)
            continue
        cid = el.findtext("ChildIdentifiers/LAchildID")
        children[cid] = {"episodes": [_episode(e) for e in el.iterfind("CINdetails")]}
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]
    return year, children


class History:
    """Returns merged per definitions.md section 1 (later returns win, earlier-only parts kept)."""

    def __init__(self):
        self.episodes: dict[tuple, dict] = {}

    def add(self, children: dict) -> None:
        for cid, child in children.items():
            for ep in child["episodes"]:
                key = (cid, ep["ref"])
                old = self.episodes.get(key)
                if old is None:
                    self.episodes[key] = {**ep, "child": cid}
                    continue
                merged = {**ep, "child": cid}
                for part in ("assessments", "cin_plans", "s47", "plans"):
                    merged[part] = {**old[part], **ep[part]}
                for start, plan in merged["plans"].items():
                    if start in old["plans"]:
                        plan["reviews"] = old["plans"][start]["reviews"] | plan["reviews"]
                self.episodes[key] = merged

    def by_child(self):
        out = defaultdict(list)
        for (cid, _ref), ep in self.episodes.items():
            out[cid].append(ep)
        for eps in out.values():
            eps.sort(key=lambda e: e["ref"])
        return out


def _minus_12_months(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def measures(history: History, year: int, population: float) -> dict:
    """The calibration targets for ``year`` from the merged history."""
    S, R = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    per10k = 10_000 / population
    kids = history.by_child()
    out = {}

    refs = [(cid, e) for cid, eps in kids.items() for e in eps if S <= e["ref"] <= R]
    n_ref = len(refs)
    out["referral_rate"] = n_ref * per10k
    rerefs = 0
    for cid, e in refs:
        lo = _minus_12_months(e["ref"])
        if any(lo <= o["ref"] < e["ref"] for o in kids[cid]):
            rerefs += 1
    out["rereferral_12m"] = 100 * rerefs / n_ref
    nfa = sum(e["nfa"] for _, e in refs)
    out["nfa"] = 100 * nfa / n_ref
    out["not_in_need"] = 100 * sum((not e["nfa"]) and e["reason"] in ("RC8", "RC9") for _, e in refs) / n_ref
    groups = defaultdict(int)
    for _, e in refs:
        s = e["source"]
        groups["police" if s == "6" else "schools" if s in ("2A", "2B") else
               "health" if s.startswith("3") else "other"] += 1
    for g in ("police", "schools", "health"):
        out[f"source_{g}"] = 100 * groups[g] / n_ref

    eps = list(history.episodes.values())
    durations = [working_days_between(a["start"], a["auth"])
                 for e in eps for a in e["assessments"].values()
                 if a["auth"] and S <= a["auth"] <= R]
    out["assessment_rate"] = len(durations) * per10k
    dur = np.array([d for d in durations if d >= 0])
    out["assessment_within_45"] = 100 * float(np.mean(dur <= 45))
    out["assessment_median"] = float(np.percentile(dur, 50))

    assessed = [e for e in eps if any(a["auth"] and S <= a["auth"] <= R for a in e["assessments"].values())]
    for code in ("3B", "4B"):
        out[f"factor_{code}"] = 100 * sum(
            any(code in a["factors"] for a in e["assessments"].values() if a["auth"] and S <= a["auth"] <= R)
            for e in assessed) / len(assessed)

    out["s47_rate"] = sum(S <= s["start"] <= R for e in eps for s in e["s47"].values()) * per10k
    icpcs = {(e["child"], s["icpc"]) for e in eps for s in e["s47"].values()
             if s["icpc"] and S <= s["icpc"] <= R}
    icpcs |= {(e["child"], e["icpc"]) for e in eps if e["icpc"] and S <= e["icpc"] <= R}
    out["icpc_rate"] = len(icpcs) * per10k
    icpc_days = np.array([working_days_between(s["start"], s["icpc"]) for e in eps for s in e["s47"].values()
                          if s["icpc"] and S <= s["icpc"] <= R])
    out["icpc_within_15"] = 100 * float(np.mean(icpc_days[icpc_days >= 0] <= 15))

    starts = [(e["child"], p) for e in eps for p in e["plans"].values() if S <= p["start"] <= R]
    out["cpp_start_rate"] = len(starts) * per10k
    cats = defaultdict(int)
    for _, p in starts:
        cats[p["initial"]] += 1
    out["cpp_neglect"] = 100 * cats["NEG"] / len(starts)
    out["cpp_emotional"] = 100 * cats["EMO"] / len(starts)
    plan_starts = defaultdict(list)
    for e in eps:
        for p in e["plans"].values():
            plan_starts[e["child"]].append(p["start"])
    repeat = sum(p["previous"] >= 1 or any(s < p["start"] for s in plan_starts[cid]) for cid, p in starts)
    out["cpp_repeat"] = 100 * repeat / len(starts)
    on_plan = {e["child"] for e in eps for p in e["plans"].values()
               if p["start"] <= R and (p["end"] is None or p["end"] > R)}
    out["cpp_rate"] = len(on_plan) * per10k
    ended = [p for e in eps for p in e["plans"].values() if p["end"] and S <= p["end"] <= R]
    out["cpp_lasting_2y"] = 100 * sum((p["end"] - p["start"]).days >= 729 for p in ended) / len(ended)
    in_need = {e["child"] for e in eps if not e["nfa"] and e["ref"] <= R and (e["close"] is None or e["close"] > R)}
    out["cin_rate"] = len(in_need) * per10k
    return out


def measure_returns(paths: list[Path], population_of) -> dict[int, dict]:
    """Measures for each return's year, from the history of that return and the ones before it."""
    history = History()
    out = {}
    for path in sorted(paths):
        year, children = read_return(path)
        history.add(children)
        out[year] = measures(history, year, population_of(year))
    return out
