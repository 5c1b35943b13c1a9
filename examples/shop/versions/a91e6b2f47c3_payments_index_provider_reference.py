"""payments: index provider reference

Revision ID: a91e6b2f47c3
Revises: 5f0c3d8e9a61
Create Date: 2025-03-04 16:20:51.310027

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'a91e6b2f47c3'
down_revision: Union[str, Sequence[str], None] = '5f0c3d8e9a61'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        "ix_payments_provider_ref",
        "payments",
        ["provider_ref"],
        unique=True,
        postgresql_where=sa.text("provider_ref IS NOT NULL"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_payments_provider_ref", table_name="payments")
