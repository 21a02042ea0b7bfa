"""One figure per item and year, everywhere: what the report and the dashboard say about it is about
the figure shown beside it, and every figure says where it comes from (issue 17).

The report store is a 2%-scale synthetic Birmingham, so its own figures differ from Birmingham's
published ones: the case where a report used to say one number and compare another.
"""

from __future__ import annotations

import html
import re

import pytest
from report_helpers import read_xlsx

from munro.benchmark import stats
from munro.benchmark.compare import compare
from munro.indicators.catalogue import CATALOGUE

LA, YEAR = "330", 2025
UNITS = {i.id: i.unit for i in CATALOGUE}


@pytest.fixture(scope="module")
def page(internal_report) -> str:
    return html.unescape(internal_report.html.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def comparisons(report_store):
    return {c.item_id: c for c in compare(report_store, LA, YEAR)}


def _article(page: str, item_id: str) -> str:
    return page.split(f'id="item-{item_id}"', 1)[1].split("</article>", 1)[0]


def _text(fragment: str) -> str:
    spaced = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()
    return re.sub(r" ([,.;])", r"\1", spaced)


def test_cpp_rate_shows_the_published_figure_and_its_own_beside_it(page, comparisons):
    c = comparisons["cpp_rate"]
    # Birmingham's published 2024-25 rate (DfE Children in need 2025, table D5): 1,677 children of 292,859.
    assert (c.published.numerator, c.published.denominator) == (1677, 292859)
    text = _text(_article(page, "cpp_rate"))
    assert "57.3 per 10,000 children" in text.split("Definition")[0]
    assert "Source: published: DfE Children in need 2025 (EES table D5), 2024-25 figure." in text
    own = f"{c.own.value:.1f} per 10,000 children"
    assert f"This authority's returns {own} (computed by munro from this authority's children in need census " \
           "returns (2022-23 to 2024-25))." in text
    assert "Differs from the published figure, which is the one shown and compared" in text
    # The interval is the published figure's: exact Poisson for 1,677 of 292,859.
    low, high = stats.poisson_rate_interval(1677, 292859)
    assert f"{low:.1f} per 10,000 children to {high:.1f} per 10,000 children" in text


def test_every_flag_is_the_test_of_the_figure_shown_beside_it(page, comparisons):
    tested = 0
    for item_id, c in comparisons.items():
        h = c.headline
        if h.value is None:
            continue
        text = _text(_article(page, item_id))
        unit = UNITS[item_id]
        shown = text.split("Definition")[0]
        assert (f"{h.value:,.1f}" if unit in ("percent", "per_10k") else f"{h.value:,.0f}") in shown, item_id
        if h.numerator is None or not h.denominator or c.england.value is None or unit not in stats.SCALES:
            assert "ignificantly" not in text.split("Region")[0], item_id
            continue
        flag = stats.compare_with_target(h.numerator, h.denominator, c.england.value, unit).flag
        assert flag[0].upper() + flag[1:] in text, item_id
        tested += 1
        row = page.split(f'data-glance="{item_id}">', 1)[1].split("</tr>", 1)[0]
        assert flag[0].upper() + flag[1:] in _text(row), item_id
    assert tested >= 10


def test_england_is_written_as_a_name(page):
    assert "than England" in page
    assert not re.search(r"\bengland\b", _text(page.split("<body", 1)[1]))


def test_what_stands_out_quotes_the_figures_shown(page, comparisons):
    standout = page.split("data-standout>", 1)[1].split("</ul>", 1)[0]
    lines = re.findall(r"<li>([^<]*significantly[^<]*)</li>", standout)
    assert lines
    for line in lines:
        title = line.split(":", 1)[0]
        item_id = next(i.id for i in CATALOGUE if i.title == title)
        h = comparisons[item_id].headline
        assert line.split(": ", 1)[1].startswith(f"{h.value:,.1f}"), line
        if h.kind == "published":
            assert h.source in line, line


def test_differences_are_raised_first_with_both_figures(page, comparisons):
    summary = page.split('id="summary"', 1)[1].split("What stands out", 1)[0]
    differing = [k for k, c in comparisons.items() if c.data_quality and c.data_quality["differs"]]
    assert "cpp_rate" in differing
    assert f"Check first: {len(differing)} of this authority's own figures differ" in _text(summary)
    row = _text(summary.split('data-difference="cpp_rate"', 1)[1].split("</tr>", 1)[0])
    c = comparisons["cpp_rate"]
    assert f"{c.own.value:.1f} per 10,000 children (munro, from the returns)" in row
    assert "57.3 per 10,000 children (DfE Children in need 2025 (EES table D5))" in row
    assert "Resubmitted or corrected data" in row


def test_every_item_has_its_source_in_the_sources_table(page, comparisons):
    table = page.split('data-quality="sources"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'data-source-row="([a-z0-9_]+)"', table)
    assert sorted(rows) == sorted(i.id for i in CATALOGUE)
    row = _text(table.split('data-source-row="cpp_rate">', 1)[1].split("</tr>", 1)[0])
    assert row.startswith("Children subject of a child protection plan (rate per 10,000) Published: DfE Children "
                          "in need 2025 (EES table D5), 2024-25 figure")
    assert "computed by munro from this authority's children in need census returns" in row and "(differs)" in row


def test_the_glance_table_has_england_region_and_neighbours(page, comparisons):
    c = comparisons["cpp_rate"]
    row = _text(page.split('data-glance="cpp_rate">', 1)[1].split("</tr>", 1)[0])
    assert row.startswith("Children subject of a child protection plan (rate per 10,000) 57.3 per 10,000 children "
                          f"{c.england.value:.1f} per 10,000 children {c.region.value:.1f} per 10,000 children "
                          f"{c.neighbours.mean:.1f} per 10,000 children")
    assert row.endswith("DfE Children in need 2025 (EES table D5) (differs from own)")


def test_the_workbook_says_the_same(internal_report, comparisons):
    book = read_xlsx(internal_report.xlsx)
    summary = [cell[1] for row in book["Summary"] for cell in row if cell[1]]
    assert any(s.startswith("Check first:") for s in summary)
    assert any(s.startswith("Children subject of a child protection plan (rate per 10,000), 2024-25: your returns "
                            "give") and "published 57.3 per 10,000 children" in s for s in summary)
    sheet = book["4 Plans"] if "4 Plans" in book else next(v for k, v in book.items() if k.startswith("4 "))
    head = [cell[1] for cell in sheet[1]]
    assert head[:2] == ["Item", "Value"] and "Own figure" in head and "Value from" in head
    row = next(r for r in sheet if r and r[0][1] == "Children subject of a child protection plan (rate per 10,000)")
    cells = dict(zip(head, (cell[1] for cell in row)))
    assert float(cells["Value"]) == pytest.approx(comparisons["cpp_rate"].published.value)
    assert float(cells["Own figure"]) == pytest.approx(comparisons["cpp_rate"].own.value)
    assert cells["Value from"] == "published: DfE Children in need 2025 (EES table D5), 2024-25 figure"
