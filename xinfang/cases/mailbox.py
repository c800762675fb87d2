"""The mailbox intake: a letter from the web form or the JSON API becomes a case.

Store first, then classify and register (DESIGN §7). `receive` writes the
InboundMessage and its attachments and commits before anything else happens;
`process` classifies the letter, registers the case and marks the message
processed in one transaction, so a letter is never lost and never becomes two
cases. A message left pending (a crash, the database gone mid-way) is picked
up again by the sweeper, which calls `process` with the stored message.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import nlp
from ..models import Attachment, Case, County, InboundMessage, Mailbox, utcnow
from . import uploads
from .deadlines import Calendar
from .service import DISCIPLINE_DEPARTMENT, enqueue_followups, find_or_create_petitioner, register_case

log = logging.getLogger(__name__)

TITLE_MAX = 100
TEXT_MIN = 5
TEXT_MAX = 5000
NAME_MAX = 30
EMAIL_MAX = 120
FIELDS = ("mailbox", "title", "text", "county", "name", "phone", "email", "publish_consent")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-\d{7,8}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}")


class InvalidLetter(ValueError):
    """Fields a citizen must correct: {field: reason in Chinese}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors

    @property
    def field(self) -> str:
        return next(iter(self.errors))


@dataclass(frozen=True)
class Letter:
    """A validated letter, as stored in the InboundMessage payload."""

    mailbox: str
    text: str
    title: str | None = None
    county: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    publish_consent: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    def digest(self) -> str:
        """Same letter, same digest: a double tap or a retried POST is recognised by it."""
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


# --- validation --------------------------------------------------------------

def validate(session: Session, raw: dict) -> Letter:
    """A Letter from untrusted input (form or JSON), or InvalidLetter naming every bad field."""
    errors: dict[str, str] = {}

    def text_field(name: str, label: str, max_len: int, min_len: int = 0, multiline: bool = False) -> str | None:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if min_len:
                errors[name] = f"请填写{label}"
            return None
        if not isinstance(value, str):
            errors[name] = f"{label}应为文字"
            return None
        # The limit counts what was sent, as the API's document says (maxLength): spaces or control
        # characters at the ends, trimmed below, must not carry a value past it.
        sent = len(value)
        value = value.strip().replace("\r\n", "\n")
        if _CONTROL.search(value) or (not multiline and "\n" in value):
            errors[name] = f"{label}含有无法识别的字符"
        elif sent > max_len:
            errors[name] = f"{label}不能超过{max_len}个字（现有{sent}个字）"
        elif len(value) < min_len:
            errors[name] = f"{label}太短，请至少写{min_len}个字，把事情说清楚"
        return value

    slug = text_field("mailbox", "信箱", 40, min_len=1)
    title = text_field("title", "标题", TITLE_MAX)
    text = text_field("text", "信件内容", TEXT_MAX, min_len=TEXT_MIN, multiline=True)
    county = text_field("county", "县（市）", 20)
    name = text_field("name", "姓名", NAME_MAX)
    phone = text_field("phone", "电话", 30)
    email = text_field("email", "电子邮箱", EMAIL_MAX)
    consent = raw.get("publish_consent", False)
    if not isinstance(consent, bool):
        errors["publish_consent"] = "是否同意公开应为 true 或 false"

    if slug and "mailbox" not in errors and not _mailbox(session, slug):
        errors["mailbox"] = "没有这个信箱，请从信箱列表中选择"
    if county and "county" not in errors:
        county = county_name(session, county)
        if county is None:
            errors["county"] = "请从列表中选择甘孜州的县（市）"
    if phone and "phone" not in errors:
        phone = normalize_phone(phone)
        if phone is None:
            errors["phone"] = "电话格式不正确：请填写11位手机号，或带区号的固定电话（如 0836-2822222）"
    if email and "email" not in errors and not _EMAIL.fullmatch(email):
        errors["email"] = "电子邮箱格式不正确"
    if errors:
        raise InvalidLetter(errors)
    return Letter(mailbox=slug, text=text, title=title, county=county, name=name, phone=phone, email=email,
                  publish_consent=bool(consent))


def normalize_phone(raw: str) -> str | None:
    """11-digit mobile (spaces, dashes and +86 dropped), or a landline with its area code; None if neither."""
    compact = re.sub(r"[\s()（）]", "", raw)
    if compact.startswith("+86"):
        compact = compact[3:]
    mobile = compact.replace("-", "")
    if _MOBILE.fullmatch(mobile):
        return mobile
    if _LANDLINE.fullmatch(compact):
        return compact
    return None


def county_name(session: Session, raw: str) -> str | None:
    """The county's full name for its full or short name (康定市 or 康定), or None."""
    return session.scalar(select(County.name).where((County.name == raw) | (County.short_name == raw)))


def _mailbox(session: Session, slug: str) -> Mailbox | None:
    return session.scalar(select(Mailbox).where(Mailbox.slug == slug, Mailbox.active.is_(True)))


# --- storing -----------------------------------------------------------------

def find_message(session: Session, channel: str, external_id: str) -> InboundMessage | None:
    return session.scalar(select(InboundMessage).where(
        InboundMessage.channel == channel, InboundMessage.external_id == external_id))


def receive(session: Session, letter: Letter, *, channel: str, external_id: str, sender: str | None,
            files: list[uploads.Upload], data_dir: Path) -> tuple[InboundMessage, bool]:
    """Store the letter and its attachments and commit: (message, True), or (the earlier one, False).

    The unique (channel, external_id) makes a double tap or a retried POST return the first message.
    """
    existing = find_message(session, channel, external_id)
    if existing is not None:
        return existing, False
    payload = {"letter": letter.to_dict(), "digest": letter.digest()}
    message = InboundMessage(channel=channel, external_id=external_id, sender=sender, msg_type="letter",
                             raw=json.dumps(payload, ensure_ascii=False), payload=payload)
    saved: list[str] = []
    try:
        session.add(message)
        session.flush()
        for upload in files:
            path = uploads.save(data_dir, upload)
            saved.append(path)
            session.add(Attachment(message_id=message.id, kind=upload.kind, filename=upload.filename,
                                   content_type=upload.content_type, size=upload.size, storage=path))
        session.commit()
    except IntegrityError:
        session.rollback()
        _discard(data_dir, saved)
        earlier = find_message(session, channel, external_id)
        if earlier is None:
            raise
        return earlier, False
    except Exception:
        session.rollback()
        _discard(data_dir, saved)
        raise
    return message, True


def _discard(data_dir: Path, paths: list[str]) -> None:
    for path in paths:
        uploads.discard(data_dir, path)


# --- processing --------------------------------------------------------------

def process(session: Session, cal: Calendar, message: InboundMessage, now: datetime | None = None) -> Case:
    """Classify the stored letter and register its case; safe to call again for the same message.

    On failure the message stays pending with the error noted, for the sweeper, and the error propagates.
    """
    if message.case_id is not None:
        return session.get(Case, message.case_id)
    now = now or utcnow()
    letter = Letter(**message.payload["letter"])
    try:
        case = _register(session, cal, message, letter, now)
        message.status, message.processed_at, message.case_id = "processed", now, case.id
        message.answer, message.error = case.tracking_code, None
        message.attempts += 1
        session.commit()
    except Exception as exc:
        session.rollback()
        _note_failure(session, message, exc)
        raise
    enqueue_followups(session, case)
    return case


def _register(session: Session, cal: Calendar, message: InboundMessage, letter: Letter, now: datetime) -> Case:
    classification = nlp.classify(f"{letter.title}\n{letter.text}" if letter.title else letter.text)
    petitioner = None
    if letter.name or letter.phone or letter.email:
        petitioner = find_or_create_petitioner(session, name=letter.name, phone=letter.phone, email=letter.email)
    case = register_case(session, cal, channel=message.channel, text=letter.text, petitioner=petitioner,
                         mailbox_slug=letter.mailbox, title=letter.title, county=letter.county,
                         labels=classification.to_dict(), now=now, commit=False)
    case.publish_consent = letter.publish_consent
    # A letter to the discipline organ's mailbox is a 检举控告: its writer is kept from the accused (Art. 30).
    if _mailbox_department(session, letter.mailbox) == DISCIPLINE_DEPARTMENT:
        case.confidential = True
    for attachment in session.scalars(select(Attachment).where(Attachment.message_id == message.id)):
        attachment.case_id = case.id
    return case


def _mailbox_department(session: Session, slug: str) -> str | None:
    return session.scalar(select(Mailbox.handled_by).where(Mailbox.slug == slug))


def _note_failure(session: Session, message: InboundMessage, exc: Exception) -> None:
    log.exception("mailbox message %s stays pending for the sweeper", message.id)
    try:
        message.attempts += 1
        message.error = f"{type(exc).__name__}: {exc}"[:2000]
        session.commit()
    except Exception:  # the database itself may be what failed; the row is still pending
        session.rollback()
