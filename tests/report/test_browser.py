"""The page in Debian's headless Chromium: no console error, no request leaving the page, no axe-core
violation at WCAG 2.2 AA; and the PDF, printed from it, has the page's section headings.

Chromium is the system's (``make test`` installs it through ``make system-deps``),
driven by Playwright for Python without ``playwright install``. axe-core is the
npm package pinned in frontend/package-lock.json (``make report-assets``).
"""

from __future__ import annotations

import re

import pytest

from browser_support import axe_run, chromium, violations


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module", params=["internal", "published"])
def loaded(request, browser):
    """Each variant of the page loaded, with what it logged and every request it made."""
    report = request.getfixturevalue(f"{request.param}_report")
    # bypass_csp: the page's policy forbids scripts, and axe-core is one (injected by the test only).
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    url = report.html.resolve().as_uri()
    page.goto(url, wait_until="load")
    yield page, errors, requests, url
    context.close()


def test_no_console_errors_and_no_requests_beyond_the_page(loaded):
    page, errors, requests, url = loaded
    assert errors == []
    assert requests == [url]


def test_no_axe_violations_at_wcag_22_aa(loaded):
    page, _, _, _ = loaded
    result = axe_run(page)
    assert violations(result) == []
    assert len(result["passes"]) > 10  # axe really ran its rules


@pytest.mark.parametrize("variant", ["internal", "published"])
def test_pdf_has_the_pages_section_headings(variant, request):
    internal_report = request.getfixturevalue(f"{variant}_report")
    from pypdf import PdfReader

    page = internal_report.html.read_text(encoding="utf-8")
    headings = [re.sub(r"<[^>]+>", "", h).replace("&#39;", "'").strip()
                for h in re.findall(r'<h2 class="govuk-heading-l"[^>]*>(.*?)</h2>', page, re.S)]
    assert len(headings) == 7  # what stands out, the five sections, data quality
    reader = PdfReader(internal_report.pdf)
    # The PDF's outline (Chromium's document outline of the headings): the h1, then the h2s under it.
    # Chromium 156 titles a heading that wraps with its first line and then the whole heading,
    # so each bookmark is checked to end with its heading.
    outline_h2 = [o.title for o in reader.outline[1] if not isinstance(o, list)]
    assert len(outline_h2) == len(headings)
    for title, h in zip(outline_h2, headings):
        assert _squash(title).endswith(_squash(h)), (title, h)
    # And the headings are printed, in the page's order.
    text = _squash(" ".join(p.extract_text() for p in reader.pages))
    at = 0
    for h in headings:
        found = text.find(_squash(h), at)
        assert found >= 0, h
        at = found + 1


def _squash(s: str) -> str:
    """Text without spaces: PDF extraction joins and splits words at line ends unpredictably."""
    return re.sub(r"\s+", "", s)
