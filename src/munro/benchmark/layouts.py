"""The benchmark table's rows, the GSS symbols, and the CSV layouts a user can import.

``benchmark-csv`` (docs/benchmarks.md, "Import layouts") is the table's own
shape as a CSV, so a user can add a year DfE published after this release, or
the figures of a definitions.md section 3 item munro has no file for, without
waiting for munro. Every row is checked before anything is loaded; a bad row
is reported as one line naming the file, the row (its line in the file) and
the column.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import NamedTuple

from ..errors import MunroError
from ..indicators.catalogue import UNITS
from ..indicators.catalogue import item as catalogue_item
from ..years import year_label, years_label
from . import geography

COLUMNS = ("area_level", "area_code", "area_name", "year", "item_id", "figure", "value", "numerator",
           "denominator", "unit", "symbol", "source", "vintage", "measure")
SYMBOLS = {"c": "suppressed", "x": "not available", "z": "not applicable", "u": "low reliability",
           # EES's mark for a figure that rounds to 0 but is not 0 (a few workforce cells).
           "low": "above 0 but rounds to 0"}
# ':' is the older DfE mark for "not available"; LAIT writes '-' for the same.
_SYMBOL_ALIASES = {":": "x", "-": "x", "": "x"}
USER_SOURCE = "user import"
MAX_ERRORS = 20


class Row(NamedTuple):
    area_level: str
    area_code: str
    area_name: str
    year: int
    item_id: str
    figure: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    symbol: str | None
    source: str
    vintage: str
    measure: str


def tidy(v: float) -> float:
    """Undo a binary float artefact (LAIT's 9.3699999999999992) by rounding to the fewest decimals,
    up to 6, that give the same number within 1e-9: the precision it was published at."""
    for places in range(7):
        r = round(v, places)
        if abs(r - v) <= 1e-9 * max(1.0, abs(v)):
            return r
    return v


def cell(text: str | None) -> tuple[float | None, str | None]:
    """A published cell -> (value, symbol). A symbol never becomes a number: suppressed is None, not 0."""
    t = (text or "").strip()
    if t in SYMBOLS:
        return None, t
    if t in _SYMBOL_ALIASES:
        return None, _SYMBOL_ALIASES[t]
    try:
        v = float(t.replace(",", ""))
    except ValueError:
        raise ValueError(f"{text!r} is neither a number nor a GSS symbol (c, x, z, u, ':', low)") from None
    if not math.isfinite(v):
        raise ValueError(f"{text!r} is not a finite number")
    # Only a long fraction can be an artefact; most cells need no rounding.
    return (tidy(v) if len(t.rpartition(".")[2]) > 6 and "." in t else v), None


# ---------------------------------------------------------------- benchmark-csv

BENCHMARK_CSV = ("area_level", "area_code", "year", "item_id", "figure", "value", "numerator", "denominator",
                 "unit", "symbol", "source", "vintage")
LAYOUTS = {"benchmark-csv": BENCHMARK_CSV}
_FIGURE = re.compile(r"^[a-z0-9_]+(:[a-z0-9_]+)?$")


class _Bad(Exception):
    def __init__(self, column: str, problem: str):
        self.column, self.problem = column, problem


def user_source(file_name: str, source: str) -> str:
    """The stored source of an imported row: it names the file, so a reload of the packaged
    statistics never touches it and importing the same file again replaces it."""
    return f"{USER_SOURCE} {file_name}: {source}"


def read_benchmark_csv(path: Path, reserved_sources: set[str] = frozenset()) -> list[Row]:
    """Every row of a ``benchmark-csv`` file, checked; MunroError listing the bad rows (nothing is returned then)."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in BENCHMARK_CSV if c not in header]
            extra = [c for c in header if c not in BENCHMARK_CSV]
            if missing or extra:
                raise MunroError(f"{path}: row 1 (header): " + "; ".join(
                    ([f"missing column(s) {', '.join(missing)}"] if missing else [])
                    + ([f"unknown column(s) {', '.join(extra)}"] if extra else []))
                    + f" (the benchmark-csv layout has {', '.join(BENCHMARK_CSV)})")
            reader.fieldnames = header
            rows, errors, seen = [], [], {}
            for raw in reader:
                line = reader.line_num
                try:
                    if None in raw:
                        raise _Bad("(end)", "more cells than the header has columns")
                    row = _check(raw, path.name, line, reserved_sources)
                except _Bad as e:
                    errors.append(f"{path}: row {line}, column {e.column}: {e.problem}")
                    continue
                key = (row.area_level, row.area_code, row.year, row.item_id, row.figure, row.source)
                if key in seen:
                    errors.append(f"{path}: row {line}, column figure: the same area, year, item, figure and "
                                  f"source as row {seen[key]}")
                    continue
                seen[key] = line
                rows.append(row)
    except UnicodeDecodeError as e:
        raise MunroError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start}); save the CSV as UTF-8") from None
    except OSError as e:
        raise MunroError(f"{path}: cannot read ({e.strerror})") from None
    except csv.Error as e:
        raise MunroError(f"{path}: not a CSV file ({e})") from None
    if errors:
        more = len(errors) - MAX_ERRORS
        raise MunroError("\n".join(errors[:MAX_ERRORS] + ([f"... and {more} more bad rows"] if more > 0 else []))
                         + "\nnothing was loaded")
    if not rows:
        raise MunroError(f"{path}: no rows under the header: nothing to load")
    return rows


def _number(raw: dict, column: str, minimum: float | None = None) -> float | None:
    text = (raw[column] or "").strip()
    if text == "":
        return None
    try:
        v = float(text)
    except ValueError:
        raise _Bad(column, f"{text!r} is not a number (leave it empty and give a symbol for a missing value)") from None
    if not math.isfinite(v):
        raise _Bad(column, f"{text!r} is not a finite number")
    if minimum is not None and v < minimum:
        raise _Bad(column, f"{text} is below {minimum:g}")
    return v


def _check(raw: dict, file_name: str, line: int, reserved: set[str]) -> Row:
    text = {k: (v or "").strip() for k, v in raw.items()}
    level = text["area_level"]
    if level not in ("la", "region", "england"):
        raise _Bad("area_level", f"{level!r} is not la, region or england")
    year_text = text["year"]
    if not re.fullmatch(r"[0-9]{4}", year_text) or not 2000 <= int(year_text) <= 2100:
        raise _Bad("year", f"{year_text!r} is not a reporting year such as 2026 (= 2025-26)")
    year = int(year_text)
    code = text["area_code"]
    if level == "england" and code != geography.ENGLAND:
        raise _Bad("area_code", f"{code!r}: England's code is {geography.ENGLAND}")
    if level == "region" and code not in geography.REGIONS:
        raise _Bad("area_code", f"{code!r} is not an ONS region code (E12000001-E12000009, E13000001/2)")
    if level == "la":
        if geography.la_years(code) is None:
            raise _Bad("area_code", f"{code!r} is not a 3-digit DfE code of an English LA")
        if not geography.la_exists(code, year):
            first, last = geography.la_years(code)
            span = (f"from {year_label(first)}" if last is None else f"until {year_label(last)}" if first is None
                    else years_label(first, last))
            raise _Bad("area_code", f"LA {code} ({geography.la_name(code)}) did not exist in {year_label(year)} "
                                    f"(its years: {span}); give the figure under the LA of that year")
    try:
        it = catalogue_item(text["item_id"])
    except KeyError as e:
        raise _Bad("item_id", str(e.args[0])) from None
    figure = text["figure"]
    if not _FIGURE.match(figure):
        raise _Bad("figure", f"{figure!r} is not 'value' or a figure name such as median, band:0_10, group:police")
    unit = text["unit"]
    if unit not in UNITS:
        raise _Bad("unit", f"{unit!r} is not one of {', '.join(UNITS)}")
    if figure == "value" and unit != it.unit:
        raise _Bad("unit", f"{it.id}'s headline is in {it.unit}, not {unit}")
    value = _number(raw, "value")
    symbol = text["symbol"] or None
    if symbol == ":":
        symbol = "x"
    if symbol is not None and symbol not in SYMBOLS:
        raise _Bad("symbol", f"{symbol!r} is not a GSS symbol (c, x, z, u, ':', low) or empty")
    if value is None and symbol in (None, "u"):
        raise _Bad("value", "empty: give the value, or a symbol (c, x, z, low) saying why it is missing")
    if value is not None and symbol in ("c", "x", "z", "low"):
        raise _Bad("symbol", f"{symbol!r} marks a missing value, but the row has value {text['value']}")
    for column in ("source", "vintage"):
        if not text[column]:
            raise _Bad(column, "empty: say where the figure comes from")
    source = user_source(file_name, text["source"])
    if text["source"] in reserved:
        raise _Bad("source", f"{text['source']!r} is the name of a packaged source; name your own")
    return Row(level, code, geography.area_name(level, code), year, it.id, figure, value,
               _number(raw, "numerator", 0), _number(raw, "denominator", 0), unit, symbol, source,
               text["vintage"], f"row {line} of {file_name}")
