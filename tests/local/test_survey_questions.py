"""munro survey questions: a survey's (or a question-bank instrument's) questions as a table, JSON, or the
CSV template an import of answers takes, which the import reads back (round trip)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from munro.cli import cli
from munro.local.audits import AUDIT_FORM
from munro.local.bank import load_bank

BANK = load_bank()
SURVEYS = [i for i in BANK.instruments() if i != AUDIT_FORM]


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name in ("MUNRO_DB", "MUNRO_INSTRUMENTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MUNRO_APP_DB", str(tmp_path / "app.sqlite"))
    return tmp_path


def run(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout


def create(instrument: str) -> int:
    out = run("survey", "create", "--la", "330", "--instrument", instrument, "--opens", "2026-01-05",
              "--closes", "2099-12-31")
    return int(out.split()[1])


def answer(q) -> str:
    """An answer a respondent could give: an option's label, a number in range, some words."""
    if q.scale.options:
        return q.scale.options[0].label
    if q.scale.kind == "number":
        return str(q.scale.min if q.scale.min is not None else 3)
    return "Team A" if q.scale.kind == "label" else "More time with the children"


def test_an_instruments_questions_as_a_table(env):
    v = BANK.get("children-12-17")
    out = run("survey", "questions", "children-12-17")
    lines = out.splitlines()
    assert lines[0] == f"children-12-17/1: {v.title} (children, {len(v.questions)} questions)"
    assert lines[2] == " 1. age: How old are you?"
    assert lines[3].startswith("    answers: 12 or 13 / ") and lines[3].endswith("(breakdown by age band)")
    assert " 2. safe_home: How often do you feel safe where you live?" in lines
    assert out == run("survey", "questions", "children-12-17/1")  # the latest version is 1
    assert sum(line[:4].strip().rstrip(".").isdigit() for line in lines) == len(v.questions)


def test_questions_as_json(env):
    rows = json.loads(run("survey", "questions", "staff", "--format", "json"))
    v = BANK.get("staff")
    assert [r["id"] for r in rows] == [q.id for q in v.questions]
    assert [r["number"] for r in rows] == list(range(1, len(v.questions) + 1))
    by_id = {r["id"]: r for r in rows}
    assert {k: by_id["caseload"][k] for k in ("instrument", "version", "kind", "scale", "min", "max", "group")} == {
        "instrument": "staff", "version": 1, "kind": "number", "scale": "caseload", "min": 0, "max": 200,
        "group": None}
    assert by_id["caseload"]["answers"][0] == {"code": "0_10", "label": "0 to 10"}
    assert by_id["role"]["group"] == "role" and by_id["what_would_help"]["kind"] == "text"
    assert by_id["what_would_help"]["answers"] == []
    assert all(r["key_question"] and r["section"] for r in rows)


def test_a_surveys_questions_by_its_number(env):
    number = create("families")
    for fmt in ("table", "json", "csv"):
        assert run("survey", "questions", number, "--format", fmt) == \
            run("survey", "questions", "families/1", "--format", fmt)


@pytest.mark.parametrize("name, message", [
    ("nothing-like-it", "no instrument 'nothing-like-it' in the question bank"),
    ("staff/7", "instrument 'staff' has no version 7"),
    ("staff/one", "is not a survey number or an instrument"),
    ("42", "no survey 42"),
])
def test_what_is_not_a_survey_or_an_instrument(env, name, message):
    result = CliRunner().invoke(cli, ["survey", "questions", name])
    assert result.exit_code != 0 and message in str(result.exception)


@pytest.mark.parametrize("instrument", SURVEYS)
def test_the_csv_template_is_what_the_import_reads(env, instrument):
    v = BANK.get(instrument)
    number = create(instrument)
    if any(q.scale.kind == "label" for q in v.questions):  # a team: one the survey's administrator listed
        run("survey", "groups", number, "Team A")
    template = run("survey", "questions", number, "--format", "csv")
    assert next(csv.reader(io.StringIO(template))) == [q.id for q in v.questions]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([answer(q) for q in v.questions])
    filled = env / "answers.csv"
    filled.write_text(template + out.getvalue(), encoding="utf-8")
    loaded = run("survey", "import", number, filled, "--tool", "msforms")
    assert loaded.startswith(f"survey {number}: 1 responses loaded from msforms (1 rows, 0 blank)")


def test_the_audit_forms_template_is_the_audit_spreadsheet(env):
    template = run("survey", "questions", AUDIT_FORM, "--format", "csv")
    header = next(csv.reader(io.StringIO(template)))
    domains = [q.id for q in BANK.get(AUDIT_FORM).questions]
    assert header[:6] == ["la_child_id", "referral_date", "stratum", "team", "auditor", "audited_on"]
    assert header[6:6 + len(domains)] == domains
    row = {"la_child_id": "TEST0001", "referral_date": "2024-06-01", "auditor": "A. Auditor",
           "audited_on": "2025-02-03", **{d: "Good" for d in domains}}
    filled = env / "audits.csv"
    filled.write_text(template + ",".join(row.get(h, "") for h in header) + "\n", encoding="utf-8")
    assert run("audit", "import", filled, "--la", "330", "--year", "2025", "--no-store-check") == \
        "1 audits recorded for LA 330, 2024-25\n"
