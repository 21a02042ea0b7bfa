"""--publish: no count from 1 to 5 is left anywhere in the page or the workbook, and the report says
disclosure control was applied. The internal report of the same store has such counts, so the scan
below would find them if suppression missed one."""

from __future__ import annotations

import re

import pytest
from report_helpers import read_xlsx

LA, YEAR = "330", 2025
SMALL = {"1", "2", "3", "4", "5"}


@pytest.fixture(scope="module")
def published(published_report):
    return published_report


def _page_counts(path) -> list[tuple[str, str]]:
    """(item, cell text) of every number an item shows: its headline, figures and chart tables."""
    page = path.read_text(encoding="utf-8")
    out = []
    for item, body in re.findall(r'<article class="munro-item" id="item-([a-z0-9_]+)"(.*?)</article>', page, re.S):
        cells = re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', body)
        cells += re.findall(r'<span class="munro-value"[^>]*>([^<]*)</span>', body)
        out += [(item, c.strip()) for c in cells]
    return out


def _book_counts(path) -> list[tuple[str, str, str]]:
    """(item, figure, value) of every number of the reporting year on the Data sheet."""
    rows = read_xlsx(path)["Data"][1:]
    out = []
    for row in rows:
        (_, _), (_, item), _, _, (_, year), (_, figure), *value = row
        if value and value[0][0] == "n" and year == str(YEAR) and not figure.startswith("trend"):
            out.append((item, figure, value[0][1]))
    return out


def _small(text: str) -> bool:
    return text.replace(",", "") in SMALL


def test_the_internal_report_has_small_counts(internal_report):
    assert any(_small(c) for _, c in _page_counts(internal_report.html))
    assert any(_small(v) for _, _, v in _book_counts(internal_report.xlsx))


def test_no_small_count_on_the_published_page(published):
    shown = _page_counts(published.html)
    assert len(shown) > 100
    assert [(i, c) for i, c in shown if _small(c)] == []
    assert any(c == "c" for _, c in shown)


def test_no_small_count_in_the_published_workbook(published):
    figures = _book_counts(published.xlsx)
    assert len(figures) > 100
    assert [f for f in figures if _small(f[2])] == []
    hidden = [r for r in read_xlsx(published.xlsx)["Data"][1:] if len(r) > 6 and r[6] == ("s", "c")]
    assert hidden


def test_the_published_report_says_what_was_applied(published, internal_report):
    page = published.html.read_text(encoding="utf-8")
    assert "Disclosure control applied" in page and "counts from 1 to 5 are shown as c" in page
    assert "unsuppressed small numbers" not in page
    summary = read_xlsx(published.xlsx)["Summary"]
    assert summary[1][0][1].startswith("Disclosure control applied.")
    internal = read_xlsx(internal_report.xlsx)["Summary"]
    assert internal[1][0][1].startswith("Internal: contains unsuppressed small numbers.")
