"""invoices

Revision ID: 82d2dc719064
Revises: 7bfde183edec
Create Date: 2025-03-10 11:30:27.771045

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '82d2dc719064'
down_revision: Union[str, Sequence[str], None] = '7bfde183edec'
branch_labels: Union[str, Sequence[str], None] = ('billing',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'invoices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), server_default='EUR', nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name='fk_invoices_workspace_id_workspaces'),
        sa.PrimaryKeyConstraint('id', name='pk_invoices'),
    )


def downgrade() -> None:
    op.drop_table('invoices')
