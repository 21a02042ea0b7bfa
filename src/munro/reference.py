"""Reference data packaged with munro: local authorities and ONS 0-17 populations.

The files under ``munro/data/`` are copies of ``shared/reference/`` (each
folder keeps its SOURCES.md), so munro runs where it is installed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import MunroError

POPULATION_FILE = "population/ons_mid-year_population_estimates_2012_to_2024.csv"
POPULATION_VINTAGE = "ONS mid-year estimates 2012-2024, 2021-Census-based series (DfE CIN release)"


@dataclass(frozen=True)
class LocalAuthority:
    code: str  # 3-digit DfE code, as in the CIN census LEA element
    gss_code: str
    name: str
    region_code: str
    region_name: str


def _rows(name: str):
    with resources.files("munro.data").joinpath(name).open(newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


@lru_cache(maxsize=1)
def local_authorities() -> dict[str, LocalAuthority]:
    return {
        r["old_la_code"]: LocalAuthority(
            r["old_la_code"], r["new_la_code"], r["la_name"], r["region_code"], r["region_name"]
        )
        for r in _rows("local_authorities/english_las_dfe_codes.csv")
    }


def local_authority(code: str) -> LocalAuthority:
    try:
        return local_authorities()[code]
    except KeyError:
        raise MunroError(f"unknown local authority code {code!r} (expected a 3-digit DfE code such as 330)") from None


@lru_cache(maxsize=1)
def _population() -> dict[tuple[str, int], int]:
    out = {}
    for r in _rows(POPULATION_FILE):
        if r["geographic_level"] == "Local authority" and r["population_estimate"].isdigit():
            out[(r["old_la_code"], int(r["time_period"]))] = int(r["population_estimate"])
        elif r["geographic_level"] == "National":
            out[("england", int(r["time_period"]))] = int(r["population_estimate"])
    return out


def child_population(la_code: str, reporting_year: int) -> int | None:
    """ONS estimate of children aged 0-17 for reporting year Y (mid-year Y-1), or None.

    ``la_code`` may be ``"england"``.
    """
    return _population().get((la_code, reporting_year - 1))


def latest_child_population(la_code: str, reporting_year: int) -> tuple[int, int] | None:
    """The population for the year, else the nearest earlier published one: (population, mid-year)."""
    pop = _population()
    for mid_year in range(reporting_year - 1, 2011, -1):
        if (la_code, mid_year) in pop:
            return pop[(la_code, mid_year)], mid_year
    earliest = min((y for (la, y) in pop if la == la_code), default=None)
    return (pop[(la_code, earliest)], earliest) if earliest is not None else None
