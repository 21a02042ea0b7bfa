"""The one declared place: which store columns identify a child, and which tables a pseudonymised export carries.

``munro export --pseudonymise`` (``store.pseudonymise``) reads only these
declarations, so a table or column added to the store is covered by adding
it here, and until it is added the export refuses to run (it fails closed):
``check_tables`` stops at any table of the store that is neither carried nor
left out, and at any carried column whose name looks like a child's identity
(``SUSPECT``) but is not declared. ``tests/store/test_pseudonymise.py`` does
the same check over a new store's tables, so a new table with a child
identifier fails the tests before it can reach an export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..annexa import schema as annex_a_schema
from ..census import format as fmt
from ..errors import MunroError
from ..localdata import schema as local_schema

# column -> the namespace its values are hashed in (HMAC of namespace NUL value). A former UPN is a
# UPN: one namespace, so a child's former UPN still matches the UPN it once was. A social worker's
# identifier (local allocations) is a person's too: hashed, it still counts changes of worker.
CHILD_IDS = {"la_child_id": "la_child_id", "upn": "upn", "former_upn": "upn", "worker_id": "worker_id"}

# Dates that, exact, help to identify a child: kept to the first of their month. No item reads them
# (tests/store/test_pseudonymise.py checks the SQL of every item), so every item keeps its value.
MONTH_ONLY = ("birth_date", "expected_birth_date", "death_date")

# table -> columns emptied (NULL): free text that may hold any of the above (a finding's value is the
# UPN or date of birth it flags). A finding keeps its rule, type, table, fields and message.
CLEARED = {"validation_findings": ("value",)}

# Columns whose names match SUSPECT but which hold nothing about a child.
HARMLESS = {"file_name", "table_name", "upn_unknown"}  # upn_unknown: a reason code (UN1-UN10)
SUSPECT = re.compile(r"child_?id|upn|uln|nhs|birth|dob|death|name|postcode|address|email|phone|mother", re.I)

RAW_TABLES = tuple(fmt.TABLES)  # the CIN census
LOCAL_TABLES = tuple(local_schema.TABLES)  # local records beside it (munro.localdata)
ANNEX_A_TABLES = tuple(annex_a_schema.TABLES.values())  # Ofsted's Annex A lists 1-7 (munro.annexa)


@dataclass(frozen=True)
class Register:
    """A register of loaded files (``returns``, ``local_loads``) and the tables whose rows belong to its files.

    A file supersedes the current one with the same ``same`` columns. Pooling renumbers ``id``;
    retention removes whole ``year``s of files with their rows."""

    table: str
    id: str
    year: str
    same: tuple[str, ...]
    rows: tuple[str, ...]


REGISTERS = (
    Register("returns", "return_id", "collection_year", ("la_code", "collection_year"),
             (*RAW_TABLES, "validation_findings")),
    # An Annex A workbook is a load of kind annex-a: it supersedes the one of its LA and as-at date (NULL for
    # the other kinds, compared as equal); workbooks of other dates merge (munro.annexa.schema).
    Register("local_loads", "load_id", "year", ("kind", "la_code", "year", "as_at"), (*LOCAL_TABLES, *ANNEX_A_TABLES)),
)

# Tables a pseudonymised export carries, each restricted to the LA's current files: the registers,
# the rows of their files (census, findings, local records), the merged_* history of the census and
# local tables, and the LA's population overrides (its rates' denominators). The calendar is added.
CARRIED = (*(r.table for r in REGISTERS), *(t for r in REGISTERS for t in r.rows), "population_overrides")

# Tables it leaves out, and why.
LEFT_OUT = {
    "munro_meta": "the store's own bookkeeping (schema version)",
    "benchmark": "published statistics: the host loads its own ('munro reference load')",
    "statistical_neighbours": "published statistical-neighbour models: the host loads its own",
    "benchmark_loads": "the store's record of its published-statistics loads",
    "retention_log": "the store's own record of what retention removed",
    "pooled_returns": "a pooled store's record of the exports it received",
    "pooled_local_loads": "a pooled store's record of the exports it received",
}


def is_carried(table: str) -> bool:
    """Carried as itself, or as the merged history of a carried raw table."""
    return table in CARRIED or (table.startswith("merged_") and table[len("merged_"):] in (
        *RAW_TABLES, *LOCAL_TABLES, *ANNEX_A_TABLES))


def register_of(table: str) -> Register | None:
    """The register whose files ``table``'s rows belong to (None for a register itself or another table)."""
    return next((r for r in REGISTERS if table in r.rows), None)


def check_tables(tables: dict[str, list[str]]) -> list[str]:
    """The carried tables of ``tables`` (name -> columns), or a MunroError naming what is not declared."""
    unknown = sorted(t for t in tables if not is_carried(t) and t not in LEFT_OUT)
    if unknown:
        raise MunroError(f"cannot pseudonymise table(s) {', '.join(unknown)}: not declared in "
                         "munro.store.identifiers (carried with their identifiers, or left out)")
    for table in (t for t in tables if is_carried(t)):
        loose = [c for c in tables[table] if SUSPECT.search(c) and c not in CHILD_IDS and c not in MONTH_ONLY
                 and c not in CLEARED.get(table, ()) and c not in HARMLESS]
        if loose:
            raise MunroError(f"cannot pseudonymise {table}: column(s) {', '.join(loose)} may identify a child "
                             "and are not declared in munro.store.identifiers")
    return [t for t in tables if is_carried(t)]
