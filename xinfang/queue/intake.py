"""The intake pipeline for work the web request could not finish.

A letter from a mailbox or the API that was stored but not registered is
registered here. A WeChat message stored `pending` (Redis was down when it came, so the
dialogue state was out of reach) becomes a dialogue step here; the answer goes
back as a customer-service message through the outbox. An intake submitted by
`确认` becomes a case here (bot.submission). A case registered without labels is classified here; its suggested
department comes with the classification, and it waits in the staff's 待登记
queue (status received).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import nlp
from ..cases import mailbox, service
from ..cases.deadlines import Calendar
from ..models import Case, InboundMessage, Notification, Petitioner, utcnow

# A message that failed this often is left `failed` for staff (listed with the dead work).
MAX_MESSAGE_ATTEMPTS = 5


def process_message(session: Session, cal: Calendar, redis, message_id: int) -> list[Notification]:
    """Run a stored message through the dialogue once; returns the outbox rows of the answers.

    The citizen's older pending messages go first, so answers keep the order the
    citizen wrote in, whichever job runs first. `respond` marks a message processed
    in the dialogue step's own commit; the answer's outbox row follows in the next
    one. A process killed between the two leaves the citizen without that one
    answer (a submitted intake, with its 查询码, is already in the database), never
    with two.
    """
    message = session.get(InboundMessage, message_id)
    if message is None or message.status != "pending":
        return []
    if message.channel != "wechat":
        # A letter (mailbox or API) stored, but not registered when it came: register it now.
        # mailbox.process notes a failure on the row and re-raises, so RQ records it too.
        mailbox.process(session, cal, message)
        return []
    waiting = session.scalars(select(InboundMessage.id).where(
        InboundMessage.channel == message.channel, InboundMessage.sender == message.sender,
        InboundMessage.status == "pending", InboundMessage.id <= message_id).order_by(InboundMessage.id)).all()
    answers = (_answer_pending(session, cal, redis, pending_id) for pending_id in waiting)
    return [notification for notification in answers if notification is not None]


def _answer_pending(session: Session, cal: Calendar, redis, message_id: int) -> Notification | None:
    from ..bot.conversation import respond

    message = session.get(InboundMessage, message_id)
    try:
        answer = respond(session, cal, redis, message)
    except Exception as exc:
        session.rollback()
        message = session.get(InboundMessage, message_id)
        message.attempts += 1
        message.error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_MESSAGE_ATTEMPTS:
            message.status = "failed"
        session.commit()
        raise
    if not answer or not message.sender:
        return None
    petitioner = session.scalar(select(Petitioner).where(Petitioner.openid == message.sender))
    if petitioner is None:
        return None
    # The answer to the citizen's own message is not a status push: quiet hours do not hold it back.
    notification = Notification(
        idempotency_key=f"message:{message.id}", case_id=message.case_id, petitioner_id=petitioner.id,
        event="answer", channels=["wechat_custom"], text=answer, urgent=True, next_attempt_at=utcnow(), data={},
    )
    session.add(notification)
    try:
        session.commit()
    except IntegrityError:
        # The message's own job answered it meanwhile (it waited for the citizen's lock, then found
        # the message processed): that job's row holds this key, the answer goes out once.
        session.rollback()
        return None
    return notification


def classify_case(session: Session, case_id: int) -> Case | None:
    """Store the classifier's suggestion on a case that has none yet (a person confirms it, Art. 44)."""
    case = session.get(Case, case_id)
    if case is None or case.classified_at is not None:
        return None
    service.classify_labels(session, case, nlp.classify(case.text).to_dict())
    return case
