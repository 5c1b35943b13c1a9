from shop.models.base import Base
from shop.models.customers import Customer

__all__ = ["Base", "Customer"]
