"""The store's tables, generated from the census format so the two never drift.

Raw tables (``children``, ``episodes``, ...) hold every loaded return as it
was, keyed by ``return_id`` and the sequence numbers of the file; every row
also carries ``la_code`` and ``la_child_id``. The merged tables
(``merged_*``, see ``merge.py``) hold the history of definitions.md
section 1, keyed by natural keys, and are what the indicators read.
"""

from __future__ import annotations

from ..census import format as fmt

# 2: population_overrides (additive: _ensure_schema's CREATE ... IF NOT EXISTS adds it to older stores)
# 3: validation_findings (additive, as 2)
# 4: local records beside the CIN census (munro.localdata.schema: local_loads, the SSDA903, visits, core group,
#    allocation and own-figure tables and their merged_* views; additive, as 2)
SCHEMA_VERSION = 4

SQL_TYPES = {"str": "VARCHAR", "date": "DATE", "bool": "INTEGER", "int": "INTEGER", "datetime": "VARCHAR"}

RETURNS_DDL = """
CREATE TABLE IF NOT EXISTS returns (
    return_id       INTEGER PRIMARY KEY,
    la_code         VARCHAR NOT NULL,
    collection_year INTEGER NOT NULL,
    reference_date  DATE NOT NULL,
    schema_year     INTEGER NOT NULL,
    status          VARCHAR NOT NULL,      -- 'current' or 'superseded'
    file_name       VARCHAR NOT NULL,
    file_sha256     VARCHAR NOT NULL,
    file_bytes      BIGINT NOT NULL,
    loaded_at       TIMESTAMP NOT NULL,
    superseded_at   TIMESTAMP,
    software_code   VARCHAR,
    release         VARCHAR,
    serial_no       VARCHAR,
    source_datetime VARCHAR,
    children        INTEGER,
    episodes        INTEGER,
    assessments     INTEGER,
    section47       INTEGER,
    cp_plans        INTEGER,
    warnings        INTEGER,
    munro_version   VARCHAR
)
"""

META_DDL = "CREATE TABLE IF NOT EXISTS munro_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"

# A user's population for an LA and reporting year, which wins over the ONS estimate (munro.population).
POPULATION_OVERRIDES_DDL = """
CREATE TABLE IF NOT EXISTS population_overrides (
    la_code     VARCHAR NOT NULL,      -- 3-digit DfE code, or 'england'
    year        INTEGER NOT NULL,      -- reporting year Y (2025 = 2024-25)
    population  BIGINT NOT NULL,
    note        VARCHAR,
    set_by      VARCHAR NOT NULL,
    set_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (la_code, year)
)
"""


# The DfE validation rules' findings for each return loaded (munro.validate, written by ingest in the
# load's transaction). Child-level rows carry the child's LAchildID, as the raw tables do.
VALIDATION_FINDINGS_DDL = """
CREATE TABLE IF NOT EXISTS validation_findings (
    return_id   INTEGER NOT NULL,
    ruleset     INTEGER NOT NULL,      -- the collection year whose rules were run
    rule        VARCHAR NOT NULL,      -- DfE rule code, or 'format'
    type        VARCHAR NOT NULL,      -- 'error' or 'query'
    level       VARCHAR NOT NULL,      -- 'child' or 'return'
    la_child_id VARCHAR,
    table_name  VARCHAR NOT NULL,
    fields      VARCHAR NOT NULL,
    value       VARCHAR,
    message     VARCHAR NOT NULL,
    line        BIGINT
)
"""


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


def raw_ddl(table: str, schema: str | None = None) -> str:
    body = ",\n    ".join(f"{c} {t}" for c, t in raw_columns(table))
    name = f"{schema}.{table}" if schema else table
    return f"CREATE TABLE IF NOT EXISTS {name} (\n    {body}\n)"


def all_ddl() -> list[str]:
    from ..localdata.schema import ddl as local_ddl

    return [META_DDL, RETURNS_DDL, *(raw_ddl(t) for t in fmt.TABLES), POPULATION_OVERRIDES_DDL,
            VALIDATION_FINDINGS_DDL, *local_ddl()]
