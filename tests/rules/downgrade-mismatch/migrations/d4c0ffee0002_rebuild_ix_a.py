"""rebuild ix_a

Revision ID: d4c0ffee0002
Revises: d4c0ffee0001
"""
from alembic import op
import sqlalchemy as sa

revision = 'd4c0ffee0002'
down_revision = 'd4c0ffee0001'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.drop_index('ix_a', table_name='accounts')
    op.create_index('ix_a_email', 'accounts', ['email'])


def downgrade():
    op.drop_index('ix_a_email', table_name='accounts')
    # Recreated with fewer columns than upgrade dropped.
    op.create_index('ix_a', 'accounts', ['org_id'])
