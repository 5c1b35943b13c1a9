"""create accounts

Revision ID: 5d1e0c7b2a90
Revises:
Create Date: 2026-11-02 09:14:03.118204

"""
from alembic import op
import sqlalchemy as sa

revision = "5d1e0c7b2a90"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("accounts")
