"""create events

Revision ID: f6c0ffee0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = 'f6c0ffee0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'events',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('payload', sa.Text(), nullable=True),
    )


def downgrade():
    op.drop_table('events')
