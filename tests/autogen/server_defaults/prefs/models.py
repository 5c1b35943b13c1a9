import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Setting(Base):
    __tablename__ = "settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(sa.String(10), server_default="dark")
    retries: Mapped[int] = mapped_column(server_default="3")
    created: Mapped[datetime.datetime] = mapped_column(server_default=sa.func.now())
    flag: Mapped[bool] = mapped_column(server_default=sa.text("1"))
    note: Mapped[str | None] = mapped_column(sa.String(40), server_default="n/a")
    legacy: Mapped[int | None]
