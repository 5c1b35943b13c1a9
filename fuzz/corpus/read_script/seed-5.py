"""article published_at

Revision ID: a075291dfb57
Revises: 57d4b1510e6f
Create Date: 2024-01-03 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a075291dfb57'
down_revision = '57d4b1510e6f'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('articles', sa.Column('published_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('articles', 'published_at')
