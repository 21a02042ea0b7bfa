"""The one register of output formats (munro.renderers): every --format is a kind's registered formats, and a
format a kind does not have is refused in one line naming the ones it has."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from munro.cli import commands
from munro.errors import MunroError
from munro.options import FormatChoice
from munro.renderers import KINDS, formats, register_output_renderer, render, renderer

LISTING = ("table", "json")
EXPECTED = {  # as docs/cli.md documents each command's --format
    "munro ingest": LISTING, "munro returns": LISTING, "munro retention": LISTING,
    "munro population list": LISTING, "munro survey list": LISTING, "munro user list": LISTING,
    "munro audit-log": LISTING, "munro action list": LISTING,
    "munro indicators": ("table", "json", "csv"),
    "munro validate": ("table", "csv", "xlsx", "json", "html"),
    "munro benchmark": ("table", "json", "csv"),
    "munro survey questions": ("table", "json", "csv"),
    "munro survey results": ("table", "json"),
    "munro audit results": ("table", "json"),
}


def test_every_format_option_is_a_kind_of_the_register():
    found = {f"munro {path}": p for path, command in commands().items() for p in command.params
             if isinstance(p, click.Option) and "--format" in p.opts}
    assert set(found) == set(EXPECTED)
    for path, option in found.items():
        assert isinstance(option.type, FormatChoice), path
        assert option.type.kind in KINDS, path
        assert tuple(option.type.choices) == formats(option.type.kind) == EXPECTED[path], path
        assert option.default == "table", path  # the first registered: for people


def test_every_kind_is_registered_by_its_module():
    for kind, module in KINDS.items():
        assert formats(kind), kind
        # validation's HTML page is written by its own module (validate/html.py), which output.py registers
        assert {renderer(kind, f).write.__module__ for f in formats(kind)} <= {module, "munro.local.bank",
                                                                               "munro.output",
                                                                               "munro.validate.html"}, kind


def test_one_la_and_every_la_of_benchmark_have_the_same_formats():
    # munro benchmark's one --format serves --la LA (benchmark) and --la all (benchmark-all).
    assert formats("benchmark") == formats("benchmark-all")


def test_only_the_workbook_writes_a_file():
    assert [(k, f) for k in KINDS for f in formats(k) if renderer(k, f).to_file] == [("validation", "xlsx")]


@pytest.mark.parametrize("kind, fmt, message", [
    ("validation", "pdf", "unknown format 'pdf' for validation: the formats are table, csv, xlsx, json, html"),
    ("listing", "csv", "unknown format 'csv' for listing: the formats are table, json"),
    ("audit-results", "", "unknown format '' for audit-results: the formats are table, json"),
])
def test_an_unknown_format_is_refused_in_one_line_naming_the_known(kind, fmt, message):
    with pytest.raises(MunroError) as info:
        render(kind, fmt, [])
    assert str(info.value) == message


def test_the_library_render_functions_refuse_the_same_way():
    from munro.output import render as listing
    from munro.validate.output import render as validation

    with pytest.raises(MunroError, match="^unknown format 'xml' for listing: the formats are table, json$"):
        listing("xml", [], str)
    with pytest.raises(MunroError, match="^unknown format 'XLSX' for validation: "):
        validation([], "XLSX")  # the CLI's choices are exact; so is the library


def test_a_kind_must_be_declared():
    with pytest.raises(ValueError, match="'maps' is not a kind of result"):
        register_output_renderer("maps", "svg", str)


def test_the_cli_imports_no_kind_until_a_command_runs():
    # The items' module loads Ibis (most of a second): a listing command or --help must not pay for it.
    code = ("import sys; from munro.cli import cli; from munro.renderers import formats; formats('listing'); "
            "print(sorted(m for m in ('munro.indicators.output', 'munro.benchmark.output', 'munro.validate.output', "
            "'ibis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_cli_refuses_an_unknown_format_in_one_line(munro, db):
    run = munro("--db", db, "validate", "--format", "pdf", "nothing.xml")
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == ("munro validate: Invalid value for '--format': 'pdf' is not one of 'table', 'csv', 'xlsx', "
                          "'json', 'html'. (see 'munro validate --help')\n")
