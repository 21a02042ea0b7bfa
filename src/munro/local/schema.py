"""The application database's local-information tables (SQLAlchemy Core).

The migrations in ``migrations/versions`` create these tables; this module is
what the code queries, and ``tests/local/test_appdb.py`` checks the two agree.
The web service (issue 8) adds its own tables (users, sessions, its audit
log) to the same database in later migrations of the same chain.

Anonymity by design: ``responses`` and ``answers`` have no column for a name,
an e-mail address, a child identifier, an IP address or a time of day, so an
anonymous survey cannot store one; number answers are stored as their band.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

instrument_versions = sa.Table(
    "instrument_versions", metadata,
    sa.Column("instrument", sa.String(60), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    # A version is frozen once a survey or audit used it: its content is kept here and any
    # later change to its file is refused (bank.Version.fingerprint).
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("first_used_at", sa.DateTime, nullable=False),
)

surveys = sa.Table(
    "surveys", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("la_code", sa.String(3), nullable=False, index=True),
    sa.Column("instrument", sa.String(60), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("audience", sa.String(20), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("opens_on", sa.Date, nullable=False),
    sa.Column("closes_on", sa.Date, nullable=False),
    sa.Column("closed_at", sa.DateTime, nullable=True),  # set by close_survey; results need it
    sa.Column("min_group", sa.Integer, nullable=False),
    sa.Column("invited", sa.Integer, nullable=True),  # people asked, for the response rate
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=True),
    sa.ForeignKeyConstraint(["instrument", "version"],
                            ["instrument_versions.instrument", "instrument_versions.version"]),
)

imports = sa.Table(
    "response_imports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=False),
    sa.Column("tool", sa.String(30), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),  # the same file twice loads once
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("survey_id", "sha256"),
)

responses = sa.Table(
    "responses", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=False, index=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("response_imports.id"), nullable=True),
)

answers = sa.Table(
    "answers", metadata,
    sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id"), primary_key=True),
    sa.Column("question_id", sa.String(60), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),  # an option or band code, a group name, or free text
)

triage = sa.Table(
    "triage_queue", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=False, index=True),
    sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id"), nullable=False),
    sa.Column("question_id", sa.String(60), nullable=False),
    sa.Column("reasons", sa.String(200), nullable=False),  # pattern ids (triage.PATTERNS), never the text
    sa.Column("flagged_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # open | handled
    sa.Column("handled_by", sa.String(100), nullable=True),
    sa.Column("handled_at", sa.DateTime, nullable=True),
    sa.Column("outcome", sa.Text, nullable=True),
)

# Issue 19 (migration 0004). The groups a survey's respondents choose from (a team, a service): set by the
# survey's administrator, so that no answer a respondent types ever becomes a label shown to staff.
survey_groups = sa.Table(
    "survey_groups", metadata,
    sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), primary_key=True),
    sa.Column("question_id", sa.String(60), primary_key=True),  # a question of the survey on a "label" scale
    sa.Column("position", sa.Integer, primary_key=True),  # the order respondents see them in
    sa.Column("label", sa.String(60), nullable=False),
    sa.UniqueConstraint("survey_id", "question_id", "label"),
)

# One-time invitation codes (migration 0004): only a hash of each code, and whether it was used. No time
# of use and nothing on the response points here, so a response cannot be tied to the code that sent it.
survey_invitations = sa.Table(
    "survey_invitations", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=False, index=True),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),  # SHA-256 of the code
    sa.Column("used", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

audits = sa.Table(
    "audits", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("la_code", sa.String(3), nullable=False, index=True),
    # The case in the store: an episode is (LA, LAchildID, referral date), as in merged_episodes.
    sa.Column("la_child_id", sa.String(40), nullable=False),
    sa.Column("referral_date", sa.Date, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),  # reporting year of the audit (2025 = 2024-25)
    sa.Column("instrument", sa.String(60), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("team", sa.String(60), nullable=True),
    sa.Column("auditor", sa.String(100), nullable=False),
    sa.Column("audited_on", sa.Date, nullable=False),
    sa.Column("moderator", sa.String(100), nullable=True),
    sa.Column("moderated_on", sa.Date, nullable=True),
    sa.Column("agreed_grade", sa.String(30), nullable=True),  # overall, after moderation
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("la_code", "la_child_id", "referral_date", "year", "instrument"),
    sa.ForeignKeyConstraint(["instrument", "version"],
                            ["instrument_versions.instrument", "instrument_versions.version"]),
)

audit_grades = sa.Table(
    "audit_grades", metadata,
    sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), primary_key=True),
    sa.Column("domain", sa.String(60), primary_key=True),  # a question id of the audit form
    sa.Column("grade", sa.String(30), nullable=False),  # the auditor's
    sa.Column("moderator_grade", sa.String(30), nullable=True),
)

actions = sa.Table(
    "actions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("la_code", sa.String(3), nullable=False, index=True),
    sa.Column("survey_id", sa.Integer, sa.ForeignKey("surveys.id"), nullable=True),
    sa.Column("audit_year", sa.Integer, nullable=True),
    sa.Column("question_id", sa.String(60), nullable=True),
    sa.Column("key_question", sa.Text, nullable=False),
    sa.Column("you_said", sa.Text, nullable=False),
    sa.Column("we_did", sa.Text, nullable=False),
    sa.Column("owner", sa.String(100), nullable=True),
    sa.Column("due_on", sa.Date, nullable=True),
    sa.Column("status", sa.String(20), nullable=False),  # planned | done
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# The web service's accounts (migration 0002). Written here so that the schema check above covers them.
users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("la_code", sa.String(200), nullable=False),  # one LA, or a regional role's comma list
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_sign_in_at", sa.DateTime, nullable=True),
    sa.Column("disabled_at", sa.DateTime, nullable=True),  # migration 0003: a disabled account cannot sign in
    # Migration 0006: the identity provider's subject (`sub`) of an account that signs in by single sign-on.
    sa.Column("sso_subject", sa.String(255), nullable=True, index=True, unique=True),
)

web_sessions = sa.Table(
    "web_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie's token
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
)

# The append-only audit log (migration 0003; triggers refuse UPDATE and DELETE), hash-chained (0005).
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("event", sa.String(30), nullable=False),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column("role", sa.String(20), nullable=True),
    sa.Column("la_code", sa.String(200), nullable=True),
    sa.Column("detail", sa.String(500), nullable=False, server_default=""),
    sa.Column("address", sa.String(64), nullable=True),
    # Migration 0005: the hash chain (munro.web.audit_log.entry_hash); the previous entry's hash, and this one's.
    sa.Column("prev_hash", sa.String(64), nullable=True),
    sa.Column("hash", sa.String(64), nullable=True),
    sa.Index("ix_audit_log_la_code_at", "la_code", "at"),
)
