"""Inject realistic data errors into child records, for exercising validation.

Each kind of error is one a DfE validation rule catches (the rule code is
the d2i/DfE one, ``shared/reference/cin-census/derived/d2i-cin-validation-rules.csv``),
made the way a case-management system or a keying slip makes it, and
leaves the record writable in the year's format: the right elements in the
right order, parseable dates. An injector places exactly ``n`` errors in a
return, spread through the file, and lists them for a manifest CSV.

Records share lists with the journey they came from (and with other years'
records), so an error never mutates a list in place: it replaces it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import deque
from dataclasses import dataclass

from ..errors import MunroError
from ..years import year_window

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Injected:
    rule: str
    la_child_id: str
    element: str
    referral_date: dt.date | None
    detail: str


MANIFEST_COLUMNS = ("rule", "LAchildID", "element", "CINreferralDate", "detail")


def _episodes(rec):
    return rec.get("CINdetails") or []


def _iso(d):
    return d.isoformat() if isinstance(d, dt.date) else str(d)


# Each error function takes (record, rng, S, R) and returns (rule, element,
# episode or None, detail), or None when the record has nothing it applies to.

def _assessment_before_referral(rec, rng, S, R):
    for ep in _episodes(rec):
        for a in ep.get("Assessments") or ():
            if (a.get("AssessmentAuthorisationDate")
                    and a["AssessmentActualStartDate"] - ep["CINreferralDate"] < dt.timedelta(days=20)):
                new = ep["CINreferralDate"] - dt.timedelta(days=rng.randint(1, 20))
                a["AssessmentActualStartDate"] = new
                return ("1103", "AssessmentActualStartDate", ep,
                        f"assessment start {_iso(new)} before referral {_iso(ep['CINreferralDate'])}")
    return None


def _authorised_before_start(rec, rng, S, R):
    for ep in _episodes(rec):
        for a in ep.get("Assessments") or ():
            auth = a.get("AssessmentAuthorisationDate")
            if auth and a["AssessmentActualStartDate"] - S > dt.timedelta(days=12):
                new = a["AssessmentActualStartDate"] - dt.timedelta(days=rng.randint(1, 10))
                a["AssessmentAuthorisationDate"] = new
                return ("8608", "AssessmentAuthorisationDate", ep,
                        f"authorised {_iso(new)} before start {_iso(a['AssessmentActualStartDate'])}")
    return None


def _plan_end_before_start(rec, rng, S, R):
    for ep in _episodes(rec):
        for p in ep.get("ChildProtectionPlans") or ():
            if p.get("CPPendDate") and p["CPPstartDate"] - S > dt.timedelta(days=35):
                new = p["CPPstartDate"] - dt.timedelta(days=rng.randint(1, 30))
                p["CPPendDate"] = new
                return ("8925", "CPPendDate", ep,
                        f"plan end {_iso(new)} before start {_iso(p['CPPstartDate'])}")
    return None


def _missing_need(rec, rng, S, R):
    for ep in _episodes(rec):
        if not ep["ReferralNFA"] and ep.get("PrimaryNeedCode"):
            old = ep.pop("PrimaryNeedCode")
            return ("8610", "PrimaryNeedCode", ep, f"primary need {old} left blank on a further-action referral")
    return None


def _plan_not_on_conference_day(rec, rng, S, R):
    for ep in _episodes(rec):
        for p in ep.get("ChildProtectionPlans") or ():
            start = p["CPPstartDate"]
            if not (S.toordinal() <= start.toordinal() < R.toordinal()):
                continue
            new = start + ONE_DAY
            later = [d for d in (p.get("Reviews") or ()) if d <= new + ONE_DAY]
            if later or (p.get("CPPendDate") and p["CPPendDate"] <= new + ONE_DAY):
                continue
            p["CPPstartDate"] = new
            return ("2885", "CPPstartDate", ep, f"plan start {_iso(new)}, conference {_iso(start)}")
    return None


def _duplicate_factor(rec, rng, S, R):
    for ep in _episodes(rec):
        for a in ep.get("Assessments") or ():
            factors = a.get("FactorsIdentifiedAtAssessment")
            if factors and "21" not in factors:
                dup = rng.choice(factors)
                a["FactorsIdentifiedAtAssessment"] = list(factors) + [dup]
                return ("8898", "AssessmentFactors", ep, f"factor {dup} recorded twice")
    return None


def _factor_21_with_others(rec, rng, S, R):
    for ep in _episodes(rec):
        for a in ep.get("Assessments") or ():
            factors = a.get("FactorsIdentifiedAtAssessment")
            if factors and "21" not in factors:
                a["FactorsIdentifiedAtAssessment"] = list(factors) + ["21"]
                return ("8869", "AssessmentFactors", ep, "factor 21 (no factors) alongside others")
    return None


def _overlapping_episodes(rec, rng, S, R):
    eps = _episodes(rec)
    for first, second in zip(eps, eps[1:]):
        close = first.get("CINclosureDate")
        gap = (R - second["CINreferralDate"]).days
        if close is not None and gap >= 1:
            new = second["CINreferralDate"] + dt.timedelta(days=rng.randint(1, min(30, gap)))
            first["CINclosureDate"] = new
            return ("8820", "CINclosureDate", first,
                    f"closed {_iso(new)}, after the next referral {_iso(second['CINreferralDate'])}")
    return None


def _closure_without_reason(rec, rng, S, R):
    for ep in _episodes(rec):
        if ep.get("CINclosureDate") and ep.get("ReasonForClosure"):
            old = ep.pop("ReasonForClosure")
            return ("8805", "ReasonForClosure", ep, f"reason {old} missing for closure {_iso(ep['CINclosureDate'])}")
    return None


def _closure_before_referral(rec, rng, S, R):
    for ep in _episodes(rec):
        close = ep.get("CINclosureDate")
        if close and ep["ReferralNFA"] and (ep["CINreferralDate"] - S).days > 10:
            new = ep["CINreferralDate"] - dt.timedelta(days=rng.randint(1, 10))
            ep["CINclosureDate"] = new
            return ("8630", "CINclosureDate", ep, f"closed {_iso(new)} before referral {_iso(ep['CINreferralDate'])}")
    return None


def _bad_check_letter(rec, rng, S, R):
    upn = rec.get("UPN")
    if not upn:
        return None
    wrong = rng.choice([ch for ch in "ABCDEFGHJKLMNPQRTUVWXYZ" if ch != upn[0]])
    rec["UPN"] = wrong + upn[1:]
    return ("1510", "UPN", None, f"check letter {wrong}, should be {upn[0]}")


def _duplicate_disability(rec, rng, S, R):
    dis = rec.get("Disabilities") or ["NONE"]
    rec["Disabilities"] = list(dis) + [dis[0]]
    return ("8794", "Disability", None, f"disability {dis[0]} recorded twice")


# Invalid codes that keying or mapping slips produce.
_BAD_CODES = (
    ("4220", None, "Ethnicity", ("WHIT", "WBR", "ASIA", "MIX")),
    ("8866", "ep", "ReferralSource", ("11", "3G", "POL", "06")),
    ("8650", "ep", "PrimaryNeedCode", ("N10", "NI", "1")),
    ("8640", "ep", "ReasonForClosure", ("RC10", "RC0", "R7")),
    ("8905", "plan", "InitialCategoryOfAbuse", ("NEGL", "EMOT", "PHYS")),
)


def _invalid_code(rec, rng, S, R):
    order = list(_BAD_CODES)
    rng.shuffle(order)
    for rule, where, element, values in order:
        bad = rng.choice(values)
        if where is None:
            old = rec.get(element)
            rec[element] = bad
            return (rule, element, None, f"{element} {bad} (was {old})")
        for ep in _episodes(rec):
            if where == "ep":
                if ep.get(element):
                    old, ep[element] = ep[element], bad
                    return (rule, element, ep, f"{element} {bad} (was {old})")
            else:
                for p in ep.get("ChildProtectionPlans") or ():
                    old, p[element] = p[element], bad
                    return (rule, element, ep, f"{element} {bad} (was {old})")
    return None


KINDS = (
    _assessment_before_referral, _authorised_before_start, _plan_end_before_start,
    _missing_need, _plan_not_on_conference_day, _duplicate_factor, _invalid_code,
    _overlapping_episodes, _closure_without_reason, _factor_21_with_others,
    _closure_before_referral, _bad_check_letter, _duplicate_disability,
)


class Injector:
    """Places exactly ``n`` errors in one return while its children stream past.

    Each child passes with chance ``n / expected`` of being given an error;
    the last ``n`` children are held back so that if the stream ends short,
    the remainder go into them. ``feed`` returns the records ready to write.
    """

    def __init__(self, n: int, expected_children: float, rng: random.Random, year: int):
        self.n = n
        self.rng = rng
        self.year = year
        self.S, self.R = year_window(year)
        self.p = min(1.0, n / max(expected_children, 1.0))
        self.held: deque = deque()
        self.done: list[Injected] = []
        kinds = list(KINDS)
        rng.shuffle(kinds)
        self.kinds = kinds
        self.next_kind = 0

    def feed(self, rec: dict) -> list[dict]:
        if self.n == 0:
            return [rec]
        self.held.append(rec)
        if len(self.held) <= self.n:
            return []
        out = self.held.popleft()
        if len(self.done) < self.n and self.rng.random() < self.p:
            self._inject(out)
        return [out]

    def finish(self) -> list[dict]:
        held = list(self.held)
        self.held.clear()
        missing = self.n - len(self.done)
        if missing > len(held):
            raise MunroError(
                f"cannot inject {self.n} errors into the {self.year} return: it has too few children "
                f"(try fewer --errors or a larger population)")
        if missing > 0:
            for i in sorted(self.rng.sample(range(len(held)), missing)):
                self._inject(held[i])
        return held

    def _inject(self, rec: dict) -> None:
        kinds = self.kinds
        for k in range(len(kinds)):
            kind = kinds[(self.next_kind + k) % len(kinds)]
            got = kind(rec, self.rng, self.S, self.R)
            if got is not None:
                self.next_kind = (self.next_kind + k + 1) % len(kinds)
                rule, element, ep, detail = got
                self.done.append(Injected(rule, rec["LAchildID"], element,
                                          ep["CINreferralDate"] if ep else None, detail))
                return
        raise AssertionError("every record takes at least one kind of error")  # pragma: no cover

    def manifest_text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(MANIFEST_COLUMNS)
        for e in self.done:
            w.writerow((e.rule, e.la_child_id, e.element,
                        e.referral_date.isoformat() if e.referral_date else "", e.detail))
        return buf.getvalue()
