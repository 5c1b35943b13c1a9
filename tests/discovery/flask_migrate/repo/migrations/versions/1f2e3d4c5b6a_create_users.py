"""create users

Revision ID: 1f2e3d4c5b6a
Revises: 
Create Date: 2024-03-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '1f2e3d4c5b6a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("name", sa.String(80), nullable=False))


def downgrade():
    op.drop_table("users")
