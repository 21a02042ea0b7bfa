"""munro survey open, groups and invite: the survey administrator's commands of issue 19, run in this process
(munro.cli.main, as the munro script runs it; tests/local/test_local_cli.py runs the others as a subprocess)."""

import csv
import stat

import pytest

from munro.cli import main


@pytest.fixture
def munro_here(tmp_path, monkeypatch, capsys):
    """``munro_here(*args)``: (exit status, stdout, stderr) of munro run with a store in tmp_path."""
    for name in ("MUNRO_DB", "MUNRO_APP_DB", "MUNRO_INSTRUMENTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MUNRO_PUBLIC_URL", "https://surveys.example.gov.uk/")
    monkeypatch.setenv("MUNRO_SECRET_KEY", "s" * 40)

    def run(*args):
        try:
            main(["--db", str(tmp_path / "store.duckdb"), *map(str, args)])
            status = 0
        except SystemExit as e:
            status = e.code
        out = capsys.readouterr()
        return status, out.out, out.err
    return run


def test_groups_invitation_codes_and_opening_from_the_command_line(munro_here, tmp_path):
    munro_here("survey", "create", "--la", "330", "--instrument", "staff", "--opens", "2099-01-05",
               "--closes", "2099-02-01")
    assert munro_here("survey", "groups", "1") == (0, "team: no groups listed: people answering cannot say which\n", "")
    (tmp_path / "teams.txt").write_text("Assessment North\n\nFamily Help South\n", encoding="utf-8")
    assert munro_here("survey", "groups", "1", "--from-file", tmp_path / "teams.txt")[1] == (
        "team: Assessment North, Family Help South\n")
    assert munro_here("survey", "groups", "1", "North", "north") == (
        2, "", "munro: group 'north' is in the list twice\n")
    status, _, err = munro_here("survey", "groups", "1", "--question", "role", "Social worker")
    assert status == 2 and "'role' is not a question answered by choosing a group" in err
    codes = tmp_path / "codes.csv"
    assert munro_here("survey", "invite", "1", "--count", "3", "--out", codes) == (
        0, f"3 invitation codes for survey 1 written to {codes}; the survey now takes answers only with an unused "
           "code\n", "")
    rows = list(csv.DictReader(codes.open(encoding="utf-8")))
    assert len(rows) == 3 and stat.S_IMODE(codes.stat().st_mode) == 0o600
    link = rows[0]["link"]
    assert link.startswith("https://surveys.example.gov.uk/s/1-")
    assert rows[0]["link_with_code"] == f"{link}?code={rows[0]['code']}"
    assert munro_here("survey", "invite", "1", "--count", "3", "--out", codes) == (
        2, "", f"munro: {codes} exists: choose a new file for the codes\n")
    assert munro_here("survey", "open", "1")[1].startswith("survey 1 is open from ")
