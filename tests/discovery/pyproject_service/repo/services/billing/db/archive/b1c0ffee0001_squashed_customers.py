"""squashed: customers

Revision ID: b1c0ffee0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "b1c0ffee0001"
down_revision = None


def upgrade():
    op.create_table(
        "customers",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
    )


def downgrade():
    op.drop_table("customers")
