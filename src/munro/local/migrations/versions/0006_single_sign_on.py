"""Single sign-on: accounts linked to the council's identity provider (issue 19).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

``users.sso_subject`` is the identity provider's stable identifier of the
person (the ID token's ``sub``), recorded at their first single sign-on. From
then on the account is found by it, not by e-mail address, so an address that
changes or is reused at the provider cannot take over someone else's account.
An account made by single sign-on has no local password (``password_hash``
empty: no password can match it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("sso_subject", sa.String(255), nullable=True))
    op.create_index("ix_users_sso_subject", "users", ["sso_subject"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_sso_subject", "users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sso_subject")
