"""满意度评价: the survey that follows a 处理意见 (国信发〔2022〕11号; LAW.md §12).

The citizen evaluates whoever gave the opinion, on two questions kept apart:
was the problem solved, and how satisfied is she (满意 / 基本满意 / 不满意).
The survey row is written in the reply's transaction and sent after a delay
through the notification outbox; one reminder; unanswered after the window it
closes as 超期未评价, which never counts as satisfied. The first answer to each
question counts, later ones are kept as comments. 不满意 or "not solved" puts
the case on the supervisor's 研判 list; an evaluation is never itself a 复查
request (Art. 35), so the answer tells the citizen how to ask for one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import runtime
from ..models import Case, Notification, Petitioner, Supervision, Survey, utcnow
from . import followups, reviews, service, supervision
from .codes import ALPHABET, LENGTH, normalize_tracking_code
from .deadlines import Calendar

SEND_SURVEY = "xinfang.queue.survey_jobs.send_survey"
REMIND_SURVEY = "xinfang.queue.survey_jobs.remind_survey"
SURVEY_QUEUE = "default"

ANSWERS = ("满意", "基本满意", "不满意")
# Actions that deliver a 处理意见 through the petition procedure (Art. 32, 35).
SURVEYED_ACTIONS = ("reply", "review_reply")
# Not evaluated: matters for litigation, arbitration, reconsideration or 纪检监察 (国信发〔2014〕16号 Art. 4).
EXCLUDED_PATHS = ("litigation", "arbitration", "reconsideration", "discipline")
TOKEN_SALT = "xinfang-survey"

# What a citizen types, most specific first ("不满意" contains "满意").
_ANSWER_WORDS = (
    ("非常不满意", "不满意"), ("很不满意", "不满意"), ("不满意", "不满意"), ("不太满意", "不满意"), ("不满", "不满意"),
    ("基本满意", "基本满意"), ("比较满意", "基本满意"), ("还可以", "基本满意"), ("一般", "基本满意"),
    ("非常满意", "满意"), ("很满意", "满意"), ("满意", "满意"),
)
_DIGIT_ANSWERS = {"1": "满意", "2": "基本满意", "3": "不满意"}
_SOLVED_WORDS = (
    ("没有解决", False), ("没解决", False), ("未解决", False), ("没得解决", False), ("还没解决", False),
    ("不解决", False), ("已经解决了", True), ("已经解决", True), ("已解决", True), ("解决了", True),
)
# The problem told as still there, in words kept for the reason: "路灯还是不亮", "补偿还没到位".
_STILL_THERE = re.compile(r"还是(不|没)|还没|没(有)?(修好|弄好|落实|到位|兑现)|未(落实|到位|兑现)")
_CODE = re.compile(f"[{ALPHABET}{ALPHABET.lower()}]{{{LENGTH}}}")
_FULLWIDTH_DIGITS = str.maketrans("１２３", "123")


class SurveyError(ValueError):
    """An answer that cannot be recorded; the message says why, for the citizen."""


@dataclass(frozen=True)
class ParsedAnswer:
    answer: str | None
    solved: bool | None
    reason: str | None
    tracking_code: str | None


@dataclass(frozen=True)
class Outcome:
    survey: Survey
    counted: tuple[str, ...]  # "answer", "solved": what this message settled
    judgement: Supervision | None
    late: bool  # the survey had closed: kept as a comment, not counted


# --- scheduling and sending ---------------------------------------------------

def is_surveyed(case: Case) -> bool:
    """A 处理意见 in the petition procedure, not a confidential 检举控告 (LAW.md §12)."""
    return not case.confidential and case.path not in EXCLUDED_PATHS and case.demand_type != "检举控告"


def survey_channel(petitioner: Petitioner | None) -> str:
    """WeChat answers in a word; SMS and email carry the signed link; else only the tracking page shows it."""
    if petitioner is None:
        return "page"
    if petitioner.openid and petitioner.subscribed:
        return "wechat"
    return "sms" if petitioner.phone else "email" if petitioner.email else "page"


def schedule_after_reply(session: Session, case: Case, now: datetime) -> Survey | None:
    """Write the survey of the opinion just given, in the reply's transaction (flushes, does not commit)."""
    if not is_surveyed(case):
        return None
    exists = session.scalar(select(Survey.id).where(Survey.case_id == case.id,
                                                    Survey.review_level == case.review_level))
    if exists:
        return None
    delay = timedelta(seconds=runtime.current().settings.survey_delay_seconds)
    survey = Survey(case_id=case.id, review_level=case.review_level, channel=survey_channel(case.petitioner),
                    status="scheduled", due_at=now + delay, created_at=now)
    session.add(survey)
    session.flush()
    return survey


def enqueue_send(survey: Survey) -> bool:
    """Best effort: when Redis is down, the periodic send_due_surveys finds the row."""
    return followups.enqueue(SEND_SURVEY, survey.id, queue=SURVEY_QUEUE, job_id=f"survey-{survey.id}",
                             at=survey.due_at)


def survey_token(secret_key: str, survey: Survey) -> str:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT).dumps(survey.id)


def survey_link(settings, case: Case, survey: Survey) -> str:
    """The signed link to the tracking page's evaluation, for SMS and email."""
    return f"{settings.public_url}/track/{case.tracking_code}?survey={survey_token(settings.secret_key, survey)}"


def _deadline_text(cal: Calendar, moment: datetime) -> str:
    day = cal.local_date(moment)
    return f"{day.month}月{day.day}日"


def survey_text(settings, cal: Calendar, case: Case, survey: Survey, *, reminder: bool) -> str:
    closes = _deadline_text(cal, (survey.sent_at or utcnow()) + timedelta(days=settings.survey_window_days))
    head = "【评价提醒】尚未收到您的评价" if reminder else "【满意度评价】您的信访事项已出具处理意见"
    link = survey_link(settings, case, survey)
    if survey.channel == "wechat":
        return (f"{head}（{case.tracking_code}），请在{closes}前回复：1 满意 / 2 基本满意 / 3 不满意；"
                f"问题是否解决，回复“已解决”或“未解决”。不满意可写明理由，如“3 未解决 补偿未到位”。"
                f"也可点此评价：{link}")
    return f"{head}（{case.tracking_code}），请在{closes}前点此评价：{link}"


def _push(session: Session, case: Case, survey: Survey, kind: str, text: str, now: datetime) -> Notification | None:
    channels = service.notification_channels(case.petitioner)
    if not channels:
        return None  # the tracking page shows the survey
    notification = Notification(
        idempotency_key=f"survey:{survey.id}:{kind}", case_id=case.id, petitioner_id=case.petitioner_id,
        event=kind, channels=channels, text=text,
        data={"tracking_code": case.tracking_code, "survey_id": survey.id},
        next_attempt_at=now,
    )
    session.add(notification)
    session.flush()
    return notification


def send(session: Session, survey_id: int, settings, cal: Calendar,
         now: datetime) -> tuple[bool, Notification | None]:
    """Send a due survey once: mark it sent, write its push into the outbox (none: the page only). Commits."""
    survey = session.get(Survey, survey_id)
    if survey is None or survey.status != "scheduled" or survey.due_at > now:
        return False, None
    case = session.get(Case, survey.case_id)
    channel = survey_channel(case.petitioner)
    # Only one sender wins, however many jobs and sweeps run at once.
    won = session.execute(update(Survey).where(Survey.id == survey.id, Survey.status == "scheduled")
                          .values(status="sent", sent_at=now, channel=channel)).rowcount
    if not won:
        session.rollback()
        return False, None
    session.refresh(survey)
    notification = _push(session, case, survey, "survey", survey_text(settings, cal, case, survey, reminder=False), now)
    session.commit()
    return True, notification


def remind(session: Session, survey_id: int, settings, cal: Calendar,
           now: datetime) -> tuple[bool, Notification | None]:
    """The one reminder of an unanswered survey. Commits."""
    survey = session.get(Survey, survey_id)
    if survey is None or survey.sent_at is None:
        return False, None
    if now < survey.sent_at + timedelta(seconds=settings.survey_reminder_seconds):
        return False, None
    won = session.execute(update(Survey).where(Survey.id == survey.id, Survey.status == "sent",
                                               Survey.reminded_at.is_(None)).values(reminded_at=now)).rowcount
    if not won:
        session.rollback()
        return False, None
    session.refresh(survey)
    case = session.get(Case, survey.case_id)
    notification = _push(session, case, survey, "survey_reminder",
                         survey_text(settings, cal, case, survey, reminder=True), now)
    session.commit()
    return True, notification


def due_for_sending(session: Session, now: datetime, limit: int = 500) -> list[int]:
    return list(session.scalars(select(Survey.id).where(Survey.status == "scheduled", Survey.due_at <= now)
                                .order_by(Survey.due_at).limit(limit)))


def due_for_reminder(session: Session, settings, now: datetime, limit: int = 500) -> list[int]:
    sent_before = now - timedelta(seconds=settings.survey_reminder_seconds)
    return list(session.scalars(select(Survey.id).where(Survey.status == "sent", Survey.reminded_at.is_(None),
                                                        Survey.sent_at <= sent_before)
                                .order_by(Survey.sent_at).limit(limit)))


def expire_surveys(session: Session, settings, now: datetime) -> int:
    """Close unanswered surveys past the window as 超期未评价 (expired, never counted as satisfied)."""
    cutoff = now - timedelta(days=settings.survey_window_days)
    count = session.execute(update(Survey).where(Survey.status == "sent", Survey.sent_at <= cutoff)
                            .values(status="expired")).rowcount
    session.commit()
    return count


# --- answers -------------------------------------------------------------------

def parse_answer(text: str) -> ParsedAnswer:
    """Satisfaction, solved and the citizen's reason from one short message ("3 未解决 补偿未到位")."""
    rest = (text or "").strip().translate(_FULLWIDTH_DIGITS)
    code = None
    match = _CODE.search(rest)
    if match and normalize_tracking_code(match.group()):
        code = normalize_tracking_code(match.group())
        rest = rest.replace(match.group(), " ")
    answer = None
    digit = re.match(r"\s*([123])(?!\d)", rest)
    if digit:
        answer = _DIGIT_ANSWERS[digit.group(1)]
        rest = rest[digit.end():]
    else:
        for word, value in _ANSWER_WORDS:
            if word in rest:
                answer = value
                rest = rest.replace(word, " ", 1)
                break
    solved = None
    for word, value in _SOLVED_WORDS:
        if word in rest:
            solved = value
            rest = rest.replace(word, " ", 1)
            break
    else:
        solved = False if _STILL_THERE.search(rest) else None
    reason = re.sub(r"^[\s，,。.：:；;、!！]+|[\s，,。.；;、]+$", "", re.sub(r"^\s*(评价|理由|原因)", "", rest)) or None
    return ParsedAnswer(answer, solved, reason, code)


def record_answer(session: Session, survey: Survey, *, answer: str | None = None, solved: bool | None = None,
                  reason: str | None = None, now: datetime | None = None) -> Outcome:
    """Record an answer: the first to each question counts, anything later is a comment. Commits."""
    if answer is not None and answer not in ANSWERS:
        raise SurveyError("评价应为：满意、基本满意或不满意")
    if answer is None and solved is None and not reason:
        raise SurveyError("请选择：满意、基本满意或不满意")
    now = now or utcnow()
    reason = (reason or "").strip()[:1000] or None
    open_statuses = ("scheduled", "sent")
    counted = []
    # Conditional updates: of two answers arriving together, exactly one counts.
    if answer is not None and session.execute(
            update(Survey).where(Survey.id == survey.id, Survey.answer.is_(None), Survey.status.in_(open_statuses))
            .values(answer=answer, answered_at=now, status="answered")).rowcount:
        counted.append("answer")
    if solved is not None and session.execute(
            update(Survey).where(Survey.id == survey.id, Survey.solved.is_(None),
                                 Survey.status.in_(open_statuses + ("answered",)))
            .values(solved=solved)).rowcount:
        counted.append("solved")
    session.refresh(survey)
    late = survey.status == "expired"
    if counted and reason and not survey.reason:
        survey.reason = reason
    elif not counted or reason:
        survey.comment = _with_line(survey.comment, now, answer, solved, reason)
    judgement = None
    dissatisfied = ("answer" in counted and answer == "不满意") or ("solved" in counted and solved is False)
    if dissatisfied:
        judgement = supervision.open_judgement(session, survey, reason or survey.reason, now)
    session.commit()
    return Outcome(survey, tuple(counted), judgement, late)


def _with_line(comment: str | None, now: datetime, answer, solved, reason) -> str:
    solved_word = {True: "已解决", False: "未解决"}.get(solved, "")
    line = " ".join(p for p in (now.strftime("%Y-%m-%d %H:%M UTC"), answer or "", solved_word, reason or "") if p)
    return f"{comment}\n{line}" if comment else line


def find_survey(session: Session, petitioner_id: int, tracking_code: str | None = None) -> Survey | None:
    """The survey a citizen's word answers: the newest unanswered one, else the newest with a question open.

    One not sent yet counts too: a citizen who read the reply and answers before the survey's push
    (it waits a day) is evaluating, not starting a new petition.
    """
    query = select(Survey).join(Case, Survey.case_id == Case.id).where(
        Case.petitioner_id == petitioner_id, Survey.status.in_(("scheduled", "sent", "answered", "expired")))
    if tracking_code:
        query = query.where(Case.tracking_code == tracking_code)
    surveys = list(session.scalars(query.order_by(Survey.id.desc()).limit(20)))
    for wanted in (lambda s: s.status in ("sent", "scheduled"), lambda s: s.status == "answered" and s.solved is None):
        for survey in surveys:
            if wanted(survey):
                return survey
    return surveys[0] if surveys else None


def latest_survey(session: Session, case: Case) -> Survey | None:
    """The survey of the case's latest opinion (for the tracking page's evaluation block)."""
    return session.scalar(select(Survey).where(Survey.case_id == case.id).order_by(Survey.review_level.desc()))


def answer_reply(session: Session, cal: Calendar, outcome: Outcome, now: datetime, *, on_page: bool = False) -> str:
    """What the citizen is told after answering, in a few lines for a phone (or on the tracking page)."""
    survey = outcome.survey
    case = session.get(Case, survey.case_id)
    if outcome.late:
        return f"该评价（{case.tracking_code}）已超期（超期未评价），您的意见已记录。"
    if not outcome.counted:
        return f"您已评价过（{case.tracking_code}），本次意见已作为补充记录。"
    parts = []
    if "answer" in outcome.counted:
        parts.append(f"感谢您的评价：{survey.answer}。")
    if "solved" in outcome.counted:
        parts.append(f"已记录：问题{'已解决' if survey.solved else '未解决'}。")
    if survey.answer is None:
        parts.append("请再评价：满意 / 基本满意 / 不满意。" if on_page else "请再回复：1 满意 / 2 基本满意 / 3 不满意。")
    elif survey.solved is None:
        parts.append("问题是否已解决？" if on_page else "请再回复：问题“已解决”或“未解决”？")
    if outcome.judgement is not None:
        parts.append("您的意见已转督办人员研判。评价不视为复查申请。")
        parts.append(reviews.review_offer(session, cal, case, now, on_page=on_page))
    return "".join(parts)


def reply_to_citizen(session: Session, cal: Calendar, petitioner_id: int, text: str,
                     now: datetime | None = None) -> str:
    """A WeChat citizen's evaluation words (满意 / 1 / 未解决 …) answered: the bot's evaluation function."""
    now = now or utcnow()
    parsed = parse_answer(text)
    survey = find_survey(session, petitioner_id, parsed.tracking_code)
    if survey is None:
        return "您目前没有待评价的信访事项。"
    if parsed.answer is None and parsed.solved is None:
        case = session.get(Case, survey.case_id)
        return f"请评价信访事项（{case.tracking_code}）：回复 1 满意 / 2 基本满意 / 3 不满意。"
    outcome = record_answer(session, survey, answer=parsed.answer, solved=parsed.solved, reason=parsed.reason, now=now)
    return answer_reply(session, cal, outcome, now)


def survey_from_token(session: Session, settings, token: str) -> Survey:
    """The survey a signed link names (the tracking page's evaluation, from SMS and email)."""
    max_age = (settings.survey_window_days + 7) * 86400
    try:
        survey_id = URLSafeTimedSerializer(settings.secret_key, salt=TOKEN_SALT).loads(token, max_age=max_age)
    except BadSignature:
        raise SurveyError("评价链接无效或已过期，请用查询码查询") from None
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise SurveyError("评价链接无效或已过期，请用查询码查询")
    return survey
