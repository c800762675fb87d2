"""办结 when the citizen's window for 复查 or 复核 ends unused (《信访工作条例》 Art. 35, 36).

A replied case waits 30 days for a 复查 request (after the 处理意见) or a 复核
request (after the 复查意见), counted by the project's Calendar. On the day
after the window the system closes it through the case service, so the
timeline line and the citizen's 办结 notice are those of a manual close.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..models import Case, InboundMessage, Petitioner
from . import service
from .deadlines import Calendar
from .workflow import WorkflowError

log = logging.getLogger(__name__)

BATCH = 500


def close_expired_windows(session: Session, cal: Calendar, now: datetime) -> list[str]:
    """Close every replied case whose review window ended before `now`; returns their tracking codes.

    Safe to run twice or in two workers at once: a closed case is no longer `replied`,
    and a case changed meanwhile (a review asked, another worker closing it) is skipped.
    """
    # A WeChat message of the citizen not yet read may be the 复查 request itself: wait for it.
    unread = exists().where(InboundMessage.status == "pending", InboundMessage.sender == Petitioner.openid,
                            Petitioner.id == Case.petitioner_id)
    candidates = list(session.scalars(
        select(Case.id).where(Case.status == "replied", Case.due_at < now, ~unread)
        .order_by(Case.due_at, Case.id).limit(BATCH)))
    closed = []
    for case_id in candidates:
        case = session.get(Case, case_id)
        try:
            # The workflow's own guard decides that the window has ended (Calendar, rollover).
            service.perform_action(session, cal, case, "close", service.Actor.system(),
                                   {"note": "复查（复核）申请期限届满，信访人未申请，依法办结"}, now=now)
        except WorkflowError as exc:
            log.info("auto-close skipped %s: %s", case.tracking_code, exc)
            continue
        closed.append(case.tracking_code)
    return closed
