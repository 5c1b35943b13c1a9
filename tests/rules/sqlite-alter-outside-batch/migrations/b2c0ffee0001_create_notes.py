"""create notes

Revision ID: b2c0ffee0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = 'b2c0ffee0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('title', sa.String(100), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
    )


def downgrade():
    op.drop_table('notes')
