"""Helpers shared by the local-information tests."""

import datetime as dt
import json

import sqlalchemy as sa

from munro.local import schema as t

OPEN_DAY = dt.date(2026, 2, 2)  # inside conftest's make_survey dates


def dump(engine) -> str:
    """Every value of every table, as one string: what a person with the database file could read."""
    with engine.connect() as con:
        return json.dumps({name: [list(map(str, r)) for r in con.execute(sa.select(table))]
                           for name, table in t.metadata.tables.items()})
