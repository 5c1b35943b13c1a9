"""drop note

Revision ID: 0003
Revises: 0002
Create Date: 2024-03-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column("orders", "note")


def downgrade():
    op.add_column("orders", sa.Column("note", sa.Text()))
