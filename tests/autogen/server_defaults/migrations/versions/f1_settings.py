"""settings

Revision ID: f1
Revises:
Create Date: 2026-06-01 08:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "f1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=10), server_default="light", nullable=False),
        sa.Column("retries", sa.Integer(), server_default="3", nullable=False),
        sa.Column("created", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("flag", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("note", sa.String(length=40), nullable=True),
        sa.Column("legacy", sa.Integer(), server_default="7", nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("settings")
