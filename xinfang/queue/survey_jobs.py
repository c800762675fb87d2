"""Jobs after the reply: send and remind surveys, close them as 超期未评价, escalate 督办, and
办结 the cases whose 复查/复核 window ended unused.

Plain functions enqueued by dotted path (cases.surveys names them). Each one
is idempotent: the database says what is already done, so a job run twice,
or a sweep racing a scheduled job, sends nothing twice. The pushes go through
the notification outbox, delivered by send_notification like every other.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from .. import runtime
from ..cases import closing, followups, supervision, surveys
from ..models import utcnow

log = logging.getLogger(__name__)


def _deliver(notification) -> None:
    if notification is not None:
        followups.enqueue(followups.SEND_NOTIFICATION, notification.id, queue=followups.NOTIFY_QUEUE,
                          job_id=followups.notify_job_id(notification.id))


def send_survey(survey_id: int) -> bool:
    """Send one due survey and plan its one reminder."""
    rt = runtime.current()
    now = utcnow()
    with rt.Session() as session:
        sent, notification = surveys.send(session, survey_id, rt.settings, rt.calendar, now)
    if not sent:
        return False
    _deliver(notification)
    followups.enqueue(surveys.REMIND_SURVEY, survey_id, queue=surveys.SURVEY_QUEUE, job_id=f"survey-remind-{survey_id}",
                      at=now + timedelta(seconds=rt.settings.survey_reminder_seconds))
    return True


def remind_survey(survey_id: int) -> bool:
    """The one reminder, if the survey is still unanswered."""
    rt = runtime.current()
    with rt.Session() as session:
        reminded, notification = surveys.remind(session, survey_id, rt.settings, rt.calendar, utcnow())
    _deliver(notification)
    return reminded


def send_due_surveys() -> dict:
    """Periodic sweep: surveys and reminders whose job was lost (Redis down, worker killed)."""
    rt = runtime.current()
    now = utcnow()
    with rt.Session() as session:
        due = surveys.due_for_sending(session, now)
        reminders = surveys.due_for_reminder(session, rt.settings, now)
    sent = sum(send_survey(survey_id) for survey_id in due)
    reminded = sum(remind_survey(survey_id) for survey_id in reminders)
    if sent or reminded:
        log.info("survey sweep: %d sent, %d reminded", sent, reminded)
    return {"sent": sent, "reminded": reminded}


def expire_surveys() -> int:
    """Periodic: unanswered surveys past the window close as 超期未评价."""
    rt = runtime.current()
    with rt.Session() as session:
        return surveys.expire_surveys(session, rt.settings, utcnow())


def escalate_supervisions() -> int:
    """Periodic: 督办 past their deadline without an answer become 挂牌督办."""
    with runtime.current().Session() as session:
        return len(supervision.escalate_overdue(session, utcnow()))


def close_expired_windows() -> list[str]:
    """Periodic: 办结 as "system" the replied cases whose 复查/复核 window ended (Art. 35, 36)."""
    rt = runtime.current()
    with rt.Session() as session:
        return closing.close_expired_windows(session, rt.calendar, utcnow())
