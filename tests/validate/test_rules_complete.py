"""Every DfE rule of the reference list is registered, for each year it applies, and nothing else is.

The list is ../shared/reference/cin-census/derived/d2i-cin-validation-rules.csv (d2i's rule
metadata): one row per version of a rule, with the rulesets it applies to. The 2026-27 draft
(2027) holds the 2025-26 rules plus the pre-proceedings ones.
"""

from __future__ import annotations

import csv
from pathlib import Path

from munro.validate.registry import ruleset

RULES_CSV = (Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "cin-census" / "derived"
             / "d2i-cin-validation-rules.csv")
RULESETS = {"cin2022_23": 2023, "cin2023_24": 2024, "cin2024_25": 2025, "cin2025_26": 2026}


def _rows():
    with open(RULES_CSV, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _years(row) -> set[int]:
    names = row["effective_rulesets"].split(";")
    if names[0].startswith("cin2026_27"):
        return {2027}
    years = {RULESETS[n] for n in names}
    return years | ({2027} if 2026 in years else set())


def test_each_listed_rule_is_in_each_of_its_rulesets_and_no_other_rule_is():
    held = {y: {r.code: r for r in ruleset(y)} for y in range(2023, 2028)}
    listed = {y: set() for y in held}
    for row in _rows():
        for y in _years(row):
            listed[y].add(row["code"])
            assert row["code"] in held[y], f"{row['code']} is not in the {y} ruleset"
            assert held[y][row["code"]].table == row["table"], row["code"]
    assert {y: set(codes) for y, codes in held.items()} == listed


def test_a_code_ending_in_q_is_a_query_and_the_others_have_the_listed_type():
    types = {row["code"]: row["rule_type"].lower() for row in _rows()}
    for r in ruleset(2027) + ruleset(2023):
        # the d2i draft types 9010Q and 9015Q as errors: the DfE's Q says query
        assert r.type == ("query" if r.code.endswith("Q") else types[r.code]), r.code
