"""munro survey and munro audit: thin commands over munro.local, run as a user would."""

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
