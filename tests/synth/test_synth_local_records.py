"""``generate``'s local records: the same journeys as the returns, loadable as they are, every item a value."""

from __future__ import annotations

import csv

import pytest

from munro.indicators.compute import ITEMS, compute
from munro.loading import load_files
from munro.synth import generate


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    results = generate("999", [2024, 2025], out, population=60_000, seed=5)
    return out, results


def _rows(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_same_seed_gives_the_same_files(synthetic, tmp_path):
    out, results = synthetic
    again = generate("999", [2024, 2025], tmp_path, population=60_000, seed=5)
    for a, b in zip(results, again):
        assert a.path.read_bytes() == b.path.read_bytes()
        for name in a.local:
            assert a.local[name].read_bytes() == b.local[name].read_bytes(), name


def test_records_follow_the_journeys(synthetic):
    out, results = synthetic
    r = results[1]
    episodes = _rows(r.local["ssda903_episodes"])
    assert episodes and {e["RNE"] for e in episodes} <= {"S", "P", "L"}
    # an episode followed by another the same day ends X1; a 903 episode file holds open ones too
    assert any(e["REC"] == "X1" for e in episodes) and any(e["DEC"] == "" for e in episodes)
    header = {h["CHILD"] for h in _rows(r.local["ssda903_header"])}
    assert header == {e["CHILD"] for e in episodes}
    visits = _rows(r.local["cp_visits"])
    assert {v["seen"] for v in visits} == {"Y", "N"}
    figures = _rows(r.local["own_figures"])
    assert len(figures) == 11 and all(f["source"] == "synthetic (munro synth)" for f in figures)


def test_loaded_beside_the_returns_every_item_has_a_value(synthetic, tmp_path):
    out, results = synthetic
    db = tmp_path / "store.duckdb"
    paths = [r.path for r in results] + [p for r in results for p in r.local.values()]
    got = list(load_files(db, paths, la="999"))
    assert all(o.error is None for o in got), [o.error for o in got if o.error]
    # every child of the local records is a child of the returns
    assert all(getattr(o, "unmatched", 0) in (0, None) for o in got)
    items = compute(db, "999", 2025, population={"999": 60_000})["items"]
    # the 24-month re-referral needs the 2023 return; referral_source is a breakdown (value null by design);
    # contacts and early help need an Annex A (munro synth --annex-a), not loaded here
    missing = {i: r.reason for i, r in items.items() if r.value is None
               and i not in ("rereferral_after_cpp_24m", "referral_source", "contact_conversion", "early_help_rate")}
    assert missing == {}
    assert set(items) == set(ITEMS)
    assert 0 < items["child_seen_per_cpp"].value < 100 and 0 < items["sw_changes"].value < 50
    assert items["cpp_end_outcome"]["became_looked_after"] > 0
