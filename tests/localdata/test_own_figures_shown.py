"""An LA's own figure of an item from another source is shown like a computed item: in the benchmark
(as the LA's own figure, beside the published ones) and in the report (as the item's value)."""

from __future__ import annotations

from munro.benchmark.compare import compare
from munro.loading import ingest_file, ingest_local_file
from munro.report.build import gather


def test_own_figures_reach_the_benchmark_and_the_report(tmp_path, cin):
    xml = tmp_path / "cin_330_2025.xml"
    xml.write_text(cin.xml(2025, [cin.Child(id="A1")], la="330"), encoding="utf-8")
    db = tmp_path / "store.duckdb"
    assert ingest_file(db, xml).error is None
    figures = tmp_path / "own_figures_2025.csv"
    figures.write_text("item_id,value,numerator,denominator,source\nsw_vacancy_rate,12.5,5,40,LA HR\n",
                       encoding="utf-8")
    ingest_local_file(db, figures)
    (c,) = compare(db, "330", 2025, items=["sw_vacancy_rate"])
    assert (c.own.value, c.own.source, c.own.numerator, c.own.denominator) == (12.5, "own import: LA HR", 5, 40)
    assert c.published.value is not None  # Birmingham's published 2025 figure, beside it
    data = gather(db, "330", 2025)
    view = next(v for s in data.sections for v in s.items if v.item.id == "sw_vacancy_rate")
    assert view.result.value == 12.5 and view.result["source"] == "LA HR"
    other = next(v for s in data.sections for v in s.items if v.item.id == "sw_turnover_rate")
    assert other.result.value is None and "not imported" in other.result.reason
    # Where each figure comes from: the import is named with its file and load date; the published
    # figure is the headline, and the own one is beside it, marked as imported in every output.
    assert c.own.kind == "imported" and c.headline.kind == "published"
    assert c.own.provenance.startswith("imported by this authority (own_figures_2025.csv, loaded ")
    assert c.own.provenance.endswith("; its source: LA HR)")
    assert view.own == c.own and view.headline == c.headline
    from munro.benchmark.output import as_table
    from munro.indicators.compute import compute
    from munro.indicators.output import to_table

    line = next(x for x in as_table("330", 2025, [c]).splitlines() if "differ" not in x and "sw_vacancy_rate" in x)
    assert line.split()[1:4] == [f"{c.published.value:.1f}%", "2025", "published"]
    assert "sw_vacancy_rate: own (import) 12.5%" in as_table("330", 2025, [c])
    row = next(x for x in to_table(compute(db, "330", 2025)).splitlines() if x.startswith("sw_vacancy_rate"))
    assert row.split()[-5:] == ["12.5%", "import", "5", "of", "40"]
