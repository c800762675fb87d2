"""The citizen who writes: one row per WeChat openid or mailbox contact."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Petitioner(Base):
    __tablename__ = "petitioners"
    # Prefix search on pinyin ("zhaxi…") needs a pattern index under a non-C collation; a part of a name
    # (LIKE '%…%') a trigram index on PostgreSQL.
    __table_args__ = (
        Index("ix_petitioners_name_pinyin", "name_pinyin", postgresql_ops={"name_pinyin": "varchar_pattern_ops"}),
        Index("ix_petitioners_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(60))
    # Pinyin without tones, so staff find 扎西 by "zhaxi" and 扎喜 alike.
    name_pinyin: Mapped[str | None] = mapped_column(String(120))
    name_initials: Mapped[str | None] = mapped_column(String(30), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    email: Mapped[str | None] = mapped_column(String(120))
    # WeChat: unsubscribe stops pushes; the last inbound opens the 48-hour customer-service window.
    subscribed: Mapped[bool] = mapped_column(default=True)
    last_inbound_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
