"""An item is one unit: registered once with its metadata and computation, and every list of items is the register's.

The register refuses an item registered twice, metadata it does not know, and
a LAIT measure claimed by two items; the catalogue, ``compute.ITEMS``,
docs/indicators.md and LAIT's measures all list exactly the registered items.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from munro.benchmark.lait import MEASURES
from munro.indicators import catalogue, compute, registry
from munro.indicators.registry import LaitMeasure, Register

REPO = Path(__file__).resolve().parents[2]

# Metadata of a plausible item; the tests register it in a register of their own, never munro's.
META = dict(
    id="made_up_rate", title="A made-up rate", section="activity", source="CIN census", needs=(),
    framework_item=None, framework_source=None, rationale="For the test.", rationale_quoted=False,
    unit="per_10k", polarity="neither", polarity_reason="For the test.", comparability="dfe",
    headline="made-up events per 10,000 children", definition="Made up.",
)


def made_up_rate(ctx):
    return {}


def test_an_item_registers_with_its_metadata_and_computation():
    register = Register()
    assert register.item(**META)(made_up_rate) is made_up_rate
    entry = register.of_module(__name__)["made_up_rate"]
    assert (entry.unit, entry.section, entry.compute) == ("per_10k", "activity", made_up_rate)
    assert register.in_order([sys.modules[__name__]]) == (entry,)


def test_an_item_registered_twice_is_refused():
    register = Register()
    register.item(**META)(made_up_rate)
    with pytest.raises(ValueError, match="item 'made_up_rate' is registered twice"):
        register.item(**{**META, "title": "Another"})(lambda ctx: {})


@pytest.mark.parametrize("change, message", [
    ({"colour": "red"}, r"item 'made_up_rate': unknown metadata \['colour'\]"),
    ({"lait_measure": "CIN"}, r"unknown metadata \['lait_measure'\]"),
    ({"compute": made_up_rate}, r"unknown metadata \['compute'\]"),  # the decorated function is the computation
    ({"unit": "furlongs"}, "made_up_rate: unknown unit 'furlongs'"),
    ({"section": "leisure"}, "made_up_rate: unknown section 'leisure'"),
    ({"polarity": "up"}, "made_up_rate: unknown polarity 'up'"),
    ({"comparability": "ofsted"}, "made_up_rate: unknown comparability 'ofsted'"),
    ({"id": "MadeUp"}, "item id 'MadeUp' is not snake_case"),
    ({"munro_figures": ("crude",)}, "comparability given for figures it does not have: \\['crude'\\]"),
    ({"lait": (LaitMeasure("X", "value", "per_1k"),)}, "a LAIT measure must be a LaitMeasure"),
    ({"lait": ("CIN",)}, "a LAIT measure must be a LaitMeasure"),
])
def test_unknown_metadata_is_refused(change, message):
    register = Register()
    with pytest.raises(ValueError, match=message):
        register.item(**{**META, **change})(made_up_rate)
    assert register.of_module(__name__) == {}


def test_missing_metadata_is_refused():
    meta = {k: v for k, v in META.items() if k not in ("unit", "headline")}
    with pytest.raises(ValueError, match=r"item 'made_up_rate': metadata missing: \['headline', 'unit'\]"):
        Register().item(**meta)


def test_a_lait_measure_claimed_by_two_items_is_refused():
    register = Register()
    register.item(**META, lait=(LaitMeasure("CIN", "value", "per_10k"),))(made_up_rate)
    with pytest.raises(ValueError, match="item 'other_rate': LAIT measure 'CIN' already belongs to 'made_up_rate'"):
        register.item(**{**META, "id": "other_rate"}, lait=(LaitMeasure("CIN", "count", "count"),))(lambda ctx: {})


def test_the_order_is_the_modules_then_definition_order_whatever_the_import_order():
    register = Register()
    first, second = type(sys)("items_first"), type(sys)("items_second")
    for module, ids in ((second, ("c_rate", "a_rate")), (first, ("b_rate",))):  # second's items register first
        for item_id in ids:
            fn = lambda ctx: {}  # noqa: E731
            fn.__module__ = module.__name__
            register.item(**{**META, "id": item_id})(fn)
    assert [i.id for i in register.in_order([first, second])] == ["b_rate", "c_rate", "a_rate"]
    with pytest.raises(ValueError, match=r"items registered outside the item modules \['items_first'\]: "
                                         r"\['a_rate', 'c_rate'\]"):
        register.in_order([first])


# ---------------------------------------------------------------- every list of items is the register's

REGISTERED = registry.REGISTER.in_order(catalogue.ITEM_MODULES)
IDS = [i.id for i in REGISTERED]


def test_there_are_items_and_each_is_a_function_of_the_context():
    assert IDS and len(IDS) == len(set(IDS))
    assert all(callable(i.compute) for i in REGISTERED)


def test_the_catalogue_lists_exactly_the_registered_items():
    assert list(catalogue.ITEMS) == IDS
    assert sorted(i.id for i in catalogue.CATALOGUE) == sorted(IDS)
    assert [i.id for items in catalogue.by_section().values() for i in items] == [i.id for i in catalogue.CATALOGUE]
    assert all(catalogue.item(i.id) is i for i in REGISTERED)


def test_compute_items_are_the_registered_computations_in_definitions_order():
    assert list(compute.ITEMS) == IDS
    assert all(compute.ITEMS[i.id] is i.compute for i in REGISTERED)


def test_the_docs_page_lists_exactly_the_registered_items():
    text = (REPO / "docs" / "indicators.md").read_text()
    headings = re.findall(r"^### `([a-z0-9_]+)`:", text, re.M)
    assert headings == [i.id for i in catalogue.CATALOGUE]
    summary = re.findall(r"^\| [^|]+ \| `([a-z0-9_]+)` \|", text, re.M)
    assert summary == [i.id for i in catalogue.CATALOGUE]


def test_lait_measures_are_exactly_those_the_registered_items_name():
    named = {m.name: (i.id, m.figure, m.unit) for i in REGISTERED for m in i.lait}
    assert {name: spec[:3] for name, spec in MEASURES.items()} == named
    assert {spec[0] for spec in MEASURES.values()} <= set(IDS)
    # Two measures written out by hand: a headline rate and a figure with its note on how it differs.
    assert MEASURES["CIN"] == ("cin_rate", "value", "per_10k", "")
    assert MEASURES["RefBySource_Schl_%"] == ("referral_source", "group:schools", "percent",
                                              " (schools only; munro's group adds education services, 2B)")
