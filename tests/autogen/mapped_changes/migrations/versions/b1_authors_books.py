"""authors and books

Revision ID: b1
Revises:
Create Date: 2026-02-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "b1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True, comment="old bio"),
        sa.Column("nickname", sa.String(length=30), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_authors"),
    )
    op.create_table(
        "books",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True, comment="Title"),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("isbn", sa.String(length=13), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_books"),
    )
    op.create_index("ix_books_isbn", "books", ["isbn"])
    op.create_table(
        "shelves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shelves"),
    )


def downgrade():
    op.drop_table("shelves")
    op.drop_index("ix_books_isbn", table_name="books")
    op.drop_table("books")
    op.drop_table("authors")
