"""Disclosure control (definitions.md section 1): worked examples by hand, and a check that
no suppressed cell can be solved for from what is published.

The solver here (``_solved``) is independent of munro.disclosure.engine: numpy ranks
over floats. A suppressed cell k is determined when adding the row e_k to the matrix
of the equations over the unknown cells does not raise its rank.
"""

import itertools
import random

import numpy as np
import pytest

from munro.disclosure import (
    MIN_GROUP_STAFF,
    C,
    recoverable,
    round_to_10,
    round_total,
    safe_item,
    safe_percent,
    suppress_breakdown,
    suppress_count,
    suppress_crosstab,
    suppress_derived,
    suppress_linked,
    suppress_survey,
)
from munro.disclosure.tables import crosstab_cells
from munro.indicators.result import ItemResult, per_10k, percent


def _solved(equations, published):
    """The 'c' cells of ``published`` that the equations fix (cells missing from it are unknown)."""
    named = list(dict.fromkeys(k for t, parts in equations for k in (t, *parts)))
    unknown = [k for k in named if k not in published or published[k] == C]
    if not unknown:
        return set()
    col = {k: i for i, k in enumerate(unknown)}
    a = np.zeros((len(equations), len(unknown)))
    for i, (t, parts) in enumerate(equations):
        if t in col:
            a[i, col[t]] += 1
        for p in parts:
            if p in col:
                a[i, col[p]] -= 1
    rank = np.linalg.matrix_rank(a)
    out = set()
    for k in unknown:
        if published.get(k) != C:
            continue
        e = np.zeros((1, len(unknown)))
        e[0, col[k]] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.add(k)
    return out


def _check_safe(values, equations, published, threshold=5, hidden=()):
    """Every small published cell is 'c', the rest unchanged, and no 'c' (or small hidden cell) is solvable."""
    for k, v in values.items():
        if k in hidden:
            assert k not in published
        elif 1 <= v <= threshold:
            assert published[k] == C, k
        else:
            assert published[k] in (C, v), k
    assert _solved(equations, published) == set()
    small_hidden = {k for k in hidden if 1 <= values[k] <= threshold}
    assert not small_hidden & _solved(equations, {**published, **{k: C for k in small_hidden}})


# ---------------------------------------------------------------- one count


@pytest.mark.parametrize("n,expected", [(0, 0), (1, C), (3, C), (5, C), (6, 6), (1234, 1234), (None, None), (C, C),
                                        ("x", "x"), ("z", "z")])
def test_a_single_count(n, expected):
    assert suppress_count(n) == expected


def test_the_threshold_is_a_parameter():
    assert suppress_count(7, threshold=10) == C
    assert suppress_count(11, threshold=10) == 11
    assert suppress_count(3, threshold=0) == 3


@pytest.mark.parametrize("bad,error", [(-1, ValueError), (2.0, TypeError), (True, TypeError), ("3", TypeError)])
def test_a_count_is_a_whole_number(bad, error):
    with pytest.raises(error):
        suppress_count(bad)


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize("n,expected", [(1234, 1230), (1235, 1240), (1225, 1230), (1245, 1250), (0, 0), (4, 0),
                                        (5, 10), (15, 20), (999_995, 1_000_000)])
def test_round_to_10_halves_up(n, expected):
    # Python's round(1225, -1) is 1220 (half to even); munro rounds halves up, as Excel's ROUND.
    assert round_to_10(n) == expected


@pytest.mark.parametrize("n,expected", [(0, 0), (3, C), (5, C), (6, 10), (14, 10), (1235, 1240), ("x", "x")])
def test_england_and_regional_totals(n, expected):
    # 1 to 5 is never shown, rounded or not: 3 would round to 0 ("none"), 5 to 10.
    assert round_total(n) == expected


# ---------------------------------------------------------------- a breakdown with its total


def test_a_3_hides_the_next_smallest_part():
    # 3 + 10 + 12 = 25: with only the 3 hidden, 25 - 10 - 12 gives it back.
    assert suppress_breakdown({"a": 3, "b": 10, "c": 12}) == ({"a": C, "b": C, "c": 12}, 25)


def test_two_small_parts_protect_each_other():
    # c + c = 6 is all a reader learns.
    assert suppress_breakdown({"a": 2, "b": 4, "c": 30}) == ({"a": C, "b": C, "c": 30}, 36)


def test_a_zero_is_shown_and_is_not_used_to_hide_a_small_part():
    # Hiding the 0 beside the 3 would only say "these two are 3": the 10 is hidden instead.
    assert suppress_breakdown({"a": 3, "b": 0, "c": 10, "d": 12}) == ({"a": C, "b": 0, "c": C, "d": 12}, 25)
    assert suppress_breakdown({"a": 0, "b": 0, "c": 40}) == ({"a": 0, "b": 0, "c": 40}, 40)


def test_a_small_total_is_hidden_because_it_is_small():
    assert suppress_breakdown({"a": 3, "b": 0, "c": 0}) == ({"a": C, "b": 0, "c": 0}, C)


def test_a_total_that_is_not_the_sum_is_refused():
    with pytest.raises(ValueError, match="do not add up"):
        suppress_breakdown({"a": 3, "b": 10}, total=20)


# ---------------------------------------------------------------- a cross-tab with margins


def test_a_2x3_table_where_one_3_hides_four_cells():
    #          x   y   z | total
    #   r1     3  10  12 |  25
    #   r2     8   9  20 |  37
    #   total 11  19  32 |  62
    # The 3 is hidden; row r1 then gives it back, so its smallest other cell (10) goes;
    # column x gives the 3 back from 11 - 8, so the 8 goes; column y likewise the 9.
    # Now each row and column holds two hidden cells or none, and the four form a
    # rectangle: adding t to r1x and r2y and taking it from r1y and r2x keeps every total.
    got = suppress_crosstab({"r1": {"x": 3, "y": 10, "z": 12}, "r2": {"x": 8, "y": 9, "z": 20}})
    assert got == {
        "cells": {"r1": {"x": C, "y": C, "z": 12}, "r2": {"x": C, "y": C, "z": 20}},
        "row_totals": {"r1": 25, "r2": 37},
        "column_totals": {"x": 11, "y": 19, "z": 32},
        "total": 62,
    }


def test_small_margins_hide_other_margins():
    #          x   y | total
    #   r1     3   0 |  3
    #   r2     0   8 |  8
    #   total  3   8 | 11
    # 1. The 3, r1's total and x's total are counts 1..5: hidden.
    # 2. The 3 and r1's total are alone in no equation; 11 - 8 would give r1's total
    #    back, so r2's total goes (the grand total would be a last resort).
    # 3. r2's total alone in its row: its smallest non-zero cell, the 8, goes.
    # 4. The 8 alone in column y, whose other cell is a 0: the 0 goes (a zero only
    #    when no non-zero cell is left).
    # 5. 11 - y's total would give x's total: y's total goes.
    # 6. With y's total hidden, the 0 of step 4 protects nothing: it is shown again.
    got = suppress_crosstab({"r1": {"x": 3, "y": 0}, "r2": {"x": 0, "y": 8}})
    assert got == {"cells": {"r1": {"x": C, "y": 0}, "r2": {"x": 0, "y": C}},
                   "row_totals": {"r1": C, "r2": C}, "column_totals": {"x": C, "y": C}, "total": 11}
    values, eqs = crosstab_cells({"r1": {"x": 3, "y": 0}, "r2": {"x": 0, "y": 8}})
    _check_safe(values, eqs, _flatten(got))


def _flatten(table):
    out = {("cell", r, c): v for r, row in table["cells"].items() for c, v in row.items()}
    out.update({("row", r): v for r, v in table["row_totals"].items()})
    out.update({("col", c): v for c, v in table["column_totals"].items()})
    out[("total",)] = table["total"]
    return out


def test_rows_and_columns_together_can_solve_a_cell_the_classic_rule_misses():
    # Two rectangles of hidden 2s (r1,r2 x c1,c2 and r3,r4 x c3,c4) joined by r2c3.
    # Every row and column holds at least two hidden cells, yet rows r1+r2 minus
    # columns c1+c2 leave exactly r2c3. The audit must hide one more cell.
    small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    cells = {f"r{i}": {f"c{j}": (2 if (i, j) in small else 10 + i + j) for j in range(4)} for i in range(4)}
    values, eqs = crosstab_cells(cells)
    classic_only = {k: (C if k[0] == "cell" and (int(k[1][1]), int(k[2][1])) in small else v)
                    for k, v in values.items()}
    assert _solved(eqs, classic_only) == {("cell", "r1", "c2")}
    assert recoverable(classic_only, eqs) == {("cell", "r1", "c2")}
    published = _flatten(suppress_crosstab(cells))
    _check_safe(values, eqs, published)
    assert sum(v == C for v in published.values()) == 10  # the nine 2s and one more


def test_every_small_table_is_safe():
    # Every 2x3 table of cells from {0, 3, 6, 9} (a zero, a small count, two sizes of large): 4,096 tables.
    for flat in itertools.product((0, 3, 6, 9), repeat=6):
        cells = {"r1": dict(zip("xyz", flat[:3])), "r2": dict(zip("xyz", flat[3:]))}
        values, eqs = crosstab_cells(cells)
        _check_safe(values, eqs, _flatten(suppress_crosstab(cells)))


def test_random_larger_tables_are_safe():
    rng = random.Random(20261126)
    for _ in range(300):
        rows, cols = rng.randint(2, 5), rng.randint(2, 5)
        cells = {f"r{i}": {f"c{j}": rng.choice((0, 0, 1, 2, 4, 5, 6, 8, 15, 40)) for j in range(cols)}
                 for i in range(rows)}
        values, eqs = crosstab_cells(cells)
        _check_safe(values, eqs, _flatten(suppress_crosstab(cells)))


def test_linked_cells_with_a_hidden_rest_and_a_forced_cell():
    # total = a + b + rest, rest never published (2: must not be solvable); f forced hidden.
    values = {"total": 30, "a": 10, "b": 18, "rest": 2, "f": 50, "g": 50}
    eqs = [("total", ["a", "b", "rest"]), ("h", ["f", "g"])]
    values["h"] = 100
    got = suppress_linked(values, eqs, hidden={"rest"}, forced={"f"})
    assert got == {"total": 30, "a": C, "b": 18, "f": C, "g": C, "h": 100}
    _check_safe(values, eqs, got, hidden={"rest"})


# ---------------------------------------------------------------- derived figures


def test_a_derived_figure_follows_its_inputs():
    assert suppress_derived(42.5, 17, C) == C
    assert suppress_derived(42.5, 17, 40) == 42.5
    assert suppress_derived(None, C) is None


@pytest.mark.parametrize("num,den,expected", [
    (50, 100, (50, 100, 50.0)),
    (3, 100, (C, 100, C)),    # small numerator
    (97, 100, (C, 100, C)),   # "97 of 100" says 3 were not: the rest is a count too
    (0, 3, (0, C, C)),        # small denominator: 0% of 3 is still hidden
    (0, 8, (0, 8, 0.0)),      # nothing to hide: 0 and 8 are both shown
    (8, 8, (8, 8, 100.0)),
    (6, 9, (C, 9, C)),        # 6 is fine, the rest (3) is not
    (6, 12, (6, 12, 50.0)),   # the smallest denominator with a percentage strictly between 0 and 100
])
def test_a_percentage(num, den, expected):
    assert safe_percent(num, den) == expected


def test_a_percentage_with_a_minimum_denominator():
    assert safe_percent(12, 20, min_denominator=25) == (12, 20, C)
    assert safe_percent(12, 20, min_denominator=20) == (12, 20, 60.0)


# ---------------------------------------------------------------- item results


def test_a_rate_whose_count_is_small():
    r = ItemResult(id="icpc_rate", unit="per_10k", value=per_10k(3, 50_000), numerator=3, denominator=50_000,
                   count=3, figures={"population": 50_000, "population_source": "ONS", "population_mid_year": 2024})
    got = safe_item(r.to_dict())
    assert got == {"value": C, "unit": "per_10k", "numerator": C, "denominator": 50_000, "count": C,
                   "population": 50_000, "population_source": "ONS", "population_mid_year": 2024,
                   "disclosure": got["disclosure"]}
    assert got["disclosure"]["suppressed"] == ["count", "numerator", "value"]
    assert got["disclosure"]["level"] == "la" and "1 to 5" in got["disclosure"]["rule"]


def _assessments(n, within, bands, excluded=0):
    return ItemResult(id="assessment_timeliness", unit="percent", value=percent(within, n), numerator=within,
                      denominator=n, count=n, excluded=excluded, bands=bands,
                      figures={"p25": 9.0, "median": 21.0, "p75": 35.5, "within_45": within})


BANDS = {"same_day": 20, "1_10": 60, "11_20": 50, "21_30": 30, "31_40": 15, "41_45": 5,
         "46_50": 8, "51_60": 7, "61_plus": 5}


def test_assessment_bands():
    # 200 assessments, 180 within 45 days (the bands up to 41_45), 20 after.
    # 41_45 = 5 and 61_plus = 5 are hidden. within_45 (180) minus the bands up to 40
    # gives 41_45 back, so the smallest of those, 31_40 (15), goes. Then the count
    # (200) minus every shown band leaves 41_45 + 61_plus + 31_40 = 25 while within_45
    # leaves 31_40 + 41_45 = 20: 61_plus = 5, solved, so its smallest neighbour in
    # the count's bands, 51_60 (7), goes. The rest (20) is not small, the percentage
    # and the percentiles stand.
    got = safe_item(_assessments(200, 180, BANDS).to_dict())
    assert got["bands"] == {**BANDS, "31_40": C, "41_45": C, "51_60": C, "61_plus": C}
    assert (got["value"], got["numerator"], got["within_45"], got["count"]) == (90.0, 180, 180, 200)
    assert (got["p25"], got["median"], got["p75"], got["excluded"]) == (9.0, 21.0, 35.5, 0)
    assert got["disclosure"]["suppressed"] == ["bands.31_40", "bands.41_45", "bands.51_60", "bands.61_plus"]


def test_conference_bands_keep_the_headline():
    # docs/disclosure.md's example. 11_15 = 3 is hidden. within_15 = 0_10 + 11_15 is the
    # shortest sum holding it: its other band, 0_10 (40), goes. Then the count's bands
    # hold two hidden cells, and 43 (within 15) = the two hidden bands, 64 - 9 - 12 =
    # the same two: nothing is solved, so 16_20 and 21_plus and the percentage stand.
    r = ItemResult(id="s47_to_icpc_timeliness", unit="percent", value=percent(43, 64), numerator=43,
                   denominator=64, count=64, excluded=0,
                   bands={"0_10": 40, "11_15": 3, "16_20": 9, "21_plus": 12},
                   figures={"p25": 6.0, "median": 10.0, "p75": 18.0, "within_15": 43})
    got = safe_item(r.to_dict())
    assert got["bands"] == {"0_10": C, "11_15": C, "16_20": 9, "21_plus": 12}
    assert (got["value"], got["within_15"], got["numerator"], got["count"]) == (percent(43, 64), 43, 43, 64)
    assert got["disclosure"]["suppressed"] == ["bands.0_10", "bands.11_15"]


def test_assessments_nearly_all_in_time():
    # 97 of 100 within 45 days: the 3 after (46_50 = 1, 51_60 = 2) are hidden as bands,
    # but 100 - 97 would give their sum, so within_45 (and the numerator that repeats
    # it, and the percentage) go; then the bands up to 45 would give within_45 back,
    # so the smallest of them, 41_45 (7), goes. excluded = 2 is hidden on its own.
    bands = {"same_day": 10, "1_10": 20, "11_20": 30, "21_30": 20, "31_40": 10, "41_45": 7,
             "46_50": 1, "51_60": 2, "61_plus": 0}
    got = safe_item(_assessments(100, 97, bands, excluded=2).to_dict())
    assert got["bands"] == {**bands, "41_45": C, "46_50": C, "51_60": C}
    assert (got["value"], got["numerator"], got["within_45"], got["denominator"]) == (C, C, C, 100)
    assert got["excluded"] == C and got["median"] == 21.0


def test_few_assessments_hide_the_percentiles():
    bands = {"same_day": 0, "1_10": 2, "11_20": 2, "21_30": 0, "31_40": 0, "41_45": 0,
             "46_50": 0, "51_60": 0, "61_plus": 0}
    got = safe_item(_assessments(4, 4, bands).to_dict())
    assert got["count"] == C and got["median"] == C and got["p25"] == C and got["value"] == C


def test_random_assessment_results_are_safe():
    # The links written out by hand: count = all bands, within_45 = the bands up to 45,
    # count = within_45 + the rest (never published; must not be solvable when 1..5);
    # numerator and denominator repeat within_45 and count.
    rng = random.Random(45)
    names = list(BANDS)
    for _ in range(300):
        bands = {b: rng.choice((0, 0, 1, 3, 5, 6, 9, 20, 60)) for b in names}
        n, within = sum(bands.values()), sum(bands[b] for b in names[:6])
        got = safe_item(_assessments(n, within, bands).to_dict())
        values = {**bands, "count": n, "within": within, "rest": n - within}
        published = {**got["bands"], "count": got["count"], "within": got["within_45"]}
        eqs = [("count", names), ("within", names[:6]), ("count", ["within", "rest"])]
        _check_safe(values, eqs, published, hidden={"rest"})
        assert got["numerator"] == got["within_45"] and got["denominator"] == got["count"]
        if n:  # no assessments: no percentage to hide (value None)
            assert (got["value"] == C) == (C in (got["within_45"], got["count"]))


def test_random_referral_sources_are_safe():
    # Groups add up to the count; each group's nfa_count is part of its count, the rest
    # (referrals from that source that were not NFA) never published.
    rng = random.Random(12)
    for _ in range(200):
        counts = {g: rng.choice((0, 2, 7, 12, 30)) for g in ("police", "health", "schools", "other")}
        nfa = {g: rng.randint(0, c) for g, c in counts.items()}
        total = sum(counts.values())
        groups = {g: {"count": c, "percent": percent(c, total), "nfa_count": nfa[g], "nfa_percent": percent(nfa[g], c)}
                  for g, c in counts.items()}
        got = safe_item(ItemResult(id="referral_source", unit="percent", count=total, groups=groups).to_dict())
        values, published, eqs = {"count": total}, {"count": got["count"]}, [("count", list(counts))]
        for g in counts:
            values.update({g: counts[g], g + ".nfa": nfa[g], g + ".rest": counts[g] - nfa[g]})
            published.update({g: got["groups"][g]["count"], g + ".nfa": got["groups"][g]["nfa_count"]})
            eqs.append((g, [g + ".nfa", g + ".rest"]))
            if C in (got["groups"][g]["count"], got["groups"][g]["nfa_count"]) and counts[g]:
                assert got["groups"][g]["nfa_percent"] == C
        _check_safe(values, eqs, published, hidden={g + ".rest" for g in counts})


def test_groups_that_add_up_to_the_count():
    # 40 referrals: 3 no further action, 10 not in need, 27 service. The 3 hides the
    # next smallest group (10); their percentages go with them; 27 of 40 stands
    # (its rest, 13, is not small).
    r = ItemResult(id="referral_outcome", unit="percent", value=percent(27, 40), numerator=27, denominator=40,
                   count=40, groups={g: {"count": c, "percent": percent(c, 40)}
                                     for g, c in {"nfa": 3, "not_in_need": 10, "service": 27}.items()})
    got = safe_item(r.to_dict())
    assert got["groups"] == {"nfa": {"count": C, "percent": C}, "not_in_need": {"count": C, "percent": C},
                             "service": {"count": 27, "percent": 67.5}}
    assert (got["value"], got["numerator"], got["count"]) == (67.5, 27, 40)


def test_groups_that_overlap_are_checked_one_by_one():
    # An episode can have several parental factors: the groups do not add up to "any".
    groups = {"mental_health": 3, "substance_misuse": 7, "domestic_abuse": 12, "any": 15}
    r = ItemResult(id="parental_factors_rate", unit="per_10k", value=per_10k(15, 30_000), numerator=15,
                   denominator=30_000, count=15,
                   groups={g: {"count": c, "rate": per_10k(c, 30_000)} for g, c in groups.items()},
                   figures={"population": 30_000})
    got = safe_item(r.to_dict())
    assert got["groups"]["mental_health"] == {"count": C, "rate": C}
    assert got["groups"]["substance_misuse"] == {"count": 7, "rate": per_10k(7, 30_000)}
    assert got["value"] == per_10k(15, 30_000)


def test_nested_figures_cin_duration():
    # value = 4 of the 50 open episodes open 2 years or more: the numerator repeats
    # open.bands.2y_plus, both hidden; 50 - (20 + 12 + 8 + 6) gives the 4 back, so the
    # smallest open band, 1y_2y (6), goes. Closed: two 3s protect each other.
    opened = {"up_to_3m": 20, "3m_6m": 12, "6m_1y": 8, "1y_2y": 6, "2y_plus": 4}
    closed = {"up_to_3m": 15, "3m_6m": 9, "6m_1y": 3, "1y_2y": 3, "2y_plus": 0}
    r = ItemResult(id="cin_duration", unit="percent", value=percent(4, 50), numerator=4, denominator=50,
                   excluded=0, figures={"open": {"count": 50, "median": 120.0, "bands": opened},
                                        "closed": {"count": 30, "excluded": 0, "median": 90.0, "bands": closed}})
    got = safe_item(r.to_dict())
    assert got["open"]["bands"] == {**opened, "1y_2y": C, "2y_plus": C}
    assert got["closed"]["bands"] == {**closed, "6m_1y": C, "1y_2y": C}
    assert (got["value"], got["numerator"], got["denominator"]) == (C, C, 50)
    assert (got["open"]["median"], got["closed"]["median"]) == (120.0, 90.0)


def test_a_rest_published_under_its_own_name():
    # 27 of 30 plans ended with the case closed; stepped_down = 30 - 27 = 3 is hidden,
    # and 30 - 27 would give it back: the 27 (numerator, repeated as cin_closed) goes.
    r = ItemResult(id="cpp_end_outcome", unit="percent", value=percent(27, 30), numerator=27, denominator=30,
                   count=30, figures={"cin_closed": 27, "became_looked_after": None,
                                      "became_looked_after_reason": "needs looked-after episodes",
                                      "stepped_down": 3})
    got = safe_item(r.to_dict())
    assert (got["value"], got["numerator"], got["cin_closed"], got["stepped_down"]) == (C, C, C, C)
    assert (got["denominator"], got["count"], got["became_looked_after"]) == (30, 30, None)


def test_an_item_that_could_not_be_computed_is_unchanged():
    r = ItemResult.missing("rereferral_after_cpp_24m", "percent", "needs the 2023 return")
    got = safe_item(r.to_dict())
    assert {k: v for k, v in got.items() if k != "disclosure"} == r.to_dict()
    assert got["disclosure"]["suppressed"] == []


def test_an_england_item_is_rounded():
    # 1,125 -> 1,130 and 125 -> 130 (halves up); 3 -> c; the percentage keeps its
    # unrounded value (90% of the unrounded counts).
    r = ItemResult(id="s47_to_icpc_timeliness", unit="percent", value=percent(1125, 1250), numerator=1125,
                   denominator=1250, count=1250, excluded=3,
                   bands={"0_10": 1000, "11_15": 125, "16_20": 122, "21_plus": 3},
                   figures={"p25": 5.0, "median": 8.0, "p75": 14.0, "within_15": 1125})
    got = safe_item(r.to_dict(), level="england")
    assert got["bands"] == {"0_10": 1000, "11_15": 130, "16_20": 120, "21_plus": C}
    assert (got["numerator"], got["within_15"], got["count"], got["excluded"]) == (1130, 1130, 1250, C)
    assert (got["value"], got["median"]) == (90.0, 8.0)
    assert "rounded to the nearest 10" in got["disclosure"]["rule"]


def test_a_result_is_made_safe_once():
    once = safe_item(_assessments(200, 180, BANDS).to_dict())
    assert safe_item(once) == once
    with pytest.raises(ValueError, match="already"):
        safe_item(once, level="england")


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError, match="level"):
        safe_item({"value": 1.0, "unit": "percent"}, level="ward")


# ---------------------------------------------------------------- surveys and audits


def test_a_small_group_is_hidden_whole_with_another():
    # 8-11 has 9 respondents (< 10): hidden. 50 - 26 - 15 would give it back, so the
    # next smallest group (4-7, 15) is hidden whole too.
    got = suppress_survey({"age": {"8-11": {"yes": 7, "no": 2}, "12-17": {"yes": 20, "no": 6},
                                   "4-7": {"yes": 12, "no": 3}}})
    assert got["respondents"] == 50 and got["answers"] == {"yes": 39, "no": 11}
    age = got["breakdowns"]["age"]
    assert age["8-11"] == {"respondents": C, "answers": {"yes": C, "no": C}, "shown": False}
    assert age["4-7"] == {"respondents": C, "answers": {"yes": C, "no": C}, "shown": False}
    assert age["12-17"] == {"respondents": 26, "answers": {"yes": 20, "no": 6}, "shown": True}


def test_staff_groups_have_a_smaller_minimum():
    teams = {"north": {"agree": 2, "disagree": 2}, "south": {"agree": 12, "disagree": 8},
             "east": {"agree": 9, "disagree": 7}}
    got = suppress_survey({"team": teams}, min_group=MIN_GROUP_STAFF, threshold=0)
    shown = {g: v["shown"] for g, v in got["breakdowns"]["team"].items()}
    assert shown == {"north": False, "south": True, "east": False}  # 4 < 5, then the next smallest (16)
    assert got["breakdowns"]["team"]["south"]["answers"] == {"agree": 12, "disagree": 8}


def test_a_survey_below_the_minimum_shows_nothing():
    got = suppress_survey({"age": {"8-11": {"yes": 5, "no": 1}, "12-17": {"yes": 2, "no": 0}}})
    assert got["respondents"] == C and got["answers"] == {"yes": C, "no": C}
    assert not any(g["shown"] for g in got["breakdowns"]["age"].values())


def test_an_empty_group_is_shown():
    got = suppress_survey({"age": {"4-7": {"yes": 0, "no": 0}, "12-17": {"yes": 20, "no": 10}}})
    assert got["breakdowns"]["age"]["4-7"] == {"respondents": 0, "answers": {"yes": 0, "no": 0}, "shown": True}


def test_two_breakdowns_cannot_be_differenced():
    rng = random.Random(7)
    answers = ("yes", "not sure", "no")
    for _ in range(150):
        people = [(rng.choice("ABC"), rng.choice("tuvw"), rng.choice(answers)) for _ in range(rng.randint(10, 60))]
        by = {"age": {}, "team": {}}
        for age, team, answer in people:
            for name, g in (("age", age), ("team", team)):
                by[name].setdefault(g, dict.fromkeys(answers, 0))[answer] += 1
        got = suppress_survey(by)
        values, eqs, published = {}, [], {}
        for name, groups in by.items():
            for g, counts in groups.items():
                out = got["breakdowns"][name][g]
                for a in answers:
                    values[(name, g, a)], published[(name, g, a)] = counts[a], out["answers"][a]
                values[(name, g)], published[(name, g)] = sum(counts.values()), out["respondents"]
                eqs.append(((name, g), [(name, g, a) for a in answers]))
                if sum(counts.values()) < 10:
                    assert not out["shown"] and out["respondents"] == C
            for a in answers:
                eqs.append((a, [(name, g, a) for g in groups]))
            eqs.append(("all", [(name, g) for g in groups]))
        for a in answers:
            values[a], published[a] = sum(1 for p in people if p[2] == a), got["answers"][a]
        values["all"], published["all"] = len(people), got["respondents"]
        eqs.append(("all", list(answers)))
        _check_safe(values, eqs, published)


def test_breakdowns_that_disagree_are_refused():
    with pytest.raises(ValueError, match="every respondent"):
        suppress_survey({"age": {"A": {"yes": 10}}, "team": {"t": {"yes": 9}}})
