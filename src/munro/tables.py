"""One way to declare a table of the store: its columns, from which its CREATE statement and its
column list are derived.

Every table munro keeps in the store is a ``Table`` (``store.schema``: the register of returns, the
raw census tables, population overrides, findings; ``localdata.schema``; ``store.retention``;
``store.pooled``; ``benchmark.reference``), so a column is written once and the loaders, the findings'
writer and the DDL never disagree. It depends on nothing, so every package may declare its tables.
``CREATE TABLE IF NOT EXISTS``: a store made by an older munro gains a new table when it is opened
(``store.db._ensure_schema``); an existing table is never altered.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB's: VARCHAR, INTEGER, BIGINT, DATE, TIMESTAMP, DOUBLE
    constraint: str = ""  # NOT NULL, PRIMARY KEY
    note: str = ""  # why it is there: a comment in the CREATE statement


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()  # a key of several columns (a single column's is its constraint)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(c.type for c in self.columns)

    def ddl(self, schema: str | None = None) -> str:
        """``CREATE TABLE IF NOT EXISTS``, in ``schema`` when given."""
        lines = [" ".join(filter(None, (c.name, c.type, c.constraint))) for c in self.columns]
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        notes = [c.note for c in self.columns] + [""] * bool(self.primary_key)
        body = "".join(f"\n    {line}{',' if i < len(lines) - 1 else ''}" + (f"  -- {note}" if note else "")
                       for i, (line, note) in enumerate(zip(lines, notes)))
        return f"CREATE TABLE IF NOT EXISTS {f'{schema}.' if schema else ''}{self.name} ({body}\n)"


def table(name: str, *columns: tuple[str, ...], primary_key: tuple[str, ...] = ()) -> Table:
    """A ``Table`` from ``(name, type[, constraint[, note]])`` tuples."""
    return Table(name, tuple(Column(*c) for c in columns), primary_key)


__all__ = ["Column", "Table", "table"]
