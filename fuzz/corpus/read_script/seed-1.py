"""add project archived flag

Revision ID: 05073901e3ae
Revises: dae6604d7a6c
Create Date: 2023-12-01 07:45:39.314159

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '05073901e3ae'
down_revision = 'dae6604d7a6c'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('projects', sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        sa.text("UPDATE projects SET archived_at = now() WHERE settings ->> 'archived' = :flag")
        .bindparams(flag='true')
    )


def downgrade():
    op.drop_column('projects', 'archived_at')
