"""order indexes

Revision ID: a1c0ffee0002
Revises: a1c0ffee0001
"""
from alembic import op
import sqlalchemy as sa

revision = 'a1c0ffee0002'
down_revision = 'a1c0ffee0001'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    # Alembic runs upgrade() in a transaction: PostgreSQL refuses CREATE INDEX CONCURRENTLY there.
    op.create_index('ix_orders_customer_id', 'orders', ['customer_id'], postgresql_concurrently=True)
    # Fine: the autocommit block runs it outside the transaction.
    with op.get_context().autocommit_block():
        op.create_index('ix_orders_created_at', 'orders', ['created_at'], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index('ix_orders_created_at', table_name='orders', postgresql_concurrently=True)
        op.drop_index('ix_orders_customer_id', table_name='orders', postgresql_concurrently=True)
