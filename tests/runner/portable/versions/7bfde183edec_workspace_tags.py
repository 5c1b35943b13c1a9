"""workspace tags

Revision ID: 7bfde183edec
Revises: e0beb9e9358a
Create Date: 2025-03-06 08:45:00.004410

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '7bfde183edec'
down_revision: Union[str, Sequence[str], None] = 'e0beb9e9358a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'tags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('color', sa.String(length=7), server_default='#888888', nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name='fk_tags_workspace_id_workspaces'),
        sa.PrimaryKeyConstraint('id', name='pk_tags'),
    )
    op.create_index('ix_tags_workspace_id_name', 'tags', ['workspace_id', 'name'], unique=True)


def downgrade() -> None:
    op.drop_table('tags')
