from sqlalchemy import Column, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.orm import relationship

from shop.models.base import Base


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("customer_id", "reference", name="uq_orders_customer_reference"),)

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)
    reference = Column(String(40), nullable=False)
    total = Column(Numeric(10, 2), nullable=False, default=0)
    note = Column(Text)
    created_at = Column(DateTime, server_default=func.now(), nullable=False)
    customer = relationship("Customer", back_populates="orders")


class Address(Base):
    __tablename__ = "addresses"

    id = Column(Integer, primary_key=True)
    zone_id = Column(ForeignKey("zones.code"), nullable=False)
    line = Column(String(120), nullable=False)


class Zone(Base):
    __tablename__ = "zones"

    code = Column(String(8), primary_key=True)
    label = Column(String(60), nullable=False, unique=True)
