"""An Annex A workbook (lists 1 to 7) of the synthetic children, as an LA would produce it at a date.

``AnnexA.add(child, plans, allocations)`` takes each simulated child with what ``local_records`` drew
for it (its plans' visits, its episodes' allocated workers), so that the workbook agrees with the
returns and the local records of the same run: every referral, assessment, section 47 enquiry,
episode of need and plan is the journey's own (``returns.py`` slices the same journey), seen as an
extract taken on the as-at date shows it (nothing dated after it is known), and every allocated
worker is one of the child's allocations, in the worker's one team (``local_records.team_of``).

The months of the workbook are the 6 or 12 ending on the as-at date (``munro.annexa.extract``, as for
the store's Annex A): a record is listed when it falls in them (referrals, contacts, early help and
section 47 enquiries started in them), or was open at some time in them (assessments, episodes of
need, plans).

Contacts and early help, which the CIN census lacks, are drawn around the journeys from a random
stream of their own (so the returns and local records are the same bytes with or without them):

- every referral is preceded by the contact that led to it, the same day (``P_CONTACT_SAME_DAY``)
  or 1-3 days before, from the referral's source;
- contacts that led to no referral: ``OTHER_CONTACTS`` per referral (so about 2 in 5 contacts
  become referrals, as in many LAs' front doors), ``P_CONTACT_KNOWN_CHILD`` of them about the same
  child on another day, the rest about children never referred (identifiers of their own);
- early help assessments: one for each episode closed after assessment and referred to early help
  (RC9), starting 5-20 days after the closure, and ``EARLY_HELP_OTHERS`` per referral for children
  never referred; completed 20-60 days later when that is before the as-at date.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from ..errors import MunroError
from . import calibration as C
from .journeys import Child, Table
from .local_records import FRONT_DOOR, _poisson, team_of
from .returns import la_child_id

P_CONTACT_SAME_DAY = 0.7
OTHER_CONTACTS = 1.5
P_CONTACT_KNOWN_CHILD = 0.3
EARLY_HELP_OTHERS = 0.4
P_SEEN_AT_ASSESSMENT = 0.95
P_EPO_OR_POLICE = 0.03
_ORGANISATIONS = Table(("Early help team", "School", "Health visiting", "Family hub", "Voluntary sector"),
                       (40, 30, 12, 12, 6))
_SEX = Table(*C.SEX)
_SOURCE = Table(*C.REFERRAL_SOURCE)
_ETHNICITY = Table(*C.ETHNICITY)
_GENDER = {"M": "1", "F": "2"}  # GenderCurrent: anything else is 0, not stated
_fromordinal = dt.date.fromordinal


class AnnexA:
    """Rows of lists 1 to 7 as at ``as_at``, gathered child by child; ``write`` puts them in a workbook."""

    def __init__(self, la: str, as_at: dt.date, months: int, seed: int, first: dt.date, last: dt.date):
        # munro.annexa (its package imports pyarrow) only when an Annex A is made
        from ..annexa.extract import last_12_months, window

        start, _ = window(as_at, months)
        if start < first or as_at > last:
            raise MunroError(f"an Annex A as at {as_at} covers {start} to {as_at}: give a date whose {months} "
                             f"months lie within the years written ({first} to {last})")
        self.la, self.seed, self.as_at, self.months = la, seed, as_at, months
        self.S, self.A = start.toordinal(), as_at.toordinal()
        self.year_ago = last_12_months(as_at).toordinal()  # "in the last 12 months": from this day
        self.lists: dict[int, list[dict]] = {n: [] for n in range(1, 8)}
        self._unknown = 0  # children of contacts and early help never referred

    # -- one child ------------------------------------------------------------
    def add(self, c: Child, plans: list[tuple], allocations: dict[int, list[tuple]]) -> None:
        """``plans``: (plan, visits, core groups) as local_records drew them; ``allocations``: episode's
        position -> (worker, start, end)."""
        S, A = self.S, self.A
        rng = random.Random(f"annex-a-{self.seed}-{c.index}")
        child = self._child(c, la_child_id(self.la, c.index))
        visits = {id(p): v for p, v, _ in plans}
        refs_12m = sum(self.year_ago <= ep.ref <= A for ep in c.episodes)
        s47_12m = sum(self.year_ago <= s.start <= A for ep in c.episodes for s in ep.s47s)
        icpc_12m = sum(s.icpc is not None and self.year_ago <= s.icpc <= A for ep in c.episodes for s in ep.s47s)
        referrals = 0
        for k, ep in enumerate(c.episodes):
            if ep.ref > A:
                break
            team, worker = self._allocated(allocations.get(k, []))
            closed = ep.close <= A
            if S <= ep.ref:
                referrals += 1
                self._contact(child, ep.ref - (0 if rng.random() < P_CONTACT_SAME_DAY else rng.randint(1, 3)),
                              ep.source)
                self.lists[3].append({**child, "referral_date": _d(ep.ref), "referral_source": ep.source,
                                      "referral_nfa": ep.nfa, "referrals_12m": refs_12m,
                                      "team": team, "worker": worker})
            if closed and ep.reason == "RC9":
                self._early_help(child, ep.close + rng.randint(5, 20), rng)
            if ep.nfa or (closed and ep.close < S):
                continue
            self._episode(c, ep, child, team, worker, closed, rng)
            for s in ep.s47s:
                if S <= s.start <= A:
                    known = s.icpc is not None and s.icpc <= A
                    self.lists[5].append({
                        **child, "s47_date": _d(s.start),
                        "icpc_not_required": (s.icpc is None and s.concluded <= A) if not known else False,
                        "icpc_date": _d(s.icpc) if known else None,
                        "icpc_plan": any(p.start == s.icpc for p in ep.plans) if known else None,
                        "s47_12m": s47_12m, "icpc_12m": icpc_12m, "team": team, "worker": worker})
            for p in ep.plans:
                if p.start <= A and (p.end is None or p.end >= S):
                    self._plan(child, p, visits.get(id(p), []), team, worker, rng)
        for _ in range(_poisson(rng, OTHER_CONTACTS * referrals)):
            day = rng.randint(S, A)
            if rng.random() < P_CONTACT_KNOWN_CHILD and c.birth <= day:
                self._contact(child, day, None, rng)
            else:
                self._contact(self._unknown_child(rng, day), day, None, rng)
        for _ in range(_poisson(rng, EARLY_HELP_OTHERS * referrals)):
            day = rng.randint(S, A)
            self._early_help(self._unknown_child(rng, day), day, rng)

    def _child(self, c: Child, child_id: str) -> dict:
        born = c.birth <= self.A
        return {"child_id": child_id, "gender": _GENDER.get(c.sex, "0") if born else "0",
                "ethnicity": c.ethnicity if born else "NOBT", "birth_date": _d(c.birth) if born else None,
                # The census records disabilities from the age of two (returns.py)
                "disabled": bool(born and self.A - c.birth > 730 and c.disabilities)}

    def _unknown_child(self, rng, day: int) -> dict:
        self._unknown += 1
        birth = day - rng.randint(0, 17 * 365)
        return {"child_id": f"{self.la}U{self._unknown:07d}", "gender": _GENDER.get(_SEX.pick(rng), "0"),
                "ethnicity": _ETHNICITY.pick(rng), "birth_date": _d(birth), "disabled": False}

    def _allocated(self, allocations: list[tuple]) -> tuple[str, str | None]:
        """The team and worker of an episode at the as-at date: its allocation then, or its last before."""
        known = [(worker, start) for worker, start, _ in allocations if start <= self.A]
        if not known:
            return FRONT_DOOR, None
        worker = max(known, key=lambda w: w[1])[0]
        return team_of(worker), worker

    def _contact(self, child: dict, day: int, source: str | None, rng=None) -> None:
        if self.S <= day <= self.A:
            if source is None:
                source = _SOURCE.pick(rng)
            self.lists[1].append({k: child[k] for k in ("child_id", "gender", "ethnicity", "birth_date")}
                                 | {"contact_date": _d(day), "contact_source": source})

    def _early_help(self, child: dict, day: int, rng) -> None:
        if self.S <= day <= self.A:
            done = day + rng.randint(20, 60)
            self.lists[2].append({k: child[k] for k in ("child_id", "gender", "ethnicity", "birth_date")}
                                 | {"start_date": _d(day), "completion_date": _d(done) if done <= self.A else None,
                                    "organisation": _ORGANISATIONS.pick(rng)})

    def _episode(self, c: Child, ep, child: dict, team, worker, closed: bool, rng) -> None:
        # lazily: the munro.annexa package loads pyarrow, which `munro synth` without --annex-a never needs
        from ..annexa.extract import assessed_in_need

        S, A = self.S, self.A
        known = [a for a in ep.assessments if a.start <= A]
        for a in known:
            if a.auth >= S:
                done = a.auth <= A
                self.lists[4].append({
                    **child, "start_date": _d(a.start), "seen": (rng.random() < P_SEEN_AT_ASSESSMENT) if done else None,
                    "authorisation_date": _d(a.auth) if done else None,
                    "needs_support": assessed_in_need(done, a is known[-1], ep.reason if closed else None),
                    "team": team, "worker": worker})
        self.lists[6].append({
            **child, "cin_start_date": _d(ep.ref), "primary_need": ep.need,
            "cin_closure_date": _d(ep.close) if closed else None, "closure_reason": ep.reason if closed else None,
            "case_status": "closed" if closed else self._status(ep), "team": team, "worker": worker})

    def _status(self, ep) -> str:
        A = self.A
        if ep.care is not None and ep.care[0] <= A:
            return "looked_after"
        if any(p.start <= A and (p.end is None or p.end > A) for p in ep.plans):
            return "cp_plan"
        if any(a.start <= A < a.auth for a in ep.assessments):
            return "open_assessment"
        return "cin_plan"

    def _plan(self, child: dict, p, visits: list[tuple], team, worker, rng) -> None:
        A = self.A
        seen = [(day, alone) for day, was_seen, alone in visits if day <= A and was_seen == "Y"]
        last = seen[-1] if seen else None
        reviews = [r for r in p.reviews if r <= A]
        self.lists[7].append({
            **child, "cpp_start_date": _d(p.start), "initial_category": p.initial, "latest_category": p.latest,
            "last_visit_date": _d(last[0]) if last else None, "seen_alone": last[1] == "Y" if last else None,
            "review_date": _d(reviews[-1]) if reviews else None,
            "cpp_end_date": _d(p.end) if p.end is not None and p.end <= A else None,
            "epo_or_police_6m": rng.random() < P_EPO_OR_POLICE, "previous_plans": p.previous,
            "team": team, "worker": worker})

    # -- the workbook ---------------------------------------------------------
    def write(self, out_dir: Path) -> Path:
        """``annex_a_<la>_<as-at>.xlsx`` in ``out_dir``, each list in date order."""
        # lazily: pyarrow and xlsxwriter (munro.annexa) only when an Annex A is written
        from ..annexa.extract import in_date_order
        from ..annexa.write import write_annex_a

        in_date_order(self.lists)
        return write_annex_a(Path(out_dir) / f"annex_a_{self.la}_{self.as_at.isoformat()}.xlsx", self.lists,
                             as_at=self.as_at)


def _d(day: int | None) -> dt.date | None:
    return None if day is None else _fromordinal(day)
