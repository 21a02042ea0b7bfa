"""Docs that must not fall behind the code (datasette's habit)."""

import re
from pathlib import Path

import click
import pytest

from munro.cli import cli
from munro.options import is_global

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text()


def _commands():
    """Every command; a group's subcommands too, named "group sub" as in their sections."""
    out = []
    for name, cmd in cli.commands.items():
        out.append((name, cmd))
        if isinstance(cmd, click.Group):
            out += [(f"{name} {sub}", subcmd) for sub, subcmd in cmd.commands.items()]
    return sorted(out, key=lambda item: item[0])


@pytest.mark.parametrize("name,command", _commands())
def test_every_command_is_documented(name, command):
    assert f"## `munro {name}" in CLI_DOC, f"docs/cli.md has no section for munro {name}"


@pytest.mark.parametrize(
    "name,option",
    [(name, opt) for name, cmd in _commands() for p in cmd.params if isinstance(p, click.Option) and not is_global(p)
     for opt in p.opts if opt.startswith("--")],
)
def test_every_option_is_documented(name, option):
    section = CLI_DOC.split(f"## `munro {name}", 1)[1].split("\n## ", 1)[0]
    assert f"`{option}" in section, f"docs/cli.md does not document munro {name} {option}"


@pytest.mark.parametrize("name,command", [(n, c) for n, c in _commands() if not isinstance(c, click.Group)])
def test_every_option_documented_is_the_commands(name, command):
    # The converse: a row of a command's options table names an option it takes (a row copied into the
    # wrong section reads as an option the command refuses).
    heading = re.search(rf"^## `munro {re.escape(name)}[ `].*$", CLI_DOC, re.MULTILINE)
    section = CLI_DOC[heading.end():].split("\n## ", 1)[0]
    taken = {opt for p in command.params for opt in p.opts}
    rows = [line.split("`")[1].split()[0] for line in section.splitlines() if line.startswith("| `--")]
    assert [opt for opt in rows if opt not in taken] == [], f"docs/cli.md documents them under munro {name}"


def test_global_options_are_documented_once_before_the_commands():
    head = CLI_DOC.split("\n## ", 1)[0]
    globals_ = [opt for p in cli.params if is_global(p) for opt in p.opts]
    assert globals_[0] == "--db"  # and --quiet
    for opt in globals_:
        assert f"`{opt}" in head, f"docs/cli.md does not document the global option {opt} before the commands"
        for name, command in _commands():  # taken after every command's name too (munro.options)
            assert opt in [o for p in command.params if is_global(p) for o in p.opts], name


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text().split("\n## ", 1)[0]
    assert "make demo" in head and "make test" in head


def test_architecture_names_every_package():
    text = (ROOT / "docs" / "architecture.md").read_text()
    for pkg in sorted(p.name for p in (ROOT / "src" / "munro").iterdir() if p.is_dir() and not p.name.startswith("_")):
        assert f"{pkg}/" in text, f"docs/architecture.md does not describe src/munro/{pkg}/"


def test_every_test_docs_security_names_exists_and_every_section_names_one():
    """docs/security.md says which tests show each control: a renamed or removed test fails here."""
    import ast
    import re

    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(named) > 40
    for path, test in named:
        file = ROOT / path
        assert file.is_file(), path
        if test:
            tree = ast.parse(file.read_text(encoding="utf-8"))
            assert test in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}, f"{path}::{test}"
    for section in text.split("\n## ")[1:]:
        if section.startswith(("What is protected", "Whom munro defends against", "Re-testing")):
            continue
        assert "`tests/" in section, section.splitlines()[0]


def test_every_environment_variable_munro_reads_is_in_the_deployment_settings_table():
    """docs/deploy.md's one table of settings names every MUNRO_* variable in src/munro, and none that is gone."""
    import re

    name = re.compile(r"\bMUNRO_[A-Z][A-Z0-9_]*[A-Z0-9]\b")
    in_code = {v for f in (ROOT / "src" / "munro").rglob("*.py") for v in name.findall(f.read_text(encoding="utf-8"))}
    table = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8").split("\n## Settings\n", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `MUNRO_")]
    in_table = {re.match(r"\| `(MUNRO_\w+)`", row)[1] for row in rows}
    assert len(rows) == len(in_table), "a variable with two rows"
    assert {"MUNRO_DB", "MUNRO_TRUSTED_PROXY", "MUNRO_STORE_WAIT"} <= in_code  # the search finds them
    assert in_code - in_table == set(), "MUNRO_ variables read by munro but not in docs/deploy.md's settings"
    assert in_table - in_code == set(), "docs/deploy.md's settings name variables munro no longer reads"


def test_the_rules_page_is_generated_from_the_rules():
    from munro.validate.docs import REGENERATE, render_markdown

    assert (ROOT / "docs" / "rules.md").read_text() == render_markdown(), f"regenerate it: {REGENERATE}"


def test_every_rule_is_documented():
    from munro.validate.registry import all_rules

    page = (ROOT / "docs" / "rules.md").read_text()
    for r in all_rules():
        assert f"\n| {r.code} | " in page, f"docs/rules.md does not list rule {r.code}"


def test_every_item_is_documented():
    from munro.indicators.catalogue import CATALOGUE

    page = (ROOT / "docs" / "indicators.md").read_text()
    for it in CATALOGUE:
        assert f"\n### `{it.id}`: " in page, f"docs/indicators.md has no section for {it.id}"


def test_every_engine_is_documented():
    from munro.engines import _BACKENDS

    architecture = (ROOT / "docs" / "architecture.md").read_text()
    engine_option = CLI_DOC.split("| `--engine ENGINE` |", 1)[1].split("\n", 1)[0]
    for name in _BACKENDS:
        assert f"{name}.py" in architecture, f"docs/architecture.md does not describe engines/{name}.py"
        assert f"`{name}" in engine_option, f"docs/cli.md's --engine does not name {name}"
