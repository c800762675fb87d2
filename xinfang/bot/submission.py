"""Submitted intakes become cases: the intake pipeline's registration step (run by the queue).

At 确认 the dialogue reserved the 查询码 and kept the finished intake on the
message (bot.conversation); the answer with the code went out at once. Here
the case is registered from that row alone — so it survives Redis losing the
draft — with the classification, the routing and the clock
(《信访工作条例》第二十一条、第二十二条) and its receipt notice.

A registration takes the intakes waiting beside its own, up to BATCH, into
the same transaction: at a burst of 确认 one commit serves many citizens.
The rows are claimed with FOR UPDATE SKIP LOCKED, so two workers never take
the same intake, and a claimed row is registered or left exactly as it was.
Safe to run twice: a registered message is not claimed again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import and_, case as when, or_, select
from sqlalchemy.orm import Session

from .. import nlp
from ..cases.deadlines import Calendar
from ..cases.service import Petition, register_cases
from ..models import Attachment, InboundMessage, Petitioner
from .dialogue import Intake

log = logging.getLogger(__name__)

BATCH = 50


@dataclass
class Registration:
    registered: dict[int, int] = field(default_factory=dict)  # message id -> case id, registered now
    refused: Exception | None = None  # why this job's own intake was not registered


def register_submissions(session: Session, cal: Calendar, message_id: int) -> Registration:
    """Register this message's intake and up to BATCH - 1 others waiting, in one transaction; committed.

    Nothing is registered when another worker holds or has registered this intake. The receipt
    notices are in the outbox, `pending`: the caller sends them (the sweeper would too).
    """
    messages = _claim(session, message_id)
    try:
        registered = _register(session, cal, messages)
        session.commit()
        return Registration(registered)
    except Exception:
        session.rollback()
    # One intake the registration refuses must not hold up the others: one by one, each in a savepoint.
    log.exception("a batch of %d intakes failed; registering them one by one", len(messages))
    outcome = Registration()
    for message in _claim(session, message_id):
        try:
            with session.begin_nested():
                outcome.registered |= _register(session, cal, [message])
        except Exception as exc:
            log.exception("the intake of message %s was not registered", message.id)
            # Kept out of the other jobs' batches from now on; its own job (and the sweeper) still try it.
            message.error = f"登记失败：{exc}"
            if message.id == message_id:
                outcome.refused = exc
    session.commit()
    return outcome


# Submitted by 确认 and not registered yet.
UNREGISTERED = and_(InboundMessage.tracking_code.is_not(None), InboundMessage.case_id.is_(None))


def longest_waiting(session: Session) -> int | None:
    """The message of the intake waiting longest that no registration has refused yet."""
    return session.scalar(select(InboundMessage.id).where(UNREGISTERED, InboundMessage.error.is_(None))
                          .order_by(InboundMessage.id).limit(1))


def _claim(session: Session, message_id: int) -> list[InboundMessage]:
    """This message first, then the longest waiting that no registration has refused yet; rows another
    worker holds are skipped."""
    query = (select(InboundMessage)
             .where(UNREGISTERED, or_(InboundMessage.id == message_id, InboundMessage.error.is_(None)))
             .order_by(when((InboundMessage.id == message_id, 0), else_=1), InboundMessage.id).limit(BATCH))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _register(session: Session, cal: Calendar, messages: list[InboundMessage]) -> dict[int, int]:
    petitioners = _petitioners(session, [message.sender for message in messages])
    intakes = [Intake.from_dict(message.intake) for message in messages]
    petitions = []
    for message, intake in zip(messages, intakes):
        petitioner = petitioners[message.sender]
        if intake.phone and intake.phone != petitioner.phone:
            petitioner.phone = intake.phone
        # The summary the citizen confirmed was classified already (an intake submitted before the
        # labels were kept has none). The clock counts from the 确认 message, when the petition was
        # received (Art. 22).
        petitions.append(Petition(channel=message.channel, text=intake.text, petitioner=petitioner,
                                  county=intake.county, township=intake.township,
                                  labels=intake.labels or nlp.classify(intake.text).to_dict(),
                                  now=message.received_at, tracking_code=message.tracking_code))
    cases = [case for case, _ in register_cases(session, cal, petitions)]
    for message, intake, case in zip(messages, intakes, cases):
        if intake.attachments:
            for attachment in session.scalars(select(Attachment).where(Attachment.id.in_(intake.attachments))):
                attachment.case_id = case.id
        message.case_id = case.id
    return {message.id: case.id for message, case in zip(messages, cases)}


def _petitioners(session: Session, openids: list[str]) -> dict[str, Petitioner]:
    """The citizens by openid, those writing for the first time added (one query, one flush)."""
    known = {p.openid: p for p in session.scalars(select(Petitioner).where(Petitioner.openid.in_(set(openids))))}
    new = [Petitioner(openid=openid) for openid in dict.fromkeys(openids) if openid not in known]
    if new:
        session.add_all(new)
        session.flush()
    return known | {p.openid: p for p in new}


def registered_case_id(session: Session, message_id: int) -> int | None:
    return session.scalar(select(InboundMessage.case_id).where(InboundMessage.id == message_id))
