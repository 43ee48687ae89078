"""Record when rule-set versions and counsellor accounts were created.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

EPOCH = "2026-01-01 00:00:00"  # rows from before this migration get a fixed, known date


def upgrade() -> None:
    for table in ("ruleset_versions", "counsellors"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("created_at", sa.DateTime, nullable=False, server_default=EPOCH))


def downgrade() -> None:
    for table in ("ruleset_versions", "counsellors"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("created_at")
