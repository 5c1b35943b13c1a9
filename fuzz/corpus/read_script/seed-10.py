# -*- coding: latin-1 -*-
"""index sur le prénom

Encodé en latin-1 (voir la ligne « coding » en tête du fichier).

Revision ID: 0d2008fb43e6
Revises: 789c4c84f0f9
Create Date: 2024-09-05 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0d2008fb43e6'
down_revision = '789c4c84f0f9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_clients_prenom', 'clients', ['prenom'])


def downgrade():
    op.drop_index('ix_clients_prenom', table_name='clients')
