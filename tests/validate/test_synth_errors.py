"""Errors injected by ``munro synth --errors`` are found, and nothing else is an error.

munro synth writes date-coherent returns and, on request, injects errors of
known kinds, each listed in a manifest with the DfE rule that catches it
(munro.synth.errors, written from the rule texts apart from the validator).
Every listed error must be found on its child, and no child without an
injected error may have an error finding: the synthetic return is the near
miss of every rule at once.
"""

from __future__ import annotations

import csv

from munro.synth.generate import generate
from munro.validate import validate_file


def test_every_injected_error_is_found_and_no_other_child_has_an_error(tmp_path):
    [result] = generate("999", [2025], tmp_path, seed=3, population=40000, errors=80)
    with open(result.manifest, newline="") as f:
        injected = list(csv.DictReader(f))
    assert len(injected) == 80
    report = validate_file(result.path)
    assert report.complete, report.failures
    found = {(f.code, f.la_child_id) for f in report.findings}
    assert [r for r in injected if (r["rule"], r["LAchildID"]) not in found] == []
    children = {r["LAchildID"] for r in injected}
    assert [(f.code, f.la_child_id) for f in report.findings
            if f.type == "error" and f.la_child_id not in children] == []
