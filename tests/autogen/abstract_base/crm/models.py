import enum

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Stage(enum.Enum):
    LEAD = "lead"
    WON = "won"
    LOST = "lost"


class Record(Base):
    __abstract__ = True

    id = sa.Column(sa.Integer, primary_key=True)
    active = sa.Column(sa.Boolean, nullable=False, server_default=sa.text("1"))


class Company(Record):
    __tablename__ = "companies"

    name = sa.Column(sa.String(100), nullable=False)
    vat = sa.Column("vat_number", sa.String(20), unique=True)
    rating = sa.Column(sa.SmallInteger, server_default="3", nullable=False)
