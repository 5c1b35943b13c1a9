"""add sessions

Revision ID: 9b3f6a21c4d8
Revises: 5d1e0c7b2a90
Create Date: 2026-11-09 16:40:51.002917

"""
from alembic import op
import sqlalchemy as sa

revision = "9b3f6a21c4d8"
down_revision = "5d1e0c7b2a90"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.BigInteger(), sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sessions_account_id", "sessions", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_sessions_account_id", table_name="sessions")
    op.drop_table("sessions")
