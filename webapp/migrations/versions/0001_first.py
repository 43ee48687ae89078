"""First schema: drafts, results, rule-set versions, counsellors.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("flow", sa.String(200), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_drafts_updated_at", "drafts", ["updated_at"])
    op.create_table(
        "ruleset_versions",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("ruleset_id", sa.String(200), nullable=False),
        sa.Column("ruleset_hash", sa.String(64), nullable=False),
        sa.Column("ruleset_text", sa.Text, nullable=False),
        sa.Column("questionnaires", sa.Text, nullable=False),
    )
    op.create_table(
        "results",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("version_key", sa.String(64), sa.ForeignKey("ruleset_versions.key"), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
    )
    op.create_index("ix_results_created_at", "results", ["created_at"])
    op.create_table(
        "counsellors",
        sa.Column("username", sa.String(100), primary_key=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("counsellors")
    op.drop_index("ix_results_created_at", "results")
    op.drop_table("results")
    op.drop_table("ruleset_versions")
    op.drop_index("ix_drafts_updated_at", "drafts")
    op.drop_table("drafts")
