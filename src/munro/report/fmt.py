"""Numbers and labels as people read them: one place, so the page, the PDF and the workbook agree."""

from __future__ import annotations

from typing import Any

from ..indicators.result import ItemResult

UNIT_WORDS = {"percent": "%", "per_10k": "per 10,000 children", "working_days": "working days",
              "days": "days", "count": ""}
# Band and group codes of the catalogue, said in words (the codes stay in the workbook's data sheet).
_BANDS = {
    "same_day": "same day", "1_10": "1 to 10", "11_20": "11 to 20", "21_30": "21 to 30", "31_40": "31 to 40",
    "41_45": "41 to 45", "46_50": "46 to 50", "51_60": "51 to 60", "61_plus": "61 or more",
    "0_10": "0 to 10", "11_15": "11 to 15", "16_20": "16 to 20", "21_plus": "21 or more",
    "up_to_3m": "up to 3 months", "3m_6m": "3 to 6 months", "6m_1y": "6 months to 1 year",
    "1y_2y": "1 to 2 years", "2y_plus": "2 years or more",
    "NEG": "neglect", "PHY": "physical abuse", "EMO": "emotional abuse", "SAB": "sexual abuse",
    "MUL": "multiple categories", "la_services": "LA services", "nfa": "no further action",
}


def year_label(year: int) -> str:
    """2025 -> '2024-25', the reporting year as DfE writes it."""
    return f"{year - 1}-{str(year)[2:]}"


def words(code: str) -> str:
    return _BANDS.get(code, code.replace("_", " "))


def number(value: Any, unit: str | None = None) -> str:
    """A value rounded at the edge (definitions.md section 1): one decimal place for rates and
    percentages, whole numbers for counts and days; a suppression symbol stays as it is."""
    if value is None:
        return "no value"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit in ("percent", "per_10k"):
        return f"{value:,.1f}"
    if isinstance(value, int) or unit in ("count",) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def with_unit(value: Any, unit: str) -> str:
    if value is None or isinstance(value, str):
        return number(value, unit)
    shown = number(value, unit)
    if unit == "percent":
        return f"{shown}%"
    return f"{shown} {UNIT_WORDS[unit]}".rstrip()


def figure_rows(r: ItemResult) -> list[tuple[str, Any]]:
    """The figures behind a headline as (label, value) rows, nested figures flattened.

    Bands are left out: they are shown as distributions (chart and table).
    """
    rows: list[tuple[str, Any]] = []

    def walk(prefix: str, d: dict) -> None:
        for k, v in d.items():
            if k in ("value", "unit", "reason", "bands", "note") and not prefix:
                continue
            if k == "bands" or v is None:
                continue
            label = f"{prefix}{words(k)}"
            if isinstance(v, dict):
                walk(f"{label}: ", v)
            elif isinstance(v, (list, tuple)):
                continue
            else:
                rows.append((label, v))

    walk("", r.to_dict())
    return rows
