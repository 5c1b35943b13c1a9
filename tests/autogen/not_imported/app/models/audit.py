from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.orm import declarative_base

AuditBase = declarative_base()


class AuditEntry(AuditBase):
    __tablename__ = "audit_entries"

    id = Column(Integer, primary_key=True)
    action = Column(String(20), nullable=False)
    at = Column(DateTime, nullable=False)
