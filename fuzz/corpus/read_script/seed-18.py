"""case insensitive sku

A bound dialect variable, if/elif/else, and a branch for offline mode.

Revision ID: 6541dde32dd5
Revises: 6d0c334fb872
Create Date: 2024-09-03 13:40:12.250000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from alembic import context
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = '6541dde32dd5'
down_revision: Union[str, Sequence[str], None] = '6d0c334fb872'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.add_column('products', sa.Column('sku_ci', postgresql.CITEXT(), nullable=True))
    elif bind.dialect.name in ('mysql', 'mariadb'):
        op.add_column('products', sa.Column('sku_ci', sa.String(length=64, collation='utf8mb4_general_ci'), nullable=True))
    else:
        op.add_column('products', sa.Column('sku_ci', sa.String(length=64, collation='NOCASE'), nullable=True))

    if context.is_offline_mode():
        op.execute('UPDATE products SET sku_ci = sku')
    else:
        conn = op.get_bind()
        conn.execute(sa.text('UPDATE products SET sku_ci = sku WHERE sku_ci IS NULL'))

    if not context.is_offline_mode():
        op.execute('ANALYZE products')

    if bind.dialect.name != 'sqlite':
        op.create_unique_constraint('uq_products_sku_ci', 'products', ['sku_ci'])


def downgrade() -> None:
    """Downgrade schema."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_constraint('uq_products_sku_ci', 'products', type_='unique')
    op.drop_column('products', 'sku_ci')
