"""Slice a simulated journey into what each year's return shows.

A return for year Y (1 April Y-1 to R = 31 March Y) holds every child with
an episode open at some point in the year, and within each episode only the
parts active in the year (definitions.md section 1, "Several returns";
DfE rules 8696, 8715, 8930, 4013): assessments authorised before the year,
S47 enquiries concluded before it, plans and CIN plans ended before it and
reviews before it are left out. Nothing dated after R is known yet: an
episode closed after R is open, a plan ending after R has no end date, an
assessment authorised after R has no authorisation date (nor factors).

An in-year extract of year Y taken on a date D is the same slice with R = D: what
a system exports that day holds nothing dated after D, episodes open at D as
open, and those closed since 1 April Y-1.
"""

from __future__ import annotations

import datetime as dt

from ..reference import local_authorities
from ..years import year_end, year_of_date, year_start
from .journeys import Child

_fromordinal = dt.date.fromordinal

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(rest: str) -> str:
    """DfE check letter for the 12 characters after it (characters 2-13 weigh 2-13)."""
    total = sum(int(ch) * weight for weight, ch in enumerate(rest, start=2))
    return UPN_CHECK_LETTERS[total % 23]


def la_child_id(la: str, index: int) -> str:
    """LAchildID: the authority code and a serial, alphanumeric and at most 20 characters."""
    prefix = "".join(ch for ch in la if ch.isalnum())[:8]
    return f"{prefix}{index + 1:07d}"


class Slicer:
    """Builds the child records (writer dicts) of one child for each requested year, and for each in-year
    extract (``extracts``: dates, each in one of the years' collections)."""

    def __init__(self, la: str, years: list[int], extracts: list[dt.date] | tuple = ()):
        self.la = la
        codes = sorted(local_authorities())
        # Codes newer than DfE's UPN check list (rule 1530, 2023-24) would be flagged.
        self.other_las = [c for c in codes if c != la and c <= "941"] or ["201"]
        self.upn_la = la if la in codes else self.other_las[0]
        # (key, S, R, 31 August of the school year): the key is the year of an annual return, the date of
        # an extract (whose collection is the year its date falls in).
        pictures: list[tuple[int | dt.date, int, dt.date]] = [(y, y, year_end(y)) for y in years]
        pictures += [(d, year_of_date(d), d) for d in extracts]
        self.years = [(key, year_start(y).toordinal(), end.toordinal(), dt.date(y - 4, 8, 31).toordinal())
                      for key, y, end in pictures]

    # -- identifiers --------------------------------------------------------
    def upn(self, c: Child, index: int) -> str:
        birth = _fromordinal(c.birth)
        # Allocated when the child starts school: the September after the fourth birthday.
        year = birth.year + (5 if birth.month >= 9 else 4)
        la = self.other_las[index % len(self.other_las)] if c.upn_elsewhere else self.upn_la
        rest = f"{la}{1000 + (index // 1000) % 9000:04d}{year % 100:02d}{index % 1000:03d}"
        return upn_check_letter(rest) + rest

    def former_upn(self, c: Child, index: int) -> str:
        la = self.other_las[(index * 7 + 3) % len(self.other_las)]
        rest = (f"{la}{1000 + (index // 1000 + 4321) % 9000:04d}{(_fromordinal(c.birth).year + 4) % 100:02d}"
                f"{(index + 500) % 1000:03d}")
        return upn_check_letter(rest) + rest

    # -- one child, every year ------------------------------------------------------
    def records(self, c: Child):
        """(year, record) for each requested year whose return holds the child; (date, record) for each
        extract that holds it."""
        episodes = c.episodes
        first_ref = episodes[0].ref
        last_close = episodes[-1].close
        out = []
        for year, S, R, school in self.years:
            if first_ref > R or last_close < S:
                continue
            eps = [self._episode(ep, S, R) for ep in episodes if ep.ref <= R and ep.close >= S]
            if eps:
                out.append((year, self._child(c, eps, R, school)))
        return out

    def _child(self, c: Child, eps: list, R: int, school: int) -> dict:
        born = c.birth <= R
        rec = {"LAchildID": la_child_id(self.la, c.index)}
        if born and c.birth <= school:
            if c.no_upn:
                rec["UPNunknown"] = c.no_upn
            elif c.nfa_no_upn and all(e["ReferralNFA"] for e in eps):
                rec["UPNunknown"] = "UN7"
            else:
                if c.upn is None:
                    c.upn = self.upn(c, c.index)
                rec["UPN"] = c.upn
                if c.former_upn:
                    rec["FormerUPN"] = self.former_upn(c, c.index)
        else:
            rec["UPNunknown"] = "UN1"
        if born:
            rec["PersonBirthDate"] = _fromordinal(c.birth)
            sex = c.sex
        else:
            rec["ExpectedPersonBirthDate"] = _fromordinal(c.edob)
            sex = "U"
        rec["GenderCurrent"] = {"M": "1", "F": "2"}.get(sex, "0")
        rec["Sex"] = sex if sex in ("M", "F") else "U"
        if c.death is not None and c.death <= R:
            rec["PersonDeathDate"] = _fromordinal(c.death)
        rec["Ethnicity"] = c.ethnicity if born else "NOBT"
        # Disabilities are rarely recorded before a child is two.
        rec["Disabilities"] = (c.disabilities if born and R - c.birth > 730 and c.disabilities
                               else ["NONE"])
        rec["CINdetails"] = eps
        return rec

    def _episode(self, ep, S: int, R: int) -> dict:
        e = {
            "CINreferralDate": _fromordinal(ep.ref),
            "ReferralSource": ep.source,
            "PrimaryNeedCode": ep.need,
            "ReferralNFA": ep.nfa,
        }
        if ep.close <= R:
            e["CINclosureDate"] = _fromordinal(ep.close)
            e["ReasonForClosure"] = ep.reason
        if ep.icpc is not None and ep.icpc <= R:
            e["DateOfInitialCPC"] = _fromordinal(ep.icpc)
        if ep.nfa:
            return e

        assessments = []
        for a in ep.assessments:
            if a.start <= R and a.auth >= S:
                if a.auth <= R:
                    assessments.append({
                        "AssessmentActualStartDate": _fromordinal(a.start),
                        "AssessmentAuthorisationDate": _fromordinal(a.auth),
                        "FactorsIdentifiedAtAssessment": a.factors,
                    })
                else:
                    assessments.append({"AssessmentActualStartDate": _fromordinal(a.start)})
        if assessments:
            e["Assessments"] = assessments

        cin_plans = []
        for p in ep.cin_plans:
            if p.start <= R and (p.end is None or p.end >= S):
                row = {"CINPlanStartDate": _fromordinal(p.start)}
                if p.end is not None and p.end <= R:
                    row["CINPlanEndDate"] = _fromordinal(p.end)
                cin_plans.append(row)
        if cin_plans:
            e["CINPlanDates"] = cin_plans

        s47s = []
        for s in ep.s47s:
            # Kept while active in the year: started in it, or concluded in it.
            if s.start <= R and (s.start >= S or s.concluded >= S):
                row = {"S47ActualStartDate": _fromordinal(s.start)}
                if s.target is not None and s.target <= R:
                    row["InitialCPCtarget"] = _fromordinal(s.target)
                if s.icpc is not None and s.icpc <= R:
                    row["DateOfInitialCPC"] = _fromordinal(s.icpc)
                row["ICPCnotRequired"] = s.icpc is None and s.concluded <= R
                s47s.append(row)
        if s47s:
            e["Section47"] = s47s

        plans = []
        for p in ep.plans:
            if p.start <= R and (p.end is None or p.end >= S):
                row = {
                    "CPPstartDate": _fromordinal(p.start),
                    "InitialCategoryOfAbuse": p.initial,
                    "LatestCategoryOfAbuse": p.latest,
                    "NumberOfPreviousCPP": p.previous,
                    "SeenSocialWorker": p.seen,
                }
                if p.end is not None and p.end <= R:
                    row["CPPendDate"] = _fromordinal(p.end)
                reviews = [_fromordinal(r) for r in p.reviews if S <= r <= R]
                if reviews:
                    row["Reviews"] = reviews
                plans.append(row)
        if plans:
            e["ChildProtectionPlans"] = plans

        pps = [self._pre_proceedings(pp, R) for pp in ep.pps if S <= pp.start <= R]
        if pps:
            e["PreProceedingsandFGDM"] = pps
        return e

    @staticmethod
    def _pre_proceedings(pp, R: int) -> dict:
        row = {"PPStartDate": _fromordinal(pp.start)}
        if pp.lbp <= R:
            row["LBPSentDate"] = _fromordinal(pp.lbp)
            row["FGDMMeetingOffer"] = pp.offered
            if pp.offered:
                row["FGDMMeetingFac"] = pp.facilitated
        if pp.meeting <= R:
            row["InitialPPMeetingDate"] = _fromordinal(pp.meeting)
            row["ReviewMeetingsCount"] = (pp.reviews if pp.step <= R
                                          else min(pp.reviews, (R - pp.meeting) // 30))
        if pp.step <= R:
            row["StepDecisionDate"] = _fromordinal(pp.step)
            row["PPOutcome"] = pp.outcome
        if pp.court is not None and pp.court <= R:
            row["CourtAppDate"] = _fromordinal(pp.court)
        if pp.letter is not None and pp.letter <= R:
            row["LetterInitCPDate"] = _fromordinal(pp.letter)
        return row
