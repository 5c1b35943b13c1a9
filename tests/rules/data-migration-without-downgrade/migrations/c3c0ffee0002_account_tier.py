"""account tier

Revision ID: c3c0ffee0002
Revises: c3c0ffee0001
"""
from alembic import op
import sqlalchemy as sa

revision = 'c3c0ffee0002'
down_revision = 'c3c0ffee0001'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column('accounts', sa.Column('tier', sa.String(20), nullable=True))
    # Fine: backfilling the column this migration adds; the downgrade drops it again.
    op.execute("UPDATE accounts SET tier = 'standard' WHERE tier IS NULL")
    # Existing rows change; downgrade() only drops the column, 'premium' plans stay 'pro'.
    op.execute("UPDATE accounts SET plan = 'pro' WHERE plan = 'premium'")


def downgrade():
    op.drop_column('accounts', 'tier')
