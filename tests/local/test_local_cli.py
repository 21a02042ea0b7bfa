"""munro survey and munro audit: thin commands over munro.local, run as a user would."""

import json
import os
from pathlib import Path

DATA = Path(__file__).with_name("data")
SRC = Path(__file__).resolve().parents[2] / "src"


def cli_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("MUNRO_DB", "MUNRO_APP_DB", "MUNRO_INSTRUMENTS")}
    return {**env, "PYTHONPATH": str(SRC), **extra}


def test_a_survey_from_creation_to_results(munro, tmp_path):
    env = cli_env()
    db = tmp_path / "store.duckdb"
    out = munro("--db", db, "survey", "create", "--la", "330", "--instrument", "families", "--opens", "2026-01-05",
                "--closes", "31/12/2099", "--invited", "40", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ("survey 1 created: families/1 for LA 330, open 2026-01-05 to 2099-12-31, "
                          "minimum group 10\n")
    assert (tmp_path / "store.duckdb.app.sqlite").exists()  # beside the store
    # The export's team column must name one of the survey's listed teams (docs/local.md).
    assert munro("--db", db, "survey", "groups", "1", "Family Help East", "Family Help West", env=env).stdout == \
        "team: Family Help East, Family Help West\n"
    out = munro("--db", db, "survey", "import", "1", DATA / "smartsurvey_families.csv", "--tool", "smartsurvey",
                env=env)
    assert out.stdout == ("survey 1: 3 responses loaded from smartsurvey (3 rows, 0 blank), "
                          "0 answers flagged for safeguarding triage\n")
    out = munro("--db", db, "survey", "list", "--la", "330", env=env)
    assert out.stdout == ("   1  330  families/1    2026-01-05 to 2099-12-31  open        3 responses  "
                          "Your views on the help your family gets\n")
    assert munro("--db", db, "survey", "list", "--la", "201", env=env).stdout == ""
    out = munro("--db", db, "survey", "results", "1", env=env)
    assert out.returncode == 2 and out.stderr.startswith("munro: survey 1 is still open (until 2099-12-31)")
    assert munro("--db", db, "survey", "close", "1", env=env).stdout.startswith("survey 1 closed at ")
    out = munro("--db", db, "survey", "results", "1", env=env)
    assert out.returncode == 0, out.stderr
    assert "Respondents: c, response rate c; minimum group 10" in out.stdout
    assert "Warning: fewer than 10 responses: no results can be shown" in out.stdout
    assert "Ring back when you say you will" not in out.stdout
    out = munro("--db", db, "survey", "results", "1", "--role", "survey_admin", "--format", "json", env=env)
    assert '"Ring back when you say you will"' in out.stdout


def test_a_bad_export_is_one_message_and_exit_1(munro, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text((DATA / "smartsurvey_families.csv").read_text().replace(",Disagree,", ",Disagreed,"))
    env = {**cli_env(), "MUNRO_APP_DB": str(tmp_path / "app.sqlite")}
    munro("survey", "create", "--la", "330", "--instrument", "families", "--opens", "2026-01-05", "--closes",
          "2099-01-01", env=env, cwd=tmp_path)
    munro("survey", "groups", "1", "Family Help East", env=env, cwd=tmp_path)
    out = munro("survey", "import", "1", bad, "--tool", "smartsurvey", env=env, cwd=tmp_path)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.splitlines()[1] == ("  row 3, column 'My social worker listened to my views and took them into "
                                          "account.': views_social_worker: 'Disagreed' is not one of: Strongly agree, "
                                          "Agree, Neither agree nor disagree, Disagree, Strongly disagree, Don't know")


def test_audit_import_and_results(munro, tmp_path):
    env = {**cli_env(), "MUNRO_APP_DB": str(tmp_path / "app.sqlite")}
    out = munro("audit", "import", DATA / "audits.csv", "--la", "201", "--year", "2025", "--no-store-check", env=env,
                cwd=tmp_path)
    assert out.stdout == "4 audits recorded for LA 201, 2024-25\n", out.stderr
    out = munro("audit", "results", "--la", "201", "--year", "2025", env=env, cwd=tmp_path)
    assert "Moderation (overall): 3 pairs, agreement 66.7%, Cohen's kappa 0.40" in out.stdout
    assert "2024-25: 4 audits, good or better 25.0%" in out.stdout
    out = munro("audit", "results", "--la", "201", "--year", "2025", "--publish", env=env, cwd=tmp_path)
    assert "Moderation (overall): c pairs, agreement c, Cohen's kappa c" in out.stdout


# ---------------------------------------------------------------- munro action: "you said, we did"

WORKLOAD = "c) Their workloads are manageable"  # a part of a local key question of the framework



def test_actions_are_recorded_listed_and_logged(munro, tmp_path):
    env, db = cli_env(), tmp_path / "store.duckdb"
    out = munro("--db", db, "action", "add", "--la", "330", "--key-question", WORKLOAD,
                "--you-said", "Too many cases", "--we-did", "Two more social workers", env=env)
    assert (out.returncode, out.stdout, out.stderr) == (0, "action 1 recorded for LA 330 (planned)\n", "")
    out = munro("--db", db, "action", "add", "--la", "Birmingham", "--key-question", WORKLOAD, "--you-said", "Cover",
                "--we-did", "A duty rota", "--audit-year", "2024/25", "--due", "31/03/2026",
                "--owner", "Head of service", "--done", env=env)
    assert (out.returncode, out.stdout) == (0, "action 2 recorded for LA 330 (done)\n")

    out = munro("--db", db, "action", "list", "--la", "330", env=env)
    assert out.stdout.splitlines() == [
        f"   1  planned  due -  {WORKLOAD}", "      you said: Too many cases", "      we did: Two more social workers",
        f"   2  done     due 2026-03-31  {WORKLOAD}", "      you said: Cover", "      we did: A duty rota"]
    assert munro("--db", db, "action", "list", "--la", "201", env=env).stdout == ""
    rows = json.loads(munro("--db", db, "action", "list", "--la", "330", "--format", "json", env=env).stdout)
    assert [(r["id"], r["status"], r["audit_year"], r["due_on"], r["owner"], r["survey_id"]) for r in rows] == [
        (1, "planned", None, None, None, None), (2, "done", 2025, "2026-03-31", "Head of service", None)]

    logged = json.loads(munro("--db", db, "audit-log", "--event", "action_recorded", "--format", "json",
                              env=env).stdout)
    assert [(e["event"], e["la_code"]) for e in logged] == [("action_recorded", "330")] * 2


def test_a_question_not_of_the_framework_is_one_line_and_records_nothing(munro, tmp_path):
    env, db = cli_env(), tmp_path / "store.duckdb"
    out = munro("--db", db, "action", "add", "--la", "330", "--key-question", "Are we good?", "--you-said", "x",
                "--we-did", "y", env=env)
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == "munro: 'Are we good?' is not a local key question of the framework\n"
    assert munro("--db", db, "action", "list", "--la", "330", "--format", "json", env=env).stdout == "[]\n"
