"""batch without recreate

Adding a column and an index needs no table rebuild, even on SQLite.

Revision ID: 404a02d95d67
Revises: 070a6ec37e1a
Create Date: 2024-08-12 08:08:08.080808

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '404a02d95d67'
down_revision: Union[str, Sequence[str], None] = '070a6ec37e1a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index('ix_agents_email', ['email'], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table(
        'agents',
        schema=None,
        copy_from=sa.Table(
            'agents',
            sa.MetaData(),
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('name', sa.String(length=80), nullable=True),
            sa.Column('email', sa.String(length=200), server_default='', nullable=False),
            sa.PrimaryKeyConstraint('id'),
            sa.Index('ix_agents_email', 'email', unique=True),
        ),
    ) as batch_op:
        batch_op.drop_index('ix_agents_email')
        batch_op.drop_column('email')
