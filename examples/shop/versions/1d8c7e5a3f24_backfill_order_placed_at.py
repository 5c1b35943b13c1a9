"""backfill order placed_at

Revision ID: 1d8c7e5a3f24
Revises: e6f18a3c5b90
Create Date: 2025-03-14 17:25:48.902211

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '1d8c7e5a3f24'
down_revision: Union[str, Sequence[str], None] = 'e6f18a3c5b90'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("UPDATE orders SET placed_at = now() WHERE status <> 'cart' AND placed_at IS NULL")
    op.alter_column("orders", "placed_at", existing_type=sa.DateTime(timezone=True), nullable=True)


def downgrade() -> None:
    """Downgrade schema."""
    pass
