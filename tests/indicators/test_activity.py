"""Golden tests: Activity items (definitions.md section 2), worked out by hand.

LA 201, reporting year 2023 (1 April 2022 - 31 March 2023), returns 2022,
2023 and 2024. The population is 10,000, so a rate per 10,000 is its count.

Referrals in the year (13), with what each is (re-referral?: earlier referral >= date - 12 months):

| #  | child | referral   | source | NFA | closure (latest return) | re-referral?                                      |
|----|-------|------------|--------|-----|-------------------------|---------------------------------------------------|
| 1  | R1    | 2022-06-01 | 1A     | yes | 2022-06-01 RC8          | yes: 2022-01-15 (2022 return) >= 2021-06-01       |
| 2  | R1    | 2023-01-10 | 6      |     | open                    | yes: 2022-06-01 >= 2022-01-10                     |
| 3  | R2    | 2022-05-31 | 3A     |     | 2022-07-01 RC1          | yes: 2021-05-31 >= 2021-05-31 (exactly 12 months) |
| 4  | R3    | 2022-05-31 | 8      |     | open                    | no: 2021-05-30 < 2021-05-31                       |
| 5  | R5    | 2022-08-01 | 10     |     | open (sent twice, same day: one episode) | no                               |
| 6  | R7    | 2022-04-01 | 2A     |     | 2023-05-01 RC8 (2024 return) | no                                           |
| 7  | R8    | 2023-03-31 | 3C     |     | 2023-03-31 RC9          | no                                                |
| 8  | R10   | 2022-10-10 | 5B     | yes | 2022-10-10 RC8          | no                                                |
| 9  | R11   | 2022-11-30 | 4      |     | 2022-11-30 RC2          | no                                                |
| 10 | R11   | 2022-12-01 | 9      |     | open                    | yes: 2022-11-30                                   |
| 11 | R12   | 2022-09-01 | 7      |     | open                    | no                                                |
| 12 | R12   | 2022-10-01 | 7      |     | open                    | yes: 2022-09-01                                   |
| 13 | R13   | 2022-11-01 | 1B     | yes | open                    | no                                                |

Not in the year: R6's 2022-03-20 (in the 2022 and 2023 returns), R9's 2023-04-01 (2024 return),
R1's 2022-01-15, R2's 2021-05-31 and R3's 2021-05-30 (2022 return only).
"""

from __future__ import annotations

import golden
import pytest
from golden import load, run

from munro import reference
from munro.loading import ingest_file
from munro.reference import latest_child_population
from munro.synth import generate


def build(cin, with_2022=True):
    E, A, S, P = cin.Episode, cin.Assessment, cin.S47, cin.Plan
    r6_2022 = E(referral="2022-03-20", source="1C", assessments=[
        A("2022-03-01", auth="2022-03-15", factors=["4B"]),  # authorised before the year
        A("2022-03-21", factors=["3B"]),                     # not yet authorised in 2022
    ], s47=[S("2022-03-25")])
    r6_2023 = E(referral="2022-03-20", source="1C", assessments=[
        A("2022-03-21", auth="2022-04-05", factors=["3B", "4B"]),  # this copy wins: 3B and 4B
    ], s47=[S("2022-03-25", icpc="2022-04-08")], plans=[P("2022-04-08", initial="MUL")])
    r7_open = E(referral="2022-04-01", source="2A", assessments=[A("2022-04-02", factors=None)])
    r7_closed = E(referral="2022-04-01", source="2A", closure="2023-05-01", reason="RC8",
                  assessments=[A("2022-04-02", auth="2023-04-03", factors=["4B"])])
    y2022 = [
        cin.Child(id="R1", episodes=[E(referral="2022-01-15", source="6", closure="2022-02-01", reason="RC8")]),
        cin.Child(id="R2", episodes=[E(referral="2021-05-31", source="6", closure="2021-09-01", reason="RC1")]),
        cin.Child(id="R3", episodes=[E(referral="2021-05-30", source="6", closure="2021-06-30", reason="RC1")]),
        cin.Child(id="R6", episodes=[r6_2022]),
    ]
    y2023 = [
        cin.Child(id="R1", episodes=[
            E(referral="2022-06-01", source="1A", nfa="true", closure="2022-06-01", reason="RC8"),
            E(referral="2023-01-10", source="6", icpc="2023-01-25", assessments=[
                A("2023-01-10", auth="2023-02-01", factors=["4B", "3B"]),
                A("2023-02-15", auth="2023-03-01", factors=["4B", "1B"]),
            ], s47=[S("2023-01-11", icpc="2023-01-25")], plans=[P("2023-01-25", initial="NEG")]),
        ]),
        cin.Child(id="R2", episodes=[E(referral="2022-05-31", source="3A", closure="2022-07-01", reason="RC1",
                                       assessments=[A("2022-06-01", auth="2022-06-20", factors=["2B", "4A"])],
                                       s47=[S("2022-06-02", not_required="true"), S("2022-06-20", icpc="2022-07-05")],
                                       plans=[P("2022-07-05", "2022-12-01", initial="EMO"),
                                              P("2023-02-01", initial="PHY")])]),
        cin.Child(id="R3", episodes=[E(referral="2022-05-31", source="8",
                                       assessments=[A("2022-06-01", auth="2022-07-01", factors=["3A", "4A"])])]),
        cin.Child(id="R5", episodes=[E(referral="2022-08-01", source="10"),
                                     E(referral="2022-08-01", source="10", s47=[S("2023-03-31", icpc="2023-04-03")])]),
        cin.Child(id="R6", episodes=[r6_2023]),
        cin.Child(id="R7", episodes=[r7_open]),
        cin.Child(id="R8", episodes=[E(referral="2023-03-31", source="3C", closure="2023-03-31", reason="RC9",
                                       assessments=[A("2023-03-31", auth="2023-03-31", factors=["1B"])],
                                       plans=[P("2023-03-31", initial="SAB")])]),
        cin.Child(id="R10", episodes=[E(referral="2022-10-10", source="5B", nfa="true", closure="2022-10-10",
                                        reason="RC8")]),
        cin.Child(id="R11", episodes=[
            E(referral="2022-11-30", source="4", closure="2022-11-30", reason="RC2"),
            E(referral="2022-12-01", source="9", icpc="2022-12-20", plans=[P("2022-12-20", initial="NEG")]),
        ]),
        cin.Child(id="R12", episodes=[E(referral="2022-09-01", source="7"), E(referral="2022-10-01", source="7")]),
        cin.Child(id="R13", episodes=[E(referral="2022-11-01", source="1B", nfa="true")]),
    ]
    y2024 = [
        cin.Child(id="R7", episodes=[r7_closed]),
        cin.Child(id="R9", episodes=[E(referral="2023-04-01", source="6", plans=[P("2023-04-02", initial="NEG")])]),
    ]
    returns = {2023: cin.xml(2023, y2023), 2024: cin.xml(2024, y2024)}
    if with_2022:
        returns[2022] = cin.xml(2022, y2022)
    return returns


@pytest.fixture(scope="module")
def store(tmp_path_factory, cin):
    import types

    full = load(tmp_path_factory.mktemp("full") / "store.duckdb", build(cin))
    partial = load(tmp_path_factory.mktemp("partial") / "store.duckdb", build(cin, with_2022=False))
    return types.SimpleNamespace(full=full, partial=partial)


@pytest.fixture(scope="module")
def year_2023(store):
    res = run(store.full, 2023)
    assert res["history_years"] == [2022, 2023, 2024]
    return res["items"]


def test_referral_rate(year_2023):
    r = year_2023["referral_rate"]
    assert r.count == 13 and r.value == pytest.approx(13.0) and r.unit == "per_10k"  # 13 / 10,000 x 10,000
    assert r["population"] == 10_000


def test_rereferral_12m(year_2023):
    r = year_2023["rereferral_12m"]
    assert (r.numerator, r.denominator) == (5, 13)  # #1, #2, #3, #10, #12
    assert r.value == pytest.approx(5 / 13 * 100) and r.note is None


def test_rereferral_without_the_previous_return(store):
    """Without 2022: R1's 2022-01-15 and R2's 2021-05-31 are unknown, so #1 and #3 are not re-referrals."""
    res = run(store.partial, 2023, "rereferral_12m", "referral_rate")
    assert res["history_years"] == [2023, 2024]
    r = res["items"]["rereferral_12m"]
    assert (r.numerator, r.denominator) == (3, 13)  # #2, #10, #12
    assert "2022 return is not loaded" in r.note
    assert res["items"]["referral_rate"].count == 13


def test_referral_outcome(year_2023):
    r = year_2023["referral_outcome"]
    # nfa #1 #8 #13 = 3; not in need (RC8/RC9, not NFA) #6 (latest copy) #7 = 2; service 13 - 5 = 8
    assert {g: v["count"] for g, v in r.groups.items()} == {"nfa": 3, "not_in_need": 2, "service": 8}
    assert r.groups["nfa"]["percent"] == pytest.approx(3 / 13 * 100)
    assert r.value == pytest.approx(8 / 13 * 100)


def test_referral_source(year_2023):
    r = year_2023["referral_source"]
    assert r.value is None and r.count == 13
    counts = {g: (v["count"], v["nfa_count"]) for g, v in r.groups.items()}
    assert counts == {"police": (1, 0), "health": (2, 0), "schools": (1, 0), "la_services": (2, 1),
                      "voluntary": (1, 0), "individuals": (2, 2), "other": (4, 0)}
    assert r.groups["other"]["percent"] == pytest.approx(4 / 13 * 100)
    assert r.groups["la_services"]["nfa_percent"] == 50.0 and r.groups["individuals"]["nfa_percent"] == 100.0


def test_assessment_rate(year_2023):
    # authorised in the year: R1 x2, R2, R3, R6 (the 2023 copy), R8 = 6; not R6's 2022-03-15 nor R7's 2023-04-03
    assert year_2023["assessment_rate"].count == 6


def test_s47_rate(year_2023):
    # started in the year: R1 2023-01-11, R2 2022-06-02 and 2022-06-20, R5 2023-03-31 = 4; R6's 2022-03-25 is not
    assert year_2023["s47_rate"].count == 4


def test_icpc_rate(year_2023):
    # (R1, 2023-01-25) in both places once, (R2, 2022-07-05), (R6, 2022-04-08: the 2023 copy),
    # (R11, 2022-12-20: CINdetails only) = 4; R5's 2023-04-03 is after 31 March
    assert year_2023["icpc_rate"].count == 4


def test_parental_factors_rate(year_2023):
    r = year_2023["parental_factors_rate"]
    # episodes: R1 2023-01-10 (4B, 3B; 4B, 1B): all three, each once; R2 (2B): substance;
    # R3 (3A, 4A: the child's own factors): none; R6 (3B, 4B from the winning copy); R8 (1B)
    assert {g: v["count"] for g, v in r.groups.items()} == {
        "mental_health": 2, "substance_misuse": 3, "domestic_abuse": 2, "any": 4}
    assert r.value == pytest.approx(4.0) and r.groups["substance_misuse"]["rate"] == pytest.approx(3.0)


def test_cpp_starts_by_category(year_2023):
    r = year_2023["cpp_starts_by_category"]
    # R1 NEG, R11 NEG, R2 EMO and PHY, R6 MUL, R8 SAB (31 March); R9's 2023-04-02 is after
    assert {g: v["count"] for g, v in r.groups.items()} == {"NEG": 2, "PHY": 1, "EMO": 1, "SAB": 1, "MUL": 1}
    assert r.count == 6 and r.value == pytest.approx(6.0) and r.groups["NEG"]["rate"] == pytest.approx(2.0)


def test_cin_rate(year_2023):
    # open at 31 March 2023, not NFA: R1, R3, R5, R6, R7 (closed 2023-05-01 per 2024), R11, R12 (two
    # episodes, once) = 7; not R2 (closed), R8 (closed on 31 March), R10/R13 (NFA), R9 (after)
    assert year_2023["cin_rate"].count == 7


def test_rates_with_default_missing_and_callable_population(store):
    res = run(store.full, 2023, "referral_rate", population=lambda la, year: None)
    r = res["items"]["referral_rate"]
    assert r.value is None and r.count == 13 and "no 0-17 population for LA 201 in 2023" in r.reason
    from munro.indicators.compute import compute

    default = compute(store.full, "201", 2023, items=["referral_rate"])["items"]["referral_rate"]
    pop = reference.child_population("201", 2023)
    assert default["population"] == pop and default.value == pytest.approx(13 / pop * 10_000)
    keyed = run(store.full, 2023, "cin_rate", population={("201", 2023): 20_000})["items"]["cin_rate"]
    assert keyed.value == pytest.approx(7 / 20_000 * 10_000)


def test_population_record_with_source_and_reason(store):
    from munro.population import Population

    calls = []

    def record(la, year):
        calls.append((la, year))
        return Population(20_000, "override", "override set 2026-11-26 by tester", 2022)

    got = run(store.full, 2023, "referral_rate", "cin_rate", population=record)["items"]
    r = got["referral_rate"]
    assert r.value == pytest.approx(13 / 20_000 * 10_000) and r["population"] == 20_000
    assert r["population_source"] == "override" and r["population_mid_year"] == 2022
    assert calls == [("201", 2023)]  # asked once per run
    none = Population(None, reason="no ONS population for this LA")
    r = run(store.full, 2023, "cin_rate", population=lambda la, y: none)["items"]["cin_rate"]
    assert r.value is None and r.reason == "no ONS population for this LA" and r.count == 7


def test_results_serialise_as_plain_json(year_2023):
    import json

    for _item, r in year_2023.items():
        d = r.to_dict()
        assert d["unit"] in ("percent", "per_10k", "count") and "value" in d
        json.dumps(d)


# ---------------------------------------------------------------- end to end on a synthetic LA


@pytest.mark.slow
def test_synthetic_authority_lands_near_england(tmp_path):
    """Birmingham (330) at a tenth of its size: the headline values land near the England 2024-25
    figures synth is calibrated to (an independent check that the generator and the items agree)."""
    la, scale = "330", 0.1
    results = generate(la, [2023, 2024, 2025], tmp_path / "returns", scale=scale, seed=3)
    db = tmp_path / "store.duckdb"
    for r in results:
        ingest_file(db, r.path, workers=1)
    pop = lambda code, year: latest_child_population(code, year)[0] * scale  # noqa: E731
    got = run(db, 2025, la=la, population=pop)["items"]
    assert abs(got["referral_rate"].value / 519.0 - 1) <= 0.15
    assert abs(got["assessment_rate"].value / 533.0 - 1) <= 0.15
    assert abs(got["cin_rate"].value / 330.0 - 1) <= 0.15
    assert abs(got["s47_rate"].value / 189.0 - 1) <= 0.15
    assert abs(got["assessment_timeliness"].value - 85.7) <= 5
    assert abs(got["assessment_timeliness"]["median"] - 33.0) <= 4
    assert abs(got["rereferral_12m"].value - 22.6) <= 5
    assert abs(got["s47_to_icpc_timeliness"].value - 81.4) <= 7
    assert abs(got["referral_outcome"].groups["nfa"]["percent"] - 6.5) <= 3


def test_every_la_in_one_pass_matches_one_la_at_a_time(tmp_path, cin):
    """The items group by LA: one run over the merged views of every LA gives what compute() gives per LA."""
    from munro.indicators.compute import ITEMS, compute_keys
    from munro.indicators.context import Key
    from munro.years import Period

    db = tmp_path / "store.duckdb"
    load(db, build(cin), la="201")
    other = build(cin, with_2022=False)
    load(db, {y: text.replace("<LEA>201</LEA>", "<LEA>202</LEA>") for y, text in other.items()}, la="202")
    pop = {"201": 10_000, "202": 5_000}
    with golden.engine(db) as engine:
        found = compute_keys(engine, ("201", "202"), [Period.of_year(2023)], population=lambda la, y: pop[la])
        together = {item: {la: found[Key(la, Period.of_year(2023))][item] for la in pop} for item in ITEMS}
    for la in ("201", "202"):
        alone = run(db, 2023, la=la, population=pop)["items"]
        for item in ITEMS:
            assert together[item][la].to_dict() == alone[item].to_dict(), (la, item)
    assert together["rereferral_12m"]["202"].numerator == 3  # as without the 2022 return


def test_three_years_in_one_pass_match_each_year_alone(store):
    """compute_years runs every year in one pass per item (grouped by LA and year): each year's activity
    items are what that year computed alone gives, look-backs included.

    2022 (1 April 2021 - 31 March 2022): R1 2022-01-15, R2 2021-05-31, R3 2021-05-30, R6 2022-03-20 = 4
    referrals, each the child's first: no re-referral, and the 2021 return (the look-back) is not loaded.
    2023: 5 of 13 (test_rereferral_12m). 2024: R9 2023-04-01 alone, its first referral: 0 of 1.
    """
    from munro.indicators.activity import ITEMS as ACTIVITY
    from munro.indicators.compute import compute_years

    with golden.engine(store.full) as e:
        together = compute_years(e, "201", [2022, 2023, 2024], items=list(ACTIVITY),
                                 population={"201": golden.POP})
    for year in (2022, 2023, 2024):
        alone = run(store.full, year, *ACTIVITY)["items"]
        for item in ACTIVITY:
            assert together[year]["items"][item].to_dict() == alone[item].to_dict(), (year, item)
    re = {y: together[y]["items"]["rereferral_12m"] for y in (2022, 2023, 2024)}
    assert {y: (r.numerator, r.denominator) for y, r in re.items()} == {2022: (0, 4), 2023: (5, 13), 2024: (0, 1)}
    assert re[2022].note.startswith("the 2021 return is not loaded: referrals that closed before 2021-04-01")
    assert re[2023].note is None and re[2024].note is None
    assert [together[y]["items"]["referral_rate"].count for y in (2022, 2023, 2024)] == [4, 13, 1]
