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
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"munro: no returns for LA 805 Hartlepool are loaded in {report_store}: load them with `munro ingest`"]
    assert not (tmp_path / "r").exists()


def test_a_year_without_its_return_is_refused_naming_the_years_loaded(munro, report_store, tmp_path):
    """The store holds 330's 2022-23 to 2024-25: a 2018-19 report would be built from what later returns repeat."""
    out = tmp_path / "r"
    done = munro("--db", report_store, "report", "--la", "330", "--year", "2019", "--out", out, "--no-pdf")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "munro: no 2018-19 return is loaded for LA 330 Birmingham (loaded: 2022-23 to 2024-25): "
        "load it with `munro ingest` or choose a loaded year"]
    assert not out.exists()


def test_the_library_refuses_too(report_store, tmp_path):
    import pytest

    from munro.report import write_report
    from munro.store.returns import NoReturn

    with pytest.raises(NoReturn) as refused:
        write_report(report_store, "330", 2022, tmp_path / "r", pdf=False)
    assert (refused.value.la, refused.value.year, refused.value.loaded) == ("330", 2022, [2023, 2024, 2025])
    assert str(refused.value).startswith("no 2021-22 return is loaded for LA 330 Birmingham (loaded: 2022-23 to ")
    assert not (tmp_path / "r").exists()


def test_no_store_is_one_line(munro, tmp_path):
    missing = tmp_path / "none.duckdb"
    done = munro("--db", missing, "report", "--la", "330", "--year", "2025", "--out", tmp_path / "r")
    assert done.returncode != 0
    assert done.stderr.strip() == f"munro: no store at {missing}: load returns first with `munro ingest`"
