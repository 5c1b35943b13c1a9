"""seed the demo workspace and its default tags

Revision ID: 12070c377cfd
Revises: 6fb52cc2592f
Create Date: 2025-03-20 07:41:19.665310

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '12070c377cfd'
down_revision: Union[str, Sequence[str], None] = '6fb52cc2592f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

members = sa.table(
    'members',
    sa.column('id', sa.Integer),
    sa.column('email', sa.String),
    sa.column('display_name', sa.String),
)
tags = sa.table(
    'tags',
    sa.column('id', sa.Integer),
    sa.column('workspace_id', sa.Integer),
    sa.column('name', sa.String),
    sa.column('color', sa.String),
)


def upgrade() -> None:
    op.bulk_insert(members, [{'id': 9001, 'email': 'demo@example.com', 'display_name': None}])
    op.execute("INSERT INTO workspaces (id, owner_id, slug, title) VALUES (9001, 9001, 'demo', 'Demo workspace')")
    op.bulk_insert(
        tags,
        [
            {'id': 9001, 'workspace_id': 9001, 'name': 'bug', 'color': '#d73a4a'},
            {'id': 9002, 'workspace_id': 9001, 'name': 'feature', 'color': '#a2eeef'},
            {'id': 9003, 'workspace_id': 9001, 'name': "won't fix", 'color': '#ffffff'},
        ],
    )
    op.execute(
        members.update().where(members.c.email == op.inline_literal('demo@example.com')).values(display_name=op.inline_literal('Demo'))
    )


def downgrade() -> None:
    op.execute(tags.delete().where(tags.c.workspace_id == op.inline_literal(9001)))
    op.execute("DELETE FROM workspaces WHERE id = 9001")
    op.execute(members.delete().where(members.c.id == op.inline_literal(9001)))
