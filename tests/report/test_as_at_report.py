"""The report as at any date (``munro report --as-at``): each item's monthly series with the published figures
beside it, benchmarks of the latest published year labelled with that year, and disclosure control of every point.

The store is hand-made, for City of London (201), so that every figure below is worked out by hand:
the 2024-25 return has three referrals (A1 on 1 May 2024, A1 again on 11 May 2024: a re-referral
within 12 months; B2 on 1 June 2024) and an in-year extract of 2025-26 dated 30 September 2025 has one
more (C3 on 15 September 2025). The series to 30 September 2025 over 7 months ends on each month's
last day from 31 March 2025:

    12 months to      referrals            re-referrals within 12 months
    31 March 2025     3 (A1, A1, B2)       1 of 3 = 33.3%
    30 April 2025     3 (1 May 2024 on)    1 of 3
    31 May 2025       1 (B2, 1 June 2024)  0 of 1 = 0%
    30 June 2025      0                    no referrals: no figure
    31 July 2025      0                    no figure
    31 August 2025    0                    no figure
    30 September 2025 1 (C3)               0 of 1 = 0%

Published for 2024-25 (src/munro/data/cin_published_stats, table C1): City of London 57 referrals,
15.8% re-referrals; England 22.6% re-referrals. A rate's population for the 12 months to 31 March, 30 April
and 31 May 2025 is mid-2024's (the 30 June inside them): 847 children (ONS).
"""

from __future__ import annotations

import datetime as dt

import pytest
from report_helpers import read_xlsx

from munro.loading import ingest_file

LA = "201"
END = dt.date(2025, 9, 30)
MONTHS = 7
NEXT_MONTH = dt.date.today() + dt.timedelta(days=31)
ENDS = [dt.date(2025, 3, 31), dt.date(2025, 4, 30), dt.date(2025, 5, 31), dt.date(2025, 6, 30),
        dt.date(2025, 7, 31), dt.date(2025, 8, 31), dt.date(2025, 9, 30)]


@pytest.fixture(scope="module")
def store(cin, tmp_path_factory):
    root = tmp_path_factory.mktemp("as-at-report")
    annual = cin.xml(2025, [
        cin.Child(id="A1", episodes=[cin.Episode(referral="2024-05-01", closure="2024-05-05", reason="RC8"),
                                     cin.Episode(referral="2024-05-11")]),
        cin.Child(id="B2", episodes=[cin.Episode(referral="2024-06-01", nfa="true", need=None,
                                                 closure="2024-06-01", reason="RC7")]),
    ], la=LA)
    extract = cin.xml(2026, [
        cin.Child(id="A1", episodes=[cin.Episode(referral="2024-05-11")]),
        cin.Child(id="C3", episodes=[cin.Episode(referral="2025-09-15")]),
    ], la=LA, reference_date="2025-09-30")
    db = root / "store.duckdb"
    for name, text in ((f"cin_{LA}_2025.xml", annual), (f"cin_{LA}_2025-09-30.xml", extract)):
        (root / name).write_text(text, encoding="utf-8")
        assert ingest_file(db, root / name, workers=1).error is None
    return db


@pytest.fixture(scope="module")
def data(store):
    from munro.report.build import gather_as_at

    return gather_as_at(store, LA, END, MONTHS)


def _view(data, item_id):
    return next(v for v in data.items() if v.item.id == item_id)


def test_each_item_has_its_monthly_points(data):
    s = _view(data, "referral_rate").series
    assert [p["end"] for p in s.points] == ENDS
    assert [p["result"].count for p in s.points] == [3, 3, 1, 0, 0, 0, 1]
    assert [round(p["value"], 2) for p in s.points[:3]] == [35.42, 35.42, 11.81]  # 3 / 847, 1 / 847 x 10,000
    rere = _view(data, "rereferral_12m").series
    assert [None if p["value"] is None else round(p["value"], 1) for p in rere.points] == [
        33.3, 33.3, 0.0, None, None, None, 0.0]
    assert rere.span == "31 March 2025 to 30 September 2025"


def test_the_published_figures_sit_beside_the_series_at_31_march(data):
    rere = _view(data, "rereferral_12m").series
    assert [(p["year"], p["end"], p["label"], p["value"], p["england"]) for p in rere.published] == [
        (2025, dt.date(2025, 3, 31), "published 2024-25", 15.8, 22.6)]
    rate = _view(data, "referral_rate").series.published
    assert [(p["year"], round(p["value"], 2)) for p in rate] == [(2025, 672.96)]  # 57 / 847 x 10,000


def test_the_headline_is_the_12_months_to_the_date_compared_with_the_latest_published_year(data):
    v = _view(data, "rereferral_12m")
    assert data.label == "12 months to 30 September 2025" and data.period_label == "the 12 months to 30 September 2025"
    h = v.headline
    assert (h.value, h.period, h.kind) == (0.0, "12 months to 30 September 2025", "returns")
    assert h.provenance.endswith("for the 12 months to 30 September 2025")
    c = v.comparison
    assert (c.basis_year, c.england.value, c.england.year) == (2025, 22.6, 2025)
    assert c.published.value is None and c.data_quality is None  # no published figure is of these 12 months
    assert data.differences == []
    assert any("have no figure for 12 months to 30 September 2025;" in line for line in data.standout)
    assert "12 months to 30 September 2025" in c.rank_note and "published 2024-25 figures" in c.rank_note


def test_the_page_names_every_period_and_source(data):
    from munro.report import html

    page = html.render(data)
    assert "City of London (LA 201), the 12 months to 30 September 2025" in page
    assert "none is of the same 12 months" in page
    item = page.split('id="item-rereferral_12m"')[1].split("</article>")[0]
    assert "England (2024-25)" in item and "Region (Inner London, 2024-25)" in item
    assert "7 rolling 12-month figures, for the 12 months to each date from 31 March 2025 to 30 September 2025" in item
    assert "with the figures published for 2024-25 beside them at their 31 March" in item
    assert "not of the same 12 months" in item
    assert "percent of referrals in the 12 months for a child referred in the previous 12 months" in item
    rate = page.split('id="item-cin_rate"')[1].split("</article>")[0]
    assert "children in need at 30 September 2025 per 10,000" in rate
    assert "Children in need at 30 September 2025, per 10,000 children aged 0 to 17" in rate  # its definition
    # the series' table: munro's figure, and on its 31 March row the published ones, each with its year
    row = item.split('<th scope="row" class="govuk-table__header">31 Mar 2025</th>')[1].split("</tr>")[0]
    assert [c.split(">")[1] for c in row.split("</td>")[:3]] == ["33.3", "15.8 (2024-25)", "22.6 (2024-25)"]
    assert "rereferral_12m-series" in item and "published 2024-25" in item  # the chart and its labelled point


def test_published_hides_every_small_point(store):
    from munro.report.build import gather_as_at
    from munro.report.publish import make_safe

    safe = gather_as_at(store, LA, END, MONTHS)
    make_safe(safe, store)
    points = _view(safe, "referral_rate").series.points
    assert [p["value"] for p in points] == ["c", "c", "c", 0.0, 0.0, 0.0, "c"]  # 3, 3, 1 and 1 referrals
    assert _view(safe, "referral_rate").series.published[0]["value"] == pytest.approx(672.96, abs=0.01)


def test_31_march_is_the_years_report_with_its_series(store):
    from munro.report.build import gather, gather_as_at

    year, as_at = gather(store, LA, 2025), gather_as_at(store, LA, dt.date(2025, 3, 31), 2)
    assert as_at.label == "2024-25" and as_at.period_label == "reporting year 2024-25"
    for a, b in zip(year.items(), as_at.items()):
        assert (a.item.id, a.result.value, getattr(a.headline, "value", None)) == (
            b.item.id, b.result.value, getattr(b.headline, "value", None))
    assert _view(as_at, "rereferral_12m").headline.value == 15.8  # the year's headline is the published figure
    assert [p["end"] for p in _view(as_at, "referral_rate").series.points] == [dt.date(2025, 2, 28), ENDS[0]]


def test_the_cli_writes_the_page_and_the_workbook(munro, store, tmp_path):
    out = tmp_path / "r"
    done = munro("--db", store, "report", "--la", LA, "--as-at", "30/09/2025", "--months", "7", "--out", out,
                 "--no-pdf")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"page: {out / 'index.html'}", f"workbook: {out / 'report.xlsx'}"]
    book = read_xlsx(out / "report.xlsx")
    assert book["Summary"][0][0][1].endswith("City of London (LA 201), 12 months to 30 September 2025")
    activity = [[c[1] for c in row] for row in book["5 Activity"]]
    assert activity[1][-1] == "Benchmarks' reporting year"
    assert any(row[-1] == "2024-25" and row[0].startswith("Re-referrals") for row in activity[2:] if row)
    data = [[c[1] for c in row] for row in book["Data"][1:]]
    series = [r for r in data if r[1] == "rereferral_12m" and r[5].startswith("series")]
    assert [r[4] for r in series[:2]] == ["2024-25", "12 months to 30 April 2025"]  # 31 March: the year itself
    assert [r[4:7] for r in series if r[5] != "series: munro"] == [
        ["2025", "series: published", "15.8"], ["2025", "series: England published", "22.6"]]


@pytest.mark.parametrize("args, message", [
    (("--as-at", "2025-09-30", "--year", "2025"), "Give one of --year or --as-at."),
    ((), "Give one of --year or --as-at."),
    (("--year", "2025", "--months", "6"), "--months needs --as-at"),
    (("--as-at", "2025-09-30", "--with-child-lists"), "--as-at is one LA's report, without child lists"),
    (("--as-at", str(NEXT_MONTH)), f"{NEXT_MONTH} is in the future"),
    (("--as-at", "2025-02-29"), "'2025-02-29' is not a date in the calendar"),
    (("--as-at", "2023-10-31"), "2023-10-31 is before any return loaded for LA 201"),
])
def test_bad_input_is_one_line(munro, store, tmp_path, args, message):
    done = munro("--db", store, "report", "--la", LA, *args, "--out", tmp_path / "r", "--no-pdf")
    assert done.returncode != 0 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr


def test_the_series_chart_is_valid_vega_lite_with_its_published_point_labelled(data):
    import jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    from munro.report.charts import charts_for

    charts = {c.id: c for c in charts_for(_view(data, "rereferral_12m"))}
    chart = charts["rereferral_12m-series"]
    assert not list(jsonschema.Draft7Validator(load_schema()).iter_errors(chart.spec))
    assert chart.title == ("Re-referrals within 12 months of a previous referral fell from 33.3% in the 12 months "
                           "to 31 March 2025 to 0.0% in the 12 months to 30 September 2025")
    values = chart.spec["data"]["values"]
    assert {"date": "2025-03-31", "series": "This authority, published for the reporting year", "value": 15.8,
            "label": "published 2024-25"} in values
    assert chart.rows[0] == ("31 Mar 2025", "33.3", "15.8 (2024-25)", "22.6 (2024-25)")
    assert chart.rows[3] == ("30 Jun 2025", "no figure", "", "")
