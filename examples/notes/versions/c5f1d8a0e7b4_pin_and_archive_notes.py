"""pin and archive notes

Revision ID: c5f1d8a0e7b4
Revises: 9e03b6d58f21
Create Date: 2026-11-20 11:02:37.441096

"""
from alembic import op
import sqlalchemy as sa

revision = "c5f1d8a0e7b4"
down_revision = "9e03b6d58f21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite cannot add a CHECK constraint or drop a column in place: batch mode copies the
    # table.
    with op.batch_alter_table("notes") as batch_op:
        batch_op.add_column(sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))
        batch_op.create_check_constraint("ck_notes_body_not_empty", "length(body) > 0")


def downgrade() -> None:
    with op.batch_alter_table("notes") as batch_op:
        batch_op.drop_constraint("ck_notes_body_not_empty", type_="check")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("pinned")
