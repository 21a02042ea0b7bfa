"""Local records kept in Excel: an .xlsx workbook loads as its CSV does (real date cells, numbers typed as
numbers), bad cells are refused naming the sheet, row and column, and spreadsheets munro cannot read are
refused saying what to do, with the store unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

from munro.errors import RejectedFile
from munro.loading import ingest_file, ingest_local_file
from munro.localdata import layouts as L
from munro.localdata.reader import detect_layout, read_local_file
from munro.tabular_files import Workbook, cell_text
from workbook_support import workbook

D = dt.datetime
SAVE = "open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV UTF-8"


VISITS_CSV = ("child_id,plan_start_date,visit_date,seen,seen_alone\n"
              "123456,2024-06-03,2024-06-19,true,1\n"
              "A1,,19/06/2024,Y,\n"
              "\n"
              "7,2024-06-03,2024-06-20,N,0\n")
VISITS = [["child_id", "plan_start_date", "visit_date", "seen", "seen_alone"],
          [123456, D(2024, 6, 3), D(2024, 6, 19), True, 1],  # a number, date cells, TRUE, 1
          ["A1", None, "19/06/2024", "Y", None],  # a date typed as text, as in a CSV
          [],
          [7.0, D(2024, 6, 3), D(2024, 6, 20, 10, 30), "N", 0.0]]  # 7.0 is 7; a time of day is dropped


@pytest.fixture
def loaded(tmp_path, cin):
    """A store holding LA 201's 2025 return (children 123456, A1 and 7)."""
    kids = [cin.Child(id=c, episodes=[cin.Episode(referral="2024-05-01")]) for c in ("123456", "A1", "7")]
    path = tmp_path / "cin_201_2025.xml"
    path.write_text(cin.xml(2025, kids))
    db = tmp_path / "store.duckdb"
    assert ingest_file(db, path).error is None
    return db


def test_cells_read_as_the_text_a_csv_holds():
    assert [cell_text(v) for v in (None, 12.0, 12, 12.5, 123456789012.0, True, False, "007", D(2025, 3, 31),
                                   D(2024, 6, 3, 10, 30), dt.date(2025, 3, 31))] == [
        "", "12", "12", "12.5", "123456789012", "true", "false", "007", "2025-03-31", "2024-06-03 10:30:00",
        "2025-03-31"]
    assert [cell_text(v, f) for v, f in ((0.18, "0%"), (0.125, "0.0%"), (1, "0%"), (0.18, "General"))] == [
        "18%", "12.5%", "100%", "0.18"]


def test_a_workbook_reads_as_its_csv_does(tmp_path):
    csv = tmp_path / "visits.csv"
    csv.write_text(VISITS_CSV)
    xlsx = workbook(tmp_path / "visits.xlsx", {"Visits": VISITS})
    assert detect_layout(xlsx) is L.CP_VISITS
    from_csv, from_xlsx = read_local_file(csv, L.CP_VISITS), read_local_file(xlsx, L.CP_VISITS)
    assert from_xlsx.table.to_pylist() == from_csv.table.to_pylist() == [
        {"la_child_id": "123456", "plan_start_date": dt.date(2024, 6, 3), "visit_date": dt.date(2024, 6, 19),
         "seen": 1, "seen_alone": 1, "line": 2},
        {"la_child_id": "A1", "plan_start_date": None, "visit_date": dt.date(2024, 6, 19), "seen": 1,
         "seen_alone": None, "line": 3},
        {"la_child_id": "7", "plan_start_date": dt.date(2024, 6, 3), "visit_date": dt.date(2024, 6, 20), "seen": 0,
         "seen_alone": 0, "line": 5}]


def test_ssda903_and_own_figures_workbooks_read_as_their_csvs_do(tmp_path):
    cases = [
        (L.SSDA903_HEADER, "CHILD,SEX,DOB,ETHNIC,UPN\n1001,1,14/02/2012,WBRI,\n",
         [["CHILD", "SEX", "DOB", "ETHNIC", "UPN"], [1001, 1, D(2012, 2, 14), "WBRI", None]], None),
        (L.SSDA903_EPISODES, "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n1001,01/05/2024,S,C2,N1,U1,2024-07-01,E11\n",
         [["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"],
          [1001.0, D(2024, 5, 1), "S", "C2", "N1", "U1", D(2024, 7, 1), "E11"]], None),
        # 18.0 is 18; a cell formatted as a percentage, 0.125 shown as 12.5%, is 12.5 as Excel's CSV says
        (L.OWN_FIGURES, "item_id,value,numerator,denominator,source\nsw_vacancy_rate,18,9,50,HR\n"
                        "sw_turnover_rate,12.5%,,,HR\n",
         [["item_id", "value", "numerator", "denominator", "source"], ["sw_vacancy_rate", 18.0, 9, 50.0, "HR"],
          ["sw_turnover_rate", 0.125, None, None, "HR"]], {("Figures", "B3"): "0.0%"}),
    ]
    for layout, text, rows, formats in cases:
        csv = tmp_path / f"{layout.kind}.csv"
        csv.write_text(text)
        xlsx = workbook(tmp_path / f"{layout.kind}.xlsx", {"Figures": rows}, formats)
        assert detect_layout(xlsx) is layout
        assert read_local_file(xlsx, layout).table.to_pylist() == read_local_file(csv, layout).table.to_pylist()
    figures = read_local_file(tmp_path / "own-figures.xlsx", L.OWN_FIGURES).table.to_pylist()
    assert [(f["item_id"], f["figure"], f["value"], f["numerator"]) for f in figures] == [
        ("sw_vacancy_rate", "value", 18.0, 9.0), ("sw_turnover_rate", "value", 12.5, None)]


def test_ingest_routes_a_workbook_to_the_local_reader_and_loads_what_the_csv_loads(tmp_path, cin, munro, store):
    """The issue: an SSDA903 file saved as .xlsx got 'not CIN census XML'."""
    dbs = {}
    for suffix in ("csv", "xlsx"):
        folder = tmp_path / suffix
        folder.mkdir()
        db = folder / "store.duckdb"
        xml = folder / "cin_201_2025.xml"
        xml.write_text(cin.xml(2025, [cin.Child(id=c, episodes=[cin.Episode(referral="2024-05-01")])
                                      for c in ("123456", "A1", "7")]))
        path = folder / f"visits_201_2025.{suffix}"
        if suffix == "csv":
            path.write_text(VISITS_CSV)
        else:
            workbook(path, {"Visits": VISITS})
        run = munro("--db", db, "ingest", xml, path)
        assert (run.returncode, run.stderr) == (0, "")
        assert run.stdout.splitlines()[-1] == (f"{path}: loaded as local load 1 (cp-visits, LA 201, 2024-25): "
                                               "3 rows, 3 children")
        dbs[suffix] = db
    sql = "SELECT * EXCLUDE (load_id) FROM cp_visits ORDER BY line"
    assert store.query(dbs["xlsx"], sql) == store.query(dbs["csv"], sql)
    assert store.query(dbs["xlsx"], "SELECT kind, file_name, rows, children FROM local_loads") == [
        ("cp-visits", "visits_201_2025.xlsx", 3, 3)]


def _refusals(tmp_path):
    """File name -> (how to make it, the reason it is refused)."""
    bad_date = [VISITS[0], VISITS[1], ["A1", None, "31/02/2025", "Y", None], ["A1", None, D(2024, 6, 21), "maybe"]]
    return {
        "visits_201_2025.xlsx": (lambda p: workbook(p, {"Visits": bad_date}),
                                 "sheet Visits, row 3, column visit_date: '31/02/2025' is not a date in the "
                                 "calendar: there is no 31 February 2025; row 4, column seen: 'maybe' is not "
                                 "Y or N (or 1/0, true/false); "
                                 "nothing was loaded"),
        "missing_2025.xlsx": (lambda p: workbook(p, {"Visits": [["child_id", "visit_date"], ["A1", D(2024, 6, 3)]]}),
                              "sheet Visits, row 1 (header): missing column(s) seen of the cp-visits layout "
                              "(docs/local-data.md)"),
        "no_layout_2025.xlsx": (lambda p: workbook(p, {"Sheet1": [["name", "address"], ["x", "y"]]}),
                                "sheet Sheet1, row 1 (header): not a layout munro knows (docs/local-data.md lists "
                                f"them: {', '.join(L.KINDS)}); give --kind to name it; a CIN census return is loaded "
                                "from its XML file, not a workbook"),
        "empty_rows_2025.xlsx": (lambda p: workbook(p, {"Visits": [VISITS[0]]}),
                                 "sheet Visits: no rows under the header: nothing to load"),
        "old_2025.xls": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
                         f"an old Excel workbook (.xls), which munro does not read: {SAVE}"),
        "locked_2025.xlsx": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
                             "a password-protected (encrypted) workbook, or an old .xls workbook renamed, which munro "
                             f"cannot read: remove the password and {SAVE}"),
        "binary_2025.xlsb": (lambda p: p.write_bytes(b"PK\x03\x04"), f"an Excel binary workbook (.xlsb), which munro "
                                                                      f"does not read: {SAVE}"),
        "damaged_2025.xlsx": (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(200)),
                              "not a readable XLSX workbook: it is a zip file (perhaps an Excel workbook) that cannot "
                              f"be opened; {SAVE}"),
        "text_2025.xlsx": (lambda p: p.write_text(VISITS_CSV),
                           "not a readable XLSX workbook: it is a CSV file (comma-separated text); name it .csv to "
                           "load it"),
        "two_layouts_2025.xlsx": (lambda p: workbook(p, {
            "Header": [["CHILD", "SEX", "DOB"], ["A1", 1, D(2012, 2, 14)]],
            "Episodes": [["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE"],
                         ["A1", D(2024, 5, 1), "S", "C2", "N1", "U1"]]}),
            "sheets Header (ssda903-header) and Episodes (ssda903-episodes) each hold a layout's records: give --kind "
            "to load one of them, or save each sheet as its own file"),
        "notes_only_2025.xlsx": (lambda p: workbook(p, {"Notes": [["Read me"]], "Data": [["a", "b"], [1, 2]]}),
                                 "no sheet's row 1 is the header of a layout munro knows (sheets Notes and Data; "
                                 f"docs/local-data.md lists the layouts: {', '.join(L.KINDS)}); give --kind to name "
                                 "it; a CIN census return is loaded from its XML file"),
        "visits_as_csv_2025.csv": (lambda p: workbook(p, {"Visits": VISITS}),
                                   "not a CSV file: it is an Excel workbook (.xlsx); name it .xlsx to load it"),
        "unicode_2025.csv": (lambda p: p.write_bytes(VISITS_CSV.replace(",", "\t").encode("utf-16")),
                             "not UTF-8 text: it is UTF-16 text (as Excel saves 'Unicode Text'); save it as CSV UTF-8"),
    }


def test_refused_workbooks_are_one_line_each_exit_1_and_the_store_is_unchanged(tmp_path, loaded, munro, store):
    cases = _refusals(tmp_path)
    paths = []
    for name, (make, _) in cases.items():
        path = tmp_path / name
        make(path)
        paths.append(path)
    before = store.snapshot(loaded)
    run = munro("--db", loaded, "ingest", *paths)
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.splitlines() == [f"rejected {tmp_path / name}: {reason}" for name, (_, reason) in cases.items()]
    assert store.snapshot(loaded) == before


def test_a_refusal_leaves_an_earlier_load_current(tmp_path, loaded, store):
    good = workbook(tmp_path / "visits_2025.xlsx", {"Visits": VISITS})
    assert ingest_local_file(loaded, good).status == "loaded"
    before = store.snapshot(loaded)
    bad = workbook(tmp_path / "visits_v2_2025.xlsx", {"Visits": VISITS[:2] + [["A1", None, "soon", "Y"]]})
    with pytest.raises(RejectedFile) as e:
        ingest_local_file(loaded, bad)
    assert str(e.value) == (f"{bad}: sheet Visits, row 3, column visit_date: 'soon' is not a date: give one "
                            "as YYYY-MM-DD or DD/MM/YYYY, such as 2025-10-31; nothing was loaded")
    assert store.snapshot(loaded) == before


def test_of_several_sheets_the_one_with_a_layouts_header_is_read(tmp_path, loaded):
    path = workbook(tmp_path / "visits_2025.xlsx", {"Notes": [["Exported 1 April 2025 by the performance team"]],
                                                    "Visits": VISITS, "Pivot": [["Row Labels", "Count"]]})
    out = ingest_local_file(loaded, path)
    assert (out.status, out.kind, out.rows, out.children) == ("loaded", "cp-visits", 3, 3)


def test_kind_picks_one_sheet_of_a_workbook_holding_two_layouts(tmp_path, loaded, store):
    path = workbook(tmp_path / "ssda903_2025.xlsx", {
        "Header": [["CHILD", "SEX", "DOB"], ["A1", 1, D(2012, 2, 14)], [123456, 2, D(2010, 9, 1)]],
        "Episodes": [["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE"], ["A1", D(2024, 5, 1), "S", "C2", "N1", "U1"]]})
    assert ingest_local_file(loaded, path, kind="ssda903-episodes").rows == 1
    assert ingest_local_file(loaded, path, kind="ssda903-header").rows == 2
    assert store.query(loaded, "SELECT la_child_id, sex, birth_date::VARCHAR FROM looked_after_children "
                               "ORDER BY 1") == [("123456", "2", "2010-09-01"), ("A1", "1", "2012-02-14")]
    again = workbook(tmp_path / "twice_2025.xlsx", {"A": [["child_id", "visit_date", "seen"]],
                                                    "B": [["child_id", "visit_date", "seen"]]})
    with pytest.raises(RejectedFile, match="sheets A and B all have the columns of the cp-visits layout in row 1: "
                                           "keep the records in one sheet"):
        ingest_local_file(loaded, again)


def test_a_sheet_larger_than_it_says_and_formatted_empty_columns(tmp_path):
    """A stated size that is wrong is not trusted, and empty cells beyond the header are not a shifted row."""
    path = workbook(tmp_path / "visits.xlsx", {"Visits": VISITS})
    from openpyxl import load_workbook
    wb = load_workbook(path)
    ws = wb["Visits"]
    ws["H2"].number_format = "0.00"  # formatted, empty
    ws["H2"].value = None
    ws["G5"] = ""
    wb.save(path)
    assert read_local_file(path, L.CP_VISITS).table.num_rows == 3


def test_workbooks_are_streamed_read_only(tmp_path):
    path = workbook(tmp_path / "visits.xlsx", {"Visits": VISITS})
    with Workbook(path) as wb:
        assert wb._wb.read_only and wb._wb.data_only
        rows = wb.rows("Visits")
        assert next(rows) == (1, VISITS_CSV.splitlines()[0].split(","))
