"""add source

Revision ID: f6c0ffee0003
Revises: f6c0ffee0002
"""
from alembic import op
import sqlalchemy as sa

revision = 'f6c0ffee0003'
down_revision = 'f6c0ffee0002'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column('events', sa.Column('source', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('events', 'source')
