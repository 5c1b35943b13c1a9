"""add kind

Revision ID: f6c0ffee0002
Revises: f6c0ffee0001
"""
from alembic import op
import sqlalchemy as sa

revision = 'f6c0ffee0002'
down_revision = 'f6c0ffee0001'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column('events', sa.Column('kind', sa.Text(), nullable=True))


def downgrade():
    pass
