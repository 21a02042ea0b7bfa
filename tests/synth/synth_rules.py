"""A test-side check of a return against DfE validation rules.

Written from the rule texts (shared/reference/cin-census/derived/
d2i-cin-validation-rules.csv and the d2i rule docstrings), independently of
the generator, so that "rule-clean by construction" is checked rather than
assumed, and injected errors are seen to be caught. ``check`` returns
(rule, LAchildID, detail) tuples; codes ending in Q are queries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from lxml import etree

from munro.calendar import is_working_day, working_days_between
from munro.census.format import CHILD, Container, Group, ListOf, codes_for

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _d(el, name):
    v = el.findtext(name)
    if v is None:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        return v  # left as text: a date rule will flag it


def _b(el, name):
    v = el.findtext(name)
    return None if v is None else v.strip().lower() in ("true", "1")


def parse(path):
    """(header, [child]) with every field the rules need, lists kept in file order."""
    tree = etree.parse(str(path))
    root = tree.getroot()
    header = {
        "year": int(root.findtext("Header/CollectionDetails/Year")),
        "reference": _d(root.find("Header/CollectionDetails"), "ReferenceDate"),
    }
    children = []
    for c in root.iterfind("Children/Child"):
        ident = c.find("ChildIdentifiers")
        chars = c.find("ChildCharacteristics")
        child = {name: ident.findtext(name) for name in
                 ("LAchildID", "UPN", "FormerUPN", "UPNunknown", "GenderCurrent", "Sex")}
        child["birth"] = _d(ident, "PersonBirthDate")
        child["edob"] = _d(ident, "ExpectedPersonBirthDate")
        child["death"] = _d(ident, "PersonDeathDate")
        child["ethnicity"] = chars.findtext("Ethnicity")
        child["disabilities"] = [d.text for d in chars.iterfind("Disabilities/Disability")]
        child["episodes"] = []
        for e in c.iterfind("CINdetails"):
            child["episodes"].append({
                "ref": _d(e, "CINreferralDate"), "source": e.findtext("ReferralSource"),
                "need": e.findtext("PrimaryNeedCode"), "close": _d(e, "CINclosureDate"),
                "reason": e.findtext("ReasonForClosure"), "icpc": _d(e, "DateOfInitialCPC"),
                "nfa": _b(e, "ReferralNFA"),
                "assessments": [{
                    "start": _d(a, "AssessmentActualStartDate"),
                    "auth": _d(a, "AssessmentAuthorisationDate"),
                    "factors": [f.text for f in a.iterfind("FactorsIdentifiedAtAssessment/AssessmentFactors")],
                } for a in e.iterfind("Assessments")],
                "cin_plans": [{"start": _d(p, "CINPlanStartDate"), "end": _d(p, "CINPlanEndDate")}
                              for p in e.iterfind("CINPlanDates")],
                "s47": [{"start": _d(s, "S47ActualStartDate"), "target": _d(s, "InitialCPCtarget"),
                         "icpc": _d(s, "DateOfInitialCPC"), "not_required": _b(s, "ICPCnotRequired")}
                        for s in e.iterfind("Section47")],
                "plans": [{"start": _d(p, "CPPstartDate"), "end": _d(p, "CPPendDate"),
                           "initial": p.findtext("InitialCategoryOfAbuse"),
                           "latest": p.findtext("LatestCategoryOfAbuse"),
                           "previous": p.findtext("NumberOfPreviousCPP"),
                           "reviews": [_d(r, ".") for r in p.iterfind("Reviews/CPPreviewDate")]}
                          for p in e.iterfind("ChildProtectionPlans")],
            })
        children.append(child)
    return header, children


def _upn_ok(upn: str) -> bool:
    if len(upn) != 13 or not upn[1:12].isdigit():
        return False
    if not upn[12].isdigit():
        return True  # temporary UPN: the check letter rule applies to permanent ones
    return UPN_LETTERS[sum(int(ch) * w for w, ch in enumerate(upn[1:], start=2)) % 23] == upn[0]


def check(path, code_year: int | None = None, parsed=None) -> list[tuple[str, str, str]]:
    header, children = parsed or parse(path)
    Y = header["year"]
    cy = code_year or Y
    R = dt.date(Y, 3, 31)
    S = dt.date(Y - 1, 4, 1)
    codes = {name: codes_for(name, cy) for name in
             ("ethnicity", "disability", "referral_source", "primary_need", "closure_reason",
              "abuse_category", "assessment_factor", "upn_unknown")}
    out = []

    def flag(rule, child, detail=""):
        out.append((rule, child["LAchildID"], detail))

    def isdate(v):
        return isinstance(v, dt.date)

    if header["reference"] != R:
        out.append(("100", "", str(header["reference"])))
    ids = Counter(c["LAchildID"] for c in children)
    upns = Counter(c["UPN"] for c in children if c["UPN"])
    disability_codes = set()
    for c in children:
        cid = c["LAchildID"]
        if ids[cid] > 1:
            flag("8510", c)
        if len(cid) > 20:
            flag("1570", c)
        if not cid.isalnum():
            flag("1580", c)
        if c["UPN"]:
            if not _upn_ok(c["UPN"]):
                flag("1510", c, c["UPN"])
            if upns[c["UPN"]] > 1:
                flag("1520", c)
        if c["UPNunknown"] and c["UPNunknown"] not in codes["upn_unknown"]:
            flag("UPNunknown code", c)
        birth, edob = c["birth"], c["edob"]
        if (birth is None) == (edob is None):
            flag("8525Q", c)
        if birth and birth > R:
            flag("8520", c)
        if edob and not (dt.date(Y, 3, 1) <= edob <= dt.date(Y, 12, 31)):
            flag("8530Q", c, str(edob))
        unborn = birth is None and edob is not None
        if cy <= 2024:
            if c["GenderCurrent"] not in ("0", "1", "2", "9"):
                flag("4180", c)
            if unborn and c["GenderCurrent"] != "0":
                flag("8750", c)
        else:
            if c["Sex"] not in ("M", "F", "U"):
                flag("4180", c)
            if unborn and c["Sex"] != "U":
                flag("8750", c)
        if c["death"] and not (S <= c["death"] <= R):
            flag("8545Q", c)
        if c["ethnicity"] not in codes["ethnicity"]:
            flag("4220", c, str(c["ethnicity"]))
        dis = c["disabilities"]
        disability_codes.update(d for d in dis if d != "NONE")
        if any(d not in codes["disability"] for d in dis):
            flag("8540", c)
        if "NONE" in dis and len(dis) > 1 and len(set(dis)) > 1:
            flag("8790", c)
        if len(dis) != len(set(dis)):
            flag("8794", c)
        eps = c["episodes"]
        if not eps:
            flag("8590", c)
        further = any(not e["nfa"] for e in eps)
        if c["UPNunknown"] == "UN7" and further:
            flag("8772", c)
        if further and birth and birth <= dt.date(Y - 4, 8, 31) and not c["UPN"] and \
                c["UPNunknown"] not in ("UN2", "UN3", "UN4", "UN5", "UN6", "UN7"):
            flag("8770Q", c)
        dob = birth or edob
        open_eps = [e for e in eps if e["close"] is None and not e["nfa"]]
        if len(open_eps) > 1:
            flag("8815", c)
        if open_eps and open_eps[-1] is not max(eps, key=lambda e: e["ref"]):
            flag("8816", c)
        for i, e in enumerate(eps):
            for j, o in enumerate(eps):
                if i == j or not (isdate(e["ref"]) and isdate(o["ref"])) or e["ref"] < o["ref"]:
                    continue
                if (isdate(o["close"]) and e["ref"] <= o["close"]) or \
                        (o["close"] is None and not o["nfa"] and e["ref"] <= R):
                    flag("8820", c, f"{o['ref']} {e['ref']}")
        all_cin_plans = [p for e in eps for p in e["cin_plans"]]
        all_plans = [p for e in eps for p in e["plans"]]
        for e in eps:
            ref, close = e["ref"], e["close"]
            if not isdate(ref) or ref > R:
                flag("8600", c)
                continue
            if dob and isdate(dob) and (dob - ref).days > 280:
                flag("8606", c)
            if e["source"] not in codes["referral_source"]:
                flag("8866", c, str(e["source"]))
            if e["nfa"] is None:
                flag("8568", c)
            if not e["nfa"] and not e["need"]:
                flag("8610", c)
            if e["need"] and e["need"] not in codes["primary_need"]:
                flag("8650", c, e["need"])
            if close is not None:
                if not (S <= close <= R):
                    flag("8620", c)
                if close < ref:
                    flag("8630", c)
                if not e["reason"]:
                    flag("8805", c)
            elif e["reason"]:
                flag("8810", c)
            if e["reason"] and e["reason"] not in codes["closure_reason"]:
                flag("8640", c, e["reason"])
            if e["reason"] == "RC2" and not c["death"]:
                flag("8585Q", c)
            if e["nfa"] and working_days_between(ref, S) > 1:
                flag("8569Q", c)
            if e["nfa"] and (e["assessments"] or e["s47"] or e["icpc"]):
                flag("8831", c)
            if e["nfa"] and e["plans"]:
                flag("8832", c)
            if e["nfa"] and e["cin_plans"]:
                flag("4000", c)
            if e["reason"] in ("RC8", "RC9"):
                if e["s47"] or e["plans"] or e["icpc"] or e["cin_plans"]:
                    flag("2990", c)
                if not e["assessments"]:
                    flag("8825Q", c)
            if e["s47"] and not e["assessments"]:
                flag("2991Q", c)
            if e["icpc"] and any(s["icpc"] == e["icpc"] for s in e["s47"]):
                flag("2884", c)
            dates = []
            open_assessments = 0
            for a in e["assessments"]:
                st, au = a["start"], a["auth"]
                dates += [st, au]
                if isdate(st) and st < ref:
                    flag("1103", c)
                if au is None:
                    open_assessments += 1
                    if isdate(st) and not (S <= st <= R):
                        flag("8736", c)
                    if a["factors"]:
                        flag("8614", c)
                    if isdate(st) and working_days_between(st, R) > 45:
                        flag("8670Q", c)
                else:
                    if isdate(au) and isdate(st) and au < st:
                        flag("8608", c)
                    if isdate(au) and not (S <= au <= R):
                        flag("8696", c)
                    if not a["factors"]:
                        flag("8897Q", c)
                    if close is not None and au > close:
                        flag("8565", c)
                f = a["factors"]
                if "21" in f and len(f) > 1:
                    flag("8869", c)
                if len(f) != len(set(f)):
                    flag("8898", c)
                if any(x not in codes["assessment_factor"] for x in f):
                    flag("factor code", c, ",".join(f))
                if cy >= 2025 and ("18A" in f or "19A" in f):
                    flag("8945Q", c)
                if f == ["21"] and len(e["assessments"]) == 1 and e["reason"] not in ("RC8", "RC9"):
                    flag("8873Q", c)
            if open_assessments > 1:
                flag("8896", c)
            if close is not None and open_assessments:
                flag("8867", c)
            spans = sorted((a["start"], a["auth"]) for a in e["assessments"] if isdate(a["start"]))
            for (_s1, a1), (s2, _a2) in zip(spans, spans[1:]):
                if a1 is None or (isdate(a1) and s2 < a1):
                    flag("8863Q", c)
            open_s47 = 0
            for s in e["s47"]:
                st, icpc = s["start"], s["icpc"]
                dates += [st, icpc]
                if isdate(st) and st < ref:
                    flag("2889", c)
                if icpc is not None:
                    if icpc < ref:
                        flag("1104", c)
                    if st > icpc:
                        flag("8615", c)
                    if not (S <= icpc <= R):
                        flag("8715", c)
                    if not is_working_day(icpc) and icpc.weekday() >= 5:
                        flag("8875", c)
                else:
                    if not s["not_required"]:
                        open_s47 += 1
                        if not (S <= st <= R):
                            flag("8740", c)
                        if working_days_between(st, R) > 15:
                            flag("8675Q", c)
                        if close is not None:
                            flag("8868", c)
                if s["target"] is not None and s["target"].weekday() >= 5:
                    flag("8870Q", c)
            if open_s47 > 1:
                flag("8839", c)
            for p in e["cin_plans"]:
                st, en = p["start"], p["end"]
                dates += [st, en]
                if st > R:
                    flag("4010", c)
                if st < ref:
                    flag("4015", c)
                if en is not None:
                    if en < st:
                        flag("4011", c)
                    if en == st:
                        flag("4012Q", c)
                    if not (S <= en <= R):
                        flag("4013", c)
            if sum(p["end"] is None for p in e["cin_plans"]) > 1:
                flag("4004", c)
            for p in e["plans"]:
                st, en = p["start"], p["end"]
                dates += [en]
                if st > R:
                    flag("8720", c)
                if st < ref:
                    flag("1105", c)
                if p["previous"] is None:
                    flag("8730", c)
                if p["initial"] not in codes["abuse_category"]:
                    flag("8905", c, str(p["initial"]))
                if p["latest"] not in codes["abuse_category"]:
                    flag("8910", c)
                if en is not None:
                    if en < st:
                        flag("8925", c)
                    if en == st:
                        flag("8840", c)
                    if not (S <= en <= R):
                        flag("8930", c)
                for r in p["reviews"]:
                    if r <= st:
                        flag("8841", c)
                if S <= st <= R:
                    confs = [s["icpc"] for s in e["s47"] if s["icpc"]] + ([e["icpc"]] if e["icpc"] else [])
                    if st not in confs:
                        flag("2885", c, f"{st} {confs}")
                if any(cp["end"] is None for cp in e["cin_plans"]) and en is None:
                    flag("4001", c)
            if close is not None:
                if e["icpc"] and e["icpc"] > close:
                    flag("8565", c)
                for d in dates:
                    if isdate(d) and d > close:
                        flag("8565", c)
                        break
            for d in dates:
                if isdate(d) and d > R:
                    flag("after R", c, str(d))
                    break
        if sum(p["end"] is None for p in all_plans) > 1:
            flag("8935", c)
        spans = sorted((p["start"], p["end"] or R + dt.timedelta(days=1)) for p in all_plans)
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:]):
            if s2 < e1:
                flag("8940", c)
        cspans = sorted((p["start"], p["end"] or R + dt.timedelta(days=1)) for p in all_cin_plans)
        for (_s1, e1), (s2, _e2) in zip(cspans, cspans[1:]):
            if s2 < e1:
                flag("4014", c)
        for cp in all_cin_plans:
            for p in all_plans:
                p_end = p["end"]
                if cp["start"] >= p["start"] and (cp["start"] < p_end if p_end else cp["start"] <= R):
                    flag("4016", c)
                cp_end = cp["end"]
                if p["start"] >= cp["start"] and (p["start"] < cp_end if cp_end else p["start"] <= R):
                    flag("4017", c)
                for r in p["reviews"]:
                    if cp_end and cp["start"] <= r < cp_end and r != p_end:
                        flag("4003", c)
    if len(children) > 2000 and len(disability_codes) < 8:
        out.append(("2887Q", "", str(sorted(disability_codes))))
    return out


def _order(items, year):
    names = []
    for item in items:
        if isinstance(item, Container):
            names.append((item.element, item))
        elif isinstance(item, ListOf):
            if item.in_year(year):
                names.append((item.wrapper, item))
        elif item.in_year(year):
            names.append((item.element, item))
    return names


def structure_problems(path, year: int) -> list[str]:
    """Elements not in format.py's schema for ``year``, or out of its order."""
    problems = []

    def walk(el, items):
        order = _order(items, year)
        index = {name: i for i, (name, _) in enumerate(order)}
        last = -1
        for c in el:
            i = index.get(c.tag)
            if i is None:
                problems.append(f"{el.tag}/{c.tag} not in the {year} schema")
                continue
            if i < last:
                problems.append(f"{el.tag}/{c.tag} out of order")
            last = i
            item = order[i][1]
            if isinstance(item, (Group, Container)):
                walk(c, item.items)
            elif isinstance(item, ListOf):
                if any(x.tag != item.element for x in c):
                    problems.append(f"{c.tag} holds something other than {item.element}")
            elif len(c):
                problems.append(f"{c.tag} should be a simple element")
            elif item.kind == "date":
                try:
                    dt.date.fromisoformat(c.text)
                except (TypeError, ValueError):
                    problems.append(f"{c.tag} {c.text!r} is not a date")

    root = etree.parse(str(path)).getroot()
    for child in root.iterfind("Children/Child"):
        walk(child, CHILD.items)
    return problems
