"""What every packaged source reader shares: the files, their areas, and one row per figure.

A reader is given a :class:`Source` and yields ``Row``s; the source counts
what it dropped and why, which ``munro reference load`` prints.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

from . import geography
from .layouts import Row, cell

# Where the files were copied from (each folder's SOURCES.md has the details).
EES_VIA = "dfe-analytical-services/CSC_outcomes_and_enablers@2f5d11a"
LAIT_VIA = "dfe-analytical-services/local-authority-interactive-tool@2e30e39 (2026-04-08)"


@dataclass
class Source:
    name: str  # the benchmark rows' source
    files: tuple[str, ...]  # paths under munro/data/
    vintage: str
    dropped: Counter = field(default_factory=Counter)  # reason -> rows

    def open(self, path: str):
        return resources.files("munro.data").joinpath(path).open(newline="", encoding="utf-8-sig")

    def drop(self, reason: str, n: int = 1) -> None:
        self.dropped[reason] += n


def ees_area(src: Source, r: dict, year: int) -> tuple[str, str] | None:
    """(level, code) of an EES tidy row; None (counted) for an LA row outside the LA's years or unknown."""
    level = r["geographic_level"]
    if level == "National":
        return "england", geography.ENGLAND
    if level == "Regional":
        if r["region_code"] in geography.REGIONS:
            return "region", r["region_code"]
        src.drop(f"region rows with a code that is not an ONS region ({r['region_code']!r})")
        return None
    if level != "Local authority":
        src.drop(f"{level} rows (not an England, region or LA figure)")
        return None
    return la_area(src, r["old_la_code"], year, _has_figure(r))


_EES_AREA = {"time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
             "region_name", "old_la_code", "new_la_code", "la_name"}


def _has_figure(r: dict) -> bool:
    """Whether an EES row holds any number (EES lists some LAs with 'x' before they existed)."""
    return any(k not in _EES_AREA and v and v[0].isdigit() for k, v in r.items())


def la_area(src: Source, code: str, year: int, has_value: bool = False) -> tuple[str, str] | None:
    code = code.strip()
    if geography.la_years(code) is None:
        src.drop(f"LA code {code!r} is not one English LA (e.g. a joint return)")
        return None
    if not geography.la_exists(code, year):
        if has_value:  # a figure for an area back-cast or kept after a reorganisation: it would count twice
            src.drop(f"figures of LA {code} ({geography.la_name(code)}) for years it did not exist")
        else:
            src.drop("empty LA rows for a year the LA did not exist")
        return None
    return "la", code


class Emit:
    """Rows of one area and year of a source: ``figure(...)`` adds one, a suppressed input gives a NULL value."""

    def __init__(self, src: Source, level: str, code: str, year: int, vintage: str | None = None):
        self.src, self.level, self.code, self.year = src, level, code, year
        self.vintage = vintage or src.vintage
        self.rows: list[Row] = []

    def figure(self, item: str, figure: str, unit: str, value: tuple, measure: str,
               numerator: float | None = None, denominator: float | None = None) -> None:
        v, symbol = value
        self.rows.append(Row(self.level, self.code, geography.area_name(self.level, self.code), self.year,
                             item, figure, v, numerator, denominator, unit, symbol, self.src.name,
                             self.vintage, measure))

    def population(self) -> tuple[float | None, str | None]:
        p = geography.population(self.level, self.code, self.year)
        return (float(p), None) if p is not None else (None, "x")


def read(r: dict, column: str) -> tuple[float | None, str | None]:
    return cell(r[column])


def ratio(num: tuple, den: tuple, scale: float) -> tuple[float | None, str | None]:
    """num / den x scale as published: a missing input gives its symbol (a 0 denominator 'z'), never 0."""
    if num[0] is None:
        return None, num[1]
    if den[0] is None:
        return None, den[1]
    if den[0] == 0:
        return None, "z"
    return num[0] / den[0] * scale, None


def total(*parts: tuple) -> tuple[float | None, str | None]:
    for v, s in parts:
        if v is None:
            return None, s
    return sum(v for v, _ in parts), None


def rows_of(src: Source, path: str):
    with src.open(path) as f:
        yield from csv.DictReader(f)
