"""The internal report's appendix "Breakdown by team" (munro.report.appendix): in the internal report's page
and workbook, never in a published one, and a note when no allocations with a team are loaded.

The store is tests/indicators/test_drill.py's hand-built LA 201 (its docstring works the figures out), for
the reporting year 2024-25: assessment_timeliness by team is North 2 of 2 within 45 working days (100.0%,
median of 5 and 10 = 7.5), South 1 of 2 (50.0%, median of 50 and 5 = 27.5), Unallocated 1 of 1 (100.0%,
median 20) and the LA 4 of 5 (80.0%, median 10); children in need at 31 March (cin_rate's count): North 2,
South 1, Unallocated 2, the LA 5. Every row rests on 5 or fewer records, so each is marked small.
"""

from __future__ import annotations

import re

import openpyxl
import pytest

from drill_support import allocations, build
from munro.errors import MunroError
from munro.indicators.drill import breakdown
from munro.loading import ingest_file
from munro.report import write_report
from munro.report.appendix import SHEET, SMALL, gather
from munro.report.drill import shown
from munro.years import Period

LA = "201"


@pytest.fixture(scope="module")
def store(tmp_path_factory, cin):
    root = tmp_path_factory.mktemp("appendix")
    db = root / "store.duckdb"
    path = root / f"cin_{LA}_2025.xml"
    path.write_text(build(cin, LA)[2025], encoding="utf-8")
    assert ingest_file(db, path).error is None
    allocations(db, la=LA)
    return db


@pytest.fixture(scope="module")
def internal(store, tmp_path_factory):
    return write_report(store, LA, 2025, tmp_path_factory.mktemp("internal"), pdf=False, by_team=True)


def _rows(page: str, item_id: str) -> list[list[str]]:
    """The appendix table of ``item_id`` as text: each row's header and cells."""
    table = re.search(rf'data-appendix-item="{item_id}">(.*?)</table>', page, re.S).group(1)
    body = table.split("<tbody", 1)[1]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_the_internal_page_has_the_appendix_with_each_teams_figures(internal):
    page = internal.html.read_text(encoding="utf-8")
    assert 'href="#appendix-teams"' in page and "Appendix: breakdown by team" in page
    assert "for the reporting year 2024-25 (1 April to 31 March 2025)" in page
    assert _rows(page, "assessment_timeliness") == [
        ["North", "100.0%*", "2", "2", "7.5"], ["South", "50.0%*", "1", "2", "27.5"],
        ["Unallocated", "100.0%*", "1", "1", "20.0"], ["Whole authority", "80.0%*", "4", "5", "10.0"]]
    assert _rows(page, "cin_rate") == [["North", "2*"], ["South", "1*"], ["Unallocated", "2*"],
                                       ["Whole authority", "5*"]]
    assert page.index('id="data-quality"') < page.index('id="appendix-teams"')  # after the report proper


def test_the_workbook_sheet_holds_breakdowns_figures_as_numbers(internal, store):
    ws = openpyxl.load_workbook(internal.xlsx)[SHEET]
    cells = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(k for k, r in enumerate(cells) if r[0] and str(r[0]).startswith("Working days to complete"))
    assert cells[start + 2][:5] == ["Team", "Value", "Of which", "Out of", "Median (working days)"]
    assert [r[:6] for r in cells[start + 3:start + 7]] == [
        ["North", 100, 2, 2, 7.5, SMALL], ["South", 50, 1, 2, 27.5, SMALL],
        ["Unallocated", 100, 1, 1, 20, SMALL], ["Whole authority", 80, 4, 5, 10, SMALL]]
    # Every item's rows are breakdown's own figures (a rate's count only, as the drill-down gives it).
    b = breakdown(store, LA, 2025, by="team")
    listed = {r[0] for r in cells if r[0]}
    for i in b.items:
        assert any(str(t).startswith(f"{_title(i)} (") for t in listed), i
    assert b.items["cin_rate"]["North"].count == 2 and b.items["assessment_timeliness"]["South"].numerator == 1


def _title(item_id: str) -> str:
    from munro.indicators.catalogue import item

    return item(item_id).title


def test_gather_takes_a_period_and_gives_the_uncontrolled_breakdown(store):
    a = gather(store, LA, Period.of_year(2025))
    assert a.note is None and a.teams == ["North", "South", "Unallocated"]
    assert a.shown == shown(breakdown(store, LA, 2025, by="team"), controlled=False)


def test_a_published_report_has_no_appendix(store, tmp_path):
    written = write_report(store, LA, 2025, tmp_path / "p", publish=True, pdf=False)
    page = re.sub(r"<style>.*?</style>", "", written.html.read_text(encoding="utf-8"), flags=re.S)
    assert "data-appendix" not in page and "Breakdown by team" not in page and "by team" not in page
    assert SHEET not in openpyxl.load_workbook(written.xlsx).sheetnames


def test_the_appendix_is_asked_for_not_default(internal_report):
    page = re.sub(r"<style>.*?</style>", "", internal_report.html.read_text(encoding="utf-8"), flags=re.S)
    assert "data-appendix" not in page and "Breakdown by team" not in page
    assert SHEET not in openpyxl.load_workbook(internal_report.xlsx).sheetnames


def test_by_team_with_publish_or_by_worker_is_refused_in_one_line(store, tmp_path, munro):
    with pytest.raises(MunroError, match="^the breakdown by team is in the internal report only: not with publish$"):
        write_report(store, LA, 2025, tmp_path / "p", publish=True, by_team=True, pdf=False)
    assert not (tmp_path / "p").exists()
    for args, said in ((["--by", "worker"], "a breakdown by worker names staff and is never in a report"),
                       (["--by", "team", "--publish"], "--by team is the internal report's appendix: not with "
                                                          "--publish")):
        out = munro("--db", str(store), "report", "--la", LA, "--year", "2025", "--out", str(tmp_path / "c"),
                    "--no-pdf", *args)
        assert out.returncode == 2 and said in out.stderr and "Traceback" not in out.stderr
        assert not (tmp_path / "c").exists()


def test_without_allocations_the_page_says_what_to_load_and_adds_no_heading_or_sheet(report_store, tmp_path):
    internal_report = write_report(report_store, "330", 2025, tmp_path / "r", pdf=False, by_team=True)
    page = internal_report.html.read_text(encoding="utf-8")
    assert ("<strong>Breakdown by team:</strong> There is no breakdown by team: no social worker allocations are "
            "loaded for LA 330: load them with munro ingest (the sw-allocations layout, docs/local-data.md) to "
            "drill down by team.") in page
    assert 'id="appendix-teams"' not in page
    assert SHEET not in openpyxl.load_workbook(internal_report.xlsx).sheetnames
