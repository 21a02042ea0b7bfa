"""The LA dashboard shows each item's headline beside England, its region and its neighbours, says where
it comes from and raises own figures that differ from the published ones first (issue 17)."""

from __future__ import annotations

import html
import re

from web_helpers import LA, YEAR, email

from munro.benchmark import stats
from munro.benchmark.compare import compare


def _text(fragment: str) -> str:
    spaced = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(fragment))).strip()
    return re.sub(r" ([,.;])", r"\1", spaced)


def test_the_dashboard_shows_the_compared_figure_with_its_benchmarks(signed_in, web_store):
    page = signed_in(email("analyst")).get(f"/la/{LA}/{YEAR}").text
    c = {x.item_id: x for x in compare(web_store, LA, YEAR)}["cpp_rate"]
    # The 2%-scale synthetic Birmingham's own rate is far below the published 57.3 (1,677 of 292,859).
    assert (c.published.numerator, c.published.denominator) == (1677, 292859)
    assert c.own.value < 10
    head = _text(page.split('<table class="govuk-table munro-glance">', 1)[1].split("</thead>", 1)[0])
    assert head.endswith("Item This authority England Region Neighbours (mean) Compared with England Figure from")
    row = _text(page.split('data-glance="cpp_rate">', 1)[1].split("</tr>", 1)[0])
    flag = stats.compare_with_target(1677, 292859, c.england.value, "per_10k").flag
    assert row == (f"Children subject of a child protection plan (rate per 10,000) 57.3 per 10,000 children "
                   f"{c.england.value:.1f} per 10,000 children {c.region.value:.1f} per 10,000 children "
                   f"{c.neighbours.mean:.1f} per 10,000 children {flag[0].upper() + flag[1:]} "
                   "DfE Children in need 2025 (EES table D5) (differs from own)")
    assert f'href="/la/{LA}/{YEAR}/items/cpp_rate"' in page


def test_the_dashboard_raises_differences_before_the_figures(signed_in):
    page = signed_in(email("analyst")).get(f"/la/{LA}/{YEAR}").text
    text = _text(page)
    assert text.index("Check first:") < text.index("What stands out") < text.index("Every item")
    line = _text(page.split('data-difference="cpp_rate">', 1)[1].split("</li>", 1)[0])
    assert line.startswith("Children subject of a child protection plan (rate per 10,000), 2024-25: your returns give ")
    assert "; DfE Children in need 2025 (EES table D5) published 57.3 per 10,000 children for the same year." in line
    assert "england" not in text.replace("England", "")
