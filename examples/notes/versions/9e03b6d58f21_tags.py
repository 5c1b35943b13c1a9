"""tags

Revision ID: 9e03b6d58f21
Revises: 4a7c2e91b0d3
Create Date: 2026-11-09 16:40:51.902317

"""
from alembic import op
import sqlalchemy as sa

revision = "9e03b6d58f21"
down_revision = "4a7c2e91b0d3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(40), nullable=False, unique=True),
    )
    op.create_table(
        "note_tags",
        sa.Column("note_id", sa.Integer(), sa.ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag_id", sa.Integer(), sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("note_tags")
    op.drop_table("tags")
