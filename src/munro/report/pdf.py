"""report.pdf: Debian's headless Chromium printing the page itself, so the PDF is the page.

Chromium is the system's (``apt-get install chromium``), never a downloaded
browser. The flags keep it from reaching the network (no background
networking, component updates or sync) and from touching the user's profile
(a throw-away profile folder).

The paper is the page's: A4, from the ``@page`` rule of assets/report.css, which
--print-to-pdf honours (no flag sets a size; without the rule Chromium would
print on US Letter). tests/report/test_pdf_paper.py reads the size back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import MunroError

CHROMIUM = os.environ.get("MUNRO_CHROMIUM", "/usr/bin/chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
         "--generate-pdf-document-outline")  # the outline: the headings as PDF bookmarks
TIMEOUT = 120  # seconds: a large report prints in a few; a hung browser must not hang munro


def chromium() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        raise MunroError(f"Chromium is needed for report.pdf and is not at {CHROMIUM}: install Debian's "
                         "package (`apt-get install chromium`, or `make system-deps`), or pass --no-pdf")
    return found


def print_pdf(page: Path, out: Path) -> Path:
    """Print ``page`` (a local HTML file) to ``out`` with headless Chromium."""
    with tempfile.TemporaryDirectory(prefix="munro-chromium-") as profile:
        cmd = [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={out}",
               Path(page).resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise MunroError(f"Chromium did not finish printing {page} within {TIMEOUT} s") from None
    if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise MunroError(f"Chromium could not print {page} to PDF (exit {done.returncode}): {tail[0]}")
    return out
