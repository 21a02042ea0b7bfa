"""Simulate one child's whole journey through children's social care.

A journey is a sequence of episodes of need, each opened by a referral:
no further action; or an assessment, then closure as not in need, a CIN
plan, or a section 47 enquiry, an initial conference and a child protection
plan with its reviews, then step-down, closure or care; and perhaps another
referral later. Each child is simulated from its own random stream, seeded
from (seed, child index), so children are independent: the generator can
write every year's return in one pass and hold only one child at a time.

Dates are day ordinals (``date.toordinal()``); ``None`` means "never".
The simulation knows nothing of returns: ``returns.py`` slices a journey
into what each year's return shows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect, bisect_right

from ..census.format import FIRST_YEAR, LATEST_YEAR, codes_for
from ..years import year_start
from . import calibration as C
from .workdays import working_days

YEAR_DAYS = 365.25

# -- the journey -------------------------------------------------------------


class Assessment:
    __slots__ = ("start", "auth", "factors")

    def __init__(self, start, auth, factors):
        self.start, self.auth, self.factors = start, auth, factors


class Section47:
    __slots__ = ("start", "icpc", "target", "concluded")

    def __init__(self, start, icpc, target, concluded):
        self.start, self.icpc, self.target, self.concluded = start, icpc, target, concluded


class CinPlan:
    __slots__ = ("start", "end")

    def __init__(self, start, end):
        self.start, self.end = start, end


class Plan:
    __slots__ = ("start", "end", "initial", "latest", "previous", "reviews", "seen")

    def __init__(self, start, end, initial, latest, previous, reviews, seen):
        self.start, self.end, self.initial, self.latest = start, end, initial, latest
        self.previous, self.reviews, self.seen = previous, reviews, seen


class PreProceedings:
    __slots__ = ("start", "lbp", "offered", "facilitated", "meeting", "reviews", "step",
                 "outcome", "court", "letter")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)


class Episode:
    __slots__ = ("ref", "source", "need", "close", "reason", "nfa", "icpc", "assessments",
                 "cin_plans", "s47s", "plans", "pps", "last", "care")

    def __init__(self, ref, source):
        self.ref = ref
        self.source = source
        self.need = None
        self.close = None
        self.reason = None
        self.nfa = False
        self.icpc = None          # transfer-in conference, recorded at episode level
        self.assessments = []
        self.cin_plans = []
        self.s47s = []
        self.plans = []
        self.pps = []
        self.last = ref           # latest activity date so far: closure may not precede it
        # (start, end) of the period of care the episode ends in, if any: recorded, never drawn, so that
        # the local records (local_records.py) follow the journey without touching its random stream
        self.care = None


class Child:
    __slots__ = ("index", "birth", "edob", "sex", "ethnicity", "disabilities", "upn",
                 "upn_elsewhere", "no_upn", "former_upn", "nfa_no_upn", "death", "episodes",
                 "risk", "cpps", "band")


# -- sampling helpers ----------------------------------------------------------


class Table:
    """A discrete distribution: ``pick(rng)`` returns a value with its weight's chance."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, values, weights):
        self.values = tuple(values)
        acc, cum = 0.0, []
        for w in weights:
            acc += w
            cum.append(acc)
        self.cum, self.total = cum, acc

    def pick(self, rng):
        return self.values[bisect(self.cum, rng.random() * self.total)]


class Knots:
    """A piecewise-linear cumulative distribution over integers."""

    __slots__ = ("xs", "fs")

    def __init__(self, knots):
        self.xs = [k[0] for k in knots]
        self.fs = [k[1] for k in knots]

    def pick(self, rng):
        u = rng.random() * self.fs[-1]
        i = bisect_right(self.fs, u)
        if i >= len(self.xs):
            return self.xs[-1]
        x0, x1, f0, f1 = self.xs[i - 1], self.xs[i], self.fs[i - 1], self.fs[i]
        return int(x0 + (x1 - x0) * (u - f0) / (f1 - f0) + 0.5) if f1 > f0 else x1


def _lognormal(rng, median_sigma):
    median, sigma = median_sigma
    return rng.lognormvariate(math.log(median), sigma)


def _choice(rng, probs):
    """Index of the outcome, for a tuple of probabilities summing to 1."""
    u = rng.random()
    for i, p in enumerate(probs):
        u -= p
        if u < 0:
            return i
    return len(probs) - 1


# -- code lists by year ------------------------------------------------------


class Codes:
    """Per-year code tables, so that each event uses codes valid when it is returned."""

    def __init__(self, schema_year: int | None):
        self.schema_year = schema_year
        # years.year_of_date on day ordinals, as a bisect for the simulation's hot loop: 1 April 1990 starts 1991
        self._april1 = [year_start(y).toordinal() for y in range(1991, 2062)]
        self._cache: dict = {}

    def census_year(self, day: int) -> int:
        """The census year (ending 31 March) that a day ordinal falls in."""
        return 1990 + bisect_right(self._april1, day)

    def year(self, day: int) -> int:
        """The year whose code lists apply to an event on ``day``."""
        if self.schema_year is not None:
            return self.schema_year
        y = self.census_year(day)
        return FIRST_YEAR if y < FIRST_YEAR else LATEST_YEAR if y > LATEST_YEAR else y

    def _year_tables(self, year: int):
        t = self._cache.get(year)
        if t is None:
            sources = codes_for("referral_source", year)
            vals, wts = [], []
            for code, w in zip(*C.REFERRAL_SOURCE):
                if code not in sources:
                    code = "5B"  # early help referrals were "other internal" before 5D existed
                vals.append(code)
                wts.append(w)
            factor_codes = codes_for("assessment_factor", year)
            factors = []
            merged: dict[str, float] = {}
            for code, pct in C.FACTORS.items():
                if code not in factor_codes:
                    if code[:2] in ("18", "19") and code[:2] + "A" in factor_codes:
                        merged[code[:2] + "A"] = merged.get(code[:2] + "A", 0.0) + pct
                    continue
                factors.append((code, pct / 100.0))
            factors.extend((code, pct / 100.0) for code, pct in merged.items())
            factors.sort(key=lambda cp: _factor_order(cp[0]))
            t = self._cache[year] = (
                Table(vals, wts),
                tuple(factors),
                "RC9" in codes_for("closure_reason", year),
            )
        return t

    def source(self, day, rng):
        return self._year_tables(self.year(day))[0].pick(rng)

    def factors(self, day):
        return self._year_tables(self.year(day))[1]

    def has_rc9(self, day):
        return self._year_tables(self.year(day))[2]


def _factor_order(code: str):
    digits = "".join(ch for ch in code if ch.isdigit())
    return int(digits), code


# -- the simulator ----------------------------------------------------------------

_SEX = Table(*C.SEX)
_ETHNICITY = Table(*C.ETHNICITY)
_DISABILITY = Table(*C.DISABILITY)
_NO_UPN = Table(*C.NO_UPN_REASON)
_DELAY_ASSESS = Table(*C.ASSESSMENT_DELAY)
_DELAY_S47 = Table(*C.S47_DELAY)
_ASSESS_DAYS = Knots(C.ASSESSMENT_DAYS)
_ICPC_DAYS = Table(*C.ICPC_DAYS)
_CATEGORY = Table(*C.ABUSE_CATEGORY)
_NFA_NEED = Table(*C.NFA_NEED)
_PP_OUTCOME = Table(*C.PP_OUTCOME)
_LAC_YOUNG = Table(*C.LAC_CLOSURE_YOUNG)
_LAC_OLDER = Table(*C.LAC_CLOSURE_OLDER)
_AT_18 = Table(*C.AT_18_CLOSURE)
_SERVICE_CLOSE = Table(*C.SERVICE_CLOSURE)
_NO_ASSESS_CLOSE = Table(*C.NO_ASSESSMENT_CLOSURE)
_AGE_BANDS = Table(range(len(C.AGE_AT_FIRST_REFERRAL)), [b[1] for b in C.AGE_AT_FIRST_REFERRAL])

_NEED_PROTECTION = Table(("N1", "N4", "N5", "N8"), (88, 4, 6, 2))
_NEED_NOT_IN_NEED = Table(("N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"),
                          (3, 30, 2, 5, 20, 24, 8, 1, 4, 3))
_NEED_CIN = Table(("N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"),
                  (2, 42, 4, 6, 14, 20, 6, 1, 4, 1))
_NEED_LAC = Table(("N1", "N4", "N5", "N8"), (62, 6, 12, 20))

_RISK = C.RISK_GROUPS
_LAC, _CIN_PLAN, _IN_NEED, _PLAN, _CLOSE, _MOVED = range(6)


def child_rng(seed: int, index: int) -> random.Random:
    """The random stream of one child: independent of every other child's.

    The low 48 bits of the seed and 40 bits of the index make the key, so
    every (seed, child) pair of any realistic run has its own stream.
    """
    return random.Random(((seed & 0xFFFFFFFFFFFF) << 40) | index)


class Simulator:
    """Simulates journeys up to ``horizon`` (a day ordinal: the last return's 31 March)."""

    def __init__(self, seed: int, horizon: int, codes: Codes, visible_from: int = 0):
        self.seed = seed
        self.horizon = horizon
        # Factors of assessments authorised before the first return are never
        # written: not drawing them saves a fifth of the simulation time.
        self.visible_from = visible_from
        self.codes = codes
        self.wd = working_days()
        self.rng: random.Random = random.Random(0)

    # -- a child ------------------------------------------------------------
    def child(self, index: int, first_day: int, n_days: int) -> Child:
        """Child ``index``, first referred on one of ``n_days`` days from ``first_day``."""
        rng = self.rng = child_rng(self.seed, index)
        entry = first_day + int(rng.random() * n_days)
        c = Child()
        c.index = index
        band_i = _AGE_BANDS.pick(rng)
        label, _, lo, hi = C.AGE_AT_FIRST_REFERRAL[band_i]
        c.band = label
        age = rng.randint(lo, hi)
        c.birth = entry - age
        c.edob = c.birth + rng.randint(-12, 12) if age < 0 else None
        sex = _SEX.pick(rng)
        c.sex = sex
        c.ethnicity = _ETHNICITY.pick(rng)
        dis = []
        if rng.random() < C.P_DISABLED:
            dis.append(_DISABILITY.pick(rng))
            if rng.random() < C.P_SECOND_DISABILITY:
                other = _DISABILITY.pick(rng)
                if other not in dis:
                    dis.append(other)
        c.disabilities = dis
        c.no_upn = _NO_UPN.pick(rng) if rng.random() < C.P_NO_UPN else None
        c.upn = None  # filled by returns.py (needs the LA code)
        c.upn_elsewhere = rng.random() < C.P_UPN_OTHER_LA
        c.former_upn = rng.random() < C.P_FORMER_UPN
        c.nfa_no_upn = rng.random() < C.P_NFA_NO_UPN
        c.death = None
        _, rerefer_mult, plan_mult = _RISK[0] if rng.random() < _RISK[0][0] else _RISK[1]
        c.risk = (rerefer_mult, plan_mult)
        c.cpps = 0
        if rng.random() < C.P_PRIOR_CPP[label]:
            c.cpps = 1 if rng.random() < 0.8 else 2
        c.episodes = []
        self._journey(c, entry)
        return c

    def _journey(self, c: Child, ref: int) -> None:
        rng = self.rng
        birth = dt.date.fromordinal(c.birth)
        try:
            adult = birth.replace(year=birth.year + 18).toordinal()
        except ValueError:  # born on 29 February
            adult = birth.replace(year=birth.year + 18, day=28).toordinal() + 1
        horizon = self.horizon
        while ref <= horizon and ref < adult:
            ep, kind = self._episode(c, ref, adult)
            c.episodes.append(ep)
            if kind == "final" or ep.close > horizon:
                return
            p = C.P_REREFERRAL[kind] * c.risk[0]
            if rng.random() >= p:
                return
            _, mean = C.REREFERRAL_GAP[0] if rng.random() < C.REREFERRAL_GAP[0][0] else C.REREFERRAL_GAP[1]
            ref = ep.close + 1 + int(rng.expovariate(1.0 / mean))

    # -- an episode -----------------------------------------------------------
    def _episode(self, c: Child, ref: int, adult: int):
        rng, wd, codes = self.rng, self.wd, self.codes
        ep = Episode(ref, codes.source(ref, rng))
        if rng.random() < C.P_NFA:
            ep.nfa = True
            ep.need = _NFA_NEED.pick(rng)
            ep.close = ref
            # Not RC8/RC9: those mean "closed after assessment", and an NFA
            # referral has none (RC8 without an assessment is query 8825Q).
            ep.reason = "RC7"
            return ep, "nfa"

        if rng.random() < C.P_TRANSFER_IN:
            conf = wd.add(ref, rng.randint(1, 10))
            ep.icpc = ep.last = conf
            ep.need = "N1"
            self._assessment(c, ep, wd.add(ref, _DELAY_ASSESS.pick(rng)), boost=True)
            return self._phases(c, ep, _PLAN, conf, adult)

        if rng.random() < C.P_NO_ASSESSMENT:
            ep.need = _NEED_CIN.pick(rng)
            ep.close = ref + rng.randint(1, 20)
            ep.reason = _NO_ASSESS_CLOSE.pick(rng)
            return ep, ("moved" if ep.reason == "RC5" else "service")

        a_start = wd.add(ref, _DELAY_ASSESS.pick(rng))
        if rng.random() < C.P_S47_INITIAL:
            a = self._assessment(c, ep, a_start, boost=True)
            ep.need = _NEED_PROTECTION.pick(rng)
            s47 = self._s47(c, ep, wd.add(a_start, _DELAY_S47.pick(rng)), later=False, assessment=a)
            if s47.icpc is not None:
                if rng.random() < C.P_PLAN_GIVEN_ICPC:
                    return self._phases(c, ep, _PLAN, s47.icpc, adult)
                nxt = (_CIN_PLAN, _IN_NEED, _CLOSE)[_choice(rng, C.AFTER_ICPC_NO_PLAN)]
                return self._phases(c, ep, nxt, max(s47.icpc, a.auth), adult)
            nxt = (_CIN_PLAN, _IN_NEED, _CLOSE, _LAC)[_choice(rng, C.AFTER_S47_NO_ICPC)]
            if nxt == _LAC:
                ep.need = _NEED_LAC.pick(rng)
            return self._phases(c, ep, nxt, max(s47.concluded, a.auth), adult)

        if rng.random() < C.P_NOT_IN_NEED:
            a = self._assessment(c, ep, a_start, boost=False, may_be_empty=True)
            ep.need = _NEED_NOT_IN_NEED.pick(rng)
            ep.close = a.auth + rng.choice(C.CLOSURE_LAG_DAYS[:4])
            if codes.census_year(ep.close) != codes.census_year(a.auth):
                # Closed in the next census year, the return holding the closure would
                # not hold the assessment (authorised before its year).
                ep.close = a.auth
            ep.reason = "RC9" if codes.has_rc9(ep.close) and rng.random() < C.P_RC9 else "RC8"
            return ep, "not_in_need"

        a = self._assessment(c, ep, a_start, boost=False)
        start = wd.add(a.auth, rng.randint(0, 10))
        if c.disabilities and rng.random() < C.P_NEED_DISABILITY:
            ep.need = "N2"
            return self._phases(c, ep, _CIN_PLAN, start, adult, disabled=True)
        ep.need = _NEED_CIN.pick(rng)
        nxt = _CIN_PLAN if rng.random() < C.P_CIN_PLAN else _IN_NEED
        return self._phases(c, ep, nxt, start, adult)

    def _phases(self, c: Child, ep: Episode, phase: int, t: int, adult: int, disabled=False):
        """Run the episode from phase ``phase`` at day ``t`` until it closes."""
        rng, wd = self.rng, self.wd
        horizon = self.horizon
        for _ in range(12):
            if t > horizon or t >= adult:
                break
            if phase == _PLAN:
                end, how = self._plan(c, ep, t, adult)
                t = end
                if end is None or end > horizon:
                    ep.close = end if end is not None else horizon + 3650
                    ep.reason = "RC7"
                    return ep, "service"
                if how == "adult":
                    t = adult
                    break
                if how == "lac":
                    phase = _LAC
                elif how == "moved":
                    phase = _MOVED
                else:
                    phase = (_CIN_PLAN, _IN_NEED, _CLOSE, _LAC, _MOVED)[_choice(rng, C.AFTER_PLAN)]
                continue
            if phase == _LAC:
                return self._looked_after(c, ep, t, adult)
            if phase == _CLOSE:
                return self._close(c, ep, t, "service")
            if phase == _MOVED:
                ep.close = max(t, ep.last)
                ep.reason = "RC5"
                return ep, "moved"
            # _CIN_PLAN or _IN_NEED
            if adult - t <= C.CIN_MIN_DAYS:
                t = adult
                break
            days = _lognormal(rng, C.DISABLED_CIN_DAYS if disabled else
                              C.CIN_PLAN_DAYS if phase == _CIN_PLAN else C.CIN_NO_PLAN_DAYS)
            end = t + max(C.CIN_MIN_DAYS, int(days))
            if disabled:
                self._reassessments(c, ep, t, end)
            cin = None
            if phase == _CIN_PLAN:
                cin = CinPlan(t, None)
                ep.cin_plans.append(cin)
            if rng.random() < C.P_ESCALATION and end - t > 30:
                when = t + rng.randint(14, end - t - 7)
                if when > ep.last:
                    a = self._assessment(c, ep, when, boost=True)
                    s47 = self._s47(c, ep, wd.add(when, _DELAY_S47.pick(rng)), later=True, assessment=a)
                    if s47.icpc is not None and s47.icpc < adult:
                        if rng.random() < C.P_PLAN_GIVEN_ICPC:
                            if cin is not None:
                                cin.end = s47.icpc  # a CIN plan may end the day a CP plan starts
                            ep.need = "N1"
                            phase, t = _PLAN, s47.icpc
                            continue
                    end = max(end, a.auth, s47.concluded) + rng.randint(7, 60)
            if end >= adult:
                end = adult - 1
            if cin is not None:
                cin.end = end
            ep.last = max(ep.last, end)
            if rng.random() < C.P_LAC_FROM_CIN:
                phase, t = _LAC, end
                ep.need = ep.need if ep.need != "N9" else "N1"
                continue
            return self._close(c, ep, end, "service")
        # Reached 18, or beyond the horizon.
        if t >= adult:
            ep.close = max(adult, ep.last)
            ep.reason = _AT_18.pick(rng)
            return ep, "final"
        ep.close = max(t, ep.last) + 1
        ep.reason = "RC7"
        return ep, "service"

    # -- parts of an episode ------------------------------------------------------
    def _assessment(self, c, ep, start, boost, may_be_empty=False) -> Assessment:
        auth = self.wd.add(start, _ASSESS_DAYS.pick(self.rng))
        a = Assessment(start, auth, self._factors(auth, boost, may_be_empty))
        ep.assessments.append(a)
        if auth > ep.last:
            ep.last = auth
        return a

    def _factors(self, auth, boost, may_be_empty=False) -> list:
        rng = self.rng
        if auth < self.visible_from:
            return []
        if may_be_empty and rng.random() < C.P_NO_FACTORS_NOT_IN_NEED:
            return ["21"]
        mult = C.FACTOR_BOOST_S47 if boost else 1.0
        factors = [code for code, p in self.codes.factors(auth) if rng.random() < p * mult]
        if not factors:
            factors = ["20"] if rng.random() < 0.5 else [rng.choice(("3B", "4B", "14A", "5A"))]
        return factors

    def _s47(self, c, ep, start, later, assessment) -> Section47:
        rng, wd = self.rng, self.wd
        p = (C.P_ICPC_GIVEN_LATER_S47 if later else C.P_ICPC_GIVEN_S47 * C.ICPC_AGE_FACTOR[c.band])
        p *= c.risk[1] * (C.PREVIOUS_PLAN_FACTOR if c.cpps else 1.0)
        if rng.random() < p:
            icpc = wd.add(start, _ICPC_DAYS.pick(rng))
            s = Section47(start, icpc, wd.add(start, 15), icpc)
        else:
            s = Section47(start, None, None, wd.add(start, rng.randint(*C.S47_NO_ICPC_DAYS)))
        ep.s47s.append(s)
        if self.codes.census_year(assessment.auth) != self.codes.census_year(s.concluded) \
                and assessment.auth < s.concluded:
            # Otherwise the return holding the S47 would not hold its assessment (2991Q).
            assessment.auth = s.concluded
            # Drawn again: the codes valid then may differ (18A, 24A...).
            assessment.factors = self._factors(assessment.auth, True)
        if s.concluded > ep.last:
            ep.last = s.concluded
        if assessment.auth > ep.last:
            ep.last = assessment.auth
        return s

    def _plan(self, c: Child, ep: Episode, start: int, adult: int):
        """A child protection plan from ``start``; returns (end, how it ended)."""
        rng, wd = self.rng, self.wd
        initial = _CATEGORY.pick(rng)
        latest = _CATEGORY.pick(rng) if rng.random() < C.P_CATEGORY_CHANGES else initial
        plan = Plan(start, None, initial, latest, c.cpps, [], rng.random() < C.P_SEEN_SOCIAL_WORKER)
        c.cpps += 1
        ep.plans.append(plan)
        reviews = plan.reviews
        t = start
        end, how = None, "review"
        k = 0
        limit = self.horizon + 400
        while t < limit:
            if k == 0:
                gap = rng.randint(*C.FIRST_REVIEW_DAYS)
            elif rng.random() < C.P_LATE_REVIEW:
                gap = rng.randint(*C.LATE_REVIEW_DAYS)
            else:
                gap = rng.randint(*C.NEXT_REVIEW_DAYS)
            nxt = wd.roll(t + gap)
            if nxt >= adult:
                end, how = max(adult - 1, t + 7), "adult"
                break
            if rng.random() < C.P_END_BETWEEN_REVIEWS:
                end = rng.randint(t + 7, nxt - 1)
                how = "lac" if rng.random() < 0.6 else "moved"
                break
            reviews.append(nxt)
            t = nxt
            if rng.random() < C.HAZARD_AT_REVIEW[min(k, len(C.HAZARD_AT_REVIEW) - 1)]:
                end = nxt
                break
            k += 1
        if end is not None and reviews and rng.random() < C.P_PRE_PROCEEDINGS:
            end, how = self._pre_proceedings(ep, plan, end, how)
        plan.end = end
        if end is not None:
            # Reviews after the end cannot happen; one on the end day is the one that ended it.
            while reviews and reviews[-1] > end:
                reviews.pop()
            if end > ep.last:
                ep.last = end
        else:
            ep.last = max(ep.last, reviews[-1] if reviews else start)
        return end, how

    def _pre_proceedings(self, ep, plan, end, how):
        rng, wd = self.rng, self.wd
        start = plan.reviews[0] + rng.randint(0, 60)
        if start + 30 >= end:
            return end, how
        lbp = wd.add(start, rng.randint(2, 10))
        offered = rng.random() < 0.7
        meeting = wd.add(lbp, rng.randint(5, 15))
        step = meeting + rng.randint(56, 120)
        outcome = _PP_OUTCOME.pick(rng)
        court = letter = None
        if outcome == "C":
            court = wd.add(step, rng.randint(1, 15))
            letter = wd.add(court, rng.randint(0, 8))
            if court < end:
                end, how = court, "lac"
        ep.last = max(ep.last, letter or court or step)
        ep.pps.append(PreProceedings(
            start=start, lbp=lbp, offered=offered, facilitated=offered and rng.random() < 0.6,
            meeting=meeting, reviews=rng.randint(0, 4), step=step, outcome=outcome,
            court=court, letter=letter))
        return end, how

    def _reassessments(self, c, ep, start, end):
        rng = self.rng
        t = start + 300
        while t < end - 60 and t <= self.horizon:
            if rng.random() < C.P_REASSESSMENT_PER_YEAR and t > ep.last:
                self._assessment(c, ep, self.wd.roll(t), boost=False)
            t += 365

    def _looked_after(self, c: Child, ep: Episode, t: int, adult: int):
        rng = self.rng
        if ep.need in (None, "N0", "N9"):
            ep.need = _NEED_LAC.pick(rng)
        end = t + int(_lognormal(rng, C.LAC_YEARS) * YEAR_DAYS) + 1
        self._reassessments(c, ep, t, min(end, adult))
        if end >= adult:
            ep.close = max(adult, ep.last)
            ep.care = (t, adult)
            ep.reason = _AT_18.pick(rng)
            return ep, "final"
        end = max(end, ep.last)
        ep.close = end
        ep.care = (t, end)
        young = end - c.birth < 5 * 365
        ep.reason = (_LAC_YOUNG if young else _LAC_OLDER).pick(rng)
        kind = {"RC1": "final", "RC5": "moved"}.get(ep.reason, "lac")
        return ep, kind

    def _close(self, c: Child, ep: Episode, t: int, kind: str):
        rng = self.rng
        ep.close = max(t, ep.last) + rng.choice(C.CLOSURE_LAG_DAYS)
        if rng.random() < C.P_DEATH:
            ep.reason = "RC2"
            c.death = ep.close
            return ep, "final"
        ep.reason = _SERVICE_CLOSE.pick(rng)
        if ep.reason == "RC5":
            return ep, "moved"
        return ep, kind
