import sqlalchemy as sa

from crm.models import Record, Stage


class Deal(Record):
    __tablename__ = "deals"
    __table_args__ = (
        sa.CheckConstraint("amount >= 0", name="ck_deals_amount"),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], ondelete="SET NULL"),
        {"sqlite_autoincrement": False},
    )

    company_id = sa.Column(sa.Integer)
    stage = sa.Column(sa.Enum(Stage), nullable=False)
    amount = sa.Column(sa.Numeric(12, 2), nullable=False, server_default="0")
    note = sa.Column(sa.UnicodeText)
