"""order notes

Revision ID: (computed, 91d613a1893b)
Revises: dc87eec243cc
Create Date: 2024-01-02 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from migration_helpers import ORDERS_PARENT, make_revision_id

# revision identifiers, used by Alembic.
revision = make_revision_id('orders', 1)
down_revision = ORDERS_PARENT
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('orders_v2', sa.Column('notes', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('orders_v2', 'notes')
