"""Debian's headless Chromium driven by Playwright (never `playwright install`), and axe-core, for the
report's and the web service's browser tests.

Chromium is the system's (``make test`` installs it through ``make system-deps``); axe-core is the
npm package pinned in frontend/package-lock.json (``make report-assets``).
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[1] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium():
    """Yield a launched headless Chromium (for a pytest fixture); closed afterwards."""
    assert CHROMIUM.exists(), ("Chromium is missing: install Debian's package (`apt-get install chromium`, "
                               "which `make system-deps` does)")
    assert AXE.exists(), "axe-core is missing: run `make report-assets` (npm ci in frontend/)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM),
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def axe_run(page) -> dict:
    """axe-core's result for the page at WCAG 2.2 AA (the page's context must bypass its CSP to inject it)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)


def violations(result: dict) -> list:
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]]


def screenshots(default):
    """``save(page, name)``: full-page screenshots into $MUNRO_SCREENSHOTS if set, else the folder ``default``."""
    import os

    folder = Path(os.environ.get("MUNRO_SCREENSHOTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
