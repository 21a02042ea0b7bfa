"""Alembic environment for munro's application database (run by munro.local.appdb.upgrade).

The connection is passed in by the caller; there is no alembic.ini, so the
migrations are used the same way by the CLI, the web service and the tests.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None,
                  render_as_batch=connection.dialect.name == "sqlite")  # SQLite alters tables by copying
with context.begin_transaction():
    context.run_migrations()
