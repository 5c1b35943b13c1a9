"""add customer marketing consent

Revision ID: b57a0e9d2c16
Revises: 1d8c7e5a3f24
Create Date: 2025-03-20 12:10:37.457766

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b57a0e9d2c16'
down_revision: Union[str, Sequence[str], None] = '1d8c7e5a3f24'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "customers",
        sa.Column("marketing_consent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("customers", "marketing_consent")
