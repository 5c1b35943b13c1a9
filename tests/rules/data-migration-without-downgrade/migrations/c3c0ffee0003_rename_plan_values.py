"""rename plan values

Revision ID: c3c0ffee0003
Revises: c3c0ffee0002
"""
from alembic import op
import sqlalchemy as sa

revision = 'c3c0ffee0003'
down_revision = 'c3c0ffee0002'
branch_labels = None
depends_on = None


def upgrade():
    # Fine: the downgrade reverses the data change.
    op.execute("UPDATE accounts SET plan = 'basic' WHERE plan = 'free'")


def downgrade():
    op.execute("UPDATE accounts SET plan = 'free' WHERE plan = 'basic'")
