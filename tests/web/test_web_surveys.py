"""Surveys, triage and audits through the web pages: create, answer, check, send twice (stored once),
suppressed results, the triage queue, CSRF on every form, the public rate limit, and an audit round."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from web_helpers import LA, YEAR, email, sign_in
from web_local_helpers import PUBLIC_URL, app, local_app, seeded, token  # noqa: F401 (app, seeded: fixtures)

from munro.local.results import survey_answers
from munro.local.triage import triage_queue


def _client(app, address):
    client = app.test_client()
    assert sign_in(client, address).status_code == 302
    return client


@pytest.fixture(scope="module")
def admin(app):
    return _client(app, email("survey_admin"))


def _date(prefix, d):
    return {f"{prefix}-day": d.day, f"{prefix}-month": d.month, f"{prefix}-year": d.year}


def _create(admin, instrument="children-8-11"):
    today = dt.date.today()
    response = admin.post(f"/la/{LA}/surveys/new", data={
        "csrf_token": token(admin), "instrument": instrument, **_date("opens", today),
        **_date("closes", today + dt.timedelta(days=30))})
    assert response.status_code == 302, response.text
    page = admin.get(response.headers["Location"])
    assert "<svg" in page.text and 'role="img"' in page.text  # the QR code, inline
    return int(response.headers["Location"].rsplit("/", 1)[1]), _link(page.text)


def _link(page: str) -> str:
    """The public link's path, from the survey's page (built from MUNRO_PUBLIC_URL)."""
    return re.search(rf'href="{re.escape(PUBLIC_URL)}(/s/[^"]+)"', page).group(1)


def test_create_answer_check_and_send_twice_stores_once(app, admin):
    sid, link = _create(admin)
    child = app.test_client()
    start = child.get(link)
    assert "Exit this page" in start.text and "How old are you" not in start.text
    csrf = token(child, link)
    assert child.post(link + "/start", data={"csrf_token": csrf}).headers["Location"] == link + "/1"
    page = child.get(link + "/1")
    assert "<legend" in page.text and "How old are you?" in page.text and "Question 1 of 13" in page.text
    assert child.post(link + "/1", data={"csrf_token": csrf, "answer": "10_11"}).headers["Location"] == link + "/2"
    assert child.post(link + "/2", data={"csrf_token": csrf, "answer": "purple"}).status_code == 400
    bad = child.post(link + "/2", data={"csrf_token": csrf, "answer": "purple"}).text
    assert "govuk-error-summary" in bad and "<title>Error:" in bad
    child.post(link + "/2", data={"csrf_token": csrf, "answer": "always"})
    child.post(link + "/3", data={"csrf_token": csrf})  # skipped
    last = child.post(link + "/13", data={"csrf_token": csrf, "answer": "People keep hitting me"})
    assert last.headers["Location"] == link + "/check"
    check = child.get(link + "/check").text
    assert "10 or 11" in check and "Always" in check and "Not answered" in check and "Change" in check
    first = child.post(link + "/check", data={"csrf_token": csrf})
    second = child.post(link + "/check", data={"csrf_token": csrf})
    assert first.headers["Location"] == second.headers["Location"] == link + "/done"
    assert "Your answers have been sent" in child.get(link + "/done").text
    db = app.extensions["munro_app_db"]
    assert survey_answers(db, sid) == [{"age": "10_11", "safe_home": "always", "make_better": "People keep hitting me"}]
    assert any(e["survey_id"] == sid for e in triage_queue(db, role="triage", la=LA))  # the disclosure is flagged
    # After sending, the pages go to the confirmation; starting again is a new response.
    assert child.get(link + "/check").headers["Location"] == link + "/done"


def test_exit_this_page_forgets_the_answers_so_far(app, admin):
    _, link = _create(admin)
    client = app.test_client()
    csrf = token(client, link)
    assert f'href="{link}/exit"' in client.get(link).text
    client.post(link + "/start", data={"csrf_token": csrf})
    client.post(link + "/1", data={"csrf_token": csrf, "answer": "8_9"})
    assert client.get(link + "/exit").headers["Location"] == "https://www.bbc.co.uk/weather"
    assert client.get(link + "/1").headers["Location"] == link  # the next person finds nothing
    # Starting again always starts afresh, even without Exit this page.
    csrf = token(client, link)
    client.post(link + "/start", data={"csrf_token": csrf})
    client.post(link + "/1", data={"csrf_token": csrf, "answer": "8_9"})
    client.post(link + "/start", data={"csrf_token": csrf})
    assert 'checked' not in client.get(link + "/1").text


def test_sending_nothing_or_after_closing_is_refused_in_plain_words(app, admin):
    sid, link = _create(admin)
    client = app.test_client()
    csrf = token(client, link)
    client.post(link + "/start", data={"csrf_token": csrf})
    empty = client.post(link + "/check", data={"csrf_token": csrf})
    assert empty.status_code == 400 and "Answer at least one question" in empty.text
    client.post(link + "/1", data={"csrf_token": csrf, "answer": "8_9"})
    from munro.local.surveys import close_survey
    close_survey(app.extensions["munro_app_db"], sid)  # by the CLI, say: the pages learn it when sending
    closed = client.post(link + "/check", data={"csrf_token": csrf})
    assert closed.status_code == 400 and "This survey has closed" in closed.text
    assert survey_answers(app.extensions["munro_app_db"], sid) == []


def test_change_from_check_your_answers_returns_there(app, admin):
    _, link = _create(admin)
    client = app.test_client()
    csrf = token(client, link)
    client.post(link + "/start", data={"csrf_token": csrf})
    client.post(link + "/2", data={"csrf_token": csrf, "answer": "never"})
    page = client.get(link + "/2?change=1").text
    assert 'value="never" checked' in page and f'href="{link}/check"' in page  # the back link goes to the check page
    changed = client.post(link + "/2?change=1", data={"csrf_token": csrf, "answer": "always"})
    assert changed.headers["Location"] == link + "/check"
    assert "Always" in client.get(link + "/check").text


def test_family_and_staff_surveys(app, admin):
    _, family = _create(admin, "families")
    _, staff = _create(admin, "staff")
    assert "Exit this page" in app.test_client().get(family).text
    assert "Exit this page" not in app.test_client().get(staff).text  # only children's and families' surveys
    client = app.test_client()
    csrf = token(client, staff)
    client.post(staff + "/start", data={"csrf_token": csrf})
    from munro.local.bank import load_bank
    n = [q.id for q in load_bank().get("staff").questions].index("caseload") + 1
    assert "whole number from 0 to 200" in client.get(f"{staff}/{n}").text
    assert client.post(f"{staff}/{n}", data={"csrf_token": csrf, "answer": "500"}).status_code == 400
    client.post(f"{staff}/{n}", data={"csrf_token": csrf, "answer": "14"})
    assert "11 to 15" in client.get(staff + "/check").text  # only the band is kept
    assert client.post(staff + "/check", data={"csrf_token": csrf}).headers["Location"] == staff + "/done"


def test_results_are_suppressed(app, seeded):
    page = _client(app, email("survey_admin")).get(f"/la/{LA}/surveys/{seeded[LA]['closed']}/results").text
    assert "suppressed" in page
    shown = [int(n) for n in re.findall(r'numeric">(\d+) <span', page)]
    assert "Respondents: 12" in page and shown and not [n for n in shown if 1 <= n <= 5]
    # 8 agree and 4 disagree: the 4 is c, and so is the 8 (12 respondents minus 8 would give the 4 back).
    row = page.split("My work in the last six months has made the children I work with safer.")[1].split("</tr>")[1]
    assert row.count(">c</abbr>") >= 4 and ">8 <" not in row and ">4 <" not in row
    assert "more time" in page  # free text: the survey administrators read it
    analyst = _client(app, email("analyst")).get(f"/la/{LA}/surveys/{seeded[LA]['closed']}/results").text
    assert "suppressed" in analyst and "more time" not in analyst


def test_the_list_of_surveys_shows_the_respondents_as_the_results_do(app, seeded):
    """A closed survey of 3 responses is "c" in the list, as on its results page, for every role that sees it."""
    from munro.local.surveys import close_survey, create_survey, submit_response

    db = app.extensions["munro_app_db"]
    few = create_survey(db, la=LA, instrument="families", opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2025, 2, 1),
                        title="Three families")
    for _ in range(3):
        submit_response(db, few.id, {"understand_why": "agree"}, today=dt.date(2025, 1, 10))
    close_survey(db, few.id)
    for role in ("survey_admin", "analyst", "manager"):
        page = _client(app, email(role)).get(f"/la/{LA}/surveys").text
        rows = page.split("<tr")
        row = next(r for r in rows if "Three families" in r)
        assert re.search(r'numeric">\s*c\s*</td>', row) and ">3<" not in row, role
        twelve = next(r for r in rows if f'/surveys/{seeded[LA]["closed"]}/results' in r)
        assert re.search(r'numeric">\s*12\s*</td>', twelve), role


def test_results_wait_until_the_survey_closes(app, admin, seeded):
    page = admin.get(f"/la/{LA}/surveys/{seeded[LA]['open']}/results").text
    assert "once the survey has closed" in page and "Respondents" not in page


def test_open_now_and_close(app, admin):
    today = dt.date.today()
    response = admin.post(f"/la/{LA}/surveys/new", data={
        "csrf_token": token(admin), "instrument": "partners", **_date("opens", today + dt.timedelta(days=5)),
        **_date("closes", today + dt.timedelta(days=30))})
    path = response.headers["Location"]
    link = _link(admin.get(path).text)
    assert "not taking answers yet" in app.test_client().get(link).text
    assert admin.post(path + "/open", data={"csrf_token": token(admin)}).status_code == 302
    assert "Start now" in app.test_client().get(link).text
    assert admin.post(path + "/close", data={"csrf_token": token(admin)}).status_code == 302
    assert "not taking answers" in app.test_client().get(link).text
    assert admin.post(path + "/close", data={"csrf_token": token(admin)}).status_code == 409  # closed once


def test_create_form_errors(admin):
    response = admin.post(f"/la/{LA}/surveys/new", data={"csrf_token": token(admin), "opens-day": "31",
                                                        "opens-month": "2", "opens-year": "2026", "min_group": "1"})
    assert response.status_code == 400
    for message in ("Choose who the survey is for", "as a real date", "Enter the date the survey closes",
                    "must be a whole number, 2 or more"):
        assert message in response.text
    assert '<a href="#instrument">' in response.text  # the error summary links to the field


def test_the_triage_queue(app, seeded):
    triage = _client(app, email("triage"))
    page = triage.get(f"/la/{LA}/triage").text
    assert "I am scared at home" in page and "feeling unsafe" in page
    entry = int(re.search(r'action="/la/330/triage/(\d+)"', page).group(1))
    assert triage.post(f"/la/{LA}/triage/{entry}", data={"csrf_token": token(triage), "outcome": ""}).status_code == 400
    assert triage.post(f"/la/{LA}/triage/{entry}", data={"csrf_token": token(triage),
                                                         "outcome": "Passed to the MASH"}).status_code == 302
    page = triage.get(f"/la/{LA}/triage").text
    assert "Passed to the MASH" in page and "triage@330.example.gov.uk" in page
    again = triage.post(f"/la/{LA}/triage/{entry}", data={"csrf_token": token(triage), "outcome": "again"})
    assert again.status_code == 404


def test_every_form_needs_its_csrf_token(app, seeded):
    ids = seeded[LA]
    link = f"/s/{ids['key']}"
    public = app.test_client()
    public.get(link)
    for path in (link + "/start", link + "/1", link + "/check"):
        assert public.post(path, data={"answer": "always"}).status_code == 400, path
    staff = {"survey_admin": [f"/la/{LA}/surveys/new", f"/la/{LA}/surveys/{ids['open']}/open",
                              f"/la/{LA}/surveys/{ids['open']}/close"],
             "triage": [f"/la/{LA}/triage/1"],
             "auditor": [f"/la/{LA}/audits/sample", f"/la/{LA}/audits/grade",
                         f"/la/{LA}/audits/{ids['audit']}/moderate"]}
    for role, paths in staff.items():
        client = _client(app, email(role))
        for path in paths:
            assert client.post(path, data={"csrf_token": "forged", "outcome": "x"}).status_code == 400, path
    assert app.test_client().get(link).status_code == 200  # nothing was closed by the refused posts


def test_public_pages_are_rate_limited_per_address(web_store, tmp_path):
    app = local_app(web_store, tmp_path, survey_per_address=3)
    link = f"/s/{app.extensions['test_seeded'][LA]['key']}"
    client = app.test_client()
    assert [client.get(link).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "too many requests" in client.get(link).text
    assert client.get(link, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200  # another address
    assert client.get("/assets/munro.js").status_code == 200  # the script is not counted
    assert client.get("/sign-in").status_code == 200  # nor are the staff pages


def test_an_audit_round(app, web_store):
    auditor = _client(app, email("auditor"))
    # A sample of a year without the LA's return is refused in the form, not drawn from the wrong children.
    early = auditor.post(f"/la/{LA}/audits/sample", data={"csrf_token": token(auditor), "year": str(YEAR - 6), "n": "3",
                                                          "seed": "4", "cohort": "cp-plans", "stratify": "category"})
    assert early.status_code == 400 and "Choose a reporting year whose return is loaded" in early.text
    page = auditor.post(f"/la/{LA}/audits/sample", data={"csrf_token": token(auditor), "year": str(YEAR), "n": "3",
                                                         "seed": "4", "cohort": "cp-plans", "stratify": "category"})
    assert page.status_code == 200, page.text
    child, referral = re.findall(r'name="la_child_id" value="([^"]+)"><input type="hidden" name="referral_date" '
                                 r'value="([^"]+)"', page.text)[0]
    form = auditor.post(f"/la/{LA}/audits/grade", data={"csrf_token": token(auditor), "prefill": "1", "year": str(YEAR),
                                                        "la_child_id": child, "referral_date": referral})
    assert form.status_code == 200 and f'value="{child}"' in form.text and "There is a problem" not in form.text
    d = dt.date.fromisoformat(referral)
    grades = {q: "good" for q in ("child_seen", "voice_of_child", "assessment_quality", "decision_proportionate",
                                  "plan", "timeliness", "core_group_timely", "management_oversight", "multi_agency",
                                  "family_view", "impact", "overall")}
    data = {"csrf_token": token(auditor), "year": str(YEAR), "la_child_id": child, **_date("referral", d), **grades}
    wrong = auditor.post(f"/la/{LA}/audits/grade", data={**data, "la_child_id": "NOT-A-CHILD"})
    assert wrong.status_code == 400 and "no episode of this child" in wrong.text
    assert auditor.post(f"/la/{LA}/audits/grade", data=data).status_code == 302
    listing = auditor.get(f"/la/{LA}/audits?year={YEAR}").text
    assert child in listing
    audit_id = int(re.findall(r'/audits/(\d+)/moderate', listing)[-1])
    # The auditor cannot moderate their own audit; a second auditor can.
    own = auditor.post(f"/la/{LA}/audits/{audit_id}/moderate", data={"csrf_token": token(auditor), "overall": "good"})
    assert own.status_code == 400 and "someone other than the auditor" in own.text
    from web_helpers import PASSWORD

    from munro.web.users import add_user
    add_user(app.extensions["munro_app_db"], "second@330.example.gov.uk", [LA], "auditor", PASSWORD)
    second = _client(app, "second@330.example.gov.uk")
    assert second.post(f"/la/{LA}/audits/{audit_id}/moderate", data={
        "csrf_token": token(second), "overall": "requires_improvement", "plan": "good",
        "agreed": "good"}).status_code == 302
    results = second.get(f"/la/{LA}/audits/results?year={YEAR}").text
    assert "Audits moderated" in results and "Cohen" in results
    manager = _client(app, email("manager")).get(f"/la/{LA}/audits/results?year={YEAR}").text
    assert "shown as <strong>c</strong>" in manager  # aggregates-only role: small counts hidden
    from munro.web.audit_log import read
    events, _ = read(app.extensions["munro_app_db"], las=(LA,), event="view_child_level", size=200)
    details = " | ".join(e.detail for e in events)
    for what in ("audit sample of", "audit of", "cases listed", "opened to moderate"):
        assert what in details  # who saw which children is in the audit log ...
    assert child not in details  # ... and never the child's identifier


def test_the_public_limit_and_exit_page_are_settings(tmp_path):
    from munro.web import Config
    env = {"MUNRO_SECRET_KEY": "s" * 40, "MUNRO_SURVEY_PER_ADDRESS": "7", "MUNRO_EXIT_URL": "https://example.org/",
           "MUNRO_SURVEY_SUBMISSIONS_PER_ADDRESS": "60", "MUNRO_PUBLIC_URL": "https://surveys.example.gov.uk/"}
    config = Config.from_env(env, store=tmp_path / "store.duckdb")
    assert (config.survey_per_address, config.exit_url) == (7, "https://example.org/")
    assert (config.survey_submissions_per_address, config.public_url) == (60, "https://surveys.example.gov.uk")
    default = Config.from_env({"MUNRO_SECRET_KEY": "s" * 40}, store=tmp_path / "store.duckdb")
    assert default.survey_per_address == 1500 and default.exit_url == "https://www.bbc.co.uk/weather"
    assert default.survey_submissions_per_address == 20 and default.public_url is None


def test_the_youngest_childrens_answers_have_their_faces(app, admin):
    _, link = _create(admin, "children-4-7")
    child = app.test_client()
    csrf = token(child, link)
    child.post(link + "/start", data={"csrf_token": csrf})
    page = child.get(link + "/1").text
    faces = re.findall(r'<svg class="munro-face"[^>]*>(.*?)</svg>', page, re.S)
    assert len(faces) == 3  # Yes, Sort of, No: each with its face, drawn in the page
    smile, straight, sad = faces
    assert "Q24 38" in smile and "H33" in straight and "Q24 25" in sad
    assert page.count('aria-hidden="true" focusable="false"') >= 3  # the words say it; the faces are decoration
    labels = re.findall(r'<label class="govuk-label govuk-radios__label"[^>]*>.*?</svg>\s*([^<]+)</label>', page, re.S)
    assert [label.strip() for label in labels] == ["Yes", "Sort of", "No"]
    # Older children's scales have no faces.
    _, older = _create(admin, "children-8-11")
    child.post(older + "/start", data={"csrf_token": token(child, older)})
    assert "munro-face" not in child.get(older + "/2").text


# --- issue 19: groups chosen from a list, invitation codes, the public URL, the submission limit, the audit log

DISCLOSURE = "my dad hits me, Jane Doe 14 Elm Rd"


@pytest.fixture(scope="module")
def strict(web_store, tmp_path_factory):
    """An application with no MUNRO_PUBLIC_URL and two completed responses per address in the window."""
    return local_app(web_store, tmp_path_factory.mktemp("strict"), public_url=None, survey_submissions_per_address=2)


def _answer_and_send(client, link, address="127.0.0.1"):
    env = {"REMOTE_ADDR": address}
    csrf = token(client, link)
    client.post(link + "/start", data={"csrf_token": csrf}, environ_base=env)
    client.post(link + "/1", data={"csrf_token": csrf, "answer": "8_9"}, environ_base=env)
    return client.post(link + "/check", data={"csrf_token": csrf}, environ_base=env)


def test_the_link_and_qr_code_come_from_the_public_url_never_the_host_header(app, admin, seeded):
    import segno

    # A Host the service answers to (its own name here; any other is refused before any page) is still not
    # what the link is built from: MUNRO_PUBLIC_URL is.
    path = f"/la/{LA}/surveys/{seeded[LA]['open']}"
    page = admin.get(path, headers={"Host": "localhost:8123"}).text
    expected = f"{PUBLIC_URL}/s/{seeded[LA]['key']}"
    assert f'href="{expected}"' in page and "localhost:8123" not in page

    def modules(svg: str) -> str:  # the QR code's drawing: the same only for the same text encoded
        return re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    assert modules(page) == modules(segno.make(expected, error="m").svg_inline(scale=4))
    download = admin.get(path + "/qr.svg", headers={"Host": "localhost:8123"})
    assert download.status_code == 200 and b"localhost" not in download.data


def test_without_a_public_url_the_page_says_to_set_it_and_makes_no_qr_code(strict):
    ids = strict.extensions["test_seeded"][LA]
    admin = _client(strict, email("survey_admin"))
    page = admin.get(f"/la/{LA}/surveys/{ids['open']}").text
    assert "must set MUNRO_PUBLIC_URL" in page and 'class="munro-qr"' not in page
    assert f'href="/s/{ids["key"]}"' in page  # the path, which works on this service itself
    assert admin.get(f"/la/{LA}/surveys/{ids['open']}/qr.svg").status_code == 409


def test_the_administrator_lists_the_groups_and_respondents_choose_one(app, admin):
    sid, link = _create(admin, "families")
    page = admin.get(f"/la/{LA}/surveys/{sid}").text
    assert "No groups listed yet" in page
    groups = f"/la/{LA}/surveys/{sid}/groups"
    bad = admin.post(groups, data={"csrf_token": token(admin), "team": "East\neast"})
    assert bad.status_code == 400 and "is in the list twice" in bad.text and 'href="#team"' in bad.text
    assert admin.post(groups, data={"csrf_token": token(admin), "team": "Family Help East\r\nFamily Help West\r\n"}
                      ).headers["Location"] == f"/la/{LA}/surveys/{sid}"
    assert "<li>Family Help West</li>" in admin.get(f"/la/{LA}/surveys/{sid}").text
    family = app.test_client()
    csrf = token(family, link)
    family.post(link + "/start", data={"csrf_token": csrf})
    question = family.get(link + "/1").text  # Which team is working with your family?
    assert 'type="radio" value="Family Help East"' in question and 'type="text"' not in question
    refused = family.post(link + "/1", data={"csrf_token": csrf, "answer": DISCLOSURE})
    assert refused.status_code == 400 and "Choose one of the groups in the list" in refused.text
    assert family.post(link + "/1", data={"csrf_token": csrf, "answer": "Family Help West"}).status_code == 302
    assert family.post(link + "/check", data={"csrf_token": csrf}).headers["Location"] == link + "/done"
    db = app.extensions["munro_app_db"]
    assert survey_answers(db, sid) == [{"team": "Family Help West"}]


def test_invitation_codes_one_response_each(app, admin):
    sid, link = _create(admin, "children-8-11")
    make = f"/la/{LA}/surveys/{sid}/invitations"
    for count, message in (("", "Enter how many invitation codes"), ("0", "1 or more"), ("10001", "at most 10,000")):
        response = admin.post(make, data={"csrf_token": token(admin), "count": count})
        assert response.status_code == 400 and message in response.text, count
    response = admin.post(make, data={"csrf_token": token(admin), "count": "2"})
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = response.text.splitlines()
    assert rows[0] == "code,link,link_with_code" and len(rows) == 3
    code = rows[1].split(",")[0]
    assert rows[1] == f"{code},{PUBLIC_URL}{link},{PUBLIC_URL}{link}?code={code}"
    assert "2 codes made, 0 used" in admin.get(f"/la/{LA}/surveys/{sid}").text
    client = app.test_client()
    assert f'value="{code}"' in client.get(f"{link}?code={code}").text  # the mail-merged link fills the box
    csrf = token(client, link)
    for typed, message in (("", "Enter the invitation code"), ("AAAA-AAAA-AAAA", "not right, or it has been used")):
        refused = client.post(link + "/start", data={"csrf_token": csrf, "code": typed})
        assert refused.status_code == 400 and message in refused.text
    started = client.post(link + "/start", data={"csrf_token": csrf, "code": code.lower()})
    assert started.headers["Location"] == link + "/1"
    client.post(link + "/1", data={"csrf_token": csrf, "answer": "8_9"})
    assert client.post(link + "/check", data={"csrf_token": csrf}).headers["Location"] == link + "/done"
    again = app.test_client()
    refused = again.post(link + "/start", data={"csrf_token": token(again, link), "code": code})
    assert refused.status_code == 400 and "has been used already" in refused.text
    assert survey_answers(app.extensions["munro_app_db"], sid) == [{"age": "8_9"}]


def test_completed_responses_are_limited_per_address_and_the_refused_keep_their_answers(strict):
    link = f"/s/{strict.extensions['test_seeded'][LA]['key']}"
    assert [_answer_and_send(strict.test_client(), link).status_code for _ in range(2)] == [302, 302]
    third = strict.test_client()
    refused = _answer_and_send(third, link)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "300"
    assert "Your answers have not been sent yet" in refused.text and "Your answers are kept" in refused.text
    # Another address (the next classroom) is not held back, and the refused respondent's answers were kept.
    assert third.post(link + "/check", data={"csrf_token": token(third, link)},
                      environ_base={"REMOTE_ADDR": "10.0.0.7"}).headers["Location"] == link + "/done"
    db = strict.extensions["munro_app_db"]
    assert survey_answers(db, strict.extensions["test_seeded"][LA]["open"]).count({"age": "8_9"}) == 3


def test_survey_and_triage_actions_are_in_the_audit_log_without_respondents_words(app, admin):
    from munro.local.surveys import submit_response
    from munro.web.audit_log import read

    db = app.extensions["munro_app_db"]
    today = dt.date.today()
    response = admin.post(f"/la/{LA}/surveys/new", data={
        "csrf_token": token(admin), "instrument": "staff", **_date("opens", today + dt.timedelta(days=5)),
        **_date("closes", today + dt.timedelta(days=30))})
    path = response.headers["Location"]
    sid = int(path.rsplit("/", 1)[1])
    admin.post(path + "/groups", data={"csrf_token": token(admin), "team": "North\nSouth"})
    admin.post(path + "/invitations", data={"csrf_token": token(admin), "count": "3"})
    admin.post(path + "/open", data={"csrf_token": token(admin)})
    [code] = admin.post(path + "/invitations", data={"csrf_token": token(admin), "count": "1"}).text.splitlines()[1:]
    submit_response(db, sid, {"team": "North", "what_would_help": "I am scared of my manager"},
                    code=code.split(",")[0])
    admin.post(path + "/close", data={"csrf_token": token(admin)})
    triage = _client(app, email("triage"))
    page = triage.get(f"/la/{LA}/triage").text
    entry = re.findall(r'action="/la/330/triage/(\d+)"', page)[-1]
    triage.post(f"/la/{LA}/triage/{entry}", data={"csrf_token": token(triage), "outcome": "Called the manager"})
    expected = {"survey_created": f"survey {sid}: staff/1", "survey_groups_set": f"survey {sid}: team: 2 groups",
                "invitations_created": f"survey {sid}: 3 invitation codes", "survey_opened": f"survey {sid}",
                "survey_closed": f"survey {sid}", "triage_handled": f"triage entry {entry}"}
    for event, detail in expected.items():
        events, _ = read(db, las=(LA,), event=event, size=200)
        mine = [e for e in events if e.detail == detail]
        assert mine and mine[0].email in (email("survey_admin"), email("triage")), event
    everything = " ".join(e.detail for e in read(db, las=(LA,), size=1000)[0])
    assert "scared" not in everything and "Called the manager" not in everything and "North" not in everything
