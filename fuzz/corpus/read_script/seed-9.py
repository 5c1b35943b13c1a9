"""add author bio

Revision ID: 7f0c605dccf9
Revises: 48cab0032209
Create Date: 2024-01-02 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7f0c605dccf9'
down_revision = '48cab0032209'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('authors', sa.Column('bio', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('authors', 'bio')
