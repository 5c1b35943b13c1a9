"""invoices

Revision ID: b1c0ffee0002
Revises: b1c0ffee0001
"""
from alembic import op
import sqlalchemy as sa

revision = "b1c0ffee0002"
down_revision = "b1c0ffee0001"


def upgrade():
    op.create_table(
        "invoices",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("customer_id", sa.BigInteger(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
    )


def downgrade():
    op.drop_table("invoices")
