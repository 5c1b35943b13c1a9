"""create orders

Revision ID: a1c0ffee0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = 'a1c0ffee0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'orders',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('customer_id', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table('orders')
