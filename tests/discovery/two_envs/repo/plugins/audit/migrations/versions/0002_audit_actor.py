"""audit actor

Revision ID: 0002
Revises: 0001
Create Date: 2024-03-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("audit_log", sa.Column("actor", sa.String(64), nullable=True))


def downgrade():
    op.drop_column("audit_log", "actor")
