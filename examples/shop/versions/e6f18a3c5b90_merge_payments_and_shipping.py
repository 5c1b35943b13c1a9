"""merge payments and shipping

Revision ID: e6f18a3c5b90
Revises: a91e6b2f47c3, c04b9f1e6d82
Create Date: 2025-03-10 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'e6f18a3c5b90'
down_revision: Union[str, Sequence[str], None] = ('a91e6b2f47c3', 'c04b9f1e6d82')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
