"""users

Revision ID: d1
Revises:
Create Date: 2026-04-01 08:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "d1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_users_login", "users", ["login"])


def downgrade():
    op.drop_index("ix_users_login", table_name="users")
    op.drop_table("users")
