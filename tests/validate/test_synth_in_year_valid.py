"""A synthetic in-year extract of every month validates as a real LA's extract would: no errors, and only
the queries a real extract raises too (issue 21: at full scale April's extract once gave about 1,100
errors, from rules that read "the census year" as the year's end; tests/validate/test_in_year_rules.py
has each by hand)."""

from __future__ import annotations

import pytest

from munro.synth import generate, month_ends
from munro.validate import validate_file

# The queries an extract raises as a real one does, and why:
EXPLAINED = {
    "8670Q": "an assessment open more than 45 working days at the extract's date (the annual returns raise it "
             "at 31 March too)",
    "8675Q": "an enquiry awaiting its conference more than 15 working days (likewise)",
    "8873Q": "an episode whose only assessment, with no factors identified, was authorised on or just before "
             "the extract's date: its closure (RC8) follows",
}


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    out = tmp_path_factory.mktemp("monthly")
    generate("805", [2025, 2026], out, seed=5, in_year=month_ends(2026), progress=False)
    return [out / f"cin_805_{day.isoformat()}.xml" for day in month_ends(2026)]


@pytest.mark.parametrize("month", range(11), ids=[d.strftime("%b") for d in month_ends(2026)])
def test_each_months_extract_has_no_errors_and_only_explained_queries(extracts, month):
    report = validate_file(extracts[month], workers=1)
    assert report.complete, report.failures
    assert [(f.code, f.value) for f in report.findings if f.type == "error"] == []
    assert {f.code for f in report.findings} <= set(EXPLAINED)
