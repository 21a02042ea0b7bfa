"""``munro validate``: formats, files, exit status, one-line errors, no store touched."""

from __future__ import annotations

import csv
import io
import json

import pytest


@pytest.fixture
def clean(cin):
    """A 2023-24 child that breaks no error rule: one open episode referred in the year, a completed
    assessment, a disability record (NONE). Its only finding is the return-level query 2887Q:
    no disability code other than NONE is used (0 codes, fewer than 8)."""
    return cin.Child(id="OK1", upn="Y201000000001", disabilities=["NONE"], episodes=[cin.Episode(
        referral="2023-06-01", assessments=[cin.Assessment("2023-06-02", auth="2023-06-20", factors=["1A"])])])


@pytest.fixture
def broken(cin):
    """Child BAD's assessment starts before its referral (error 1103)."""
    return cin.Child(id="BAD", upn="Y201000000001", disabilities=["NONE"], episodes=[cin.Episode(
        referral="2023-06-01", assessments=[cin.Assessment("2023-05-31", auth="2023-06-20", factors=["1A"])])])


def test_queries_alone_exit_0(cin, write, munro, clean, tmp_path):
    path = write("clean.xml", cin.xml(2024, [clean]))
    done = munro("validate", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (f"{path}: LA 201, 2023-24 return, 2023-24 rules (105), 1 children: "
                                           "0 errors, 1 queries")
    assert "  2887Q   (return)                     Disability = 0" in done.stdout.splitlines()
    assert not list(tmp_path.glob("*.duckdb"))  # nothing loaded, no store made


def test_an_error_finding_exits_1(cin, write, munro, broken, tmp_path):
    path = write("broken.xml", cin.xml(2024, [broken]))
    done = munro("validate", "--format", "csv", path, cwd=tmp_path)
    assert done.returncode == 1 and done.stderr == ""
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["rule"], r["LAchildID"], r["value"]) for r in rows if r["type"] == "error"] == [
        ("1103", "BAD", "2023-05-31")]


def test_several_files_to_a_json_file(cin, write, munro, clean, broken, tmp_path):
    a, b = write("a.xml", cin.xml(2024, [clean])), write("b.xml", cin.xml(2024, [broken]))
    out = tmp_path / "v.json"
    done = munro("validate", "--format", "json", "--out", out, a, b, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [f"{a}: 0 errors, 1 queries -> {out}", f"{b}: 1 errors, 1 queries -> {out}"]
    returns = json.loads(out.read_text())["returns"]
    assert [(r["file"], r["ruleset"], r["errors"]) for r in returns] == [(str(a), 2024, 0), (str(b), 2024, 1)]


def test_ruleset_option(cin, write, munro, clean, tmp_path):
    path = write("clean.xml", cin.xml(2024, [clean]))
    done = munro("validate", "--ruleset", "2024-25", "--format", "json", path, cwd=tmp_path)
    report = json.loads(done.stdout)["returns"][0]
    assert report["ruleset"] == 2025 and report["collection_year"] == 2024
    assert report["note"] == "checked with the 2024-25 rules, not its own year's (2023-24)"


def test_xlsx_and_html_files(cin, write, munro, broken, tmp_path):
    path = write("broken.xml", cin.xml(2024, [broken]))
    for fmt in ("xlsx", "html"):
        out = tmp_path / f"v.{fmt}"
        assert munro("validate", "--format", fmt, "--out", out, path, cwd=tmp_path).returncode == 1
        assert out.stat().st_size > 0
    assert "BAD" in (tmp_path / "v.html").read_text()


@pytest.mark.parametrize("args, message", [
    (("--format", "xlsx", "{path}"), "munro validate: --format xlsx writes a workbook: give it a file with --out"),
    (("--ruleset", "2031", "{path}"), "munro: there is no ruleset for 2031"),
    (("--ruleset", "2024-26", "{path}"), "munro validate: Invalid value for '--ruleset': '2024-26' is not a "
                                          "reporting year: 26 does not follow 2024 (did you mean 2024-25 or "
                                          "2025-26?)"),
    (("--format", "pdf", "{path}"), "munro validate: Invalid value for '--format'"),
    (("{missing}",), "munro: {missing}: no such file"),
    (("{garbage}",), "munro: {garbage}: not an XML file (it does not start with '<')"),
])
def test_a_bad_file_or_option_is_one_line_and_exit_2(cin, write, munro, clean, tmp_path, args, message):
    names = dict(path=write("clean.xml", cin.xml(2024, [clean])), missing=tmp_path / "none.xml",
                 garbage=write("g.xml", "not xml"))
    done = munro("validate", *(a.format(**names) for a in args), cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith(message.format(**names))
