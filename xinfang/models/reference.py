"""Reference data: counties, townships, departments, mailboxes (loaded by `xinfang seed`)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class County(Base):
    __tablename__ = "counties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    short_name: Mapped[str] = mapped_column(String(20))
    pinyin: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)

    townships: Mapped[list["Township"]] = relationship(back_populates="county", order_by="Township.id")


class Township(Base):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    pinyin: Mapped[str] = mapped_column(String(120))

    county: Mapped[County] = relationship(back_populates="townships")


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    categories: Mapped[list] = mapped_column(default=list)
    duties: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Mailbox(Base):
    __tablename__ = "mailboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    reaches: Mapped[str] = mapped_column(String(80))
    handled_by: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
