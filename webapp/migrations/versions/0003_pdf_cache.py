"""Cache rendered PDF summaries, keyed by result and rule-set version.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pdf_cache",
        sa.Column("result_id", sa.String(64), sa.ForeignKey("results.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version_key", sa.String(64), primary_key=True),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pdf_cache")
