"""``munro report``: a thin command that says where the files are, and one line for a problem."""

from __future__ import annotations


def test_report_writes_the_files_and_says_where(munro, report_store, tmp_path):
    out = tmp_path / "r"
    done = munro("--db", report_store, "report", "--la", "330", "--year", "2025", "--out", out, "--no-pdf")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"page: {out / 'index.html'}", f"workbook: {out / 'report.xlsx'}"]
    assert (out / "index.html").stat().st_size > 10_000 and (out / "report.xlsx").stat().st_size > 5_000
    assert not (out / "report.pdf").exists()


def test_an_la_with_no_returns_is_one_line(munro, report_store, tmp_path):
    done = munro("--db", report_store, "report", "--la", "805", "--year", "2025", "--out", tmp_path / "r",
                 "--no-pdf")
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [f"munro: no returns for LA 805 are loaded in {report_store}"]


def test_no_store_is_one_line(munro, tmp_path):
    missing = tmp_path / "none.duckdb"
    done = munro("--db", missing, "report", "--la", "330", "--year", "2025", "--out", tmp_path / "r")
    assert done.returncode != 0
    assert done.stderr.strip() == f"munro: no store at {missing}: load returns first with `munro ingest`"
