"""create accounts

Revision ID: c3c0ffee0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = 'c3c0ffee0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accounts',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('plan', sa.String(20), nullable=True),
    )


def downgrade():
    op.drop_table('accounts')
