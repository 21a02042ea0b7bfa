"""The triage patterns: what they catch (worked through by hand) and what they leave."""

import pytest

from munro.local.triage import screen


@pytest.mark.parametrize("text,expected", [
    ("mum's boyfriend HITS me when she is out", ["hurt"]),
    ("I don't feel safe at home and I'm scared of him", ["unsafe"]),
    ("sometimes I want to die", ["self_harm"]),
    ("there is no food in the house at weekends", ["neglect"]),
    ("an older boy at the park gives me money to take parcels", ["exploitation"]),
    ("dad hits my mum", ["hurt", "violence_at_home"]),
    ("he touched me and said not to tell", ["sexual"]),
])
def test_possible_disclosures_are_caught(text, expected):
    assert screen(text) == expected


@pytest.mark.parametrize("text", [
    "More time with my social worker please",
    "The meetings are too long and I did not understand the words",
    "I like my school",
])
def test_ordinary_answers_are_not_flagged(text):
    assert screen(text) == []
