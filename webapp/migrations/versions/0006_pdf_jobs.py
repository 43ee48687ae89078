"""PDF summaries are made off the request path: one row per summary being made or that failed.

The row holds no answers and no key: ids, the state (queued, rendering, failed), why it failed,
where it was handed (this server's pool or the Redis queue) and when. It goes with its result.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pdf_jobs",
        sa.Column("result_id", sa.String(64), sa.ForeignKey("results.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version_key", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16), nullable=True),
        sa.Column("via", sa.String(8), nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pdf_jobs")
