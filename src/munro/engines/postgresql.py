"""The PostgreSQL engine: the items run in a PostgreSQL database that holds a munro export.

Put the store there with ``munro export --to postgresql://...`` (schema ``munro``
unless ``--schema`` names another), then ``munro indicators --engine
postgresql://...``. Needs munro's ``postgresql`` extra (Ibis's PostgreSQL
backend and psycopg). The engine only reads.
"""

from __future__ import annotations

from ..errors import MunroError
from ..store.export import pg_connect, redact
from .exported import ExportedEngine


class PostgresEngine(ExportedEngine):
    name = "postgresql"

    def __init__(self, url: str, schema: str = "munro"):
        try:
            # lazily: the postgresql extra (Ibis's PostgreSQL backend) may be missing
            import ibis
            import ibis.backends.postgres  # noqa: F401
        except ImportError:
            raise MunroError("the PostgreSQL engine needs munro's postgresql extra: "
                             "pip install 'munro[postgresql]'") from None
        con = pg_connect(url)  # a clear message for a wrong URL, before Ibis tries
        with con.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = 'merged_episodes'",
                        [schema])
            found = cur.fetchone()[0]
        if not found:
            con.close()
            raise MunroError(f"PostgreSQL at {redact(url)}: no munro export in schema {schema!r} "
                             "(write one with 'munro export --to URL')")
        super().__init__(ibis.postgres.from_connection(con))
        self.url, self.schema = url, schema

    def _table(self, name: str):
        return self.backend.table(name, database=self.schema)


def connect(target: str, schema: str = "munro", **options) -> PostgresEngine:
    return PostgresEngine(str(target), schema=schema)
