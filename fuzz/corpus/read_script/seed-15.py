"""create bins

Revision ID: 6e5d926160b2
Revises: c713684eeb8c
Create Date: 2025-06-03 09:02:11.630980

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '6e5d926160b2'
down_revision: Union[str, Sequence[str], None] = 'c713684eeb8c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'bins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bins')),
        sa.UniqueConstraint('label', name=op.f('uq_bins_label')),
    )
    op.add_column('items', sa.Column('bin_id', sa.Integer(), nullable=True))
    op.create_foreign_key(op.f('fk_items_bin_id_bins'), 'items', 'bins', ['bin_id'], ['id'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint(op.f('fk_items_bin_id_bins'), 'items', type_='foreignkey')
    op.drop_column('items', 'bin_id')
    op.drop_table('bins')
