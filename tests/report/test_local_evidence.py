"""Survey results appear under the key question they answer; other questions still say what is missing."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from munro.indicators.catalogue import SECTIONS
from munro.local.appdb import open_app_db
from munro.local.evidence import local_evidence
from munro.local.survey_groups import set_groups
from munro.local.surveys import add_action, close_survey, create_survey, submit_response, survey_version

LA, YEAR = "330", 2025
WORKLOAD = "c) Their workloads are manageable"


@pytest.fixture(scope="module")
def with_evidence(report_store, tmp_path_factory):
    root = tmp_path_factory.mktemp("evidence")
    db = root / "store.duckdb"
    shutil.copy(report_store, db)
    app = open_app_db(db)  # beside the store, as the CLI puts it
    s = create_survey(app, la=LA, instrument="staff", opens_on=dt.date(2025, 1, 6), closes_on=dt.date(2025, 2, 28))
    set_groups(app, s, survey_version(s), "team", ["North", "South"])  # the teams respondents choose from
    for team, answer, n in (("North", "agree", 8), ("South", "disagree", 7)):
        for _ in range(n):
            submit_response(app, s.id, {"team": team, "workload_manageable": answer}, today=dt.date(2025, 2, 3))
    close_survey(app, s.id)
    add_action(app, la=LA, survey_id=s.id, key_question=WORKLOAD, you_said="Workloads are too high in South",
               we_did="Two more posts in South")
    evidence = local_evidence(app, LA, YEAR)
    app.dispose()

    from munro.report import write_report

    return write_report(db, LA, YEAR, root / "report", pdf=False), evidence


def test_survey_answers_and_actions_under_their_key_question(with_evidence):
    written, evidence = with_evidence
    page = written.html.read_text(encoding="utf-8")
    workforce = page.split('id="section-workforce"', 1)[1].split('id="section-timeliness"', 1)[0]
    first_question = workforce.split("<li>", 1)[1].split("</li>\n", 1)[0]
    assert 'data-evidence="survey"' in first_question
    assert "Two more posts in South" in first_question
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]*)</th>'
                      r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>', first_question)
    assert ("Agree", "8") in rows and ("Disagree", "7") in rows  # the agree5 scale's labels
    # Every question without survey or audit results still names what is missing.
    without = sum(1 for e in evidence if not e["surveys"] and not e["audits"])
    assert 0 < without < sum(len(s.questions) for s in SECTIONS)
    assert page.count("Local evidence missing") == without
