"""The conversation: an inbound chat message in, the reply text out.

`answer_now` is the web request's way in, for a message just received;
`respond` is the queue's, for a message stored `pending` when the web request
could not answer it. Both run the same dialogue step (`_Turn`) under the
citizen's lock and commit the message with its answer, and whatever the step
wrote, in one transaction; the draft in Redis is written after that commit.
A message stored already gets its stored answer again.

The bot asks only for what is missing (the county, an optional phone), shows
a summary in plain words and, on 确认, reserves the 查询码 and hands the
intake to the queue, which registers the case (bot.submission)
(《信访工作条例》第十七条、第十九条: an online petition states the request,
facts and reasons; 第二十一条: registered and trackable by its 查询码).
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from redis.exceptions import RedisError
from sqlalchemy import bindparam, literal, literal_column, null, select, union_all
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .. import nlp
from ..cases import followups, public, surveys
from ..cases.codes import new_tracking_code
from ..cases.deadlines import ROUTE_DAYS, Calendar
from ..cases.notices import NOTICES, excerpt, route_window
from ..cases.departments import department_name
from ..cases.service import Actor, add_supplement, find_or_create_petitioner, perform_action
from ..cases.workflow import OPEN_STATES, STATES, WorkflowError
from ..models import Attachment, Case, InboundMessage, Notification, Petitioner, utcnow
from ..nlp import flags, places, resources
from ..nlp.personal import extract_personal, mask
from ..simulator.constants import MENU_GUIDE, MENU_REPORT, MENU_TRACK
from . import dialogue, floods, inbox, intents, locations, submission, texts
from .dialogue import Intake

log = logging.getLogger(__name__)

EXCERPT_CHARS = 60
SURVEY_WORD_CHARS = 5  # "非常不满意"
LEGAL_PATHS = ("litigation", "arbitration", "reconsideration")
# Media a citizen can attach to the open intake; WeChat keeps the bytes, we keep the media id.
MEDIA_TYPES = {"image": "image", "file": "file", "video": "video", "shortvideo": "video"}


# --- the entry points ----------------------------------------------------------

def respond(session: Session, cal: Calendar, redis, message: InboundMessage) -> str:
    """The reply to a stored `pending` message ("" when none is due); marks it processed. Idempotent.

    The queue's way in: the web request stored the message but could not answer it.
    """
    if message.status == "processed":
        return message.answer or ""
    if message.msg_type == "event":
        return _answer_event(session, cal, message)
    return _dialogue_step(session, cal, redis, message, _begin_stored(redis, message))


def answer_now(session: Session, cal: Calendar, redis, message: InboundMessage, *, replay_key: str) -> str:
    """The answer to a message just received (`message` not stored yet), within WeChat's 5 seconds
    whatever Redis does; never raises unless the database refuses even to store the message.

    One Redis round trip (replay, floods, lock, draft), the step, one commit that stores the
    message with its answer and whatever the step did, one more round trip (draft, lock). A retry
    of a message stored already gets the stored answer and changes nothing. When the step cannot
    run now the message is stored `pending`, the queue's process_message job answers it through
    the customer-service API, and the citizen gets a short holding text.
    """
    fields = stored_fields(message)
    try:
        begun = dialogue.begin(redis, message.channel, message.sender, replay=(replay_key, message.external_id),
                               limits=floods.LIMITS if _counts_for_floods(message) else (),
                               lock=message.msg_type != "event")
    except (RedisError, OSError, dialogue.Busy) as exc:
        if message.msg_type != "event":
            log.warning("message %s left for the queue: %s", message.external_id, exc)
            return leave_for_queue(session, fields)
        begun = dialogue.Begun()  # events need no dialogue state: answered while Redis is away
    if begun.replay_of is not None:
        return _stored_answer(session, message.channel, begun.replay_of) or ""
    try:
        if message.msg_type == "event":
            return _answer_new_event(session, cal, message, begun)
        if _backlog_of(session, message):
            # Older messages of this citizen wait in the queue (Redis was away): answer in order.
            _release(redis, fields, begun.token)
            return leave_for_queue(session, fields)
        return _dialogue_step(session, cal, redis, message, begun)
    except _StoredAlready:
        answer = _stored_answer(session, fields["channel"], fields["external_id"])
        if answer is None:  # the conflict was another row's
            return leave_for_queue(session, fields)
        return answer
    except Exception as exc:
        session.rollback()
        # The step frees the lock itself; a failure before it (the backlog check) must too, or the
        # citizen's next messages, and this one's job, would wait for the lock to expire.
        _release(redis, fields, begun.token)
        if _database_stalled(exc):
            raise  # storing it again would wait as long: the callback keeps it on disk
        log.exception("message %s left for the queue", fields["external_id"])
        return leave_for_queue(session, fields)


def _database_stalled(exc: Exception) -> bool:
    """The database is locked, timed out or refuses connections, rather than having dropped one
    connection (which a fresh one from the pool replaces)."""
    return isinstance(exc, OperationalError) and not exc.connection_invalidated


class _StoredAlready(Exception):
    """Storing the message hit a unique key: nearly always a WeChat retry of a stored message."""


def _begin_stored(redis, message: InboundMessage) -> dialogue.Begun:
    # A stored message: no replay check, no flood count (it was counted, or Redis was away).
    return dialogue.begin(redis, message.channel, message.sender)


_STORED = ("channel", "external_id", "sender", "msg_type", "raw", "payload", "received_at")


def stored_fields(message: InboundMessage) -> dict:
    """What storing the message writes (leave_for_queue, the spool). Read up front: after a failed
    flush the message's attributes cannot be loaded."""
    return {name: getattr(message, name) for name in _STORED}


def leave_for_queue(session: Session, fields: dict) -> str:
    """Store the message (its `stored_fields`) alone, `pending`, for the queue's process_message job;
    the holding text, or the stored answer of a message answered already."""
    stored, fresh = inbox.receive(session, channel=fields["channel"], external_id=fields["external_id"],
                                  sender=fields["sender"], msg_type=fields["msg_type"], raw=fields["raw"],
                                  payload=fields["payload"], now=fields["received_at"])
    if not fresh and stored.status == "processed":
        return stored.answer or ""
    followups.enqueue(followups.PROCESS_MESSAGE, stored.id, queue=followups.PENDING_QUEUE,
                      job_id=followups.intake_job_id(stored.id))
    _backlog.left_at = time.monotonic()
    return texts.HOLDING


def _stored_answer(session: Session, channel: str, external_id: str) -> str | None:
    """The answer stored with a message ("" while it waits for the queue); None when it is not stored."""
    session.rollback()
    row = session.execute(select(InboundMessage.answer).where(
        InboundMessage.channel == channel, InboundMessage.external_id == external_id)).first()
    return None if row is None else row.answer or ""


def _store(session: Session, message: InboundMessage, answer: str, touch: bool) -> None:
    """Store the message with its answer, and whatever the step did, in one commit."""
    message.status, message.processed_at, message.answer = "processed", utcnow(), answer
    message.attempts += 1
    try:
        if message.id is None:
            row = inbox.message_row(message)
            if not inbox.wrote(session):
                # Nothing else to commit with it: one commit with the other callbacks answered meanwhile.
                message.id = inbox.store_answered(session, row, touch)
                return
            message.id = inbox.insert_message(session, row)
        else:
            session.add(message)
        if touch:
            inbox.touch_petitioner(session, message)
        session.commit()
    except IntegrityError:
        raise _StoredAlready() from None


def _release(redis, fields: dict, token: str | None) -> None:
    if token is None:
        return
    try:
        dialogue.release(redis, fields["channel"], fields["sender"], token)
    except (RedisError, OSError) as exc:
        log.warning("lock of message %s not released (it expires): %s", fields["external_id"], exc)


def _answer_new_event(session: Session, cal: Calendar, message: InboundMessage, begun: dialogue.Begun) -> str:
    if begun.wait is not None:
        return _rate_limited(session, message, begun.wait, touch=True)
    try:
        inbox.add(session, message)
    except IntegrityError:
        raise _StoredAlready() from None
    return _answer_event(session, cal, message)


def _answer_event(session: Session, cal: Calendar, message: InboundMessage) -> str:
    # Events need no dialogue state: they work while Redis is away.
    answer = _event(session, cal, message)
    _store(session, message, answer, touch=False)
    return answer


RATE_LIMITED = "rate limited"


def _rate_limited(session: Session, message: InboundMessage, wait: int, *, touch: bool) -> str:
    # Stored all the same; answered once, never pushed again.
    message.error = RATE_LIMITED
    answer = texts.TOO_FAST.format(wait=floods.wait_text(wait))
    _store(session, message, answer, touch)
    return answer


def _dialogue_step(session: Session, cal: Calendar, redis, message: InboundMessage, begun: dialogue.Begun) -> str:
    """One step of a text or media message, under the citizen's lock; see answer_now."""
    if begun.wait is not None:
        return _rate_limited(session, message, begun.wait, touch=begun.touch)
    token = begun.token
    fields = stored_fields(message)
    try:
        if message.id is not None:
            # A stored message (the queue's): another process may have answered it while we waited.
            session.refresh(message)
            if message.status == "processed":
                return message.answer or ""
        intake = begun.intake
        if intake is None and _answers_a_draft(message):
            intake = _kept_draft(session, message)
        turn = _Turn(session, cal, message, intake)
        answer = turn.run()
        if not turn.submitted:
            draft = turn.left_draft
            message.intake = None if draft is None else draft.to_dict()
        _store(session, message, answer, begun.touch)
        turn.after_commit(redis, token)
        token = None
    finally:
        _release(redis, fields, token)
    return answer


# Messages left `pending` (Redis away) are answered by the queue in order; while any wait, a new
# message of the same citizen joins them rather than overtaking. Whether any wait is asked once
# a second per process; this process's own fallback marks it at once.
BACKLOG_CHECK_SECONDS = 1.0


@dataclass
class _Backlog:
    checked_at: float = float("-inf")
    any_pending: bool = False
    left_at: float = float("-inf")  # when this process last left a message for the queue


_backlog = _Backlog()


def _backlog_of(session: Session, message: InboundMessage) -> bool:
    now = time.monotonic()
    if now - _backlog.checked_at >= BACKLOG_CHECK_SECONDS:
        _backlog.checked_at = now
        _backlog.any_pending = session.scalar(select(InboundMessage.id).where(
            InboundMessage.status == "pending", InboundMessage.channel == message.channel).limit(1)) is not None
    if not _backlog.any_pending and now - _backlog.left_at >= BACKLOG_CHECK_SECONDS:
        return False
    return session.scalar(select(InboundMessage.id).where(
        InboundMessage.channel == message.channel, InboundMessage.sender == message.sender,
        InboundMessage.status == "pending").limit(1)) is not None


# A first message this short that names a county is the place, not yet the story (_Turn.place_alone).
PLACE_ALONE_CHARS = 6
# A reply this short is an answer to a question (a county, a phone number), not a petition.
ANSWER_CHARS = 11
DRAFT_AGE = timedelta(seconds=dialogue.TTL_SECONDS)


def _answers_a_draft(message: InboundMessage) -> bool:
    """Whether the message makes sense only with a draft open: 确认, 跳过, 修改, or a short answer."""
    if message.msg_type != "text":
        return False
    text = (message.payload.get("Content") or "").strip()
    kind = intents.parse(text).kind
    return kind in ("confirm", "skip", "amend") or (kind in ("text", "survey") and len(text) <= ANSWER_CHARS)


def _kept_draft(session: Session, message: InboundMessage) -> Intake | None:
    """The draft as the citizen's last answered message left it, when Redis lost it (restarted
    empty): every answered message keeps the draft of its step on its row. None after a 确认 or a
    取消, or once the draft would have expired."""
    row = session.execute(
        select(InboundMessage.intake, InboundMessage.tracking_code)
        .where(InboundMessage.channel == message.channel, InboundMessage.sender == message.sender,
               InboundMessage.status == "processed", InboundMessage.msg_type != "event",
               InboundMessage.error.is_distinct_from(RATE_LIMITED),  # answered without a step
               InboundMessage.received_at >= message.received_at - DRAFT_AGE)
        .order_by(InboundMessage.id.desc()).limit(1)).first()
    if row is None or row.intake is None or row.tracking_code is not None:
        return None
    return Intake.from_dict(row.intake)


def _counts_for_floods(message: InboundMessage) -> bool:
    return message.msg_type != "event" or message.payload.get("Event") in ("CLICK", "subscribe")


# --- events ------------------------------------------------------------------

def _event(session: Session, cal: Calendar, message: InboundMessage) -> str:
    payload = message.payload
    event = payload.get("Event")
    if event == "subscribe":
        return texts.WELCOME
    if event == "CLICK":
        key = payload.get("EventKey")
        if key == MENU_REPORT:
            return texts.START_REPORT
        if key == MENU_TRACK:
            return _query(session, cal, message.sender, None)
        if key == MENU_GUIDE:
            return texts.GUIDE
        return texts.HELP
    if event == "TEMPLATESENDJOBFINISH":
        _template_delivered(session, str(payload.get("MsgID") or payload.get("MsgId") or ""), payload.get("Status"))
    # unsubscribe (already applied when stored), LOCATION reports, VIEW and the rest need no answer.
    return ""


def _template_delivered(session: Session, msgid: str, status: str | None) -> None:
    if msgid and status:
        for notification in session.scalars(select(Notification).where(Notification.external_id == msgid)):
            notification.delivery = status[:40]


# At the county question: a reply no longer than a county's name may be one however it is typed
# ("理唐"); one up to COUNTY_ANSWER_CHARS names it ("在理塘那边"); a longer one is more of the story.
COUNTY_NAME_CHARS = 4
COUNTY_ANSWER_CHARS = 10


# A phone number mistyped: a long run of digits, or nothing but digits ("欠了35000元" is story).
_NUMBER_ATTEMPT = re.compile(r"\d{8,}|^[\d\s()+\-]+$")


def _tells_more(text: str) -> bool:
    """Whether a reply that does not answer the question is more of the story, to be kept: longer than
    a county's name, and not a mistyped phone number."""
    return intents.reply_length(text) > COUNTY_NAME_CHARS and not _NUMBER_ATTEMPT.search(text.strip())


# --- one dialogue step ---------------------------------------------------------

@dataclass
class _Turn:
    session: Session
    cal: Calendar
    message: InboundMessage
    intake: Intake | None
    drop_intake: bool = False
    submitted: bool = False
    replies: list[str] = field(default_factory=list)

    @cached_property
    def petitioner(self) -> Petitioner:
        return _petitioner(self.session, self.message)

    def run(self) -> str:
        payload = self.message.payload
        kind = self.message.msg_type
        if kind == "text":
            self.text(payload.get("Content") or "")
        elif kind == "voice":
            recognition = (payload.get("Recognition") or "").strip()
            self.text(recognition) if recognition else self.say(texts.VOICE_NOT_RECOGNIZED)
        elif kind in MEDIA_TYPES:
            self.attach(MEDIA_TYPES[kind], payload)
        elif kind == "location":
            self.location(payload)
        # Other kinds (link, mini-program cards…) are stored for staff and answered "success".
        return "\n".join(r for r in self.replies if r)

    def say(self, text: str) -> None:
        self.replies.append(text)

    def new_intake(self) -> Intake:
        return Intake(started_at=self.message.received_at.isoformat())

    def stored_message_id(self) -> int:
        """The message's id, storing it now if it is new (an attachment points at it)."""
        if self.message.id is None:
            self.session.add(self.message)
            try:
                self.session.flush()
            except IntegrityError:
                raise _StoredAlready() from None
        return self.message.id

    @property
    def left_draft(self) -> Intake | None:
        """The draft as this step leaves it for the next message (None: dropped, by 取消 or 确认)."""
        return None if self.drop_intake else self.intake

    def after_commit(self, redis, token: str | None) -> None:
        """Keep the draft for the next message, or drop it, and free the lock; enqueue a submitted intake."""
        channel, sender = self.message.channel, self.message.sender
        try:
            dialogue.finish(redis, channel, sender, token, self.left_draft)
        except (RedisError, OSError) as exc:
            # The answer is committed and must still go out; the next message meets a stale draft.
            log.warning("dialogue state of message %s not saved: %s", self.message.id, exc)
        if self.submitted:
            followups.enqueue(followups.REGISTER_INTAKE, self.message.id, queue="intake",
                              job_id=followups.register_job_id(self.message.id))

    # -- text --

    def text(self, text: str) -> None:
        intent = intents.parse(text)
        intake = self.intake
        step = intake.step if intake else None
        if intent.kind == "cancel":
            self.drop_intake = intake is not None
            return self.say(texts.CANCELLED if intake else texts.NOTHING_TO_CANCEL)
        if intent.kind in ("query", "review", "rereview", "guide", "report"):
            return self.command(intent)
        if intent.kind == "supplement":
            return self.supplement(intent.arg) if intake is None else self.add_text(intent.arg)
        if intent.kind == "withdraw":
            if intake is not None:  # the draft is simply not sent
                self.drop_intake = True
                return self.say(texts.CANCELLED)
            return self.withdraw(intent.arg)
        if intent.kind == "survey" and intent.arg.startswith(texts.EVALUATE):
            # 评价 said outright is the evaluation at any step; a bare "1" at the county step is a county.
            return self.say(_evaluate(self.session, self.cal, self.petitioner, text, self.message.received_at))
        if step == "county" and intent.kind in ("text", "survey"):
            return self.county_answer(text)
        if step == "phone" and intent.kind in ("text", "survey", "skip"):
            return self.phone_answer(text, intent.kind == "skip")
        if intent.kind == "survey":
            if surveys.find_survey(self.session, self.petitioner.id):
                return self.say(_evaluate(self.session, self.cal, self.petitioner, text, self.message.received_at))
            if intake is None and len(text.strip()) <= SURVEY_WORD_CHARS:
                return self.say(texts.HELP)  # a lone "1" or "满意" is not a petition
        if intent.kind == "confirm" or (intent.kind == "agree" and step == "confirm"):
            if step == "confirm":
                return self.submit()
            return self.say(self.question() if intake else texts.NOTHING_TO_CONFIRM)
        if intent.kind in ("agree", "thanks"):
            return self.say(self.question() if intake else texts.YOU_ARE_WELCOME)
        if intent.kind == "amend":
            if intake is None:
                return self.say(texts.ASK_SUPPLEMENT if self.newest_open_case() else texts.NOTHING_TO_CONFIRM)
            intake.step = "amend"
            return self.say(texts.AMEND_PROMPT)
        if intent.kind in ("help", "skip"):
            return self.say(self.question() if intake else texts.HELP)
        if step == "confirm" and self.county_change(text):
            return self.advance()
        if (intake is None or not intake.text) and self.place_alone(text):
            return
        self.add_text(text)

    def newest_open_case(self) -> Case | None:
        return self.session.scalar(select(Case).where(Case.petitioner_id == self.petitioner.id,
                                                      Case.status.in_(OPEN_STATES)).order_by(Case.id.desc()).limit(1))

    def supplement(self, more: str) -> None:
        """补充 with no draft open: added to the citizen's newest open case; with none, a new petition."""
        case = self.newest_open_case()
        if case is None:
            return self.add_text(more)
        add_supplement(self.session, case, self.petitioner.id, more, self.message.received_at)
        self.say(texts.supplement_added(case.tracking_code))

    def withdraw(self, words: str) -> None:
        """"我想撤回": the wish goes to whoever holds the citizen's newest open case, as a 补充 they
        see among their 提醒; staff decide what becomes of the case."""
        case = self.newest_open_case()
        if case is None:
            return self.say(texts.NOTHING_TO_WITHDRAW)
        add_supplement(self.session, case, self.petitioner.id, f"信访人表示不再需要办理：{words}",
                       self.message.received_at)
        self.say(texts.withdrawal_noted(case.tracking_code))

    def place_alone(self, text: str) -> bool:
        """A first message that only names a county ("康定") is kept as the place, and the story asked for."""
        if len(text.strip()) > PLACE_ALONE_CHARS or text.strip().isdigit():
            return False
        match = places.county_from_answer(text)
        if match is None or match.homophone:  # "得了" is not 得荣 before anything was asked
            return False
        if self.intake is None:
            self.intake = self.new_intake()
        self.intake.county, self.intake.township = match.county, match.township
        self.say(texts.place_noted(match.county + (match.township or "")))
        return True

    def command(self, intent: intents.Intent) -> None:
        if intent.kind == "query":
            return self.say(_query(self.session, self.cal, self.message.sender, intent.arg))
        if intent.kind in ("review", "rereview"):
            return self.say(self.review(intent.kind, intent.arg))
        if intent.kind == "guide":
            return self.say(texts.GUIDE)
        self.say(self.question() if self.intake else texts.START_REPORT)

    def add_text(self, text: str) -> None:
        if flags.urgent(text)[0]:
            self.say(texts.EMERGENCY)
        if self.intake is None:
            self.intake = self.new_intake()
        if self.intake.text:
            self.say(texts.amended())
        elif intents.has_tibetan(text):
            self.say(texts.TIBETAN_ACK)
        self.intake.add_text(text)
        correction = places.corrected_county(text) if self.intake.county else None
        if correction is not None:  # "不是道孚，是炉霍": the citizen's latest word on the place
            self.intake.county, self.intake.township = correction.county, correction.township
        self.advance()

    # -- the questions, in order --

    def advance(self) -> None:
        """Ask the next missing thing, or show the summary."""
        intake = self.intake
        if not intake.text:
            intake.step = "text"
            return self.say(texts.ASK_TEXT)
        found = _classify(intake.text)
        if intake.county is None:
            # A county heard only by sound in free text ("的路" ~ 德格) is a guess: ask instead.
            match = places.resolve_county(intake.text)
            if match is not None and not match.homophone:
                intake.county, intake.township = match.county, match.township
        if intake.phone is None:
            intake.phone = next(iter(extract_personal(intake.text).phones), None)
        if intake.county is None:
            intake.step = "county"
            return self.say(texts.county_question(_counties(), intents.has_tibetan(intake.text)))
        if intake.phone is None and not intake.phone_asked:
            # A number the citizen left before, asked for once; read, not created: a new citizen has none.
            intake.phone = next((row.phone for row in _read(self.session, _PHONE_ON_FILE, openid=self.message.sender)),
                                None)
            if intake.phone is None:
                intake.step, intake.phone_asked = "phone", True
                return self.say(texts.phone_question())
        intake.step = "confirm"
        self.say(self.summary(found))

    def question(self) -> str:
        """The question the open intake waits on, asked again."""
        step = self.intake.step
        if step == "county":
            return texts.county_question(_counties(), intents.has_tibetan(self.intake.text))
        if step == "phone":
            return texts.phone_question()
        if step == "confirm":
            return self.summary(_classify(self.intake.text))
        return texts.AMEND_PROMPT if step == "amend" else texts.ASK_TEXT

    def county_answer(self, text: str) -> None:
        length = intents.reply_length(text)
        match = places.county_from_answer(text) if length <= COUNTY_ANSWER_CHARS else None
        if match is not None and (length <= COUNTY_NAME_CHARS or not match.homophone):
            self.intake.county, self.intake.township = match.county, match.township
            return self.advance()
        if _tells_more(text):
            # More of the story, typed in pieces on a phone ("我家的房子", "被洪水冲垮了"): kept, and a
            # county it names is taken from it (one it only sounds like, "的路" ~ 德格, is asked again).
            return self.add_text(text)
        self.say(texts.COUNTY_NOT_RECOGNIZED + "\n" + self.question())

    def county_change(self, text: str) -> bool:
        """At the summary, a short reply naming a county, or words correcting it ("不是道孚，是炉霍"),
        change the county."""
        match = places.corrected_county(text)
        if match is None and len(text.strip()) <= 8:
            match = places.county_from_answer(text)
        if match is None:
            return False
        self.intake.county, self.intake.township = match.county, match.township
        return True

    def phone_answer(self, text: str, skip: bool) -> None:
        if not (skip or intents.declines_number(text)):
            phone = intents.phone_number(text)
            if phone is None and self.county_change(text):
                # A county named, or put right, instead of a number: taken, and the number asked again.
                self.intake.phone_asked = False
                self.say(texts.county_noted(self.intake.county + (self.intake.township or "")))
                return self.advance()
            if phone is None and _tells_more(text):
                # More of the story ("还有桥也没修好"), not a number: kept, and the number asked again.
                self.intake.phone_asked = False
                return self.add_text(text)
            if phone is None:
                return self.say(texts.PHONE_INVALID)
            self.intake.phone = phone
        self.advance()

    def summary(self, found) -> str:
        intake = self.intake
        intake.labels = found.to_dict()
        department = department_name(self.session, found.department) or "信访部门登记后分送"
        return texts.summary(
            excerpt=_excerpt(intake.text), category=found.category,
            county=intake.county + (intake.township or ""), department=department,
            phone=mask(intake.phone) if intake.phone else None, attachments=len(intake.attachments),
            procedure=_procedure(found) if found.path in LEGAL_PATHS else None)

    # -- media and places --

    def attach(self, kind: str, payload: dict) -> None:
        attachment = Attachment(message_id=self.stored_message_id(), kind=kind, filename=payload.get("Title"),
                                storage=payload.get("MediaId") or payload.get("PicUrl"))
        self.session.add(attachment)
        self.session.flush()
        if self.intake is None:
            self.intake = self.new_intake()
        self.intake.attachments.append(attachment.id)
        self.say(texts.attachment_noted(len(self.intake.attachments)))
        if not self.intake.text:
            self.say(texts.ASK_TEXT)
        elif self.intake.step == "confirm":
            self.say(texts.summary_hint())

    def location(self, payload: dict) -> None:
        try:
            latitude, longitude = float(payload.get("Location_X")), float(payload.get("Location_Y"))
        except (TypeError, ValueError):
            return self.say(texts.LOCATION_UNREADABLE)
        label = (payload.get("Label") or "").strip()
        self.session.add(Attachment(message_id=self.stored_message_id(), kind="location", filename=label[:200] or None,
                                    storage=f"{latitude:.6f},{longitude:.6f}"))
        county = locations.county_at(latitude, longitude)
        if self.intake is None:
            self.intake = self.new_intake()
        if county is None:
            self.say(texts.LOCATION_OUTSIDE if self.intake.step == "county" else texts.LOCATION_OUTSIDE_SHORT)
            if not self.intake.text:
                self.say(texts.ASK_TEXT)
            return
        self.intake.county, self.intake.township = county, None
        self.say(texts.location_noted(county))
        self.advance()

    # -- submitting --

    def submit(self) -> None:
        """确认: reserve the 查询码 and keep the intake on the message; the intake job registers the
        case from that row (classification, routing, the clock), so the answer need not wait for it."""
        intake = self.intake
        self.drop_intake = True
        # A draft can outlive its submission (Redis missed the clear after the commit). A second
        # submission of one intake breaks a unique index, and the callback leaves that message to the
        # queue, whose turn (a stored message) asks first and answers with the first one's code.
        if self.message.id is not None:
            already = _submitted_code(self.session, self.message, intake)
            if already is not None:
                code, received_at = already
                return self.say(texts.submitted(code, _date(self.cal, self.cal.add_days(received_at, ROUTE_DAYS))))
        self.message.tracking_code = new_tracking_code()
        self.message.intake = intake.to_dict()
        if intake.started_at is not None:
            self.message.intake_started_at = datetime.fromisoformat(intake.started_at)
        self.submitted = True
        if intents.has_tibetan(intake.text):
            self.say(texts.TIBETAN_ACK)
        code = self.message.tracking_code
        # The summary named no procedure: a petition, no need to classify again.
        labels = intake.labels
        found = None if labels is not None and labels["path"] not in LEGAL_PATHS else _classify(intake.text)
        if found is not None and found.path in LEGAL_PATHS:
            self.say(texts.routed_submitted(code, _procedure(found), _legal_body(found), _why(found),
                                            route_window(found.path, found.path_rule)))
        else:
            # The clock of a registered case counts from this message (Art. 22: 15 days from receipt).
            self.say(texts.submitted(code, _date(self.cal, self.cal.add_days(self.message.received_at, ROUTE_DAYS))))

    # -- review requests (《信访工作条例》第三十五条、第三十六条) --

    def review(self, kind: str, code: str | None) -> str:
        word = texts.REVIEW if kind == "review" else texts.REREVIEW
        action = "request_review" if kind == "review" else "request_rereview"
        if code is None:
            # "复查" alone: the one case it can be, rather than a 10-character code to type.
            open_to_it = self.open_to(action)
            if len(open_to_it) != 1:
                return texts.ask_review_code(word, open_to_it)
            code = open_to_it[0]
        petitioner = self.petitioner
        case = self.session.scalar(select(Case).where(Case.tracking_code == code))
        if case is None or case.petitioner_id != petitioner.id:
            return texts.NOT_YOURS.format(code=code)
        try:
            # Asked when the message came, not when it is read: a request the queue answers after an
            # outage keeps the window it was sent in (Art. 35, 36: 30 days from the opinion's receipt).
            perform_action(self.session, self.cal, case, action, Actor.citizen(petitioner.id),
                           now=self.message.received_at)
        except WorkflowError as exc:
            return texts.review_refused(str(exc))
        return NOTICES[f"{kind}_requested"](case, self.cal)

    def open_to(self, action: str) -> list[str]:
        """The 查询码 of the citizen's answered cases that `action` (复查, 复核) may be asked for now."""
        answered = self.session.scalars(select(Case).where(
            Case.petitioner_id == self.petitioner.id, Case.status == "replied").order_by(Case.id.desc()).limit(10))
        return [case.tracking_code for case in answered
                if public.review_action(case, self.cal, self.message.received_at) == action]


# --- the pieces of a step ------------------------------------------------------

def _petitioner(session: Session, message: InboundMessage) -> Petitioner:
    # inbox.receive loaded the citizen in this transaction already (nearly always): no second SELECT.
    for obj in session.identity_map.values():
        if isinstance(obj, Petitioner) and obj.__dict__.get("openid") == message.sender:
            return obj
    return find_or_create_petitioner(session, openid=message.sender)


# The classifier is a pure function of the text; a draft is classified at every step and on 确认.
_CLASSIFIED: dict = {}
CLASSIFIED_MAX = 512


def _classify(text: str):
    key = (nlp.classify, text)  # the function too: a replaced classifier is asked afresh
    found = _CLASSIFIED.get(key)
    if found is None:
        found = nlp.classify(text)
        if len(_CLASSIFIED) >= CLASSIFIED_MAX:
            _CLASSIFIED.clear()
        _CLASSIFIED[key] = found
    return found


def _evaluate(session: Session, cal: Calendar, petitioner: Petitioner, text: str, sent_at: datetime) -> str:
    """评价 and survey answers (满意 / 基本满意 / 不满意 / 1 / 2 / 3): the survey's own rules answer,
    dated when the citizen sent them."""
    return surveys.reply_to_citizen(session, cal, petitioner.id, text, now=sent_at)


def _query(session: Session, cal: Calendar, openid: str, code: str | None) -> str:
    """`查询 <code>`: the public status of one case; `查询`: the citizen's own open cases."""
    if code is None:
        rows = [(code, STATES[status], department_name(session, department)) if status
                else (code, texts.BEING_REGISTERED_STATUS, None)
                for code, status, department, *_ in _open_cases_of(session, openid)]
        return texts.open_cases(rows[:10]) if rows else texts.NO_OPEN_CASES
    case = session.scalar(select(Case).where(Case.tracking_code == code))
    if case is None:
        if _being_registered(session, openid, code):
            return texts.BEING_REGISTERED.format(code=code)
        return texts.NO_SUCH_CODE.format(code=code)
    view = public.status_view(session, cal, case)
    deadline = view["deadline"] or {}
    return texts.status(code, view["status_name"], view["department"], deadline.get("due_date"),
                        deadline.get("days_left"), deadline.get("name"), _result(view))


def _result(view: dict) -> str | None:
    """What was decided, as the public status tells it (personal data redacted): the citizen who asks
    after a case reads the opinion itself, even if its push never reached them."""
    if view["reply"]:
        reply = view["reply"]
        return f"{reply['kind']}（{reply['replied_date']}）：{reply['outcome']}。{reply['text']}"
    if view["route"]:
        return f"请向{view['route']['body']}提出：{view['route']['reason']}"
    if view["not_accepted_reason"]:
        return f"不予受理：{view['not_accepted_reason']}"
    return None


def _being_registered(session: Session, openid: str, code: str) -> bool:
    """Whether the 查询码 is of the citizen's submission the queue has not registered yet (a moment,
    normally)."""
    return session.scalar(select(InboundMessage.id).where(
        submission.UNREGISTERED, InboundMessage.tracking_code == code, InboundMessage.sender == openid)) is not None


def _read(session: Session, statement, **params) -> list:
    """The rows of a read on every intake or `查询`, on a connection of its own: through the session
    (its transaction, its ORM execution) the read cost several times the query. It sees what is
    committed, which is all these reads ask about."""
    with session.get_bind().connect() as connection:
        return connection.execute(statement, params).all()


_PHONE_ON_FILE = select(Petitioner.phone).where(Petitioner.openid == bindparam("openid"))


def _open_cases_of(session: Session, openid: str) -> list:
    """What `查询` shows a citizen: (tracking_code, status, department_code) rows, first the
    submissions the queue has not registered yet (status None), then the open cases, newest first."""
    return _read(session, _OPEN_CASES_OF, openid=openid)


def _open_cases_statement():
    # Built once: `查询` is among the busiest things a citizen sends, and building and keying the
    # statement cost more than running it.
    openid = bindparam("openid")
    submitted = (select(InboundMessage.tracking_code, null().label("status"), null().label("department_code"),
                        literal(0).label("registered"), InboundMessage.id.label("newest"))
                 .where(submission.UNREGISTERED, InboundMessage.sender == openid))
    cases = (select(Case.tracking_code, Case.status, Case.department_code, literal(1), Case.id)
             .join(Petitioner, Case.petitioner_id == Petitioner.id)
             .where(Petitioner.openid == openid, Case.status.in_(OPEN_STATES)))
    return union_all(submitted, cases).order_by(literal_column("registered"), literal_column("newest").desc())


_OPEN_CASES_OF = _open_cases_statement()


def _submitted_code(session: Session, message: InboundMessage, intake: Intake):
    """(查询码, when) of this intake's submission, if it was submitted (the unique index's key)."""
    if intake.started_at is None:
        return None
    return session.execute(select(InboundMessage.tracking_code, InboundMessage.received_at).where(
        InboundMessage.channel == message.channel, InboundMessage.sender == message.sender,
        InboundMessage.intake_started_at == datetime.fromisoformat(intake.started_at))).first()


def _counties() -> list[tuple[str, str | None]]:
    return [(c["name"], c.get("tibetan")) for c in resources.counties()]


def _procedure(found) -> str:
    """The legal procedure a citizen is told their matter belongs to, in words."""
    return texts.RULE_PROCEDURES.get(found.path_rule) or texts.ROUTE_PROCEDURES[found.path]


def _legal_body(found) -> str:
    if found.path == "arbitration" and found.department == "nyncj":
        return texts.LAND_ARBITRATION_BODY
    return texts.RULE_BODIES.get(found.path_rule) or texts.ROUTE_BODIES[found.path]


def _why(found) -> str:
    """The classifier's reason for the procedure, without the rule's citation in brackets."""
    reason = next((r for r in found.reasons if r.startswith("途径：")), "")
    reason = reason.split("——", 1)[-1]
    return reason.split("（《", 1)[0].rstrip("，。；") + "。"


def _excerpt(text: str) -> str:
    return excerpt(" ".join(text.split()), EXCERPT_CHARS)


def _date(cal: Calendar, moment) -> str:
    d = cal.local_date(moment)
    return f"{d.month}月{d.day}日"
