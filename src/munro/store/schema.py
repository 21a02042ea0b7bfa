"""The store's tables, generated from the census format so the two never drift.

Raw tables (``children``, ``episodes``, ...) hold every loaded return as it
was, keyed by ``return_id`` and the sequence numbers of the file; every row
also carries ``la_code`` and ``la_child_id``. The merged tables
(``merged_*``, see ``merge.py``) hold the history of definitions.md
section 1, keyed by natural keys, and are what the indicators read.
"""

from __future__ import annotations

from ..census import format as fmt
from ..localdata import schema as local_schema
from ..tables import Table, table

# 2: population_overrides (additive: _ensure_schema's CREATE ... IF NOT EXISTS adds it to older stores)
# 3: validation_findings (additive, as 2)
# 4: local records beside the CIN census (munro.localdata.schema: local_loads, the SSDA903, visits, core group,
#    allocation and own-figure tables and their merged_* views; additive, as 2)
# 5: sw_allocations.team (optional column of the sw-allocations layout; ADDED below to an older store's table)
SCHEMA_VERSION = 5

# Columns added to a table an older store already has (CREATE ... IF NOT EXISTS leaves it as it was).
ADDED = ["ALTER TABLE sw_allocations ADD COLUMN IF NOT EXISTS team VARCHAR"]

SQL_TYPES = {"str": "VARCHAR", "date": "DATE", "bool": "INTEGER", "int": "INTEGER", "datetime": "VARCHAR"}

RETURNS = table(
    "returns",
    ("return_id", "INTEGER", "PRIMARY KEY"),
    ("la_code", "VARCHAR", "NOT NULL"),
    ("collection_year", "INTEGER", "NOT NULL"),
    ("reference_date", "DATE", "NOT NULL"),
    ("schema_year", "INTEGER", "NOT NULL"),
    ("status", "VARCHAR", "NOT NULL", "'current' or 'superseded'"),
    ("file_name", "VARCHAR", "NOT NULL"),
    ("file_sha256", "VARCHAR", "NOT NULL"),
    ("file_bytes", "BIGINT", "NOT NULL"),
    ("loaded_at", "TIMESTAMP", "NOT NULL"),
    ("superseded_at", "TIMESTAMP"),
    ("software_code", "VARCHAR"),
    ("release", "VARCHAR"),
    ("serial_no", "VARCHAR"),
    ("source_datetime", "VARCHAR"),
    ("children", "INTEGER"),
    ("episodes", "INTEGER"),
    ("assessments", "INTEGER"),
    ("section47", "INTEGER"),
    ("cp_plans", "INTEGER"),
    ("warnings", "INTEGER"),
    ("munro_version", "VARCHAR"),
)

META = table("munro_meta", ("key", "VARCHAR", "PRIMARY KEY"), ("value", "VARCHAR"))

# A user's population for an LA and reporting year, which wins over the ONS estimate (munro.population).
POPULATION_OVERRIDES = table(
    "population_overrides",
    ("la_code", "VARCHAR", "NOT NULL", "3-digit DfE code, or 'england'"),
    ("year", "INTEGER", "NOT NULL", "reporting year Y (2025 = 2024-25)"),
    ("population", "BIGINT", "NOT NULL"),
    ("note", "VARCHAR"),
    ("set_by", "VARCHAR", "NOT NULL"),
    ("set_at", "TIMESTAMP", "NOT NULL"),
    primary_key=("la_code", "year"),
)

# The DfE validation rules' findings for each return loaded (munro.validate, written in the load's
# transaction by munro.loading). Child-level rows carry the child's LAchildID, as the raw tables do.
VALIDATION_FINDINGS = table(
    "validation_findings",
    ("return_id", "INTEGER", "NOT NULL"),
    ("ruleset", "INTEGER", "NOT NULL", "the collection year whose rules were run"),
    ("rule", "VARCHAR", "NOT NULL", "DfE rule code, or 'format'"),
    ("type", "VARCHAR", "NOT NULL", "'error' or 'query'"),
    ("level", "VARCHAR", "NOT NULL", "'child' or 'return'"),
    ("la_child_id", "VARCHAR"),
    ("table_name", "VARCHAR", "NOT NULL"),
    ("fields", "VARCHAR", "NOT NULL"),
    ("value", "VARCHAR"),
    ("message", "VARCHAR", "NOT NULL"),
    ("line", "BIGINT"),
)


def raw_columns(table: str) -> list[tuple[str, str]]:
    """(column, SQL type) of a raw table: lineage, keys, identifiers, every year's fields, line."""
    fields = fmt.table_fields()[table]
    cols = [("return_id", "INTEGER"), ("la_code", "VARCHAR")]
    cols += [(k, "INTEGER") for k in fmt.key_columns(table)]
    cols += [("la_child_id", "VARCHAR")]
    seen = {"la_child_id"}
    for f in fields:
        if f.column not in seen:
            seen.add(f.column)
            cols.append((f.column, SQL_TYPES[f.kind]))
    cols.append(("line", "BIGINT"))
    return cols


def raw_table(name: str) -> Table:
    """A raw census table (``raw_columns``)."""
    return table(name, *raw_columns(name))


def raw_ddl(table_name: str, schema: str | None = None) -> str:
    return raw_table(table_name).ddl(schema)


def tables() -> list[Table]:
    """Every table of the store's schema, in the order they are made."""
    return [META, RETURNS, *(raw_table(t) for t in fmt.TABLES), POPULATION_OVERRIDES, VALIDATION_FINDINGS,
            *local_schema.tables()]


def all_ddl() -> list[str]:
    """The CREATE statements of the store's schema: its tables (and columns added since), then the merged
    views of local records."""
    return [t.ddl() for t in tables()] + ADDED + local_schema.views()
