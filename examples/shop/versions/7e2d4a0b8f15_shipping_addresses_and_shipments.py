"""shipping: addresses and shipments

Revision ID: 7e2d4a0b8f15
Revises: d2a7b56c0e19
Create Date: 2025-03-02 10:05:33.640711

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '7e2d4a0b8f15'
down_revision: Union[str, Sequence[str], None] = 'd2a7b56c0e19'
branch_labels: Union[str, Sequence[str], None] = ('shipping',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "addresses",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_addresses_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    op.add_column("orders", sa.Column("shipping_address_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_orders_shipping_address_id_addresses"), "orders", "addresses", ["shipping_address_id"], ["id"]
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint(op.f("fk_orders_shipping_address_id_addresses"), "orders", type_="foreignkey")
    op.drop_column("orders", "shipping_address_id")
    op.drop_table("addresses")
