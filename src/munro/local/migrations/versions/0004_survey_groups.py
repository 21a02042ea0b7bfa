"""Surveys: the groups a respondent chooses from, one-time invitation codes (issue 19).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the work of issue 19


def downgrade() -> None:
    pass
