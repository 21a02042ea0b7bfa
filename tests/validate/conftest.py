"""Helpers for the rule tests: validate a return built with the ``cin`` builder and pick one rule's findings."""

from __future__ import annotations

import types

import pytest

from munro.validate import validate_file


@pytest.fixture
def check(cin, write):
    """``check(code, year, children, **cin_xml_options)`` -> [(LAchildID, fields, value)] of that rule, in file order.

    Every rule of the year runs (a rule that raises fails the test); ``check.text`` is the
    last file written and ``check.lines`` the lines of the last findings, for line assertions.
    """
    state = types.SimpleNamespace(n=0, text="", lines=[])

    def _check(code, year, children, ruleset=None, **options):
        state.n += 1
        state.text = cin.xml(year, children, **options)
        report = validate_file(write(f"r{state.n}.xml", state.text), ruleset=ruleset)
        assert report.complete, report.failures
        found = [f for f in report.findings if f.code == code]
        state.lines = [f.line for f in found]
        return [(f.la_child_id, f.fields, f.value) for f in found]

    _check.state = state
    return _check
