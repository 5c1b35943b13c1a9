from .base import Base
from .catalog import Author, Book

__all__ = ["Base", "Author", "Book"]
