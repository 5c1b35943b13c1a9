"""notes required

Revision ID: b2c0ffee0002
Revises: b2c0ffee0001
"""
from alembic import op
import sqlalchemy as sa

revision = 'b2c0ffee0002'
down_revision = 'b2c0ffee0001'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite has no ALTER COLUMN: this fails at run time.
    op.alter_column('notes', 'title', existing_type=sa.String(100), nullable=False)
    # Fine: batch mode recreates the table with the new definition.
    with op.batch_alter_table('notes') as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
    # Fine: SQLite can add a column with ALTER TABLE.
    op.add_column('notes', sa.Column('pinned', sa.Boolean(), nullable=True))


def downgrade():
    op.drop_column('notes', 'pinned')
    with op.batch_alter_table('notes') as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=True)
        batch_op.alter_column('title', existing_type=sa.String(100), nullable=True)
