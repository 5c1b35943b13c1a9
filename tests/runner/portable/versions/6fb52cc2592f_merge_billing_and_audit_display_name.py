"""merge billing and audit; members get a display name

Revision ID: 6fb52cc2592f
Revises: 82d2dc719064, 36aa53454b03
Create Date: 2025-03-14 10:00:03.902211

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '6fb52cc2592f'
down_revision: Union[str, Sequence[str], None] = ('82d2dc719064', '36aa53454b03')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # recreate="never": plain ALTER TABLE on every server, SQLite included (it can add
    # and drop a column that no index or constraint uses).
    with op.batch_alter_table('members', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('members', recreate='never') as batch_op:
        batch_op.drop_column('display_name')
