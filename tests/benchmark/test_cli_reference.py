"""``munro reference load`` and ``munro reference import``, run as a user runs them."""

from __future__ import annotations

import pytest

HEADER = "area_level,area_code,year,item_id,figure,value,numerator,denominator,unit,symbol,source,vintage\n"
GOOD = HEADER + (
    "la,330,2026,cpp_repeat,value,21.4,150,701,percent,,DfE Children in need 2026 (EES table D3),CIN 2026 release\n"
    "la,805,2026,cpp_repeat,value,,,,percent,c,DfE Children in need 2026 (EES table D3),CIN 2026 release\n"
    "england,E92000001,2026,cpp_repeat,value,24.1,15000,62240,percent,,DfE Children in need 2026 (EES table D3),"
    "CIN 2026 release\n"
    "region,E12000001,2025,offences_against_children_rate,value,55.5,,,per_10k,,Police recorded crime extract,"
    "2025 extract\n"
)


@pytest.fixture
def loaded(reference_copy):
    return reference_copy


@pytest.fixture
def q(store):
    return store.query  # tests/conftest.py: a read-only query of a store


def test_load_prints_each_source(munro, tmp_path, q):
    db = tmp_path / "new.duckdb"
    r = munro("--db", db, "reference", "load")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any(line.startswith("DfE Children in need 2025 (EES table C4): 31,980 rows, 4 items, "
                               "years 2012-13 to 2024-25")
               for line in lines)
    assert any(line.startswith("LAIT: ") for line in lines)
    assert "  dropped 170: CINPermExclusion rows for year '0', which is not a year" in lines
    assert lines[-2] == "statistical neighbours: 2021 model 156 LAs, 2025 model 153 LAs"
    total = int(lines[-1].removeprefix("total: ").removesuffix(" benchmark rows").replace(",", ""))
    assert q(db, "SELECT count(*) FROM benchmark") == [(total,)]


def test_import_a_user_csv(munro, loaded, write, q):
    path = write("newer.csv", GOOD)
    r = munro("--db", loaded, "reference", "import", path, "--layout", "benchmark-csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ("newer.csv: 4 rows imported; years 2024-25 to 2025-26; items: "
                                "cpp_repeat (3), offences_against_children_rate (1)")
    got = q(loaded, "SELECT area_name, value, numerator, denominator, symbol, source, vintage, measure FROM benchmark "
                   "WHERE item_id = 'cpp_repeat' AND year = 2026 ORDER BY area_code")
    src = "user import newer.csv: DfE Children in need 2026 (EES table D3)"
    assert got == [("Birmingham", 21.4, 150, 701, None, src, "CIN 2026 release", "row 2 of newer.csv"),
                   ("Hartlepool", None, None, None, "c", src, "CIN 2026 release", "row 3 of newer.csv"),
                   ("England", 24.1, 15000, 62240, None, src, "CIN 2026 release", "row 4 of newer.csv")]
    assert q(loaded, "SELECT area_name, value FROM benchmark WHERE item_id = 'offences_against_children_rate'") == \
        [("North East", 55.5)]


BIRMINGHAM_2026 = "SELECT value FROM benchmark WHERE area_code = '330' AND year = 2026 AND item_id = 'cpp_repeat'"


def test_import_again_replaces_and_reload_keeps_it(munro, loaded, write, q):
    path = write("newer.csv", GOOD)
    assert munro("--db", loaded, "reference", "import", path, "--layout", "benchmark-csv").returncode == 0
    # The same file name with one row changed and one left out: the file's rows are replaced.
    path.write_text(GOOD.replace("21.4,150,701", "22.0,154,700").replace(GOOD.splitlines()[4] + "\n", ""))
    r = munro("--db", loaded, "reference", "import", path, "--layout", "benchmark-csv")
    assert r.returncode == 0, r.stderr
    assert "replacing 4 rows of an earlier import of it" in r.stdout
    assert q(loaded, "SELECT count(*) FROM benchmark WHERE source LIKE 'user import newer.csv:%'") == [(3,)]
    assert q(loaded, BIRMINGHAM_2026) == [(22.0,)]
    packaged = q(loaded, "SELECT count(*) FROM benchmark WHERE source NOT LIKE 'user import%'")
    assert munro("--db", loaded, "reference", "load").returncode == 0
    assert q(loaded, BIRMINGHAM_2026) == [(22.0,)]
    assert q(loaded, "SELECT count(*) FROM benchmark WHERE source NOT LIKE 'user import%'") == packaged


BAD = HEADER + (
    "la,330,2026,cpp_repeat,value,21.4,150,701,percent,,Mine,v1\n"  # row 2: good
    "la,330,twenty,cpp_repeat,value,21.4,150,701,percent,,Mine,v1\n"  # row 3: year
    "la,909,2025,cpp_repeat,value,21.4,150,701,percent,,Mine,v1\n"  # row 4: Cumbria was gone by 2025
    "la,330,2025,cpp_repeat,value,21.4,150,701,percentage,,Mine,v1\n"  # row 5: unit
    "la,330,2024,cpp_repeat,value,c,,,percent,,Mine,v1\n"  # row 6: a symbol in the value column
    "la,330,2023,cpp_repeat,value,,,,percent,,Mine,v1\n"  # row 7: empty value with no symbol
    "la,330,2022,cpp_repat,value,21.4,,,percent,,Mine,v1\n"  # row 8: unknown item
    "la,330,2021,cpp_repeat,value,21.4,,,percent,,LAIT,v1\n"  # row 9: a packaged source's name
)


def test_a_bad_csv_loads_nothing_and_names_file_row_and_column(munro, loaded, write, q):
    path = write("bad.csv", BAD)
    before = q(loaded, "SELECT count(*), sum(hash(b)::HUGEINT) FROM benchmark b")
    r = munro("--db", loaded, "reference", "import", path, "--layout", "benchmark-csv")
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"munro: {path}: row 3, column year: 'twenty' is not a reporting year")
    assert lines[1].startswith(f"{path}: row 4, column area_code: LA 909 (Cumbria) did not exist in 2024-25 "
                            "(its years: until 2022-23)")
    assert lines[2].startswith(f"{path}: row 5, column unit: 'percentage' is not one of percent")
    assert lines[3].startswith(f"{path}: row 6, column value: 'c' is not a number")
    assert lines[4].startswith(f"{path}: row 7, column value: empty")
    assert lines[5].startswith(f"{path}: row 8, column item_id: unknown item id 'cpp_repat'")
    assert lines[6].startswith(f"{path}: row 9, column source: 'LAIT' is the name of a packaged source")
    assert lines[7:] == ["nothing was loaded"]
    assert q(loaded, "SELECT count(*), sum(hash(b)::HUGEINT) FROM benchmark b") == before


def test_a_wrong_header_is_one_line(munro, loaded, write, q):
    path = write("header.csv", HEADER.replace("vintage", "release") + "la,330,2026,x,y,1,,,count,,a,b\n")
    r = munro("--db", loaded, "reference", "import", path, "--layout", "benchmark-csv")
    assert r.returncode == 2
    assert r.stderr.strip() == (f"munro: {path}: row 1 (header): missing column(s) vintage; unknown column(s) "
                                f"release (the benchmark-csv layout has area_level, area_code, year, item_id, "
                                f"figure, value, numerator, denominator, unit, symbol, source, vintage)")


def test_import_into_a_new_store_loads_the_packaged_statistics_too(munro, tmp_path, write, q):
    db = tmp_path / "new.duckdb"
    path = write("newer.csv", GOOD)
    assert munro("--db", db, "reference", "import", path, "--layout", "benchmark-csv").returncode == 0
    assert q(db, "SELECT count(*) FROM benchmark WHERE source = 'LAIT'")[0][0] > 60_000
    assert q(db, "SELECT count(*) FROM benchmark WHERE source LIKE 'user import newer.csv:%'") == [(4,)]


def test_the_layout_is_required(munro, loaded, write, q):
    r = munro("--db", loaded, "reference", "import", write("x.csv", GOOD))
    assert r.returncode == 2
    assert "Missing option '--layout'" in r.stderr
