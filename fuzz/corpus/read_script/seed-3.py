"""merge usage reports and sso

Revision ID: dae6604d7a6c
Revises: 64d77ff48a57, 64d7c1a0e9b2
Create Date: 2023-11-20 13:37:00.000001

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dae6604d7a6c'
down_revision = ['64d77ff48a57', '64d7c1a0e9b2']
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
