"""Local information: instrument versions, surveys, responses, triage queue, audits, actions.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Written out rather than built from munro.local.schema, so that a later change
to the schema module cannot change what this migration did.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instrument_versions",
        sa.Column("instrument", sa.String(60), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("first_used_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("la_code", sa.String(3), nullable=False),
        sa.Column("instrument", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("opens_on", sa.Date, nullable=False),
        sa.Column("closes_on", sa.Date, nullable=False),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.Column("min_group", sa.Integer, nullable=False),
        sa.Column("invited", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(["instrument", "version"],
                                ["instrument_versions.instrument", "instrument_versions.version"]),
    )
    op.create_index("ix_surveys_la_code", "surveys", ["la_code"])
    op.create_table(
        "response_imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=False),
        sa.Column("tool", sa.String(30), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("survey_id", "sha256"),
    )
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("response_imports.id"), nullable=True),
    )
    op.create_index("ix_responses_survey_id", "responses", ["survey_id"])
    op.create_table(
        "answers",
        sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id"), primary_key=True),
        sa.Column("question_id", sa.String(60), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "triage_queue",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=False),
        sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id"), nullable=False),
        sa.Column("question_id", sa.String(60), nullable=False),
        sa.Column("reasons", sa.String(200), nullable=False),
        sa.Column("flagged_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("handled_by", sa.String(100), nullable=True),
        sa.Column("handled_at", sa.DateTime, nullable=True),
        sa.Column("outcome", sa.Text, nullable=True),
    )
    op.create_index("ix_triage_queue_survey_id", "triage_queue", ["survey_id"])
    op.create_table(
        "audits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("la_code", sa.String(3), nullable=False),
        sa.Column("la_child_id", sa.String(40), nullable=False),
        sa.Column("referral_date", sa.Date, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("instrument", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("team", sa.String(60), nullable=True),
        sa.Column("auditor", sa.String(100), nullable=False),
        sa.Column("audited_on", sa.Date, nullable=False),
        sa.Column("moderator", sa.String(100), nullable=True),
        sa.Column("moderated_on", sa.Date, nullable=True),
        sa.Column("agreed_grade", sa.String(30), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("la_code", "la_child_id", "referral_date", "year", "instrument"),
        sa.ForeignKeyConstraint(["instrument", "version"],
                                ["instrument_versions.instrument", "instrument_versions.version"]),
    )
    op.create_index("ix_audits_la_code", "audits", ["la_code"])
    op.create_table(
        "audit_grades",
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), primary_key=True),
        sa.Column("domain", sa.String(60), primary_key=True),
        sa.Column("grade", sa.String(30), nullable=False),
        sa.Column("moderator_grade", sa.String(30), nullable=True),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("la_code", sa.String(3), nullable=False),
        sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=True),
        sa.Column("audit_year", sa.Integer, nullable=True),
        sa.Column("question_id", sa.String(60), nullable=True),
        sa.Column("key_question", sa.Text, nullable=False),
        sa.Column("you_said", sa.Text, nullable=False),
        sa.Column("we_did", sa.Text, nullable=False),
        sa.Column("owner", sa.String(100), nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_actions_la_code", "actions", ["la_code"])


def downgrade() -> None:
    for name in ("actions", "audit_grades", "audits", "triage_queue", "answers", "responses",
                 "response_imports", "surveys", "instrument_versions"):
        op.drop_table(name)
