"""The local records of synthetic children: SSDA903 header and episodes, child protection visits,
core group meetings and social worker allocations, one CSV of each per year (docs/local-data.md),
and the authority's own figures of the items from other sources (synthetic, labelled so).

They follow each simulated journey (``journeys.py``): a period of care where the journey
records one (``Episode.care``), visits and core groups for every child protection plan,
allocated social workers for every episode that was assessed. Everything here is drawn from
a random stream of its own per child, seeded from (seed, child index), and never from the
journey's: the CIN census XML of a seed is the same bytes whether or not these files are written.

A year's file holds what that year's extract would: 903 episodes open at some time in the
year (an end after 31 March not yet known), the visits and core groups of every plan open in
the year from the plan's start, and the allocations that overlap the year.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
from pathlib import Path

from ..years import year_end, year_start
from .journeys import Child, Table
from .returns import la_child_id
from .workdays import working_days

_fromordinal = dt.date.fromordinal

HEADER = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODES = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
            "HOME_POST", "PL_POST", "URN")
VISITS = ("child_id", "plan_start_date", "visit_date", "seen", "seen_alone")
CORE_GROUPS = ("child_id", "plan_start_date", "meeting_date")
ALLOCATIONS = ("child_id", "worker_id", "start_date", "end_date", "team")
OWN_FIGURES = ("item_id", "figure", "value", "numerator", "denominator", "source")
FILES = {"ssda903_header": HEADER, "ssda903_episodes": EPISODES, "cp_visits": VISITS, "core_groups": CORE_GROUPS,
         "sw_allocations": ALLOCATIONS, "own_figures": OWN_FIGURES}
# The items from other sources (definitions.md section 3): a synthetic LA's figure is drawn around
# these (centre, spread), near England's published figures, and labelled synthetic.
OWN_FIGURE_CENTRES = {
    "cin_attainment": (30.0, 5.0), "cin_absence": (13.0, 2.0), "cin_exclusions": (20.0, 5.0),
    "offences_against_children_rate": (90.0, 20.0), "injury_admissions_rate": (90.0, 20.0),
    "ae_attendance_rate": (300.0, 60.0), "sw_vacancy_rate": (17.0, 4.0), "sw_turnover_rate": (16.0, 4.0),
    "sw_absence_rate": (3.0, 0.8), "sw_agency_rate": (17.0, 5.0), "court_applications_rate": (13.0, 3.0),
}
P_CARE_BEFORE_PLAN_ENDS = 0.35  # the plan ends at the conference some days after the child came into care
P_CARE_DURING_PLAN = 0.05  # accommodated for a while (section 20) during a plan, then home

# Shares in England's looked-after population, rounded (DfE, children looked after in England).
_LEGAL = Table(("C2", "C1", "V2", "E1", "J2", "L2"), (57, 16, 15, 6, 3, 3))
_PLACE = Table(("U1", "U3", "U4", "U5", "U6", "R1", "K2", "H5", "P4"), (12, 28, 8, 10, 20, 4, 8, 6, 4))
_PROVIDER = Table(("PR1", "PR4", "PR5"), (60, 30, 10))
_CEASED = Table(("E4A", "E11", "E45", "E41", "E13", "E5", "E8"), (38, 12, 9, 6, 6, 12, 17))
CHANGES_PER_YEAR = 0.5  # placement or legal status changes in a period of care
P_VISIT_LAPSE = 0.015  # a gap between visits longer than 10 working days
P_SEEN = 0.97
P_SEEN_ALONE = 0.65  # of children 4 or older, at a visit where they were seen
P_LATE_CORE_GROUP = 0.18  # first core group more than 10 working days after the conference
WORKER_CHANGES_PER_YEAR = 0.7
WORKERS = 500  # the pool of social workers a child's worker is drawn from
# Each worker belongs to one team (``team_of``); a referral no worker took stays with the front door.
TEAMS = ("Assessment Team North", "Assessment Team South", "Children in Need Team East",
         "Children in Need Team West", "Child Protection Team", "Disabled Children's Team")
FRONT_DOOR = "Front Door (MASH)"


def team_of(worker: str) -> str:
    """The team of a synthetic worker (``SW0001``): the same every run."""
    return TEAMS[int(worker[2:]) % len(TEAMS)]


class LocalRecords:
    """Writers of every year's local CSVs; ``add(child)`` writes one child's rows, ``close()`` publishes them."""

    def __init__(self, la: str, years: list[int], out_dir: Path, seed: int):
        self.la, self.seed, self.wd = la, seed, working_days()
        self.years = [(y, year_start(y).toordinal(), year_end(y).toordinal()) for y in years]
        self.horizon = self.years[-1][2]
        self.paths: dict[tuple[str, int], Path] = {}
        self._files, self._writers = {}, {}
        for y in years:
            for name, columns in FILES.items():
                path = Path(out_dir) / f"{name}_{la}_{y}.csv"
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                f = tmp.open("w", newline="", encoding="utf-8")
                self._files[(name, y)] = (f, tmp, path)
                self._writers[(name, y)] = csv.writer(f)
                self._writers[(name, y)].writerow(columns)

    # -- one child ------------------------------------------------------------
    def add(self, c: Child) -> tuple[list[tuple], dict[int, list[tuple]]]:
        """Write one child's rows; its plans (plan, visits, core groups) and its allocations by episode (the
        episode's position -> (worker, start, end)), for the Annex A (``annex_a.py``)."""
        rng = random.Random(f"local-{self.seed}-{c.index}")
        child = la_child_id(self.la, c.index)
        care = [self._care(c, ep, rng) for ep in c.episodes if ep.care is not None]
        care += [brief for ep in c.episodes if ep.care is None for p in ep.plans
                 if (brief := self._care_during_plan(ep, p, rng))]
        plans = [(p, self._visits(c, p, rng), self._core_groups(p, rng)) for ep in c.episodes for p in ep.plans]
        by_episode = {k: self._allocations(ep, rng) for k, ep in enumerate(c.episodes) if ep.assessments}
        allocations = [a for allocs in by_episode.values() for a in allocs]
        for year, S, R in self.years:
            eps = [e for period in care for e in period if e[0] <= R and (e[1] is None or e[1] >= S)]
            if eps:
                self._episodes(year, child, eps, R)
                self._header(year, child, c)
            for p, visits, meetings in plans:
                if p.start <= R and (p.end is None or p.end >= S):
                    w = self._writers[("cp_visits", year)]
                    for day, seen, alone in visits:
                        if day <= R:
                            w.writerow((child, _iso(p.start), _iso(day), seen, alone))
                    w = self._writers[("core_groups", year)]
                    for day in meetings:
                        if day <= R:
                            w.writerow((child, _iso(p.start), _iso(day)))
            w = self._writers[("sw_allocations", year)]
            for worker, start, end in allocations:
                if start <= R and (end is None or end >= S):
                    w.writerow((child, worker, _iso(start), _iso(end) if end is not None and end <= R else "",
                                team_of(worker)))
        return plans, by_episode

    def _care(self, c: Child, ep, rng) -> list[tuple]:
        """The 903 episodes of a period of care: (start, end or None, RNE, LS, PLACE, provider, REC, need)."""
        start, end = ep.care
        if end > self.horizon:
            end = None
        plan_starts = [p.start for p in ep.plans if p.end == start]
        if plan_starts and rng.random() < P_CARE_BEFORE_PLAN_ENDS:
            start = max(start - rng.randint(3, 90), plan_starts[0] + 1)
        length = (end if end is not None else self.horizon) - start
        changes = sorted({start + rng.randint(1, max(length - 1, 1))
                          for _ in range(_poisson(rng, CHANGES_PER_YEAR * length / 365.25))} - {start})
        legal, place = _LEGAL.pick(rng), _PLACE.pick(rng)
        out, t, rne = [], start, "S"
        for nxt in [*changes, end]:
            if nxt is not None and nxt <= t:
                continue
            rec = "X1" if nxt is not None and nxt != end else (_CEASED.pick(rng) if nxt is not None else "")
            out.append((t, nxt, rne, legal, place, _PROVIDER.pick(rng), rec, ep.need or "N1"))
            if nxt is None or nxt == end:
                break
            t = nxt
            if rng.random() < 0.8:
                rne, place = "P", _PLACE.pick(rng)
            else:
                rne, legal = "L", _LEGAL.pick(rng)
        return out

    def _care_during_plan(self, ep, p, rng) -> list[tuple]:
        """Now and then a short period of care while the plan goes on (its end before the plan's)."""
        if rng.random() >= P_CARE_DURING_PLAN:
            return []
        start = p.start + rng.randint(20, 200)
        end = min(start + rng.randint(14, 180), (p.end if p.end is not None else start + 181) - 1)
        if end <= start or start > self.horizon:
            return []
        end = end if end <= self.horizon else None
        return [(start, end, "S", "V2", _PLACE.pick(rng), _PROVIDER.pick(rng), "E4A" if end else "", ep.need or "N1")]

    def _visits(self, c: Child, p, rng) -> list[tuple[int, str, str]]:
        end = min(p.end if p.end is not None else self.horizon, self.horizon)
        out, t = [], p.start
        while True:
            gap = rng.randint(11, 16) if rng.random() < P_VISIT_LAPSE else rng.randint(4, 10)
            t = self.wd.add(t, gap)
            if t > end:
                return out
            seen = rng.random() < P_SEEN
            alone = "Y" if seen and t - c.birth >= 4 * 365 and rng.random() < P_SEEN_ALONE else "N"
            out.append((t, "Y" if seen else "N", alone if seen else ""))

    def _core_groups(self, p, rng) -> list[int]:
        end = min(p.end if p.end is not None else self.horizon, self.horizon)
        first = self.wd.add(p.start, rng.randint(11, 20) if rng.random() < P_LATE_CORE_GROUP else rng.randint(3, 10))
        out = []
        t = first
        while t <= end:
            out.append(t)
            t = self.wd.roll(t + rng.randint(28, 42))
        return out

    def _allocations(self, ep, rng) -> list[tuple[str, int, int | None]]:
        start = self.wd.add(ep.ref, rng.randint(0, 3))
        close = ep.close if ep.close <= self.horizon else None
        last = close if close is not None else self.horizon
        if start > last:
            return []
        changes = sorted({start + rng.randint(1, max(last - start, 1))
                          for _ in range(_poisson(rng, WORKER_CHANGES_PER_YEAR * (last - start) / 365.25))})
        out, t, worker = [], start, None
        for nxt in [*changes, None]:
            if nxt is not None and (nxt <= t or nxt > last):
                continue
            worker = _other_worker(rng, worker)
            out.append((worker, t, nxt - 1 if nxt is not None else close))
            if nxt is None:
                break
            t = nxt
        return out

    # -- rows -----------------------------------------------------------------
    def _episodes(self, year: int, child: str, eps: list[tuple], R: int) -> None:
        w = self._writers[("ssda903_episodes", year)]
        for start, end, rne, legal, place, provider, rec, need in eps:
            known = end is not None and end <= R
            w.writerow((child, _uk(start), rne, legal, need, place, provider, _uk(end) if known else "",
                        rec if known else "", "", "", "", ""))

    def _header(self, year: int, child: str, c: Child) -> None:
        sex = {"M": "1", "F": "2"}.get(c.sex, "1")
        self._writers[("ssda903_header", year)].writerow(
            (child, sex, _uk(c.birth), c.ethnicity, c.upn or "", "", ""))

    def _own_figures(self) -> None:
        for year, _, _ in self.years:
            rng = random.Random(f"own-figures-{self.seed}-{self.la}-{year}")
            w = self._writers[("own_figures", year)]
            for item, (centre, spread) in OWN_FIGURE_CENTRES.items():
                w.writerow((item, "value", f"{max(rng.gauss(centre, spread), 0.1):.1f}", "", "",
                            "synthetic (munro synth)"))

    # -- files ----------------------------------------------------------------
    def close(self, ok: bool = True) -> dict[int, dict[str, Path]]:
        """Publish every file (``ok``) or remove them all; year -> name -> path."""
        if ok:
            self._own_figures()
        out: dict[int, dict[str, Path]] = {}
        for (name, year), (f, tmp, path) in self._files.items():
            f.close()
            if ok:
                os.replace(tmp, path)
                out.setdefault(year, {})[name] = path
            else:
                tmp.unlink(missing_ok=True)
        return out


def _iso(day: int) -> str:
    return _fromordinal(day).isoformat()


def _uk(day: int) -> str:
    return _fromordinal(day).strftime("%d/%m/%Y")


def _poisson(rng, mean: float) -> int:
    """A Poisson count by Knuth's product of uniforms (means here are small)."""
    limit, k, p = pow(2.718281828459045, -mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _other_worker(rng, current: str | None) -> str:
    while True:
        worker = f"SW{rng.randint(1, WORKERS):04d}"
        if worker != current:
            return worker
