"""warehouses

Revision ID: c1
Revises:
Create Date: 2026-02-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "c1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "warehouses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )


def downgrade():
    op.drop_table("warehouses")
