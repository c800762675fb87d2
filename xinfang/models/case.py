"""The case (信访事项), its append-only timeline, attachments and label corrections."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .petitioner import Petitioner


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The queries staff run: a queue by status sorted by deadline, scoped by department and county,
        # read from the index alone (the overview's overdue count per department too).
        Index("ix_cases_status_due", "status", "due_at", "id",
              postgresql_include=["department_code", "suggested_department_code"]),
        Index("ix_cases_department_status", "department_code", "status", "due_at", "id"),
        Index("ix_cases_review_department_status", "review_department_code", "status", "due_at", "id"),
        Index("ix_cases_county_status", "county", "status", "due_at", "id"),
        Index("ix_cases_created", "created_at", "id"),
        # A petitioner's cases newest first: search by name, pinyin, initials or phone.
        Index("ix_cases_petitioner_created", "petitioner_id", "created_at", "id"),
        # Search over the petition's words: ILIKE '%…%' uses a trigram index on PostgreSQL.
        Index("ix_cases_text_trgm", "text", postgresql_using="gin", postgresql_ops={"text": "gin_trgm_ops"}),
        Index("ix_cases_title_trgm", "title", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(10), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # wechat, mailbox, api, staff
    mailbox_slug: Mapped[str | None] = mapped_column(String(40), index=True)
    petitioner_id: Mapped[int | None] = mapped_column(ForeignKey("petitioners.id"))
    title: Mapped[str | None] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="received")

    # Labels (LABELS.md). `classification` keeps the machine's suggestion with its reasons;
    # the columns hold what a person confirmed, or the suggestion until then (Art. 44; PIPL Art. 24).
    category: Mapped[str | None] = mapped_column(String(20), index=True)
    path: Mapped[str | None] = mapped_column(String(20), index=True)
    demand_type: Mapped[str | None] = mapped_column(String(10))
    county: Mapped[str | None] = mapped_column(String(20))
    township: Mapped[str | None] = mapped_column(String(40))
    collective: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False)
    tibetan: Mapped[bool] = mapped_column(default=False)
    # 检举控告: the writer's identity never reaches the body accused (Art. 30).
    confidential: Mapped[bool] = mapped_column(default=False)
    # The citizen agreed to show the reply, personal data removed, on the public board (PIPL Art. 25).
    publish_consent: Mapped[bool] = mapped_column(default=False)
    classification: Mapped[dict | None]
    classified_at: Mapped[datetime | None]
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    fingerprint: Mapped[str | None] = mapped_column(Text)

    suggested_department_code: Mapped[str | None] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(String(20))

    # The running statutory clock: which one, and when it runs out.
    clock: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime | None]

    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    extension_days: Mapped[int] = mapped_column(default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # 0: the first 处理意见; 1: after 复查; 2: after 复核 (final, Art. 36).
    review_level: Mapped[int] = mapped_column(default=0)
    review_requested_at: Mapped[datetime | None]
    # The body one level up that takes the 复查/复核 (Art. 35, 36; cases.reviews) and its staff department.
    review_body: Mapped[str | None] = mapped_column(String(80))
    review_department_code: Mapped[str | None] = mapped_column(String(20))
    supervised_at: Mapped[datetime | None]

    reply_outcome: Mapped[str | None] = mapped_column(String(10))
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_facts: Mapped[str | None] = mapped_column(Text)
    reply_basis: Mapped[str | None] = mapped_column(Text)
    route: Mapped[str | None] = mapped_column(String(20))  # litigation, arbitration, reconsideration, discipline, organ
    route_body: Mapped[str | None] = mapped_column(String(120))
    route_reason: Mapped[str | None] = mapped_column(Text)
    not_accepted_ground: Mapped[str | None] = mapped_column(String(20))
    not_accepted_reason: Mapped[str | None] = mapped_column(Text)

    # A repeat of an open case of the same petitioner, or one of a mass petition, links here.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    petitioner: Mapped[Petitioner | None] = relationship()
    duplicate_of: Mapped["Case | None"] = relationship(remote_side="Case.id")
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="save-update, merge"
    )
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="case", order_by="Attachment.id")

    __mapper_args__ = {"version_id_col": version}


class CaseEvent(Base):
    """One line of the timeline: who, when, from, to, what. Never updated, never deleted."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(30))
    actor_kind: Mapped[str] = mapped_column(String(10))  # citizen, staff, system
    actor_id: Mapped[int | None]
    actor_name: Mapped[str | None] = mapped_column(String(60))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(default=dict)
    # Shown on the tracking page and in the public API.
    citizen_visible: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="events")


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # image, file, voice, pdf, location
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[int | None]
    # Where the bytes are: a path under the data directory, or WeChat's media id / URL.
    storage: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case | None] = relationship(back_populates="attachments")


class LabelCorrection(Base):
    """A person overruled the classifier: kept so the next training run learns from it."""

    __tablename__ = "label_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(40))
    new_value: Mapped[str | None] = mapped_column(String(40))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _timeline_is_append_only(mapper, connection, target):
    raise RuntimeError("the case timeline is append-only")
