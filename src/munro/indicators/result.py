"""One item's result (definitions.md section 1, "Every item result").

``value`` is the headline number, unrounded, or None with a ``reason`` when
it cannot be computed. The figures it was computed from are named as
definitions.md names them: the common ones have fields (``numerator``,
``denominator``, ``count``, ``excluded``, ``bands``, ``groups``), the
item-specific ones (``p25``, ``median``, ``p75``, ``within_45``,
``from_referral``, ``open``, ``population`` ...) go in ``figures``.
:meth:`ItemResult.to_dict` flattens them into the JSON form
``{"value": ..., "unit": ..., "count": ..., ...}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

# What an item's value is measured in (an item's ``unit``, each result's).
UNITS = ("percent", "per_10k", "working_days", "days", "count")


@dataclass
class ItemResult:
    id: str
    unit: str
    value: float | None = None
    reason: str | None = None  # why value is None (None for a breakdown whose value is null by design)
    numerator: int | None = None
    denominator: int | None = None
    count: int | None = None
    excluded: int | None = None  # records left out as data-quality exceptions (negative spans)
    bands: dict[str, int] | None = None
    groups: dict[str, dict[str, Any]] | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    note: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"{self.id}: unknown unit {self.unit!r}")

    def __getitem__(self, name: str) -> Any:
        """``result["p25"]``: a field or a figure, by its definitions.md name."""
        if name in self.figures:
            return self.figures[name]
        if name in _FIELDS:
            return getattr(self, name)
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``value`` and ``unit`` always, every other figure when it has one."""
        out: dict[str, Any] = {"value": self.value, "unit": self.unit}
        for name in ("reason", "numerator", "denominator", "count", "excluded", "bands", "groups"):
            v = getattr(self, name)
            if v is not None:
                out[name] = v
        out.update(self.figures)
        if self.note is not None:
            out["note"] = self.note
        return out

    @classmethod
    def missing(cls, id: str, unit: str, reason: str) -> ItemResult:
        return cls(id=id, unit=unit, value=None, reason=reason)


_FIELDS = {"id", "unit", "value", "reason", "numerator", "denominator", "count", "excluded", "bands",
           "groups", "note"}


def percent(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator x 100, unrounded; None when the denominator is 0 or missing."""
    if not denominator or numerator is None:
        return None
    return numerator / denominator * 100.0


def per_10k(count: int | None, population: int | None) -> float | None:
    if not population or count is None:
        return None
    return count / population * 10_000.0


def clean(x: Any) -> Any:
    """A value from a query result as plain Python: NaN/NA -> None, numpy numbers -> int/float."""
    if x is None:
        return None
    try:
        if x != x:  # NaN, pandas NA raises TypeError below
            return None
    except TypeError:
        return None
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def count_of(x: Any) -> int:
    """A SUM/COUNT from a query (NULL over no rows) as an int."""
    x = clean(x)
    return 0 if x is None else int(x)
