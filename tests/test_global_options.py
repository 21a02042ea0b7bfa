"""Global options where users put them: `munro ingest f.xml --db s.duckdb` is `munro --db s.duckdb ingest f.xml`."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from munro.cli import cli
from munro.options import is_global


def _commands(command=cli, path=()):
    for name, sub in getattr(command, "commands", {}).items():
        yield (*path, name), sub
        yield from _commands(sub, (*path, name))


GLOBALS = [p.opts for p in cli.params if is_global(p)]


def test_the_groups_own_options_are_the_global_ones():
    assert GLOBALS[0] == ["--db"]  # and --quiet, from the change that shows progress
    assert [p.opts for p in cli.params if isinstance(p, click.Option) and not is_global(p)] == [["--version"]]


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in _commands()])
def test_every_command_and_group_takes_them_after_its_name(path):
    command = cli
    for name in path.split():
        command = command.commands[name]
    ours = [p for p in command.params if is_global(p)]
    assert sorted(p.opts for p in ours) == sorted(GLOBALS)
    copies = [p for p in ours if not (path == "synth" and p.opts == ["--quiet"])]  # synth's --quiet is its own
    assert all(p.is_eager and not p.expose_value for p in copies)


def _db_seen(args, env=None):
    """The store a command would use, read from the context the way every command does (``obj['db']``)."""
    seen = {}

    @cli.command("probe-db", hidden=True)
    @click.pass_obj
    def probe(obj):
        seen["db"] = str(obj["db"])

    try:
        result = CliRunner().invoke(cli, args, env=env or {}, catch_exceptions=False)
    finally:
        cli.commands.pop("probe-db")
    return result.exit_code, seen.get("db")


def test_before_after_both_and_neither():
    assert _db_seen(["--db", "a.duckdb", "probe-db"]) == (0, "a.duckdb")
    assert _db_seen(["probe-db", "--db", "b.duckdb"]) == (0, "b.duckdb")
    assert _db_seen(["--db", "a.duckdb", "probe-db", "--db", "b.duckdb"]) == (0, "b.duckdb")  # after wins
    assert _db_seen(["probe-db"], env={"MUNRO_DB": "env.duckdb"}) == (0, "env.duckdb")
    assert _db_seen(["probe-db", "--db", "b.duckdb"], env={"MUNRO_DB": "env.duckdb"}) == (0, "b.duckdb")
    assert _db_seen(["probe-db"], env={"MUNRO_DB": None}) == (0, "munro.duckdb")


def test_a_flag_after_the_command_sets_what_the_group_keeps():
    seen = {}

    @cli.command("probe-obj", hidden=True)
    @click.pass_obj
    def probe(obj):
        seen.update(obj)

    try:
        for args in (["probe-obj"], ["probe-obj", "--quiet"], ["--quiet", "probe-obj"]):
            seen.clear()
            assert CliRunner().invoke(cli, args, env={"MUNRO_DB": None}, catch_exceptions=False).exit_code == 0
            assert seen.get("quiet", False) is (args != ["probe-obj"]), args
    finally:
        cli.commands.pop("probe-obj")


def test_ingest_and_returns_with_db_after_the_command(munro, cin, tmp_path, store):
    xml = tmp_path / "cin_201_2025.xml"
    xml.write_text(cin.xml(2025, [cin.Child(id="A1")]))
    db = tmp_path / "s.duckdb"
    run = munro("ingest", xml, "--db", db, cwd=tmp_path)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.startswith(f"{xml}: loaded as return 1 (LA 201, 2024-25): 1 children")
    assert not (tmp_path / "munro.duckdb").exists()  # not the default store
    assert [r[:3] for r in store.query(db, "SELECT return_id, la_code, collection_year FROM returns")] == [
        (1, "201", 2025)]
    before = munro("--db", db, "returns").stdout
    assert munro("returns", "--db", db).stdout == before and "cin_201_2025.xml" in before


def test_a_subcommand_takes_it_too(munro_process, tmp_path):
    """In a process of its own: what the folder holds once the command has ended (its database closed)."""
    db = tmp_path / "s.duckdb"
    for args in (["survey", "list", "--db", db], ["survey", "--db", db, "list"], ["--db", db, "survey", "list"]):
        run = munro_process(*args, cwd=tmp_path)
        assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
    # the application database sits beside the store named, wherever --db was given
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb.app.sqlite"]


def test_help_shows_it(munro):
    for args in (["--help"], ["ingest", "--help"], ["survey", "list", "--help"]):
        run = munro(*args)
        text = " ".join(run.stdout.split())  # as it reads, whatever the wrapping
        assert run.returncode == 0 and "--db PATH The munro store (a DuckDB file)" in text
        assert "[default: (MUNRO_DB or ./munro.duckdb)]" in text


def test_a_missing_value_is_one_line(munro, tmp_path):
    run = munro("returns", "--db", cwd=tmp_path)
    assert (run.returncode, run.stdout) == (2, "")
    # click names no command for an option's missing value, whichever option it is
    assert run.stderr == "munro: Option '--db' requires an argument. (see 'munro --help')\n"
