"""The copy of the report's page a browser prints is marked to lay out on screen only what is in view; the
page a reader opens is not, so that a link to an item lands on the item (report/print_copy.py).

The landing was seen wrong by hand: with every section laid out only in view, index.html#item-cin_absence
opened with the item 1,300 px below the top of the window.
"""

from __future__ import annotations

import pytest

from browser_support import chromium
from munro.report.print_copy import MARK, printing_copy


def test_the_copy_marks_the_html_element_and_leaves_the_page_as_it_was(tmp_path):
    page = tmp_path / "index.html"
    page.write_text('<!DOCTYPE html>\n<html lang="en-GB" class="govuk-template"><body>£ 5</body></html>',
                    encoding="utf-8")
    folder = tmp_path / "profile"
    folder.mkdir()
    copy = printing_copy(page, folder)
    assert copy == folder / "index.html"
    assert copy.read_text(encoding="utf-8") == (
        '<!DOCTYPE html>\n<html lang="en-GB" class="munro-printing govuk-template"><body>£ 5</body></html>')
    assert page.read_text(encoding="utf-8").count("munro-printing") == 0


def test_an_html_element_without_a_class_is_given_one(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<html lang="en-GB"><body></body></html>', encoding="utf-8")
    (tmp_path / "out").mkdir()
    copy = printing_copy(page, tmp_path / "out")
    assert copy.read_text(encoding="utf-8") == '<html class="munro-printing" lang="en-GB"><body></body></html>'


def test_a_page_that_cannot_be_copied_is_printed_itself(tmp_path):
    page = tmp_path / "index.html"
    page.write_bytes(b"<html>\xff</html>")  # not UTF-8
    assert printing_copy(page, tmp_path) == page
    assert printing_copy(tmp_path / "gone.html", tmp_path) == tmp_path / "gone.html"


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def _opened(browser, url: str, item: str):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{url}#{item}", wait_until="load")
    page.wait_for_timeout(300)  # any layout the load started, done
    found = page.evaluate("id => { const e = document.getElementById(id); return [e.getBoundingClientRect().top,"
                          " getComputedStyle(e).contentVisibility]; }", item)
    context.close()
    return found


def test_a_link_to_an_item_lands_on_it_in_the_readers_page_not_in_the_printed_copy(browser, internal_report,
                                                                                    tmp_path):
    items = internal_report.html.read_text(encoding="utf-8").split('id="item-')[1:]
    item = "item-" + items[len(items) // 2].split('"')[0]  # one half-way down the page's 60 A4 pages
    top, visibility = _opened(browser, internal_report.html.resolve().as_uri(), item)
    assert visibility == "visible"
    assert abs(top) < 2  # at the top of the window
    copy = printing_copy(internal_report.html.resolve(), tmp_path)
    assert MARK in copy.read_text(encoding="utf-8")
    _, marked = _opened(browser, copy.as_uri(), item)
    assert marked == "auto"  # the copy lays out on screen only what is in view
