"""report.pdf is on A4, the paper a board's papers are on, and its print styles do not waste it.

The paper comes from the page's own ``@page`` rule (assets/report.css), which Chromium's
--print-to-pdf honours; without it Chromium prints on US Letter. The print styles size charts
for the page and keep a chart with its data, so the PDF is a readable length: before them the
demo store's report ran to 118 Letter pages for its 39 items.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

A4 = (595.28, 841.89)  # points: 210 x 297 mm


@pytest.fixture(scope="module")
def pdf(internal_report):
    from pypdf import PdfReader

    return PdfReader(internal_report.pdf)


def test_every_page_is_a4(pdf):
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.pages}
    assert len(sizes) == 1
    [(w, h)] = sizes
    assert abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1, (w, h)


def test_the_stylesheet_asks_for_a4():
    from importlib import resources

    css = (resources.files("munro.report") / "assets" / "report.css").read_text(encoding="utf-8")
    assert "@page { size: A4;" in css


def test_the_report_is_a_readable_length(pdf, internal_report):
    page = internal_report.html.read_text(encoding="utf-8")
    items = page.count('<article class="munro-item"')
    assert items > 30
    # Front matter, five sections and data quality: under two pages an item (three, on Letter, before).
    assert len(pdf.pages) < 2 * items, len(pdf.pages)
    # Nothing is hidden to get there: every item's title is printed (NFKC: the PDF's text has ligatures).
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", "".join(p.extract_text() for p in pdf.pages)))

    for title in re.findall(r'<h3 class="govuk-heading-m" id="item-[^"]+-title">([^<]+)</h3>', page):
        assert title.replace(" ", "").replace("&amp;", "&").replace("&#39;", "'") in text, title
