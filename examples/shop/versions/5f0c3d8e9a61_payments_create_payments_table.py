"""payments: create payments table

Revision ID: 5f0c3d8e9a61
Revises: d2a7b56c0e19
Create Date: 2025-03-01 08:30:15.873309

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5f0c3d8e9a61'
down_revision: Union[str, Sequence[str], None] = 'd2a7b56c0e19'
branch_labels: Union[str, Sequence[str], None] = ('payments',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("provider_ref", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("payments")
