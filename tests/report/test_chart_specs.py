"""Every chart of a report is a valid Vega-Lite spec.

munro builds the specs with Altair's validation off (it costs about a second
per report), so this is where their validity is checked, for every chart of a
real report: trends and distributions, internal and published.
"""

from __future__ import annotations

import copy

import jsonschema
import pytest
from altair.vegalite.v6.schema.core import load_schema

LA, YEAR = "330", 2025  # the report_store fixture's


@pytest.fixture(scope="module")
def charts(report_store):
    from munro.report import build
    from munro.report.charts import charts_for
    from munro.report.publish import make_safe

    internal = build.gather(report_store, LA, YEAR)
    published = copy.deepcopy(internal)
    make_safe(published, report_store)
    return [c for data in (internal, published) for v in data.items() for c in charts_for(v)]


def test_every_chart_spec_is_valid_vega_lite(charts):
    validator = jsonschema.Draft7Validator(load_schema())
    kinds = {c.id.rsplit("-", 1)[-1] == "trend" for c in charts}
    assert kinds == {True, False}, "the report should have trend and distribution charts"
    for chart in charts:
        errors = [e.message for e in validator.iter_errors(chart.spec)]
        assert not errors, (chart.id, errors[:3])


def test_an_invalid_spec_is_caught():
    # The check above can fail: a mark Vega-Lite does not have is refused.
    validator = jsonschema.Draft7Validator(load_schema())
    assert list(validator.iter_errors({"mark": "no-such-mark", "data": {"values": []}}))
