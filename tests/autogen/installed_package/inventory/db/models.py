"""Inventory models: the package's Base gives every table its timestamps."""
from typing import Any

import sqlalchemy as sa

try:
    from sqlalchemy.orm import declarative_base
except ImportError:  # SQLAlchemy before 1.4
    from sqlalchemy.ext.declarative import declarative_base


class TimestampMixin:
    created_at = sa.Column(sa.DateTime)
    updated_at = sa.Column(sa.DateTime)


class _Base(TimestampMixin):
    pass


BASE: Any = declarative_base(cls=_Base)


class Warehouse(BASE):
    __tablename__ = "warehouses"
    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(8), nullable=False, unique=True)
    city = sa.Column(sa.String(60))


class Item(BASE):
    __tablename__ = "items"
    id = sa.Column(sa.Integer, primary_key=True)
    warehouse_id = sa.Column(sa.ForeignKey("warehouses.id"), nullable=False, index=True)
    sku = sa.Column(sa.String(32), nullable=False)
