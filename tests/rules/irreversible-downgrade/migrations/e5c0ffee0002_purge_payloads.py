"""purge payloads

Revision ID: e5c0ffee0002
Revises: e5c0ffee0001
"""
from alembic import op
import sqlalchemy as sa

revision = 'e5c0ffee0002'
down_revision = 'e5c0ffee0001'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.execute("UPDATE events SET payload = NULL WHERE payload = ''")


def downgrade():
    raise NotImplementedError("empty payloads cannot be told apart from NULL ones")
