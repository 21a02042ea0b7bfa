"""What the synthetic returns hold: coherent, rule-clean, consistent across years, deterministic."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict

import pytest
from synth_rules import check, parse, structure_problems

from munro.census.format import codes_for
from munro.synth import generate

# Queries that real returns carry too: an assessment or S47 still running at
# 31 March past its timescale. Everything else, errors and queries, must not occur.
NATURAL_QUERIES = {"8670Q", "8675Q"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Returns in three shapes: early years, the years the format changed, and the 2027 draft."""
    base = tmp_path_factory.mktemp("synth")
    out = {}
    for name, kwargs in {
        "early": dict(years=[2013, 2014, 2015, 2016], scale=0.08),
        "recent": dict(years=[2020, 2021, 2022, 2023, 2024, 2025], scale=0.1),
        "draft": dict(years=[2026, 2027], scale=0.08, schema_year=2027),
    }.items():
        years = kwargs.pop("years")
        out[name] = generate("886", years, base / name, seed=11, **kwargs)
    return out


def all_results(runs):
    return [(name, r) for name, rs in runs.items() for r in rs]


@pytest.fixture(scope="module")
def parsed(runs):
    """Each return read once: {path: (header, children)}."""
    return {r.path: parse(r.path) for _, r in all_results(runs)}


def test_structure_follows_format(runs):
    for name, r in all_results(runs):
        assert structure_problems(r.path, r.schema_year) == [], (name, r.year)


def test_rule_clean_by_construction(runs, parsed):
    for name, r in all_results(runs):
        issues = check(r.path, code_year=r.schema_year, parsed=parsed[r.path])
        counts = Counter(rule for rule, _, _ in issues)
        unexpected = {k: v for k, v in counts.items() if k not in NATURAL_QUERIES}
        assert unexpected == {}, (name, r.year, [i for i in issues if i[0] in unexpected][:5])
        for q in NATURAL_QUERIES:
            assert counts[q] < 0.03 * r.children, (name, r.year, q, counts[q])


def test_dates_follow_one_another_and_stay_in_the_year(runs, parsed):
    for _name, r in all_results(runs):
        header, children = parsed[r.path]
        Y = header["year"]
        S, R = dt.date(Y - 1, 4, 1), dt.date(Y, 3, 31)
        for c in children:
            birth = c["birth"] or c["edob"]
            eps = c["episodes"]
            for prev, nxt in zip(eps, eps[1:]):
                assert prev["close"] is not None and prev["close"] < nxt["ref"]
            for e in eps:
                ref = e["ref"]
                assert ref <= R and (e["close"] is None or S <= e["close"] <= R)
                assert ref < dt.date(birth.year + 18, birth.month, min(birth.day, 28)) + dt.timedelta(days=3)
                assert (birth - ref).days <= 280
                last = ref
                for a in e["assessments"]:
                    assert ref <= a["start"] <= R
                    if a["auth"]:
                        assert a["start"] <= a["auth"] and S <= a["auth"] <= R
                        last = max(last, a["auth"])
                for s in e["s47"]:
                    assert ref <= s["start"] <= R
                    if s["icpc"]:
                        assert s["start"] <= s["icpc"] and S <= s["icpc"] <= R
                    else:
                        assert s["start"] >= S or s["not_required"]
                confs = {s["icpc"] for s in e["s47"] if s["icpc"]} | ({e["icpc"]} if e["icpc"] else set())
                for p in e["plans"]:
                    assert ref <= p["start"] <= R
                    if p["start"] >= S:
                        assert p["start"] in confs  # rule 2885: the plan starts at the conference
                    end = p["end"]
                    assert end is None or (p["start"] < end and S <= end <= R)
                    for rv in p["reviews"]:
                        assert p["start"] < rv and S <= rv <= R
                        assert end is None or rv <= end
                    assert p["reviews"] == sorted(p["reviews"])
                for cp in e["cin_plans"]:
                    assert ref <= cp["start"] <= R
                    assert cp["end"] is None or (cp["start"] < cp["end"] and S <= cp["end"] <= R)
                if e["close"]:
                    assert e["close"] >= last
                if e["nfa"]:
                    assert not (e["assessments"] or e["s47"] or e["plans"] or e["cin_plans"])
                    assert e["close"] == ref


def test_codes_valid_for_their_year(runs, parsed):
    seen = defaultdict(set)
    for _name, r in all_results(runs):
        _, children = parsed[r.path]
        year = r.schema_year
        for c in children:
            for e in c["episodes"]:
                seen[year].add(e["source"])
                seen[("reason", year)].add(e["reason"])
                for a in e["assessments"]:
                    f = a["factors"]
                    assert set(f) <= codes_for("assessment_factor", year)
                    assert f == ["21"] or "21" not in f
                    seen[("factors", year)].update(f)
    assert "5D" not in seen[2016] and "5D" in seen[2025]
    assert "RC9" not in seen[("reason", 2022)] and "RC9" in seen[("reason", 2024)]
    assert "18A" in seen[("factors", 2016)] and "18B" not in seen[("factors", 2016)]
    assert "18A" not in seen[("factors", 2022)] and {"18B", "18C", "19C"} <= seen[("factors", 2022)]
    assert "24A" not in seen[("factors", 2021)] and "24A" in seen[("factors", 2023)]


def test_children_look_like_children(runs, parsed):
    _, children = parsed[runs["recent"][-1].path]
    unborn = [c for c in children if c["birth"] is None]
    assert unborn and all(c["edob"] and c["Sex"] == "U" for c in unborn)
    born = [c for c in children if c["birth"]]
    assert Counter(c["Sex"] for c in born)["U"] < 0.01 * len(born)
    dis = Counter(d for c in children for d in c["disabilities"])
    assert 0.80 < dis["NONE"] / len(children) < 0.95
    assert len(set(dis) - {"NONE"}) >= 8          # rule 2887Q
    assert Counter(c["ethnicity"] for c in children).most_common(1)[0][0] == "WBRI"
    assert all(len(c["LAchildID"]) <= 20 and c["LAchildID"].isalnum() for c in children)
    assert all(len(c["UPN"]) == 13 for c in children if c["UPN"])
    _, old = parsed[runs["early"][0].path]
    assert any(c["GenderCurrent"] == "0" for c in old if c["birth"] is None)


def test_returns_agree_across_years(runs, parsed):
    """Each episode is in every return of a year it was open in, with the same identity."""
    by_year = {r.year: parsed[r.path][1] for r in runs["recent"]}
    for y in sorted(by_year)[:-1]:
        R = dt.date(y, 3, 31)
        this = {(c["LAchildID"], e["ref"]): e for c in by_year[y] for e in c["episodes"]}
        nxt = {(c["LAchildID"], e["ref"]): e for c in by_year[y + 1] for e in c["episodes"]}
        for key, e in this.items():
            if e["close"] is None:
                assert key in nxt, key
                assert nxt[key]["source"] == e["source"]
                # What was unfinished at R and finished since is now dated.
                open_assess = {a["start"] for a in e["assessments"] if a["auth"] is None}
                later = {a["start"]: a for a in nxt[key]["assessments"]}
                for start in open_assess:
                    assert start in later and (later[start]["auth"] is None or later[start]["auth"] > R)
        for key, e in nxt.items():
            if e["ref"] <= R:
                assert key in this, key


def test_previous_plans_count_the_childs_history(runs, parsed):
    plans = defaultdict(dict)
    for r in runs["recent"]:
        _, children = parsed[r.path]
        for c in children:
            for e in c["episodes"]:
                for p in e["plans"]:
                    plans[c["LAchildID"]][p["start"]] = int(p["previous"])
    repeats = 0
    for cid, by_start in plans.items():
        starts = sorted(by_start)
        counts = [by_start[s] for s in starts]
        # Each later plan counts exactly one more previous plan than the one before.
        assert counts == list(range(counts[0], counts[0] + len(counts))), (cid, counts)
        repeats += len(starts) > 1
    assert repeats > 10


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = generate("999", [2024, 2025], tmp_path / "a", population=15_000, seed=4, errors=3)
    b = generate("999", [2024, 2025], tmp_path / "b", population=15_000, seed=4, errors=3)
    c = generate("999", [2024, 2025], tmp_path / "c", population=15_000, seed=5, errors=3)
    for ra, rb, rc in zip(a, b, c):
        assert ra.path.read_bytes() == rb.path.read_bytes()
        assert ra.manifest.read_bytes() == rb.manifest.read_bytes()
        assert ra.path.read_bytes() != rc.path.read_bytes()


def test_errors_injected_listed_and_caught(tmp_path):
    n = 9
    results = generate("999", [2024, 2025], tmp_path, population=40_000, seed=2, errors=n)
    rules = set()
    for r in results:
        assert r.errors == n
        assert r.manifest == tmp_path / f"errors_999_{r.year}.csv"
        rows = list(csv.DictReader(r.manifest.open()))
        assert len(rows) == n
        assert set(rows[0]) == {"rule", "LAchildID", "element", "CINreferralDate", "detail"}
        # Still a well-formed return in the year's structure.
        assert structure_problems(r.path, r.year) == []
        issues = check(r.path)
        flagged = {(rule, cid) for rule, cid, _ in issues}
        for row in rows:
            assert (row["rule"], row["LAchildID"]) in flagged, row
            rules.add(row["rule"])
        # Nothing else is wrong beyond the natural queries.
        listed = {(row["rule"], row["LAchildID"]) for row in rows}
        others = {i for i in flagged - listed if i[0] not in NATURAL_QUERIES}
        injected_children = {row["LAchildID"] for row in rows}
        assert {cid for _, cid in others} <= injected_children
    assert len(rules) >= 8


def test_pre_proceedings_only_in_the_draft_format(runs):
    for name, r in all_results(runs):
        text = r.path.read_text()
        assert ("<PreProceedingsandFGDM>" in text) == (r.schema_year >= 2027), (name, r.year)
