"""The reference loader: the packaged published statistics in the store's benchmark tables.

Expected values are read off the packaged files by hand (the lines are quoted in
comments) or, for the rate check, straight from the published CSVs with the csv
module, never from munro.benchmark.
"""

from __future__ import annotations

import csv
from importlib import resources

import duckdb
import pytest

from munro.benchmark import reference
from munro.benchmark.reference import ensure_reference, load_reference

ENGLAND = "E92000001"


@pytest.fixture
def loaded(reference_load):
    return reference_load


def rows(db, sql, params=None):
    # tests/conftest.py's query(), which a test in a subfolder cannot import by name: the
    # subfolders' own conftest modules take the name "conftest".
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()



def fig(db, code, year, item, figure, source_like="DfE Children in need 2025%"):
    """(value, numerator, denominator, symbol) of one benchmark row; AssertionError if not exactly one."""
    found = rows(db, "SELECT value, numerator, denominator, symbol FROM benchmark WHERE area_code = ? AND year = ? "
                     "AND item_id = ? AND figure = ? AND source LIKE ?", [code, year, item, figure, source_like])
    assert len(found) == 1, (code, year, item, figure, found)
    return found[0]


def data_csv(path):
    with resources.files("munro.data").joinpath(path).open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- published rates reproduced

# LAIT measure -> the item whose rate munro works out from an EES count and the population file.
LAIT_RATES = {"CIN": "cin_rate", "CPP_rate": "cpp_rate", "CPP_Total_Rateper10,000": "referral_rate",
              "Section_47": "s47_rate", "ISCP_Conf": "icpc_rate", "CPP_Abuse_Rate": "cpp_starts_by_category"}
# Why a published rate may differ from count / population(mid Y-1) x 10,000 beyond its rounding.
VINTAGE = ("the 2024 release divided by ONS mid-2022 and mid-2023 estimates that ONS revised afterwards; "
           "the packaged population file (2025 release) has the revised ones")


def _published_rates():
    """(publisher, LA, year, item) -> rate, every LA rate published in the packaged files."""
    out = {}
    for r in data_csv("lait/lait_bds_selected_measures.csv"):
        if r["measure_short"] in LAIT_RATES and r["value"] != "-" and r["old_la_code"] < "970":
            out[("LAIT", r["old_la_code"], int(r["year"]), LAIT_RATES[r["measure_short"]])] = float(r["value"])
    for r in data_csv("cin_published_stats/b1_children_in_need_2013_to_2024_with_rates.csv"):
        if r["geographic_level"] == "Local authority" and r["At31_episodes_rate"] not in ("c", "x", "z", "u", ":"):
            out[("DfE 2024 release", r["old_la_code"], int(r["time_period"]), "cin_rate")] = \
                float(r["At31_episodes_rate"])
    return out


def test_loader_reproduces_the_published_rates(loaded):
    db, _ = loaded
    ours = {(code, year, item): v for code, year, item, v in rows(
        db, "SELECT area_code, year, item_id, value FROM benchmark WHERE area_level = 'la' AND figure = 'value' "
            "AND unit = 'per_10k' AND source LIKE 'DfE Children in need 2025%' AND value IS NOT NULL")}
    pairs = {k: (ours[k[1:]], v) for k, v in _published_rates().items() if k[1:] in ours}
    # Published rates are rounded to 1 decimal place: within 0.05 is a match.
    exceptions = {k: v for k, v in pairs.items() if abs(v[0] - v[1]) > 0.05 + 1e-9}
    reasons = {k: VINTAGE for k in exceptions if k[0] == "DfE 2024 release" and k[2] in (2023, 2024)}
    unexplained = sorted(set(exceptions) - set(reasons))
    assert not unexplained, f"rates that differ with no known reason: {unexplained[:20]}"
    assert len(pairs) > 9000  # every LA and year with a count, a population and a published rate
    comparable = len(pairs) - len(reasons)
    match = (comparable - len(set(exceptions) - set(reasons))) / comparable
    assert match >= 0.98
    # The exceptions, listed: the whole of the 2024 release's 2023 and 2024 CIN rates, and nothing else.
    assert {(k[0], k[2]) for k in reasons} == {("DfE 2024 release", 2023), ("DfE 2024 release", 2024)}
    assert len(reasons) == 300
    # England 2024 shows the size of the revision: 399,460 children / 12,059,476 = 331.2 in the
    # packaged series; the 2024 release published 332.9.
    assert fig(db, ENGLAND, 2024, "cin_rate", "value", "DfE Children in need 2024%")[0] == 332.9
    assert fig(db, ENGLAND, 2024, "cin_rate", "value")[0] == pytest.approx(399460 / 12059476 * 10_000)


# ---------------------------------------------------------------- figures, worked out by hand


def test_c4_england_2025(loaded):
    # c4 ...,2025,National,...,230590,195250,72100,71070,6240,52430,6430,6990,13,14,15 ; population 2024 12183016
    db, _ = loaded
    item = "s47_to_icpc_timeliness"
    assert [fig(db, ENGLAND, 2025, item, f"band:{b}")[0] for b in ("0_10", "11_15", "16_20", "21_plus")] == \
        [6240, 52430, 6430, 6990]
    assert [fig(db, ENGLAND, 2025, item, f)[0] for f in ("p25", "median", "p75")] == [13, 14, 15]
    assert fig(db, ENGLAND, 2025, item, "within_15")[0] == 58670
    assert fig(db, ENGLAND, 2025, item, "count")[0] == 72090
    assert fig(db, ENGLAND, 2025, item, "value")[:3] == (pytest.approx(58670 / 72090 * 100), 58670, 72090)
    assert fig(db, ENGLAND, 2025, "s47_rate", "value")[:3] == (pytest.approx(230590 / 12183016 * 1e4), 230590,
                                                                12183016)
    assert fig(db, ENGLAND, 2025, "icpc_rate", "count")[0] == 72100
    assert fig(db, ENGLAND, 2025, "s47_to_icpc_conversion", "crude")[0] == pytest.approx(72100 / 230590 * 100)


def test_c1_d3_d5_b1_england_2025(loaded):
    # c1: 632830,142900,22.6,41340,6.5,194620,30.8 ; d3: 61840,15130,24.5 ; d5: CPP_At31 49420, 2y+ 1130 2.3
    db, _ = loaded
    assert fig(db, ENGLAND, 2025, "rereferral_12m", "value")[:3] == (22.6, 142900, 632830)
    assert fig(db, ENGLAND, 2025, "referral_outcome", "group:nfa")[:3] == (6.5, 41340, 632830)
    assert fig(db, ENGLAND, 2025, "referral_outcome", "group:not_in_need")[:3] == (30.8, 194620, 632830)
    service = 632830 - 41340 - 194620
    assert fig(db, ENGLAND, 2025, "referral_outcome", "value")[:3] == (pytest.approx(service / 632830 * 100),
                                                                      service, 632830)
    assert fig(db, ENGLAND, 2025, "cpp_repeat", "value")[:3] == (24.5, 15130, 61840)
    assert fig(db, ENGLAND, 2025, "cpp_lasting_2y", "open_2y")[:3] == (2.3, 1130, 49420)
    # The research note's anchor: 402,400 / 12,183,016 x 10,000 = 330.3
    assert round(fig(db, ENGLAND, 2025, "cin_rate", "value")[0], 1) == 330.3


def test_section_3_sources(loaded):
    db, _ = loaded
    # csww 2025 (census 30 September 2025 -> reporting year 2026): inpost_fte 36186.3, vacancy_fte 5965.4, 14.2
    assert fig(db, ENGLAND, 2026, "sw_vacancy_rate", "value", "DfE Children's social work%")[:3] == \
        (14.2, 5965.4, pytest.approx(5965.4 + 36186.3))
    # LAIT Work_Force_Vac_Rate,2025,England,970,NA,14.2: the same census, filed under 2026 too
    assert fig(db, ENGLAND, 2026, "sw_vacancy_rate", "value", "LAIT")[0] == 14.2
    # ks2 202425 National CINO: t_rwm_eligible 10480, met 3160, 30 %
    assert fig(db, ENGLAND, 2025, "cin_attainment", "value", "DfE Outcomes%")[:3] == (30, 3160, 10480)
    # absence 202425 National CPPO Total: pt_overall 21.8
    assert fig(db, ENGLAND, 2025, "cin_absence", "overall:cppo", "DfE Outcomes%")[0] == 21.8
    # Fingertips England 2023/24: 72.71223, count 72293, denominator 9942344
    assert fig(db, ENGLAND, 2024, "injury_admissions_rate", "value", "OHID%")[:3] == (72.71223, 72293, 9942344)
    # LAIT CareApplications,2024,England,970,NA,9.1999999999999993: the float artefact cleaned
    assert fig(db, ENGLAND, 2024, "court_applications_rate", "value", "LAIT")[0] == 9.2
    # LAIT CINTotalAb_3Term,2025,England: 17.399999999999999
    assert fig(db, ENGLAND, 2025, "cin_absence", "value", "LAIT")[0] == 17.4


def test_lait_year_zero_dropped_with_a_note(loaded):
    db, summary = loaded
    (lait,) = [s for s in summary.sources if s.source == "LAIT"]
    assert lait.dropped["CINPermExclusion rows for year '0', which is not a year"] == 170
    assert rows(db, "SELECT count(*) FROM benchmark WHERE year < 2000") == [(0,)]


# ---------------------------------------------------------------- suppression


def test_a_suppressed_cell_is_null_never_zero(loaded):
    # c4 2025 Hartlepool 805: ...,948,772,304,294,c,287,7,c,14,14,15
    db, _ = loaded
    item = "s47_to_icpc_timeliness"
    assert fig(db, "805", 2025, item, "band:0_10") == (None, None, None, "c")
    assert fig(db, "805", 2025, item, "band:21_plus") == (None, None, None, "c")
    assert fig(db, "805", 2025, item, "band:11_15")[0] == 287
    # What is worked out from a suppressed cell is suppressed too, not a sum with 0 in it.
    for figure in ("within_15", "count", "value"):
        assert fig(db, "805", 2025, item, figure)[0] is None
        assert fig(db, "805", 2025, item, figure)[3] == "c"
    assert fig(db, "805", 2025, item, "median")[0] == 14


def test_every_suppressed_c4_band_is_null(loaded):
    db, _ = loaded
    stored = {(c, y, f): (v, s) for c, y, f, v, s in rows(
        db, "SELECT area_code, year, figure, value, symbol FROM benchmark WHERE item_id = 's47_to_icpc_timeliness' "
            "AND source LIKE 'DfE%' AND figure LIKE 'band:%'")}
    columns = {"0_10": "Duration_0-10_days", "11_15": "Duration_11-15_days", "16_20": "Duration_16-20_days",
               "21_plus": "Duration_21+_days"}
    checked = 0
    for r in data_csv("cin_published_stats/c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"):
        for band, column in columns.items():
            if r[column] in ("c", "x", "z", "u", ":"):
                got = stored.get((r["old_la_code"], int(r["time_period"]), f"band:{band}"))
                if got is not None:  # an LA row of a year the LA existed
                    assert got == (None, "x" if r[column] == ":" else r[column])
                    checked += 1
    assert checked > 400


def test_symbols_only_with_null_values_except_u(loaded):
    db, _ = loaded
    assert rows(db, "SELECT count(*) FROM benchmark WHERE symbol IN ('c', 'x', 'z', 'low') AND value IS NOT NULL") \
        == [(0,)]
    assert rows(db, "SELECT count(*) FROM benchmark WHERE value IS NULL AND symbol IS NULL") == [(0,)]
    # LAIT's '-' is 'x': Cumberland 942 had no CIN rate in 2023 (LAIT: CIN,2023,Cumberland,942,...,-),
    # and that row is not even there, as Cumberland did not exist until 2024.
    assert rows(db, "SELECT count(*) FROM benchmark WHERE area_code = '942' AND year < 2024") == [(0,)]


# ---------------------------------------------------------------- areas


def test_england_and_regions_present_every_year(loaded):
    db, _ = loaded
    regions = {f"E1200000{i}" for i in range(1, 10)} | {"E13000001", "E13000002"}
    for year in range(2013, 2026):
        areas = {(lvl, code) for lvl, code in rows(
            db, "SELECT area_level, area_code FROM benchmark WHERE item_id = 'cpp_rate' AND figure = 'value' "
                "AND year = ? AND source LIKE 'DfE Children in need 2025%' AND area_level <> 'la'", [year])}
        assert areas == {("england", ENGLAND)} | {("region", r) for r in regions}, year
    # LAIT's region numbers: 987 is Inner London (LAIT: CIN,2025,London (Inner),987,...)
    assert rows(db, "SELECT area_name FROM benchmark WHERE source = 'LAIT' AND area_code = 'E13000001' "
                    "AND item_id = 'cin_rate' AND year = 2025") == [("Inner London",)]


SUCCESSION = {"909": ("942", "943"), "928": ("940", "941"), "835": ("838", "839"), "836": ("839",),
              "837": ("839",)}


def test_a_historic_la_is_never_counted_with_its_successors(loaded):
    db, _ = loaded
    held = rows(db, "SELECT DISTINCT source, item_id, figure, year, area_code FROM benchmark WHERE area_level = 'la'")
    by_key = {}
    for source, item, figure, year, code in held:
        by_key.setdefault((source, item, figure, year), set()).add(code)
    for key, codes in by_key.items():
        for old, new in SUCCESSION.items():
            assert not (old in codes and codes & set(new)), (key, old, codes & set(new))


def test_cumbria_and_its_successors_by_hand(loaded):
    db, _ = loaded
    # b1 2023: Cumbria 909 ... At31_episodes 2727; 2024: Cumberland 942 and Westmorland and Furness 943
    assert fig(db, "909", 2023, "cin_rate", "count")[0] == 2727
    codes = {y: {c for (c,) in rows(db, "SELECT area_code FROM benchmark WHERE item_id = 'cin_rate' AND figure = "
                                        "'count' AND year = ? AND source LIKE 'DfE Children in need 2025%' AND "
                                        "area_code IN ('909', '942', '943')", [y])} for y in (2023, 2024)}
    assert codes == {2023: {"909"}, 2024: {"942", "943"}}
    # LAIT has Cafcass figures for Northamptonshire 928 after its split (CareApplications,2022,...,928,...,8.9):
    # they are not loaded, and the drop is reported.
    assert rows(db, "SELECT count(*) FROM benchmark WHERE area_code = '928' AND year > 2021") == [(0,)]


def test_the_summary_reports_the_drops(loaded):
    _, summary = loaded
    (lait,) = [s for s in summary.sources if s.source == "LAIT"]
    assert lait.dropped["figures of LA 928 (Northamptonshire) for years it did not exist"] == 4
    (wf,) = [s for s in summary.sources if s.source.startswith("DfE Children's social work")]
    assert wf.dropped["LA code '314 / 318' is not one English LA (e.g. a joint return)"] == 9
    text = "\n".join(summary.lines())
    assert "LAIT: " in text and "statistical neighbours: 2021 model 156 LAs, 2025 model 153 LAs" in text


# ---------------------------------------------------------------- statistical neighbours


def sn(db, model, la):
    return rows(db, "SELECT rank, neighbour_code, closeness FROM statistical_neighbours WHERE model = ? AND "
                    "la_code = ? ORDER BY rank", [model, la])


def test_statistical_neighbours_by_hand(loaded):
    db, _ = loaded
    # sn_model_2025_wide.csv: 301,Barking and Dagenham,3,London,308,Close ,821,Close ,313,Close ,333,Somewhat close,
    # 336,...,307,...,304,...,312,...,874,...,203,Somewhat close
    assert sn(db, "2025", "301") == [(1, "308", "Close"), (2, "821", "Close"), (3, "313", "Close"),
                                     (4, "333", "Somewhat close"), (5, "336", "Somewhat close"),
                                     (6, "307", "Somewhat close"), (7, "304", "Somewhat close"),
                                     (8, "312", "Somewhat close"), (9, "874", "Somewhat close"),
                                     (10, "203", "Somewhat close")]
    # New_Statistical_Neighbour_Groupings_April_2021.csv: 202,Camden,202,3,London (Inner),213,Very Close,205,Close,
    # 207,Close,206,Close,212,Somewhat close,352,Not Close,203,Not Close,870,Not Close,309,Not Close,302,Not Close
    assert [n for _, n, _ in sn(db, "2021", "202")] == ["213", "205", "207", "206", "212", "352", "203", "870",
                                                        "309", "302"]
    assert [c for _, _, c in sn(db, "2021", "202")][:2] == ["Very Close", "Close"]
    # The 2021 model's "Old SNs" block: 928,Northamptonshire,928,1,East Midlands,886,Very Close,891,...,887
    assert [n for _, n, _ in sn(db, "2021", "928")] == ["886", "891", "866", "860", "830", "881", "937", "885",
                                                        "888", "887"]
    assert sn(db, "2025", "928") == []  # gone by 2025
    assert rows(db, "SELECT model, count(DISTINCT la_code), count(*) FROM statistical_neighbours GROUP BY model "
                    "ORDER BY model") == [("2021", 156, 1560), ("2025", 153, 1530)]


# ---------------------------------------------------------------- loading again, first use, atomicity


def _tables(db):
    """Each table's row count and a checksum of its rows (a changed, added or lost row changes it)."""
    out = {t: rows(db, f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {t} t")
           for t in ("benchmark", "statistical_neighbours")}
    # loaded_at is the time of the load: everything else must be the same
    out["benchmark_loads"] = rows(db, "SELECT source, file, sha256, rows FROM benchmark_loads ORDER BY ALL")
    return out


def test_reload_is_idempotent(tmp_path):
    db = tmp_path / "store.duckdb"
    first = load_reference(db)
    before = _tables(db)
    second = load_reference(db)
    assert _tables(db) == before
    assert first.rows == second.rows == before["benchmark"][0][0]


def test_ensure_loads_once(tmp_path, monkeypatch):
    db = tmp_path / "store.duckdb"
    assert ensure_reference(db) is not None
    calls = []
    monkeypatch.setattr(reference, "load_reference", lambda con: calls.append(con))
    assert ensure_reference(db) is None
    assert calls == []


def test_a_failed_load_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    db = tmp_path / "store.duckdb"
    load_reference(db)
    before = _tables(db)
    real = reference._insert_arrow

    def fail_on_neighbours(con, table, *a, **k):
        if table == "statistical_neighbours":  # after the benchmark rows were replaced
            raise RuntimeError("disk full")
        return real(con, table, *a, **k)

    monkeypatch.setattr(reference, "_insert_arrow", fail_on_neighbours)
    with pytest.raises(RuntimeError, match="disk full"):
        load_reference(db)
    assert _tables(db) == before


def test_a_historic_la_is_named_with_its_last_year(loaded):
    db, _ = loaded
    # Dorset 835 (to 2019) and Dorset 838 (from 2020) share a name
    assert rows(db, "SELECT DISTINCT area_name FROM benchmark WHERE area_code = '835'") == [("Dorset (until 2018-19)",)]
    assert rows(db, "SELECT DISTINCT area_name FROM benchmark WHERE area_code = '838'") == [("Dorset",)]


def test_every_headline_is_in_its_items_unit(loaded):
    from munro.indicators.catalogue import item

    db, _ = loaded
    for item_id, unit in rows(db, "SELECT DISTINCT item_id, unit FROM benchmark WHERE figure = 'value'"):
        assert unit == item(item_id).unit, item_id


def test_every_lait_measure_mapped_is_loaded(loaded):
    from munro.benchmark.lait import MEASURES

    db, _ = loaded
    held = {m for (m,) in rows(db, "SELECT DISTINCT split_part(measure, ' (', 1) FROM benchmark WHERE source = 'LAIT'")}
    # CPP_Total_Rateper10,000 has a comma in its name: quoted in the CSV
    assert held == set(MEASURES)


def test_ensure_reloads_when_munro_packages_newer_files(tmp_path, monkeypatch):
    db = tmp_path / "store.duckdb"
    load_reference(db)
    real = reference._sha256
    # A newer munro whose LAIT file differs from the one this store was loaded from:
    monkeypatch.setattr(reference, "_sha256", lambda f: "0" * 64 if f.startswith("lait/") else real(f))
    assert ensure_reference(db) is not None
    assert ensure_reference(db) is None
    assert rows(db, "SELECT sha256 FROM benchmark_loads WHERE file LIKE '%lait%'") == [("0" * 64,)]
