from sqlalchemy import Column, Integer, String

from app.db import Base


def money_column():
    return Column(Integer, nullable=False, server_default="0")


class Report(Base):
    __tablename__ = "reports"

    id = Column(Integer, primary_key=True)
    title = Column(String(80))
    total = money_column()
