"""The store's tables, generated from the census format so the two never drift.

Raw tables (``children``, ``episodes``, ...) hold every loaded return as it
was, keyed by ``return_id`` and the sequence numbers of the file; every row
also carries ``la_code`` and ``la_child_id``. The merged tables
(``merged_*``, see ``merge.py``) hold the history of definitions.md
section 1, keyed by natural keys, and are what the indicators read.
"""

from __future__ import annotations

from ..annexa import schema as annex_a_schema
from ..census import format as fmt
from ..localdata import schema as local_schema
from ..tables import Table, table

# 2: population_overrides (additive: _ensure_schema's CREATE ... IF NOT EXISTS adds it to older stores)
# 3: validation_findings (additive, as 2)
# 4: local records beside the CIN census (munro.localdata.schema: local_loads, the SSDA903, visits, core group,
#    allocation and own-figure tables and their merged_* views; additive, as 2)
# 5: returns.kind ('annual' or 'in-year': an extract dated before 31 March in its collection's window);
#    migrated by store.db._migrate (ALTER TABLE, each existing return's kind read from its reference date).
#    Ofsted's Annex A lists 1-7 (munro.annexa.schema: annex_a_* tables, their merged_* views) registered in
#    local_loads, which gains as_at, months and covers_from (ADDED below to an older store's local_loads).
#    sw_allocations.team (optional column of the sw-allocations layout; ADDED below to an older store's table)
SCHEMA_VERSION = 5

# Columns added to a table an older store already has (CREATE ... IF NOT EXISTS leaves it as it was).
ADDED = [f"ALTER TABLE local_loads ADD COLUMN IF NOT EXISTS {c} {t}"
         for c, t in (("as_at", "DATE"), ("months", "INTEGER"), ("covers_from", "DATE"))]
ADDED += ["ALTER TABLE sw_allocations ADD COLUMN IF NOT EXISTS team VARCHAR"]

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
    ("kind", "VARCHAR", "", "'annual', or 'in-year': an extract dated before 31 March (years.is_in_year)"),
)


def as_at_sql(alias: str) -> str:
    """The date a return's data is as at, in SQL over ``returns`` row ``alias``: an in-year extract's
    reference date, an annual return's 31 March of its collection year (what the merge orders copies
    by). Read from the reference date and the year (the rule of ``years.is_in_year``, as ``kind`` is), so
    it holds on a store opened read-only before its ``kind`` column was added."""
    end = f"make_date({alias}.collection_year, 3, 31)"
    return (f"CASE WHEN {alias}.reference_date >= make_date({alias}.collection_year - 1, 4, 1) "
            f"AND {alias}.reference_date < {end} THEN {alias}.reference_date ELSE {end} END")


def kind_sql(alias: str) -> str:
    """``returns.kind`` in SQL from the reference date and year (``as_at_sql``'s rule): the migration's
    value for a return loaded before kinds, and the kind read from a store not yet migrated."""
    return (f"CASE WHEN {as_at_sql(alias)} = make_date({alias}.collection_year, 3, 31) "
            "THEN 'annual' ELSE 'in-year' END")

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
            *local_schema.tables(), *annex_a_schema.tables()]


def all_ddl() -> list[str]:
    """The CREATE statements of the store's schema: its tables (and columns added since), then the merged
    views of local records and Annex A lists."""
    return [t.ddl() for t in tables()] + ADDED + local_schema.views() + annex_a_schema.views()
