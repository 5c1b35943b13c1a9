"""companies

Revision ID: e1
Revises:
Create Date: 2026-05-01 08:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("1"), nullable=False),
        sa.Column("rating", sa.Integer(), server_default="3", nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("companies")
