"""split payload

Revision ID: e5c0ffee0003
Revises: e5c0ffee0002
"""
from alembic import op
import sqlalchemy as sa

revision = 'e5c0ffee0003'
down_revision = 'e5c0ffee0002'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column('events', sa.Column('kind', sa.Text(), nullable=True))


def downgrade():
    # migplan: irreversible -- kind is filled by the application from now on.
    op.drop_column('events', 'kind')
