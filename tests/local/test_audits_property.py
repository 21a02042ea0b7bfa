"""Published audit results, property-tested: random audits stored, results published, then attacked.

Hypothesis draws case-file audits of two years (the overall grade and two other domains, any of them
not applicable or left out, some moderated, some with an agreed grade); they are recorded with
``record_audits`` and the year's results read with ``audit_results(publish=True)``. The test counts
the true figures itself from the drawn audits, turns every published percentage back into the count
it gives away (good or better of the files graded, agreeing pairs of the pairs), writes every
equation a reader knows (grades add up to the files graded; graded and not graded to the audits;
good or better and the rest to the graded; agreeing and disagreeing pairs to the pairs; this year's
overall grades in the domain table and in the trend, where they are the same) and solves them all
together with numpy (``test_overlap._determined``): no hidden count but a zero may be pinned down,
and no count of 1 to 5, shown or not, may be.
"""

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_overlap import _determined

from munro.disclosure import C
from munro.local.appdb import open_app_db
from munro.local.audits import AuditRecord, audit_results, record_audits

GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
GOOD = ("outstanding", "good")
DOMAINS = ("child_seen", "plan", "overall")
YEAR = 2025
_las = itertools.count(100)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    e = open_app_db(url=str(tmp_path_factory.mktemp("audit-prop") / "app.sqlite"))
    yield e
    e.dispose()


graded = st.sampled_from(GRADES)
audit = st.fixed_dictionaries({
    "year": st.sampled_from([YEAR - 1, YEAR, YEAR]),
    "overall": graded,
    "child_seen": st.one_of(st.none(), st.sampled_from([*GRADES, "not_applicable"])),
    "plan": st.one_of(st.none(), st.sampled_from([*GRADES, "not_applicable"])),
    "moderated": st.one_of(st.none(), graded),  # the moderator's overall grade
    "moderated_child_seen": st.one_of(st.none(), graded),
    "agreed": st.one_of(st.none(), graded),
})


def _truth(audits: list[dict]) -> tuple[dict, list]:
    """The true value of every figure (and of the figures never shown) and the equations a reader knows."""
    this = [a for a in audits if a["year"] == YEAR]
    true, eqs = {("audits",): len(this)}, []

    def final(a, d):  # the moderator's grade where there is one (recorded only for a moderated audit)
        mod = {"overall": a["moderated"], "child_seen": a["moderated_child_seen"] if a["moderated"] else None}
        return mod.get(d) if mod.get(d) and a[d] is not None else a[d]

    for d in DOMAINS:
        for g in GRADES:
            true[("grade", d, g)] = sum(1 for a in this if final(a, d) == g)
        true[("graded", d)] = sum(true[("grade", d, g)] for g in GRADES)
        true[("not graded", d)] = len(this) - true[("graded", d)]
        eqs += [(("graded", d), [("grade", d, g) for g in GRADES]), (("audits",), [("graded", d), ("not graded", d)])]
    pairs = {"overall": [(a["overall"], a["moderated"]) for a in this if a["moderated"]]}
    pairs["all_domains"] = pairs["overall"] + [(a["child_seen"], a["moderated_child_seen"]) for a in this
                                               if a["moderated"] and a["moderated_child_seen"]
                                               and a["child_seen"] in GRADES]
    for name, p in pairs.items():
        true[("pairs", name)] = len(p)
        true[("agree", name)] = sum(1 for x, y in p if x == y)
        true[("disagree", name)] = len(p) - true[("agree", name)]
        eqs.append((("pairs", name), [("agree", name), ("disagree", name)]))
    for y in sorted({a["year"] for a in audits}):
        overall = [a["agreed"] if a["moderated"] and a["agreed"] else a["moderated"] or a["overall"]
                   for a in audits if a["year"] == y]
        for g in GRADES:
            true[("trend", y, g)] = overall.count(g)
        true[("trend", y, "audits")] = true[("trend", y, "graded")] = len(overall)
        true[("trend", y, "good or better")] = sum(overall.count(g) for g in GOOD)
        true[("trend", y, "rest")] = len(overall) - true[("trend", y, "good or better")]
        eqs += [(("trend", y, "graded"), [("trend", y, g) for g in GRADES]),
                (("trend", y, "good or better"), [("trend", y, g) for g in GOOD]),
                (("trend", y, "graded"), [("trend", y, "good or better"), ("trend", y, "rest")]),
                (("trend", y, "audits"), [("trend", y, "graded")])]
    if this:  # a reader who guesses that the two tables of this year's overall grades agree, where they do
        eqs.append((("audits",), [("trend", YEAR, "audits")]))
        eqs += [(("grade", "overall", g), [("trend", YEAR, g)]) for g in GRADES
                if true[("grade", "overall", g)] == true[("trend", YEAR, g)]]
    return true, eqs


def _count_of(percent, of):
    """The count a published percentage of a published total gives away (C when either is hidden)."""
    if C in (percent, of):
        return C
    return 0 if percent is None else round(percent * of / 100)


def _published(r: dict) -> dict:
    out = {("audits",): r["audits"]}
    for d in DOMAINS:
        dom = r["domains"][d]
        out[("graded", d)] = dom["graded"]
        for g in GRADES:
            out[("grade", d, g)] = dom["grades"][g]
            # A percentage is hidden exactly when its count or total is: it adds nothing else.
            assert (dom["percent"][g] == C) == (C in (dom["grades"][g], dom["graded"])), (d, g)
    for name in ("overall", "all_domains"):
        m = r["moderation"][name]
        out[("pairs", name)] = m["pairs"]
        out[("agree", name)] = _count_of(m["percent_agreement"], m["pairs"])
        if m["percent_agreement"] == C:
            assert m["kappa"] == m["kappa_linear"] == C
    assert r["moderation"]["moderated"] == r["moderation"]["overall"]["pairs"]
    for y, t in r["trend"].items():
        out[("trend", y, "audits")] = t["audits"]
        out[("trend", y, "graded")] = t["graded"]
        out[("trend", y, "good or better")] = _count_of(t["good_or_better_percent"], t["graded"])
        for g in GRADES:
            out[("trend", y, g)] = t["grades"][g]
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(audits=st.lists(audit, min_size=1, max_size=30))
def test_no_hidden_audit_figure_can_be_worked_out(engine, audits):
    la = str(next(_las))
    record_audits(engine, la, YEAR, [_record(i, a) for i, a in enumerate(audits) if a["year"] == YEAR])
    record_audits(engine, la, YEAR - 1, [_record(i, a) for i, a in enumerate(audits) if a["year"] == YEAR - 1])
    true, eqs = _truth(audits)
    shown = _published(audit_results(engine, la, YEAR, publish=True))
    # The figures never shown are unknowns like the hidden ones, except that a reader who guesses one is 0 (every
    # file graded, every pair agreeing) and is right knows it.
    published = {k: shown.get(k, C if true[k] else 0) for k in true}
    for k, value in shown.items():
        assert value in (C, true[k]), (k, value, true[k])
        if 1 <= true[k] <= 5:
            assert value == C, k
    # Unpublished, the same figures in full (the internal view), so the test's own counting is checked too.
    assert _published(audit_results(engine, la, YEAR)) == {k: true[k] for k in shown}
    pinned = {k for k in _determined(eqs, published) if true[k] != 0 and (k in shown or 1 <= true[k] <= 5)}
    assert pinned == set()


def _record(i: int, a: dict) -> AuditRecord:
    grades = {d: a[d] for d in DOMAINS if a[d] is not None}
    mod = {"overall": a["moderated"]} if a["moderated"] else {}
    if mod and a["moderated_child_seen"] and "child_seen" in grades:
        mod["child_seen"] = a["moderated_child_seen"]
    return AuditRecord(f"P{i}", dt.date(2024, 5, 1), "auditor@example.gov.uk", dt.date(2025, 2, 1), grades,
                       moderator="moderator@example.gov.uk" if mod else None,
                       moderated_on=dt.date(2025, 2, 2) if mod else None, moderator_grades=mod,
                       agreed_grade=a["agreed"] if mod else None)
