import sqlalchemy as sa
from sqlalchemy.orm import relationship

from .base import Base


class Customer(Base):
    __tablename__ = "customers"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(80), nullable=False)
    email = sa.Column(sa.String(255), nullable=False, unique=True, index=True)
    orders = relationship("Order", back_populates="customer")
