"""Case-file audits: draw a sample of cases from the store, record audits, report their grades.

An audit is of one episode in the store, named by LAchildID and referral
date (merged_episodes' key). Each domain of the audit form gets the auditor's
grade and, when the file is moderated, the moderator's; the agreed overall
grade is the one that stands. Results: grade distributions per domain
(the moderator's grade where there is one, as moderation exists to correct),
agreement between auditor and moderator (percent and Cohen's kappa), and the
overall grades by year. ``publish=True`` applies munro.disclosure to all of it
at once (``publish_cells``): counts of 1 to 5 as ``c``, and secondary
suppression over every total, percentage and table together, so that no
hidden count can be worked out from what is shown.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..disclosure import C, suppress_linked
from ..errors import MunroError
from ..store.db import open_store
from ..years import year_label, year_window
from . import schema as t
from .agreement import cohen_kappa
from .bank import load_bank
from .surveys import _now, freeze_version

AUDIT_FORM = "case-file-audit"
GOOD_OR_BETTER = ("outstanding", "good")
COHORTS = ("cp-plans", "referrals")
STRATA = {"none": None, "category": "initial_category", "source": "referral_source"}


@dataclass
class AuditRecord:
    la_child_id: str
    referral_date: dt.date
    auditor: str
    audited_on: dt.date
    grades: dict  # domain -> grade code (the auditor's)
    team: str | None = None
    moderator: str | None = None
    moderated_on: dt.date | None = None
    moderator_grades: dict = field(default_factory=dict)
    agreed_grade: str | None = None


def sample_cases(store, la: str, year: int, n: int, *, seed: int = 0, cohort: str = "cp-plans",
                 stratify: str = "category") -> list[dict]:
    """A reproducible random sample of ``n`` cases of the LA whose plan started (or referral came) in the year.

    ``cohort``: ``cp-plans`` (child protection plans starting in the year) or
    ``referrals`` (episodes referred in the year). ``stratify``: ``category``
    (the plan's initial category), ``source`` (referral source) or ``none``;
    strata get places in proportion to their size (largest remainders, ties
    by name), then cases are drawn within each with ``random.Random(seed)``.
    Each case appears once (a child's first qualifying episode of the year).
    """
    if cohort not in COHORTS:
        raise MunroError(f"cohort must be one of {', '.join(COHORTS)}")
    if stratify not in STRATA:
        raise MunroError(f"stratify must be one of {', '.join(STRATA)}")
    if stratify == "category" and cohort != "cp-plans":
        raise MunroError("stratify by category needs the cp-plans cohort (categories belong to plans)")
    if n < 1:
        raise MunroError("the sample needs at least one case")
    first, last = year_window(year)
    column = STRATA[stratify] or "NULL"
    if cohort == "cp-plans":
        sql = (f"SELECT la_child_id, referral_date, min(start_date) AS start, min({column}) AS stratum "
               "FROM merged_cp_plans WHERE la_code = ? AND start_date BETWEEN ? AND ? "
               "GROUP BY la_child_id, referral_date")
    else:
        sql = (f"SELECT la_child_id, referral_date, referral_date AS start, {column} AS stratum "
               "FROM merged_episodes WHERE la_code = ? AND referral_date BETWEEN ? AND ?")
    con = open_store(store, read_only=True)
    try:
        rows = con.execute(sql + " ORDER BY la_child_id, referral_date", [la, first, last]).fetchall()
    finally:
        con.close()
    # One case per child: the first qualifying episode, so a child is never audited twice in a round.
    cases: dict = {}
    for child, referral, start, stratum in rows:
        cases.setdefault(child, (child, referral, start, stratum or ("all" if stratify == "none" else "not recorded")))
    if not cases:
        raise MunroError(f"no {cohort} of LA {la} in {year_label(year)} in the store")
    if n > len(cases):
        raise MunroError(f"asked for {n} cases but LA {la} has only {len(cases)} in the year")
    strata: dict = {}
    for case in cases.values():
        strata.setdefault(case[3], []).append(case)
    places = _allocate({s: len(c) for s, c in strata.items()}, n)
    rng = random.Random(seed)
    out = []
    for s in sorted(strata):
        for child, referral, start, stratum in rng.sample(strata[s], places[s]):
            out.append({"la_child_id": child, "referral_date": referral, "start_date": start, "stratum": stratum})
    return out


def _allocate(sizes: dict, n: int) -> dict:
    """Places per stratum in proportion to size: floors, then the largest remainders (ties by name)."""
    total = sum(sizes.values())
    quotas = {s: n * k / total for s, k in sizes.items()}
    places = {s: int(q) for s, q in quotas.items()}
    for s in sorted(sizes, key=lambda s: (-(quotas[s] - places[s]), s))[: n - sum(places.values())]:
        places[s] += 1
    return places


def record_audits(engine: sa.Engine, la: str, year: int, records: list[AuditRecord], bank=None) -> int:
    """Store audits in one transaction (all or none); returns how many. The form's version is frozen."""
    v = (bank or load_bank()).get(AUDIT_FORM)
    with engine.begin() as con:
        freeze_version(con, v)
        for r in records:
            try:
                aid = con.execute(t.audits.insert().values(
                    la_code=la, la_child_id=r.la_child_id, referral_date=r.referral_date, year=year,
                    instrument=v.instrument, version=v.version, team=r.team, auditor=r.auditor,
                    audited_on=r.audited_on, moderator=r.moderator, moderated_on=r.moderated_on,
                    agreed_grade=r.agreed_grade, created_at=_now())).inserted_primary_key[0]
            except sa.exc.IntegrityError:
                # The case is not named: child identifiers stay out of messages that may be logged.
                raise MunroError(f"an audit of one of these cases for {year} is already recorded; "
                                 "nothing was loaded") from None
            con.execute(t.audit_grades.insert(), [
                {"audit_id": aid, "domain": d, "grade": g, "moderator_grade": r.moderator_grades.get(d)}
                for d, g in r.grades.items()])
    return len(records)


def _load(engine, la, years=None):
    q = (sa.select(t.audits.c.id, t.audits.c.year, t.audits.c.team, t.audits.c.agreed_grade,
                   t.audit_grades.c.domain, t.audit_grades.c.grade, t.audit_grades.c.moderator_grade)
         .join(t.audit_grades, t.audit_grades.c.audit_id == t.audits.c.id).where(t.audits.c.la_code == la))
    if years:
        q = q.where(t.audits.c.year.in_(years))
    with engine.connect() as con:
        return con.execute(q.order_by(t.audits.c.id)).all()


def audit_results(engine: sa.Engine, la: str, year: int, *, publish: bool = False, bank=None) -> dict:
    """Grade distributions, moderation agreement and the overall grades by year (see the module docstring).

    ``{"audits", "domains": {domain: {"text", "key_question", "graded", "grades": {grade: count},
    "percent": {grade: %}}}, "moderation": {"moderated", "overall": {...}, "all_domains": {...}},
    "trend": {year: {"audits", "graded", "grades", "percent", "good_or_better_percent"}}}``; percentages are
    of the files graded in the domain (not applicable left out). ``publish``: every figure through
    ``publish_cells`` at once, so that no hidden count can be worked out from any other figure.
    """
    v = (bank or load_bank()).get(AUDIT_FORM)
    scale = v.question("overall").scale
    grades = [o.code for o in scale.options if not o.not_graded]
    rows = _load(engine, la)
    this = [r for r in rows if r.year == year]
    audits = len({r.id for r in this})
    domains = {}
    for q in v.questions:
        final = Counter(_final(r) for r in this if r.domain == q.id)
        domains[q.id] = {g: final.get(g, 0) for g in grades}
    pairs = [(r.grade, r.moderator_grade) for r in this if r.domain == "overall" and r.moderator_grade in grades]
    pooled = [(r.grade, r.moderator_grade) for r in this if r.moderator_grade and r.grade in grades
              and r.moderator_grade in grades]
    trend = {}
    for y in sorted({r.year for r in rows}):
        overall = Counter(_overall(r) for r in rows if r.year == y and r.domain == "overall")
        trend[y] = ({g: overall.get(g, 0) for g in grades}, sum(overall.values()))
    agreement = {"overall": pairs, "all_domains": pooled}
    values, equations, hidden = publish_cells(audits, domains, {k: (len(p), sum(a == b for a, b in p))
                                                               for k, p in agreement.items()}, trend, year)
    shown = suppress_linked(values, equations, hidden=hidden) if publish else values
    return {
        "la": la, "year": year, "audits": shown[("audits",)],
        "domains": {q.id: {"text": q.text, "key_question": q.key_question,
                           **_distribution(shown, ("grade", q.id), ("graded", q.id), grades)} for q in v.questions},
        "moderation": {"moderated": shown[("pairs", "overall")],
                       **{k: _agreement(p, grades, shown, k) for k, p in agreement.items()}},
        "trend": {y: {"audits": shown[("trend", y, "audits")],
                      **_distribution(shown, ("trend", y), ("trend", y, "graded"), grades),
                      "good_or_better_percent": _percent(shown, ("trend", y, "good or better"), ("trend", y, "graded"))}
                  for y in trend},
    }


def publish_cells(audits: int, domains: dict, agreement: dict, trend: dict, year: int) -> tuple[dict, list, set]:
    """Every figure of the results as cells and the equations linking them, for munro.disclosure.

    Cells: the year's audits; each domain's grade counts and files graded; each agreement's pairs and
    agreeing pairs (the percentage publishes them); each year's overall grade counts, files graded,
    good or better (its percentage publishes it) and audits. Hidden cells, never shown but fixed by
    the others and protected like any small count: the files a domain did not grade ("not
    applicable": audits minus graded), the pairs that disagree, the files not good or better ("3 of
    40 were not good" is a small count too), and a year's audits without a grade. This year's overall
    grades appear twice (the domain's, by the moderator's grade, and the trend's, by the agreed
    grade): where the two counts are the same they are one figure, so hiding one hides the other.
    A hidden figure that is 0 is taken as known (below).
    """
    values: dict = {("audits",): audits}
    equations: list = []
    hidden: set = set()

    for d, counts in domains.items():
        parts = [("grade", d, g) for g in counts]
        values.update(zip(parts, counts.values()))
        values[("graded", d)] = sum(counts.values())
        values[("not graded", d)] = audits - values[("graded", d)]
        hidden.add(("not graded", d))
        equations += [(("graded", d), parts), (("audits",), [("graded", d), ("not graded", d)])]
    for name, (n, agree) in agreement.items():
        values.update({("pairs", name): n, ("agree", name): agree, ("disagree", name): n - agree})
        hidden.add(("disagree", name))
        equations.append((("pairs", name), [("agree", name), ("disagree", name)]))
    for y, (counts, n) in trend.items():
        cell = {name: ("trend", y, name)
                for name in (*counts, "graded", "good or better", "rest", "audits", "not graded")}
        values.update({cell[g]: c for g, c in counts.items()})
        graded = sum(counts.values())
        good = sum(counts[g] for g in GOOD_OR_BETTER)
        values.update({cell["graded"]: graded, cell["good or better"]: good, cell["rest"]: graded - good,
                       cell["audits"]: n, cell["not graded"]: n - graded})
        hidden |= {cell["rest"], cell["not graded"]}
        equations += [(cell["graded"], [cell[g] for g in counts]),
                      (cell["good or better"], [cell[g] for g in GOOD_OR_BETTER]),
                      (cell["graded"], [cell["good or better"], cell["rest"]]),
                      (cell["audits"], [cell["graded"], cell["not graded"]])]
    if year in trend and "overall" in domains:
        values[("no overall grade",)] = audits - values[("trend", year, "audits")]
        hidden.add(("no overall grade",))
        equations.append((("audits",), [("trend", year, "audits"), ("no overall grade",)]))
        equations += [(("grade", "overall", g), [("trend", year, g)]) for g in domains["overall"]
                      if values[("grade", "overall", g)] == values[("trend", year, g)]]
    # A hidden zero hides nothing: a reader who guesses that every file was graded, or that every pair agreed,
    # is right. So it is taken as known, never left as an unknown that would seem to protect the figures beside it.
    zeros = {k for k in hidden if values[k] == 0}
    equations = [(total, [p for p in parts if p not in zeros]) for total, parts in equations]
    return {k: v for k, v in values.items() if k not in zeros}, equations, hidden - zeros


def _final(r) -> str:
    return r.moderator_grade or r.grade


def _overall(r) -> str:
    return r.agreed_grade or r.moderator_grade or r.grade


def _percent(shown: dict, part, total):
    """``part`` as a percentage of ``total``: ``c`` when either is hidden, None of nothing."""
    n, of = shown[part], shown[total]
    if C in (n, of):
        return C
    return 100.0 * n / of if of else None


def _distribution(shown: dict, key: tuple, total: tuple, grades: list) -> dict:
    return {"graded": shown[total], "grades": {g: shown[(*key, g)] for g in grades},
            "percent": {g: _percent(shown, (*key, g), total) for g in grades}}


def _agreement(pairs, grades, shown: dict, name: str) -> dict:
    n = shown[("pairs", name)]
    pct = _percent(shown, ("agree", name), ("pairs", name))
    if pct == C:  # kappa is computed from the same pairs: hidden with them
        return {"pairs": n, "percent_agreement": C, "kappa": C, "kappa_linear": C}
    return {"pairs": n, "percent_agreement": pct, "kappa": cohen_kappa(pairs, grades),
            "kappa_linear": cohen_kappa(pairs, grades, "linear") if pairs else None}


def case_in_store(store, la: str, la_child_id: str, referral_date: dt.date) -> bool:
    """Whether the case is an episode of the LA in the store (the web form's check before recording)."""
    con = open_store(store, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM merged_episodes WHERE la_code = ? AND la_child_id = ? "
                           "AND referral_date = ?", [la, la_child_id, referral_date]).fetchone()[0] > 0
    finally:
        con.close()


def list_audits(engine: sa.Engine, la: str, year: int) -> list[dict]:
    """The LA's audits of a year, each with its case, auditor, moderator and overall grades (child-level)."""
    q = (sa.select(t.audits, t.audit_grades.c.grade.label("overall"),
                   t.audit_grades.c.moderator_grade.label("overall_moderated"))
         .outerjoin(t.audit_grades, sa.and_(t.audit_grades.c.audit_id == t.audits.c.id,
                                            t.audit_grades.c.domain == "overall"))
         .where(t.audits.c.la_code == la, t.audits.c.year == year).order_by(t.audits.c.id))
    with engine.connect() as con:
        return [dict(r._mapping) for r in con.execute(q)]


def get_audit(engine: sa.Engine, la: str, audit_id: int) -> dict:
    """One audit of the LA with ``grades`` and ``moderator_grades`` by domain; MunroError if not the LA's."""
    with engine.connect() as con:
        row = con.execute(sa.select(t.audits).where(t.audits.c.id == audit_id, t.audits.c.la_code == la)).first()
        if row is None:
            raise MunroError(f"no audit {audit_id} of LA {la}")
        grades = con.execute(sa.select(t.audit_grades).where(t.audit_grades.c.audit_id == audit_id)).all()
    return {**row._mapping, "grades": {g.domain: g.grade for g in grades},
            "moderator_grades": {g.domain: g.moderator_grade for g in grades if g.moderator_grade}}


def moderate_audit(engine: sa.Engine, la: str, audit_id: int, *, moderator: str, moderated_on: dt.date,
                   grades: dict, agreed_grade: str | None = None, bank=None) -> None:
    """Record a second grader's grades of an audit (at least the overall one) and the agreed overall grade.

    The moderator must not be the auditor (moderation is a second pair of eyes)
    and a moderated audit is not moderated again.
    """
    v = (bank or load_bank()).get(AUDIT_FORM)
    audit = get_audit(engine, la, audit_id)
    if audit["moderator"]:
        raise MunroError(f"audit {audit_id} is already moderated")
    if moderator.strip().casefold() == audit["auditor"].strip().casefold():
        raise MunroError("the moderator must be someone other than the auditor")
    graded = {o.code for o in v.question("overall").scale.options if not o.not_graded}
    if grades.get("overall") not in graded:
        raise MunroError("the moderator's overall grade is needed (not 'not applicable')")
    unknown = set(grades) - set(audit["grades"])
    if unknown:
        raise MunroError(f"domains not graded by the auditor: {', '.join(sorted(unknown))}")
    if agreed_grade is not None and agreed_grade not in graded:
        raise MunroError(f"the agreed grade must be one of {', '.join(sorted(graded))}")
    with engine.begin() as con:
        con.execute(t.audits.update().where(t.audits.c.id == audit_id).values(
            moderator=moderator, moderated_on=moderated_on, agreed_grade=agreed_grade))
        for domain, grade in grades.items():
            con.execute(t.audit_grades.update().where(t.audit_grades.c.audit_id == audit_id,
                                                      t.audit_grades.c.domain == domain).values(moderator_grade=grade))
