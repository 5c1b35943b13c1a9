"""rename name to title

MySQL renames a column with CHANGE, which needs the column type (existing_type).

Revision ID: 76295f34f04d
Revises: 95f52f269a1a
Create Date: 2024-12-06 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision: str = '76295f34f04d'
down_revision: Union[str, Sequence[str], None] = '95f52f269a1a'
branch_labels: Union[str, Sequence[str], None] = 'mysql_change_without_type'
depends_on: Union[str, Sequence[str], None] = None



def upgrade() -> None:
    """Upgrade schema."""
    op.alter_column('widgets', 'name', new_column_name='title')


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column('widgets', 'title', new_column_name='name')
