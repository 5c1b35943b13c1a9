"""create workspaces

Revision ID: e0beb9e9358a
Revises: 97ce8de05964
Create Date: 2025-03-04 14:02:11.540917

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'e0beb9e9358a'
down_revision: Union[str, Sequence[str], None] = '97ce8de05964'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'workspaces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['owner_id'], ['members.id'], name='fk_workspaces_owner_id_members', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_workspaces'),
        sa.UniqueConstraint('slug', name='uq_workspaces_slug'),
    )
    op.create_index('ix_workspaces_owner_id', 'workspaces', ['owner_id'])


def downgrade() -> None:
    # No drop_index first: MySQL refuses to drop the index its foreign key now uses
    # (error 1553); dropping the table drops both on every server.
    op.drop_table('workspaces')
