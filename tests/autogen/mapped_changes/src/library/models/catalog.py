import enum
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from library.models.base import Base


class Genre(enum.Enum):
    fiction = "fiction"
    essay = "essay"
    poetry = "poetry"


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    bio: Mapped[Optional[str]] = mapped_column(comment="Biography")
    email: Mapped[str | None] = mapped_column(String(120), unique=True)
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "books"
    __table_args__ = (
        Index("ix_books_title_author", "title", "author_id"),
        UniqueConstraint("isbn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), comment="Title")
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    isbn: Mapped[Optional[str]] = mapped_column(String(13))
    genre: Mapped[Genre]
    pages: Mapped[int | None]
    author: Mapped["Author"] = relationship(back_populates="books")
