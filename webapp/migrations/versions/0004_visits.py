"""Visits own their drafts, results and cached PDFs, sealed with the visit's key; counsellor
sessions on the server; failed sign-ins counted; periodic jobs claimed once across processes.

Drafts, results and cached PDFs stored before this migration hold answers in clear and belong to
no visit, so no one could see or delete them any more: their tables are dropped (which also
takes their old pages out of the database files) and made anew, empty. Rule-set versions and
counsellor accounts are kept.

Revision ID: 0004
Revises: 0003
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("pdf_cache")
    op.drop_index("ix_results_created_at", "results")
    op.drop_table("results")
    op.drop_index("ix_drafts_updated_at", "drafts")
    op.drop_table("drafts")

    op.create_table(
        "visits",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_visits_last_seen_at", "visits", ["last_seen_at"])
    op.create_table(
        "drafts",
        sa.Column("visit_id", sa.String(64), sa.ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("slot", sa.String(64), primary_key=True),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_drafts_updated_at", "drafts", ["updated_at"])
    op.create_table(
        "results",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("visit_id", sa.String(64), sa.ForeignKey("visits.id", ondelete="CASCADE"), nullable=False),
        sa.Column("submission", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("version_key", sa.String(64), sa.ForeignKey("ruleset_versions.key"), nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("visit_id", "submission", name="uq_results_visit_submission"),
    )
    op.create_index("ix_results_created_at", "results", ["created_at"])
    op.create_index("ix_results_visit_id", "results", ["visit_id"])
    op.create_table(
        "pdf_cache",
        sa.Column("result_id", sa.String(64), sa.ForeignKey("results.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version_key", sa.String(64), primary_key=True),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "counsellor_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "username", sa.String(100), sa.ForeignKey("counsellors.username", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_counsellor_sessions_username", "counsellor_sessions", ["username"])
    op.create_index("ix_counsellor_sessions_last_seen_at", "counsellor_sessions", ["last_seen_at"])
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_login_attempts_expires_at", "login_attempts", ["expires_at"])
    housekeeping = op.create_table(
        "housekeeping",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("next_run_at", sa.DateTime, nullable=False),
    )
    op.bulk_insert(housekeeping, [{"name": "purge", "next_run_at": dt.datetime(2000, 1, 1)}])


def downgrade() -> None:
    # the sealed rows cannot go back to the old clear layout: the old tables come back empty
    op.drop_table("housekeeping")
    op.drop_index("ix_login_attempts_expires_at", "login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_counsellor_sessions_last_seen_at", "counsellor_sessions")
    op.drop_index("ix_counsellor_sessions_username", "counsellor_sessions")
    op.drop_table("counsellor_sessions")
    op.drop_table("pdf_cache")
    op.drop_index("ix_results_visit_id", "results")
    op.drop_index("ix_results_created_at", "results")
    op.drop_table("results")
    op.drop_index("ix_drafts_updated_at", "drafts")
    op.drop_table("drafts")
    op.drop_index("ix_visits_last_seen_at", "visits")
    op.drop_table("visits")
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("flow", sa.String(200), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_drafts_updated_at", "drafts", ["updated_at"])
    op.create_table(
        "results",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("version_key", sa.String(64), sa.ForeignKey("ruleset_versions.key"), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
    )
    op.create_index("ix_results_created_at", "results", ["created_at"])
    op.create_table(
        "pdf_cache",
        sa.Column("result_id", sa.String(64), sa.ForeignKey("results.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version_key", sa.String(64), primary_key=True),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
