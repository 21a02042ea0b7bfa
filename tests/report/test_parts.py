"""The summary's worsening-trend rule and the charts' encodings, on hand-made views."""

from __future__ import annotations

import types

from munro.benchmark.compare import trend_change
from munro.indicators.catalogue import item
from munro.report.charts import distribution_chart, trend_chart
from munro.report.summary import worsening


def _view(item_id: str, own: list[tuple[int, float]], england: float | None = None, n: int = 2_000):
    """A view of ``item_id`` whose own figures (of ``n`` each, from the returns) are its headlines."""
    it = item(item_id)
    trend = [{"year": y, "own": v, "published": None, "england": england, "value": v, "kind": "returns",
              "numerator": round(v * n / 100), "denominator": n} for y, v in own]
    comparison = types.SimpleNamespace(trend_change=trend_change(trend, it.unit, it.polarity))
    return types.SimpleNamespace(item=it, trend=trend, polarity="lower is better" if it.polarity == "lower_better"
                                 else "higher is better", distributions=[], comparison=comparison)


def test_two_changes_the_worse_way_in_a_row_beyond_chance_are_worsening():
    # cpp_repeat: lower is better; 20 -> 21 -> 23% of 2,000 rose twice, +3 points with se 1.31: not beyond
    # 99.8% (3.09 se); 20 -> 22 -> 26% (+6 points, se 1.34, 4.5 se) is.
    assert worsening(_view("cpp_repeat", [(2023, 20.0), (2024, 21.0), (2025, 23.0)])) is None
    line = worsening(_view("cpp_repeat", [(2023, 20.0), (2024, 22.0), (2025, 26.0)]))
    assert line == (f"{item('cpp_repeat').title}: risen two years running, from 20.0% in 2022-23 to 26.0% in "
                    "2024-25 (lower is better; the change is beyond chance at 99.8%).")


def test_one_change_back_or_a_short_series_is_not_worsening():
    assert worsening(_view("cpp_repeat", [(2023, 20.0), (2024, 25.0), (2025, 23.0)])) is None
    assert worsening(_view("cpp_repeat", [(2024, 20.0), (2025, 23.0)])) is None
    # assessment_timeliness: higher is better, so falling twice is worsening and rising is not.
    assert worsening(_view("assessment_timeliness", [(2023, 90.0), (2024, 85.0), (2025, 80.0)]))
    assert worsening(_view("assessment_timeliness", [(2023, 80.0), (2024, 85.0), (2025, 90.0)])) is None
    # The case: 86.2% -> 86.1% -> 86.0% of 15,675 is noise.
    assert worsening(_view("assessment_timeliness", [(2023, 86.2), (2024, 86.1), (2025, 86.0)], n=15_675)) is None
    # cin_rate: neither direction is better, so never worsening.
    assert worsening(_view("cin_rate", [(2023, 300.0), (2024, 320.0), (2025, 340.0)])) is None


def test_trend_series_differ_by_line_style_and_point_shape_not_colour_alone():
    chart = trend_chart(_view("cpp_repeat", [(2024, 20.0), (2025, 23.0)], england=22.0))
    enc = chart.spec["encoding"]
    assert enc["strokeDash"]["field"] == enc["shape"]["field"] == enc["color"]["field"] == "series"
    assert chart.title.endswith("rose from 20.0% in 2023-24 to 23.0% in 2024-25")
    assert chart.rows == [("2023-24", "20.0", "munro, from the returns", "22.0"),
                          ("2024-25", "23.0", "munro, from the returns", "22.0")]
    assert "dashed line" in chart.alt and "solid line" in chart.alt


def test_bars_carry_their_numbers_as_text():
    view = _view("s47_to_icpc_timeliness", [])
    chart = distribution_chart(view, {"name": "bands", "label": "number in each band",
                                      "rows": [("0_10", 4), ("11_15", 30), ("16_20", "c"), ("21_plus", 9)]})
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in chart.spec["layer"]]
    assert marks == ["bar", "text"]
    # The suppressed band is in the table, not drawn as a bar.
    assert chart.rows == [("0 to 10", "4"), ("11 to 15", "30"), ("16 to 20", "c"), ("21 or more", "9")]
    assert [v["category"] for v in chart.spec["data"]["values"]] == ["0 to 10", "11 to 15", "21 or more"]
