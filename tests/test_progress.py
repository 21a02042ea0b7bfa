"""Progress of long work (munro.progress): the library names its steps to a callback and prints nothing;
the command line shows them on stderr when it is a terminal, never with --quiet, and stdout is the same."""

from __future__ import annotations

import io
import re
import shutil
import threading

import pytest
from click.testing import CliRunner
from rich.console import Console

from munro import progress as P
from munro.synth import generate

YEARS = [2024, 2025]


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Steps(list):
    """A progress callback that keeps (step, done, total)."""

    def __call__(self, step, done, total):
        self.append((step, done, total))

    def names(self) -> list[str]:
        return list(dict.fromkeys(s for s, _, _ in self))


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    root = tmp_path_factory.mktemp("progress")
    results = generate("330", YEARS, root / "returns", scale=0.01, seed=3)
    return root, results


@pytest.fixture(scope="module")
def loaded(returns):
    from munro.loading import load_files

    root, results = returns
    db = root / "store.duckdb"
    assert all(not o.error for o in load_files(db, [r.path for r in results]))
    return db


def child_ids(path) -> set[str]:
    return set(re.findall(r"<LAchildID>([^<]+)</LAchildID>", path.read_text()))


# ---------------------------------------------------------------- the terminal reporter


def test_the_terminal_reporter_shows_each_step_by_name_and_erases_its_line():
    out = FakeTTY()
    bar = P.TerminalProgress(Console(file=out, force_terminal=True, width=120))
    threads = threading.active_count()
    bar("reading cin_330_2025.xml", 0, None)
    bar("reading cin_330_2025.xml", 1500, None)
    bar("exporting episodes", 3, 10)
    assert threading.active_count() == threads + 1  # its refresh thread, while a step is shown
    shown = out.getvalue()
    assert "reading cin_330_2025.xml" in shown and "1,500" in shown
    assert "exporting episodes" in shown and "3/10" in shown
    bar.pause()
    assert threading.active_count() == threads  # stopped and joined: a process may fork now
    assert out.getvalue().endswith("\x1b[2K")  # the line is erased: the terminal keeps what the command printed
    bar("printing PDF", 0, None)  # the next step starts it again
    assert "printing PDF" in out.getvalue()
    bar.close()
    assert threading.active_count() == threads


def test_progress_only_on_a_terminal_and_never_when_quiet(monkeypatch):
    monkeypatch.setattr(P, "_stderr", lambda: FakeTTY())
    with P.terminal() as shown:
        assert isinstance(shown, P.TerminalProgress)
    with P.terminal(quiet=True) as shown:
        assert shown is None
    monkeypatch.setattr(P, "_stderr", lambda: io.StringIO())  # a pipe or a file
    with P.terminal() as shown:
        assert shown is None


def test_report_and_within():
    steps = Steps()
    P.report(steps, "charts")
    P.report(P.within(steps, "LA 330: "), "computing 2024-25", 1, 5)
    P.report(None, "nothing")  # no reporter: nothing happens
    P.report(False, "nothing")
    assert steps == [("charts", 0, None), ("LA 330: computing 2024-25", 1, 5)]
    assert P.within(None, "LA 330: ") is None


# ---------------------------------------------------------------- the library names its steps


@pytest.mark.parametrize("staged", ["in memory", "on disk"])
def test_ingest_reads_then_checks_and_stores_each_file(returns, tmp_path, capsys, monkeypatch, staged):
    from munro.loading import load_files
    from munro.store import ingest

    if staged == "on disk":  # as a large file is
        monkeypatch.setattr(ingest, "MEMORY_STAGING_BYTES", 0)
    _, results = returns
    steps = Steps()
    outcomes = list(load_files(tmp_path / "s.duckdb", [r.path for r in results], progress=steps))
    assert capsys.readouterr() == ("", "")  # the library prints nothing
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    assert steps.names() == [f"{verb} {r.path.name}" for r in results for verb in ("reading", "checking and storing")]
    for r in results:
        read = [done for step, done, total in steps if step == f"reading {r.path.name}"]
        assert read[0] == 0 and read[-1] == r.children and read == sorted(read)


def test_validate_reads_then_checks(returns):
    from munro.validate import validate_file

    _, results = returns
    steps = Steps()
    validate_file(results[-1].path, progress=steps)
    assert steps.names() == ["reading cin_330_2025.xml", "checking cin_330_2025.xml against the 2024-25 rules"]
    assert steps[-2][1] == results[-1].children


def test_benchmark_computes_each_year_then_compares(loaded):
    from munro.benchmark import compare, compare_all

    steps = Steps()
    compare(loaded, "330", 2025, progress=steps)
    assert steps == [("computing 2023-24", 0, 2), ("computing 2024-25", 1, 2)]
    steps = Steps()
    compare_all(loaded, 2025, progress=steps)
    assert steps == [("computing 2023-24 for every LA", 0, 2), ("computing 2024-25 for every LA", 1, 2),
                     ("comparing each LA", 0, 1)]


def test_export_names_each_table(loaded, tmp_path):
    from munro.store.export import export_store

    steps = Steps()
    outcome = export_store(loaded, tmp_path / "export", progress=steps)
    tables = list(outcome.tables)
    assert steps == [(f"exporting {t}", n, len(tables)) for n, t in enumerate(tables)]
    assert "exporting returns" in steps.names()


@pytest.mark.slow
def test_report_names_its_phases_and_no_child(loaded, returns, tmp_path):
    from munro.report import write_reports

    # One report, through write_reports (which --la all uses): each LA's phases are named after it.
    steps = Steps()
    assert [la for la, _ in write_reports(loaded, 2025, tmp_path / "all", pdf=False, publish=True,
                                          progress=steps)] == ["330"]
    assert steps.names() == ["LA 330: " + s for s in ("computing 2024-25 and the years before it",
                                                      "disclosure control", "charts", "writing the page",
                                                      "writing the workbook")]
    ids = set().union(*(child_ids(r.path) for r in returns[1]))
    assert ids and not any(i in s for s, _, _ in steps for i in ids)


def test_synth_counts_the_children_it_simulates(tmp_path):
    steps = Steps()
    generate("330", [2025], tmp_path, scale=0.01, progress=steps)
    total = steps[0][2]
    assert steps[0] == ("simulating LA 330's children", 0, total)
    assert steps[-1] == ("writing the returns and local records", total, total)


# ---------------------------------------------------------------- the command line


def invoke(args, monkeypatch, tty: FakeTTY | None):
    """``munro ARGS`` with stderr a terminal (``tty``, where the progress goes) or not (None)."""
    from munro.cli import cli

    if tty is not None:
        monkeypatch.setattr(P, "_stderr", lambda: tty)
    else:
        monkeypatch.undo()
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    monkeypatch.undo()
    return result


def each_way(args, monkeypatch, before=lambda: None):
    """The command run without a terminal, on a terminal, and on a terminal with --quiet (before or after
    the command's name): its results, and what the terminal showed."""
    runs = {}
    for way, extra, tty in (("pipe", [], None), ("terminal", [], FakeTTY()), ("quiet", ["--quiet"], FakeTTY())):
        before()
        runs[way] = (invoke([*extra, *args], monkeypatch, tty), tty.getvalue() if tty else "")
    return runs


@pytest.mark.parametrize("command", ["ingest", "validate", "benchmark", "export", "synth"])
def test_progress_on_a_terminal_only_and_stdout_the_same(command, returns, loaded, tmp_path, monkeypatch):
    root, results = returns
    files = [r.path for r in results]
    fresh = tmp_path / "fresh.duckdb"
    args, before, steps = {
        "ingest": (["--db", fresh, "ingest", *files], lambda: fresh.unlink(missing_ok=True),
                   ["reading cin_330_2024.xml", "checking and storing cin_330_2025.xml"]),
        "validate": (["validate", *files], lambda: None,
                     ["reading cin_330_2024.xml", "checking cin_330_2025.xml against the 2024-25 rules"]),
        "benchmark": (["--db", loaded, "benchmark", "--la", "330", "--year", "2025"], lambda: None,
                      ["computing 2023-24", "computing 2024-25"]),
        "export": (["--db", loaded, "export", "--to", tmp_path / "export"],
                   lambda: shutil.rmtree(tmp_path / "export", ignore_errors=True), ["exporting returns"]),
        "synth": (["synth", "--la", "330", "--years", "2025", "--scale", "0.01", "--out", tmp_path / "synth"],
                  lambda: shutil.rmtree(tmp_path / "synth", ignore_errors=True), ["simulating LA 330's children"]),
    }[command]
    runs = each_way(args, monkeypatch, before)
    (pipe, _), (shown, terminal), (quiet, nothing) = runs["pipe"], runs["terminal"], runs["quiet"]
    assert pipe.exit_code == shown.exit_code == quiet.exit_code and pipe.stdout
    assert pipe.stdout == shown.stdout == quiet.stdout  # byte for byte
    assert pipe.stderr == shown.stderr == quiet.stderr
    for step in steps:
        assert step in terminal
    assert nothing == ""
    ids = child_ids(results[0].path) | child_ids(results[1].path)
    assert not any(i in terminal for i in ids)


def test_synth_takes_quiet_after_its_name_too(tmp_path, monkeypatch):
    tty = FakeTTY()
    args = ["synth", "--la", "330", "--years", "2025", "--scale", "0.01", "--out", tmp_path]
    assert invoke([*args, "--quiet"], monkeypatch, tty).exit_code == 0 and tty.getvalue() == ""
    assert invoke(args, monkeypatch, tty).exit_code == 0 and "simulating LA 330's children" in tty.getvalue()
