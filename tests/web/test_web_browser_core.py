"""The web core in Debian's headless Chromium under the real CSP, served by waitress over a copy of the store:
an analyst signs in, uploads a synthetic return, sees its findings, loads it and views the dashboard; every page
the web core adds is free of axe-core violations at WCAG 2.2 AA. Screenshots go to $MUNRO_SCREENSHOTS, else
the test's folder.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from test_web_replace import keep
from web_helpers import LA, PASSWORD, YEAR

from browser_support import axe_run, chromium, screenshots, violations
from munro.synth import generate
from munro.web import Config, create_app
from munro.web.audit_log import record
from munro.web.users import add_user

ANALYST, ADMIN = "analyst@330.example.gov.uk", "administrator@330.example.gov.uk"
NEW_YEAR = YEAR - 1


@pytest.fixture(scope="module")
def live(web_store, tmp_path_factory):
    """(base URL, a return of 330 for NEW_YEAR) of the service under waitress on a free loopback port."""
    import waitress

    folder = tmp_path_factory.mktemp("web-core-live")
    store = folder / "store.duckdb"
    shutil.copyfile(web_store, store)
    generate(LA, [NEW_YEAR], folder / "returns", seed=7, scale=0.02)
    app = create_app(Config(store=store, app_db=f"sqlite:///{folder}/app.sqlite", secret_key="c" * 48,
                            secure_cookies=False))
    engine = app.extensions["munro_app_db"]
    add_user(engine, ANALYST, [LA], "analyst", PASSWORD)
    add_user(engine, ADMIN, [LA], "administrator", PASSWORD)
    record(engine, "export", email=ANALYST, la=LA, detail="an earlier download")
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}", folder / "returns" / f"cin_{LA}_{NEW_YEAR}.xml"
    server.close()


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def _sign_in(page, base, address):
    page.goto(base + "/sign-in")
    page.fill("#email", address)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(base + "/dashboard")


def _upload(page, base, path):
    page.goto(base + "/upload")
    page.set_input_files("#file", str(path))
    page.click("button:has-text('Upload and check')")
    page.wait_for_selector("h1:has-text('Check the return before loading it')")


def test_upload_findings_load_and_the_dashboard(live, browser, tmp_path):
    base, xml = live
    shot = screenshots(tmp_path)
    context = browser.new_context()  # the service's CSP applies
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    _sign_in(page, base, ANALYST)
    page.click("text=Upload a return")
    shot(page, "upload")
    _upload(page, base, xml)
    assert "Load this return" in page.content()
    shot(page, "upload-findings")
    page.click("button:has-text('Load this return')")
    page.wait_for_selector("h1:has-text('Return loaded')")
    shot(page, "upload-loaded")
    # The first view gathers the report: the click waits for the page it starts as long as the URL's wait.
    page.click(f"a[href='/la/{LA}/{NEW_YEAR}']", timeout=90_000)
    page.wait_for_url(f"{base}/la/{LA}/{NEW_YEAR}", timeout=90_000)
    assert page.locator("h1").inner_text() == "Birmingham"
    shot(page, "dashboard-new-year")
    page.goto(f"{base}/la/{LA}/{YEAR}/items/cpp_repeat")
    page.click("text=See the list of children")
    assert "Restricted" in page.content()
    shot(page, "children")
    page.click("text=Sign out")
    page.wait_for_url(base + "/signed-out")
    assert errors == []
    assert requests and all(url.startswith(base + "/") for url in requests)
    context.close()


PAGES = [  # (user, path or action): every page the web core adds
    (ANALYST, "/upload"), (ANALYST, "upload-error"), (ANALYST, "findings-and-loaded"), (ANALYST, "replace-confirm"),
    (ANALYST, f"/la/{LA}/{YEAR}/items/cpp_repeat/children"), (ANALYST, f"/la/{LA}/{YEAR}/report"),
    (ADMIN, "/admin/users"), (ADMIN, "remove-confirm"), (ADMIN, "/admin/audit-log"),
    (ADMIN, "/admin/retention?keep_years=1"), (ADMIN, "/admin/retention?keep_years=0"),
    (None, "/cookies"), (None, "/accessibility"), (None, "/privacy"),
]


@pytest.mark.parametrize("user,path", PAGES, ids=[p for _, p in PAGES])
def test_no_axe_violations_at_wcag_22_aa(live, browser, tmp_path, user, path, web_store):
    base, xml = live
    shot = screenshots(tmp_path)
    # bypass_csp: the service's policy forbids scripts, and axe-core is one (injected by the test only).
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    if user:
        _sign_in(page, base, user)
    checked = []

    def check(name):
        result = axe_run(page)
        assert violations(result) == [], name
        assert len(result["passes"]) > 5
        checked.append(name)

    if path == "upload-error":
        page.goto(base + "/upload")
        page.click("button:has-text('Upload and check')")  # no file chosen: the error summary and message
        page.wait_for_selector(".govuk-error-summary")
        check(path)
        shot(page, "upload-error")
    elif path == "remove-confirm":
        page.goto(base + "/admin/users")
        page.click("button:has-text('Remove')")
        page.wait_for_selector("h1:has-text('Are you sure')")
        check(path)
    elif path == "findings-and-loaded":
        _upload(page, base, xml)
        check("findings")
        page.click("button:has-text('Load this return')")
        page.wait_for_selector("h1:has-text('Return')")
        check("loaded")
    elif path == "replace-confirm":
        # A quarter of the loaded return's children: the comparison, the box to tick, and its error.
        partial = tmp_path / f"cin_{LA}_{YEAR}_partial.xml"
        partial.write_text(keep((web_store.parent / "returns" / f"cin_{LA}_{YEAR}.xml").read_text(encoding="utf-8"),
                                0.25), encoding="utf-8")
        _upload(page, base, partial)
        page.wait_for_selector("#replace")
        check("replace-confirm")
        shot(page, "replace-confirm")
        page.click("button:has-text('Load this return')")  # the box not ticked: nothing loaded
        page.wait_for_selector(".govuk-error-summary")
        check("replace-not-confirmed")
        shot(page, "replace-not-confirmed")
    else:
        page.goto(base + path)
        check(path)
        shot(page, path.strip("/").replace("/", "-"))
    assert checked
    context.close()
