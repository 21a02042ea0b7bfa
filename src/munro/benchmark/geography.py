"""Areas of the published statistics: England, regions, and LAs with their years.

A benchmark row is for England (``E92000001``), an ONS region (``E12...``, and
Inner/Outer London ``E13000001/2`` where published) or an LA under its 3-digit
DfE code. LAs that were merged or split keep their own codes, and each code is
used only in the reporting years it existed: Bournemouth 837, Poole 836 and
Dorset 835 until 2019 (BCP 839 and Dorset 838 from 2020), Northamptonshire 928
until 2021 (940 and 941 from 2022), Cumbria 909 until 2023 (942 and 943 from
2024). North Yorkshire 815 and Somerset 933 kept their codes when they became
unitary. The years come from the packaged ONS population file, which holds
every code for exactly the mid-years it existed (reporting year Y = mid-year
Y-1), so one file decides both rates and geography and they cannot disagree.
A row for a code outside its years (LAIT lists abolished and future LAs in
every year, Fingertips back-casts the 2023 geography) is dropped, so no year
ever counts an LA together with its predecessor or successor.
"""

from __future__ import annotations

import csv
from functools import cache, lru_cache
from importlib import resources

from ..reference import POPULATION_FILE, local_authorities
from ..years import year_label

ENGLAND = "E92000001"
REGIONS = {
    "E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
    "E12000007": "London", "E12000008": "South East", "E12000009": "South West",
    "E13000001": "Inner London", "E13000002": "Outer London",
}
# LAIT numbers England and the regions like LAs (old_la_code 970, 980-990).
LAIT_AREAS = {
    "970": ("england", ENGLAND), "980": ("region", "E12000001"), "981": ("region", "E12000002"),
    "982": ("region", "E12000003"), "983": ("region", "E12000004"), "984": ("region", "E12000005"),
    "985": ("region", "E12000006"), "986": ("region", "E12000007"), "987": ("region", "E13000001"),
    "988": ("region", "E13000002"), "989": ("region", "E12000008"), "990": ("region", "E12000009"),
}


@lru_cache(maxsize=1)
def _population_rows() -> dict[tuple[str, str, int], int | None]:
    """(level, code, mid-year) -> ONS 0-17 estimate, for England, regions and LAs.

    None where the row is there but the estimate is not ('x': Bournemouth, Poole
    and the old Dorset have no 2021-Census-based estimates); the row still says
    the LA existed that year.
    """
    out = {}
    with resources.files("munro.data").joinpath(POPULATION_FILE).open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            level = r["geographic_level"]
            key = {"National": ("england", ENGLAND), "Regional": ("region", r["region_code"]),
                   "Local authority": ("la", r["old_la_code"])}.get(level)
            if key:
                text = r["population_estimate"]
                out[(*key, int(r["time_period"]))] = int(text) if text.isdigit() else None
    return out


def population(level: str, code: str, year: int) -> int | None:
    """The ONS 0-17 estimate a DfE rate for reporting year ``year`` divides by (mid-year Y-1)."""
    return _population_rows().get((level, code, year - 1))


@lru_cache(maxsize=1)
def _la_mid_years() -> dict[str, tuple[int, int]]:
    spans: dict[str, list[int]] = {}
    for level, code, mid in _population_rows():
        if level == "la":
            spans.setdefault(code, []).append(mid)
    return {code: (min(m), max(m)) for code, m in spans.items()}


@lru_cache(maxsize=1)
def _series() -> tuple[int, int]:
    mids = [mid for level, _, mid in _population_rows() if level == "england"]
    return min(mids), max(mids)


def la_years(code: str) -> tuple[int | None, int | None] | None:
    """First and last reporting year of an LA code (None: open before or after the series); None if unknown.

    A code present from the series' first mid-year is taken to exist before it
    (health data start in 2010-11), and one present at its last mid-year to go on.
    """
    span = _la_mid_years().get(code)
    if span is None:
        return None
    first, last = _series()
    return (None if span[0] == first else span[0] + 1, None if span[1] == last else span[1] + 1)


@cache
def la_exists(code: str, year: int) -> bool:
    years = la_years(code)
    if years is None:
        return False
    first, last = years
    return (first is None or year >= first) and (last is None or year <= last)


def la_name(code: str) -> str:
    la = local_authorities().get(code)
    return la.name if la else code


def area_la_name(code: str) -> str:
    """An LA's name in benchmark rows: one that no longer exists says until when ("Dorset (until
    2019)", code 835), since its successor may have the same name (Dorset 838)."""
    years = la_years(code)
    return f"{la_name(code)} (until {year_label(years[1])})" if years and years[1] is not None else la_name(code)


def area_name(level: str, code: str) -> str:
    if level == "england":
        return "England"
    if level == "region":
        return REGIONS[code]
    return area_la_name(code)


@lru_cache(maxsize=1)
def la_by_gss() -> dict[str, str]:
    """ONS (GSS) code -> DfE code, old and new ONS codes alike (North Yorkshire, Somerset ...)."""
    with resources.files("munro.data").joinpath("local_authorities/english_las_dfe_codes.csv").open(
            newline="", encoding="utf-8") as f:
        return {r["new_la_code"]: r["old_la_code"] for r in csv.DictReader(f)}
