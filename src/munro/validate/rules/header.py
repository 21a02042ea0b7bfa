"""Rules of the Header table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import rule
from ._sql import ALL_YEARS

if TYPE_CHECKING:
    from ..context import Context


@rule("100", "error", table="Header", fields=("ReferenceDate",), years=ALL_YEARS, level="return",
      message="Reference Date is incorrect")
def r100(v: Context) -> str:
    """The ReferenceDate must be 31 March of the collection Year."""
    return """
        SELECT CAST(reference_date AS VARCHAR) AS value FROM header
        WHERE reference_date IS DISTINCT FROM make_date(collection_year, 3, 31)"""
