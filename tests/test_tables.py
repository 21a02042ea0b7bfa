"""One way to declare a store table (munro.tables): the CREATE statement derived from its columns."""

from __future__ import annotations

import duckdb

from munro.store import schema
from munro.tables import table


def test_the_create_statement_says_each_column_once_with_its_note():
    t = table("visits", ("load_id", "INTEGER", "NOT NULL", "the file it came from"), ("seen", "VARCHAR"),
              primary_key=("load_id", "seen"))
    assert t.names == ("load_id", "seen") and t.types == ("INTEGER", "VARCHAR")
    assert t.ddl() == ("CREATE TABLE IF NOT EXISTS visits (\n"
                       "    load_id INTEGER NOT NULL,  -- the file it came from\n"
                       "    seen VARCHAR,\n"
                       "    PRIMARY KEY (load_id, seen)\n"
                       ")")
    assert t.ddl("raw").startswith("CREATE TABLE IF NOT EXISTS raw.visits (")


def test_a_declared_table_is_made_as_declared():
    con = duckdb.connect()
    con.execute(schema.POPULATION_OVERRIDES.ddl())
    got = con.execute("SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
                      "WHERE table_name = 'population_overrides' ORDER BY column_index").fetchall()
    assert got == [("la_code", "VARCHAR", False), ("year", "INTEGER", False), ("population", "BIGINT", False),
                   ("note", "VARCHAR", True), ("set_by", "VARCHAR", False), ("set_at", "TIMESTAMP", False)]
    assert con.execute("SELECT constraint_text FROM duckdb_constraints() WHERE table_name = 'population_overrides' "
                       "AND constraint_type = 'PRIMARY KEY'").fetchall() == [("PRIMARY KEY(la_code, \"year\")",)]


def test_the_findings_writer_takes_its_columns_from_the_declaration():
    from munro.validate.store import COLUMNS

    assert COLUMNS == ("return_id", "ruleset", "rule", "type", "level", "la_child_id", "table_name", "fields",
                       "value", "message", "line")
