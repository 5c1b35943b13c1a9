"""archive retention

Revision ID: 36b9fbc9b1a1
Revises: 6b3adcb0338c
Create Date: 2024-11-13 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '36b9fbc9b1a1'
down_revision: Union[str, Sequence[str], None] = '6b3adcb0338c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('archived_tenants', sa.Column('keep_until', sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('archived_tenants', 'keep_until')
