"""create usage reports

Revision ID: 64d77ff48a57
Revises: 6d6637e052eb
Create Date: 2023-11-08 16:31:55.207814

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '64d77ff48a57'
down_revision = '6d6637e052eb'
branch_labels = None
depends_on = 'billing'


def upgrade():
    op.create_table(
        'usage_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=True),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('api_calls', sa.BigInteger(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id']),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id']),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('usage_reports')
