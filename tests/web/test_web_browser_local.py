"""The survey, triage and audit pages in Debian's headless Chromium under the real CSP, served by waitress:
a child answers a survey with the keyboard on a 320-pixel screen (Exit this page started by GOV.UK Frontend's
script from our origin), a survey administrator sees suppressed results, and every page is free of axe-core
violations at WCAG 2.2 AA. Screenshots go to $MUNRO_SCREENSHOTS, else the test's folder.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from web_helpers import LA, PASSWORD, email
from web_local_helpers import local_app

from browser_support import axe_run, chromium, violations

NARROW = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def live(web_store, tmp_path_factory):
    """(base URL, seeded ids) of the service under waitress on a free loopback port."""
    import waitress

    app = local_app(web_store, tmp_path_factory.mktemp("web-local-live"))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}", app.extensions["test_seeded"][LA]
    server.close()


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("MUNRO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _watch(page):
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    return errors, requests


def _tab_to(page, selector: str, limit: int = 40):
    """Press Tab until the focused element matches ``selector`` (the keyboard user's way there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _sign_in(page, base, address):
    page.goto(base + "/sign-in")
    page.fill("#email", address)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/sign-in" not in page.url


def test_a_child_answers_with_the_keyboard_on_a_narrow_screen(live, browser, shots):
    base, ids = live
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    errors, requests = _watch(page)
    page.goto(f"{base}/s/{ids['key']}")
    exit_button = page.locator(".govuk-exit-this-page__button")
    assert exit_button.is_visible() and "Exit this page" in exit_button.inner_text()
    # GOV.UK Frontend's script ran under the CSP: the component added its keyboard-shortcut indicator.
    page.wait_for_selector(".govuk-exit-this-page__indicator", state="attached")
    shots(page, "survey-start-320")
    _tab_to(page, "button.govuk-button--start")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/s/{ids['key']}/1")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]  # no sideways scrolling
    _tab_to(page, "input[type=radio]")
    page.keyboard.press("ArrowDown")  # moves to and selects "10 or 11"
    shots(page, "survey-question-320")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/s/{ids['key']}/2")
    for n in range(2, 13):  # the rest skipped, as the child may
        _tab_to(page, "button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/s/{ids['key']}/{n + 1}")
    _tab_to(page, "textarea")
    page.keyboard.type("A bigger bedroom")
    assert page.locator(".govuk-inset-text").inner_text().startswith("If you are worried")
    shots(page, "survey-free-text-320")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/s/{ids['key']}/check")
    assert "10 or 11" in page.inner_text("main") and "A bigger bedroom" in page.inner_text("main")
    shots(page, "survey-check-320")
    _tab_to(page, "#send")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/s/{ids['key']}/done")
    assert page.locator("h1").inner_text() == "Your answers have been sent"
    shots(page, "survey-done-320")
    assert errors == []
    assert requests and all(url.startswith(base + "/") for url in requests)
    context.close()


def test_a_survey_administrator_sees_suppressed_results(live, browser, shots):
    base, ids = live
    context = browser.new_context()
    page = context.new_page()
    errors, _ = _watch(page)
    _sign_in(page, base, email("survey_admin"))
    errors.clear()  # the landing page after sign-in is not this test's (a survey administrator has no dashboard)
    page.goto(f"{base}/la/{LA}/surveys/{ids['closed']}/results")
    assert page.locator("main abbr", has_text="c").count() >= 4
    assert "Respondents: 12" in page.inner_text("main")
    shots(page, "survey-results")
    page.goto(f"{base}/la/{LA}/surveys/{ids['open']}")
    assert page.locator("main svg[role=img]").is_visible()  # the QR code
    shots(page, "survey-link-and-qr")
    assert errors == []
    context.close()


def _axe_pages(page, paths) -> dict:
    found = {}
    for path in paths:
        if callable(path):
            path = path(page)
        else:
            page.goto(path)
        found[path if isinstance(path, str) else page.url] = violations(axe_run(page))
    return {p: v for p, v in found.items() if v}


def test_no_axe_violations_on_the_public_pages(live, browser):
    base, ids = live
    # bypass_csp: the service forbids injected scripts, and axe-core is one (the test's only).
    context = browser.new_context(bypass_csp=True, viewport=NARROW)
    page = context.new_page()
    link = f"{base}/s/{ids['key']}"
    bad = {}
    page.goto(link)
    bad.update(_axe_pages(page, [link]))
    page.click("button.govuk-button--start")
    page.wait_for_url(link + "/1")
    bad.update(_axe_pages(page, [link + "/1", link + "/13"]))
    page.goto(link + "/1")
    page.evaluate("document.querySelector('input[type=radio]').value = 'not-an-answer'")
    page.check("input[type=radio] >> nth=0")
    page.click("button[type=submit]")  # an error: the error summary and message
    assert page.locator(".govuk-error-summary").is_visible()
    bad.update({"error": violations(axe_run(page))} if violations(axe_run(page)) else {})
    page.check("input[type=radio] >> nth=1")
    page.click("button[type=submit]")
    page.wait_for_url(link + "/2")
    page.goto(link + "/check")
    bad.update(_axe_pages(page, [link + "/check"]))
    page.click("#send")
    page.wait_for_url(link + "/done")
    bad.update(_axe_pages(page, [link + "/done"]))
    young = f"{base}/s/{ids['young_key']}"  # the youngest children's: three faces beside each answer
    page.goto(young)
    page.click("button.govuk-button--start")
    page.wait_for_url(young + "/1")
    assert page.locator("svg.munro-face").count() == 3
    bad.update(_axe_pages(page, [young + "/1"]))
    assert bad == {}
    context.close()


@pytest.mark.parametrize("role,paths", [
    ("survey_admin", ["/la/{la}/surveys", "/la/{la}/surveys/new", "/la/{la}/surveys/{open}",
                      "/la/{la}/surveys/{closed}/results", "/la/{la}/surveys/{closed}/groups"]),
    ("triage", ["/la/{la}/triage"]),
    ("auditor", ["/la/{la}/audits", "/la/{la}/audits/sample", "/la/{la}/audits/grade",
                 "/la/{la}/audits/{audit}/moderate", "/la/{la}/audits/results"]),
])
def test_no_axe_violations_on_the_staff_pages(live, browser, role, paths):
    base, ids = live
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    _sign_in(page, base, email(role))
    bad = _axe_pages(page, [base + p.format(la=LA, **ids) for p in paths])
    if role == "survey_admin":  # the creation form with its errors
        page.goto(f"{base}/la/{LA}/surveys/new")
        page.fill("#closes-day", "")
        page.click("main form button[type=submit]")
        assert page.locator(".govuk-error-summary").is_visible()
        bad.update({"new with errors": violations(axe_run(page))} if violations(axe_run(page)) else {})
    if role == "auditor":  # the drawn sample
        page.goto(f"{base}/la/{LA}/audits/sample")
        page.fill("#n", "3")
        page.click("main form button[type=submit]")
        assert page.locator("main table").is_visible()
        bad.update({"sample": violations(axe_run(page))} if violations(axe_run(page)) else {})
    assert bad == {}
    context.close()
