"""The copy of the report's page that the browser prints: the page, its ``<html>`` marked ``munro-printing``.

Chromium lays a page out for the screen as it loads it and again after printing it: for the report, all
60 A4 pages, 0.3-0.4 CPU s of its 3.4 (docs/performance.md). Marked, the printed copy lays out on screen
only what is in view (``content-visibility``, in assets/report.css); printing still lays out everything,
so the PDF is the same. The page a reader opens is never marked: there a link to an item (``#item-...``)
must land on the item, and sections laid out only in view put it 1,300 px away.

The report's page is one self-contained file (its styles and charts inline), so its copy can be printed
from the browser's throw-away profile folder, removed with it.
"""

from __future__ import annotations

import re
from pathlib import Path

MARK = "munro-printing"
_HTML_CLASS = re.compile(r'<html\b([^>]*?)\bclass="')
_HTML = re.compile(r"<html\b")


def printing_copy(page: Path, folder: Path) -> Path:
    """``page`` copied into ``folder`` with its ``<html>`` marked ``MARK``; ``page`` itself when it cannot
    be read or written (printed unmarked: the same PDF, only slower)."""
    try:
        text = page.read_text(encoding="utf-8")
        marked, n = _HTML_CLASS.subn(rf'<html\1class="{MARK} ', text, count=1)
        if n == 0:
            marked = _HTML.sub(f'<html class="{MARK}"', text, count=1)
        copy = Path(folder, page.name)
        copy.write_text(marked, encoding="utf-8")
        return copy
    except (OSError, UnicodeError):
        return page
