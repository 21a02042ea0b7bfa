"""The audit log hash-chained, so that a deleted, altered or reordered entry is detected (issue 19).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

Two columns: ``prev_hash``, the hash of the entry before (the empty string for the first), and
``hash``, SHA-256 of ``prev_hash`` and the entry's own content (munro.web.audit_log.entry_hash).
The rows already written are chained here in the order of their ids, their text values first
stored with control characters escaped as new entries are (a carriage return typed into the sign-in
form becomes the four characters \\r\\n, never a line of its own). The append-only triggers of
0003 are set aside for that one update and put back as they were.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = {
    "audit_log_no_update": "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "audit_log_no_delete": "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
}


def upgrade() -> None:
    # when it runs, not when alembic reads the revisions: a migration imports no app code at module level
    # (and munro.web imports the whole service)
    from munro.web.audit_log import GENESIS, escape, entry_hash

    bind = op.get_bind()
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("audit_log", sa.Column("hash", sa.String(64), nullable=True))
    # Typed as the table is (the hash is of the time as a datetime, as munro reads it back).
    log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                   sa.column("user_id", sa.Integer),
                   *(sa.column(c, sa.String) for c in ("event", "email", "role", "la_code", "detail", "address",
                                                       "prev_hash", "hash")))
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    previous = GENESIS
    for row in bind.execute(sa.select(log).order_by(log.c.id)).mappings().all():
        values = {c: escape(row[c]) for c in ("email", "role", "la_code", "detail", "address")}
        content = {**row, **values}
        digest = entry_hash(previous, content)
        bind.execute(log.update().where(log.c.id == row["id"]).values(**values, prev_hash=previous, hash=digest))
        previous = digest
    if postgres:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")
    else:
        for statement in _SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade() -> None:
    # SQLite drops a column in place (3.35 and later), which keeps the triggers; the chain is simply forgotten.
    op.execute("ALTER TABLE audit_log DROP COLUMN hash")
    op.execute("ALTER TABLE audit_log DROP COLUMN prev_hash")
