"""The web service's append-only audit log, and disabling an account (issue 8).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Every sign-in (and failure), sign-out, upload, load, export or download and
view of child-level data is one row: who, what, which LA, when. The log keeps
the user's e-mail address and role as they were, with no foreign key, so that
removing an account keeps its history. Triggers refuse UPDATE and DELETE on
both SQLite and PostgreSQL (and TRUNCATE on PostgreSQL); munro's code only
inserts and reads (munro.web.audit_log).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SQLITE = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
_POSTGRESQL = [
    "CREATE FUNCTION munro_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION munro_audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION munro_audit_log_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),  # UTC
        sa.Column("event", sa.String(30), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),  # no foreign key: the row outlives the account
        sa.Column("email", sa.String(254), nullable=True),  # for a failed sign-in, the address typed
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("la_code", sa.String(200), nullable=True),  # the LA the event concerns
        sa.Column("detail", sa.String(500), nullable=False, server_default=""),
        sa.Column("address", sa.String(64), nullable=True),  # the client's IP address
    )
    op.create_index("ix_audit_log_la_code_at", "audit_log", ["la_code", "at"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime, nullable=True))
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE audit_log")
        op.execute("DROP FUNCTION munro_audit_log_append_only()")
    else:
        op.drop_index("ix_audit_log_la_code_at", "audit_log")
        op.drop_table("audit_log")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled_at")
