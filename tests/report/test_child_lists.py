"""--with-child-lists: the restricted workbook lists exactly the children the items count, and the
report itself holds no child identifier."""

from __future__ import annotations

import duckdb
import pytest
from report_helpers import read_xlsx

from munro.indicators.compute import compute

LA, YEAR = "330", 2025


@pytest.fixture(scope="module")
def with_lists(report_store, tmp_path_factory):
    from munro.report import write_report

    return write_report(report_store, LA, YEAR, tmp_path_factory.mktemp("lists"), with_child_lists=True, pdf=False)


def test_each_list_has_the_children_the_item_counts(with_lists, report_store):
    items = compute(report_store, LA, YEAR)["items"]
    book = read_xlsx(with_lists.child_lists)
    assert book["About"][0][0][1].startswith("RESTRICTED")
    listed = {name: len(rows) - 2 for name, rows in book.items() if name != "About"}
    a, s = items["assessment_timeliness"], items["s47_to_icpc_timeliness"]
    p, r = items["cpp_lasting_2y"], items["cpp_repeat"]
    assert listed == {
        "Assessments over 45 days": a.denominator - a["within_45"],
        "Conferences over 15 days": s.denominator - s["within_15"],
        "Plans over two years": p.numerator + p["open_2y_count"],
        "Repeat plans": r.numerator,
    }
    assert all(n > 0 for n in listed.values())


def test_no_child_identifier_in_the_report(with_lists, report_store):
    con = duckdb.connect(str(report_store), read_only=True)
    ids = {r[0] for r in con.execute("SELECT DISTINCT la_child_id FROM children").fetchall()}
    con.close()
    page = with_lists.html.read_text(encoding="utf-8")
    cells = {c[1] for rows in read_xlsx(with_lists.xlsx).values() for row in rows for c in row if c[1]}
    assert len(ids) > 100
    assert [i for i in ids if i in page] == []
    assert ids.isdisjoint(cells)
