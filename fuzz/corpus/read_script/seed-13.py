"""add account email

Revision ID: 223269301142
Revises: 7f9ea6b838b0
Create Date: 2024-04-03 12:31:40.877120

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '223269301142'
down_revision = '7f9ea6b838b0'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('accounts', sa.Column('email', sa.String(length=255), nullable=True))
    op.create_unique_constraint('uq_accounts_email', 'accounts', ['email'])


def downgrade():
    op.drop_constraint('uq_accounts_email', 'accounts', type_='unique')
    op.drop_column('accounts', 'email')
