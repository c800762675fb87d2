"""An admin's override of a citizen notice or a 处理意见 draft; the defaults stay in code (cases.templates)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class TemplateOverride(Base):
    __tablename__ = "template_overrides"

    # "notice.replied", "reply.支持", … (cases.templates.CATALOGUE)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    # {"text": …} for a notice; {"text", "facts", "basis"} for a 处理意见 draft.
    fields: Mapped[dict]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
