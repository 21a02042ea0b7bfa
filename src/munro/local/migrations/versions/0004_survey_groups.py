"""Surveys: the groups a respondent chooses from, one-time invitation codes (issue 19).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

Until now a group answer on a "label" scale (which team) was typed freely and
shown as a group label to roles that may not read free text, unscreened. From
here a survey's administrator lists the groups and respondents choose one.
Answers already stored are kept as they were; results show one only if it is
in the survey's list, and count the rest as "Other" (munro.local.results).
What respondents typed there was never screened: this migration screens it now
and puts any match on the safeguarding triage queue like any free text.
"""

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_groups",
        sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), primary_key=True),
        sa.Column("question_id", sa.String(60), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(60), nullable=False),
        sa.UniqueConstraint("survey_id", "question_id", "label"),
    )
    op.create_table(
        "survey_invitations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("used", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_survey_invitations_survey_id", "survey_invitations", ["survey_id"])
    _screen_typed_group_answers(op.get_bind())


def _screen_typed_group_answers(con) -> None:
    """Queue the stored answers to "label" questions that match a safeguarding pattern (never their text)."""
    # when it runs, not when alembic reads the revisions: a migration imports no app code at module level
    from munro.local.triage import screen

    label_questions = {}  # (instrument, version) -> {question ids on a label scale}
    for instrument, version, content in con.execute(sa.text(
            "SELECT instrument, version, content FROM instrument_versions")):
        questions = json.loads(content).get("questions", [])
        label_questions[(instrument, version)] = {q["id"] for q in questions if q["scale"]["kind"] == "label"}
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    rows = []
    for survey_id, instrument, version in con.execute(sa.text("SELECT id, instrument, version FROM surveys")):
        qids = label_questions.get((instrument, version))
        if not qids:
            continue
        answers = con.execute(sa.text(
            "SELECT a.response_id, a.question_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id "
            "WHERE r.survey_id = :s"), {"s": survey_id})
        rows += [{"survey_id": survey_id, "response_id": rid, "question_id": qid, "reasons": ",".join(reasons),
                  "flagged_at": now, "status": "open"}
                 for rid, qid, value in answers if qid in qids for reasons in [screen(value)] if reasons]
    if rows:
        con.execute(sa.text("INSERT INTO triage_queue (survey_id, response_id, question_id, reasons, flagged_at, "
                            "status) VALUES (:survey_id, :response_id, :question_id, :reasons, :flagged_at, "
                            ":status)"), rows)


def downgrade() -> None:
    op.drop_index("ix_survey_invitations_survey_id", "survey_invitations")
    op.drop_table("survey_invitations")
    op.drop_table("survey_groups")
