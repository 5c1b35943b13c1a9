"""add session user agent

Revision ID: bb7fe74dccbb
Revises: f9e4f3ed441e
Create Date: 2024-07-09 17:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bb7fe74dccbb'
down_revision = 'f9e4f3ed441e'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('sessions', sa.Column('user_agent', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('sessions', 'user_agent')
