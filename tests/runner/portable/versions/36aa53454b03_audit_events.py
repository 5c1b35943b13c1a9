"""audit events

Revision ID: 36aa53454b03
Revises: 7bfde183edec
Create Date: 2025-03-11 16:05:52.310988

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '36aa53454b03'
down_revision: Union[str, Sequence[str], None] = '7bfde183edec'
branch_labels: Union[str, Sequence[str], None] = ('audit',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'audit_events',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name='fk_audit_events_actor_id_members', ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_audit_events'),
    )
    op.create_index('ix_audit_events_at', 'audit_events', ['at'])


def downgrade() -> None:
    op.drop_index('ix_audit_events_at', table_name='audit_events')
    op.drop_table('audit_events')
