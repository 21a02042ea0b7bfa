"""The audit log hash-chained, so that a deleted, altered or reordered entry is detected (issue 19).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the work of issue 19


def downgrade() -> None:
    pass
