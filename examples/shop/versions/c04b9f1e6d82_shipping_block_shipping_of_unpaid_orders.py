"""shipping: block shipping of unpaid orders

Revision ID: c04b9f1e6d82
Revises: 7e2d4a0b8f15
Create Date: 2025-03-06 13:44:09.188260

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c04b9f1e6d82'
down_revision: Union[str, Sequence[str], None] = '7e2d4a0b8f15'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = '5f0c3d8e9a61'


def upgrade() -> None:
    """Upgrade schema."""
    op.execute(
        """
        CREATE FUNCTION refuse_unpaid_shipping() RETURNS trigger AS $$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM payments WHERE payments.order_id = NEW.id) THEN
            RAISE EXCEPTION 'order % is not paid', NEW.id;
          END IF;
          RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER orders_shipping_paid BEFORE UPDATE OF status ON orders "
        "FOR EACH ROW WHEN (NEW.status = 'shipped') EXECUTE FUNCTION refuse_unpaid_shipping()"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP TRIGGER orders_shipping_paid ON orders")
    op.execute("DROP FUNCTION refuse_unpaid_shipping()")
