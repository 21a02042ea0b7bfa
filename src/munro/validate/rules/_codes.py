"""SQL shared by the rules: the census code lists, and findings from the rows of one table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...census import format as fmt

if TYPE_CHECKING:
    from ..context import Context


def code_list(name: str, v: Context) -> str:
    """SQL list of the codes of ``name`` valid in the ruleset's year, e.g. ``('N0', 'N1', ...)``."""
    return "(" + ", ".join(f"'{c}'" for c in sorted(fmt.codes_for(name, v.ruleset))) + ")"


def missing_or_invalid(column: str, name: str, v: Context) -> str:
    """True when ``column`` is absent (or was unreadable) or holds a code not in the year's list."""
    return f"({column} IS NULL OR {column} NOT IN {code_list(name, v)})"


def rows_where(table: str, condition: str, value: str, field: str | None = None) -> str:
    """A finding for each row of ``table`` (alias ``e``) meeting ``condition``, flagging ``value``.

    ``field`` names the field flagged when the rule lists several.
    """
    extra = f", '{field}' AS field" if field else ""
    return f"SELECT la_child_id, {value} AS value, line{extra} FROM {table} e WHERE {condition}"
