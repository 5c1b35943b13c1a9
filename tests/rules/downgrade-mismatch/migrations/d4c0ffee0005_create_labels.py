"""create labels

Revision ID: d4c0ffee0005
Revises: d4c0ffee0004
"""
from alembic import op
import sqlalchemy as sa

revision = 'd4c0ffee0005'
down_revision = 'd4c0ffee0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'labels',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('color', sa.Enum('red', 'blue', name='label_color'), nullable=False),
    )


def downgrade():
    # Fine: the type is dropped with the table.
    op.drop_table('labels')
    sa.Enum(name='label_color').drop(op.get_bind())
