"""create accounts

Revision ID: d4c0ffee0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = 'd4c0ffee0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accounts',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('org_id', sa.BigInteger(), nullable=False),
        sa.Column('email', sa.Text(), nullable=False),
    )
    op.create_index('ix_a', 'accounts', ['org_id', 'email'])


def downgrade():
    op.drop_index('ix_a', table_name='accounts')
    op.drop_table('accounts')
