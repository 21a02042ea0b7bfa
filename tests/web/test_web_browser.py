"""The service in Debian's headless Chromium, served by waitress on loopback: signed in with the
keyboard only, every page free of console errors (a CSP violation is one), of requests to anywhere
else, and of axe-core violations at WCAG 2.2 AA. Screenshots of the pages go to the test's folder.
"""

from __future__ import annotations

import threading

import pytest
from web_helpers import LA, PASSWORD, YEAR

from browser_support import axe_run, chromium, screenshots, violations
from munro.web import Config, create_app
from munro.web.users import add_user

USER = "analyst@330.example.gov.uk"


@pytest.fixture(scope="module")
def live(web_store, tmp_path_factory):
    """The base URL of the service under waitress on a free loopback port."""
    import waitress

    folder = tmp_path_factory.mktemp("web-live")
    app = create_app(Config(store=web_store, app_db=f"sqlite:///{folder}/app.sqlite", secret_key="b" * 48,
                            secure_cookies=False))
    add_user(app.extensions["munro_app_db"], USER, [LA], "analyst", PASSWORD)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def _sign_in_by_keyboard(page, base):
    page.goto(base + "/sign-in")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.focus("#email")
    page.keyboard.type(USER)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/dashboard")




def test_the_pages_in_chromium(live, browser, tmp_path):
    """Strict CSP (not bypassed): nothing is blocked, nothing is fetched from elsewhere."""
    context = browser.new_context()
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    save = screenshots(tmp_path)
    _sign_in_by_keyboard(page, live)
    save(page, "dashboard")
    page.click(f"a[href='/la/{LA}/{YEAR}']")
    assert page.locator("h1").inner_text() == "Birmingham"
    save(page, "la-dashboard")
    page.click(f"a[href='/la/{LA}/{YEAR}/sections/timeliness']")
    assert page.locator("h1").inner_text() == "Timeliness and quality of decision making and planning"
    assert page.locator("main svg").count() >= 2
    save(page, "section")
    page.go_back()
    page.click("main table a >> nth=0")
    assert page.locator("main svg").count() >= 1 and "The data in this chart" in page.content()
    save(page, "item")
    page.click("text=Sign out")
    page.wait_for_url(live + "/signed-out")
    assert errors == []
    assert requests and all(url.startswith(live + "/") for url in requests)
    context.close()


@pytest.mark.parametrize("path", ["/", "/sign-in", "/dashboard", f"/la/{LA}/{YEAR}", "item",
                                  f"/la/{LA}/{YEAR}/sections/timeliness"])
def test_no_axe_violations_at_wcag_22_aa(live, browser, path):
    # bypass_csp: the service's policy forbids scripts, and axe-core is one (injected by the test only).
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    _sign_in_by_keyboard(page, live)
    if path == "item":
        page.goto(f"{live}/la/{LA}/{YEAR}")
        page.click("main table a >> nth=0")
    else:
        page.goto(live + path)
    result = axe_run(page)
    assert violations(result) == []
    assert len(result["passes"]) > 5
    context.close()
