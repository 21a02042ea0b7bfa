"""The summary's worsening-trend rule and the charts' encodings, on hand-made views."""

from __future__ import annotations

import types

from munro.indicators.catalogue import item
from munro.report.charts import distribution_chart, trend_chart
from munro.report.summary import worsening


def _view(item_id: str, own: list[tuple[int, float]], england: float | None = None):
    it = item(item_id)
    trend = [{"year": y, "own": v, "published": None, "england": england} for y, v in own]
    return types.SimpleNamespace(item=it, trend=trend, polarity="lower is better" if it.polarity == "lower_better"
                                 else "higher is better", distributions=[])


def test_two_changes_the_worse_way_in_a_row_are_worsening():
    # cpp_repeat: lower is better; 20 -> 21 -> 23 rose twice.
    line = worsening(_view("cpp_repeat", [(2023, 20.0), (2024, 21.0), (2025, 23.0)]))
    assert line == (f"{item('cpp_repeat').title}: risen two years running, from 20.0% in 2022-23 to 23.0% in "
                    "2024-25 (lower is better).")


def test_one_change_back_or_a_short_series_is_not_worsening():
    assert worsening(_view("cpp_repeat", [(2023, 20.0), (2024, 25.0), (2025, 23.0)])) is None
    assert worsening(_view("cpp_repeat", [(2024, 20.0), (2025, 23.0)])) is None
    # assessment_timeliness: higher is better, so falling twice is worsening and rising is not.
    assert worsening(_view("assessment_timeliness", [(2023, 90.0), (2024, 85.0), (2025, 80.0)]))
    assert worsening(_view("assessment_timeliness", [(2023, 80.0), (2024, 85.0), (2025, 90.0)])) is None
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
