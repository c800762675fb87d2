"""A submitted intake becomes a case: the intake pipeline's registration step (run by the queue).

At 确认 the dialogue reserved the 查询码 and kept the finished intake on the
message (bot.conversation); the answer with the code went out at once. Here
the case is registered from that row alone — so it survives Redis losing the
draft — with the classification, the routing and the clock
(《信访工作条例》第二十一条、第二十二条) and its receipt notice.
Safe to run twice: the message's case, or the case carrying its code, is the answer.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import nlp
from ..cases.deadlines import Calendar
from ..cases.service import find_or_create_petitioner, register_case
from ..models import Attachment, Case, InboundMessage
from .dialogue import Intake


def register_submission(session: Session, cal: Calendar, message_id: int) -> Case | None:
    """The case of the intake submitted by this message, registered now if it is not yet; committed.

    Its receipt notice is in the outbox, `pending`: the caller sends it (the sweeper would too)."""
    message = session.get(InboundMessage, message_id)
    if message is None or message.tracking_code is None:
        return None
    case = session.scalar(select(Case).where(Case.tracking_code == message.tracking_code))
    if case is None:
        case = _register(session, cal, message, Intake(**message.intake))
    if message.case_id != case.id:
        message.case_id = case.id
        session.commit()
    return case


def _register(session: Session, cal: Calendar, message: InboundMessage, intake: Intake) -> Case:
    petitioner = find_or_create_petitioner(session, openid=message.sender)
    if intake.phone and intake.phone != petitioner.phone:
        petitioner.phone = intake.phone
    found = nlp.classify(intake.text)
    # The clock counts from the 确认 message, when the petition was received (Art. 22).
    case = register_case(session, cal, channel=message.channel, text=intake.text, petitioner=petitioner,
                         county=intake.county, labels=found.to_dict(), now=message.received_at,
                         tracking_code=message.tracking_code, commit=False)
    if intake.county != found.county:
        case.township = intake.township  # the citizen's county outranks the text's; so does its township
    if intake.attachments:
        for attachment in session.scalars(select(Attachment).where(Attachment.id.in_(intake.attachments))):
            attachment.case_id = case.id
    message.case_id = case.id
    session.commit()
    return case
