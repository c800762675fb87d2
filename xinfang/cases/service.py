"""The case service: the only code that commits a case change.

Every transition is checked by `check_staff_action` (the workflow's table, then
who may act: a 回避, the body of a 复查/复核), writes one timeline event, writes
the citizen's notice into the notification outbox in the same transaction,
recomputes the running clock, commits, and then enqueues the follow-up jobs by
name. A refused action raises `WorkflowError` and writes nothing.
"""
from __future__ import annotations


from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..models import Case, CaseEvent, Department, LabelCorrection, Notification, Petitioner, utcnow
from ..nlp import repeats
from . import followups, notices, reviews, surveys
from .codes import new_tracking_code
from .departments import department_name
from .deadlines import Calendar, running_clock
from .names import name_keys
from .workflow import (HANDLING_STATES, OPEN_STATES, ROUTES, STATES, TRANSITIONS, WorkflowError, allowed_actions,
                       check_action)

# Roles whose view spans every department (the 信访部门 itself), limited to a county when the user has one.
PREFECTURE_ROLES = ("clerk", "supervisor", "leader", "admin")
DISCIPLINE_DEPARTMENT = "jw"
# How far back a new petition is compared with open ones, and how many it is compared with.
DUPLICATE_LOOKBACK = timedelta(days=90)
DUPLICATE_CANDIDATES = 500
LABEL_FIELDS = ("category", "path", "demand_type", "county", "township", "collective", "urgent", "tibetan")


class CaseNotFound(LookupError):
    """No such case, or not one the caller may see (the two are not told apart)."""


class ConflictError(WorkflowError):
    """Someone else changed the case meanwhile."""


@dataclass(frozen=True)
class Actor:
    kind: str  # staff, citizen, system
    role: str  # a staff role, "citizen" or "system"
    id: int | None = None
    name: str | None = None
    department_code: str | None = None
    county: str | None = None

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls("staff", user.role, user.id, user.display_name or user.username, user.department_code, user.county)

    @classmethod
    def citizen(cls, petitioner_id: int | None) -> "Actor":
        return cls("citizen", "citizen", petitioner_id, "信访人")

    @classmethod
    def system(cls) -> "Actor":
        return cls("system", "system", None, "系统")


# --- scope -------------------------------------------------------------------

def scope_parts(actor: Actor) -> list[tuple]:
    """What the actor may see (DESIGN §7) as disjoint sets of conditions over Case, so that a long
    list can read each part from its own index in order instead of sorting their union."""
    if actor.kind != "staff":
        raise CaseNotFound()
    county = (Case.county == actor.county,) if actor.county else ()
    if actor.role in PREFECTURE_ROLES:
        return [county]
    # A department sees its own cases and those it takes as the body one level up (Art. 35, 36).
    department = actor.department_code or ""
    return [(Case.department_code == department, *county),
            (Case.review_department_code == department,
             or_(Case.department_code.is_(None), Case.department_code != department), *county)]


def scope_filter(actor: Actor, query: Select) -> Select:
    """Limit a query over Case to what the actor may see: department and county."""
    parts = scope_parts(actor)
    return query.where(*parts[0]) if len(parts) == 1 else query.where(or_(*(and_(*p) for p in parts)))


def can_see(actor: Actor, case: Case) -> bool:
    if actor.kind == "citizen":
        return actor.id is not None and case.petitioner_id == actor.id
    if actor.kind == "system":
        return True
    if actor.role not in PREFECTURE_ROLES and (
            not actor.department_code or actor.department_code not in (case.department_code, case.review_department_code)):
        return False
    return not actor.county or case.county == actor.county


def may_see_identity(actor: Actor, case: Case) -> bool:
    """A 检举控告 writer's identity reaches only the 信访部门 and 纪检监察, never the body accused (Art. 30)."""
    if not can_see(actor, case) or actor.role == "leader":
        return False
    if not case.confidential:
        return True
    return actor.role in ("clerk", "supervisor", "admin") or actor.department_code == DISCIPLINE_DEPARTMENT


def get_case(session: Session, tracking_code: str, actor: Actor) -> Case:
    case = session.scalar(select(Case).where(Case.tracking_code == tracking_code))
    if case is None or not can_see(actor, case):
        raise CaseNotFound(tracking_code)
    return case


# --- intake ------------------------------------------------------------------

def find_or_create_petitioner(session: Session, *, openid: str | None = None, name: str | None = None,
                              phone: str | None = None, email: str | None = None) -> Petitioner:
    """The WeChat citizen by openid, or a new contact for a mailbox post. Flushes, does not commit."""
    if openid:
        petitioner = session.scalar(select(Petitioner).where(Petitioner.openid == openid))
        if petitioner is not None:
            return petitioner
    petitioner = Petitioner(openid=openid, name=name, phone=phone, email=email)
    if name:
        petitioner.name_pinyin, petitioner.name_initials = name_keys(name)
    session.add(petitioner)
    session.flush()
    return petitioner


@dataclass
class Petition:
    """What a registration is given (register_case's arguments)."""
    channel: str
    text: str
    petitioner: Petitioner | None = None
    mailbox_slug: str | None = None
    title: str | None = None
    county: str | None = None
    township: str | None = None
    labels: dict | None = None
    now: datetime | None = None
    # The 查询码 the citizen was already given (a WeChat 确认 reserves it).
    tracking_code: str | None = None


def register_case(session: Session, cal: Calendar, *, commit: bool = True, **petition) -> Case:
    """登记 of one petition (the fields of Petition); see register_cases."""
    case, notification = register_cases(session, cal, [Petition(**petition)])[0]
    if commit:
        session.commit()
        _after_commit(case, [notification.id if notification else None])
    return case


def register_cases(session: Session, cal: Calendar, petitions: list[Petition]) -> list[tuple[Case, Notification | None]]:
    """登记: store new cases, each with its clock, its timeline event and the citizen's receipt in the
    outbox (Art. 21, 22), in one flush; does not commit. Returns each case with its receipt.

    WorkflowError (nothing added) when a petition has no text.
    """
    cases = [_new_case(petition, cal) for petition in petitions]
    for case, original in zip(cases, find_originals(session, cases)):
        case.duplicate_of = original
    for case, petition in zip(cases, petitions):
        if petition.tracking_code is not None:
            case.tracking_code = petition.tracking_code
            session.add(case)
        else:
            _add_with_new_code(session, case)
    events = [_record(session, case, "register", Actor.citizen(case.petitioner.id if case.petitioner else None),
                      None, "received", case.received_at, note=None, citizen_visible=True) for case in cases]
    session.flush()
    return [(case, _notify(session, case, event, "registered", cal)) for case, event in zip(cases, events)]


def _new_case(petition: Petition, cal: Calendar) -> Case:
    if not petition.text or not petition.text.strip():
        raise WorkflowError("信访事项内容不能为空")
    now = petition.now or utcnow()
    case = Case(channel=petition.channel, text=petition.text.strip(), petitioner=petition.petitioner,
                mailbox_slug=petition.mailbox_slug, title=petition.title, county=petition.county,
                township=petition.township, status="received", received_at=now, created_at=now)
    if petition.labels:
        _apply_labels(case, petition.labels, now)
    case.fingerprint = repeats.fingerprint(case.text)
    case.clock, case.due_at = running_clock(case, cal)
    return case


def _add_with_new_code(session: Session, case: Case) -> None:
    # A collision among 31**10 codes is all but impossible; a retry costs nothing.
    for _ in range(5):
        case.tracking_code = new_tracking_code()
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
            return
        except IntegrityError:
            continue
    raise RuntimeError("no free tracking code after 5 draws")


def find_originals(session: Session, cases: list[Case]) -> list[Case | None]:
    """For each new case, the open case it repeats (same petitioner) or joins (a mass petition in the
    same county): among the stored cases, and the new ones before it, which a burst of one mass
    petition registers together. A repeat is linked, never dropped (Art. 19 ¶3: merged by staff).
    """
    found, decoded = [], {}
    with session.no_autoflush:
        candidates = _stored_candidates(session, cases)
        for i, case in enumerate(cases):
            mates = [j for j in reversed(range(i)) if _same_scope(cases[j], case)]  # newest first, as stored
            stored = candidates[i]
            fingerprints = [cases[j].fingerprint for j in mates] + [row.fingerprint for row in stored]
            scores = repeats.similarities(case.fingerprint, fingerprints, decoded)
            best = int(scores.argmax()) if len(scores) else None
            # Link to the root of a chain, so a mass petition gathers under its first case.
            if best is None or scores[best] < repeats.DUPLICATE_THRESHOLD:
                found.append(None)
            elif best < len(mates):
                found.append(found[mates[best]] or cases[mates[best]])
            else:
                row = stored[best - len(mates)]
                found.append(session.get(Case, row.duplicate_of_id or row.id))
    return found


def _stored_candidates(session: Session, cases: list[Case]) -> list[list]:
    """For each new case, the stored open cases of its scope (same petitioner, same phone, or same
    county; received within DUPLICATE_LOOKBACK of it), newest first, at most DUPLICATE_CANDIDATES.

    One query per county of the batch and one for its citizens, not one per case: a registration
    batch is fifty cases from a handful of counties.
    """
    if not cases:
        return []
    since = min(case.received_at for case in cases) - DUPLICATE_LOOKBACK
    columns = (Case.id, Case.fingerprint, Case.duplicate_of_id, Case.received_at, Case.county,
               Case.petitioner_id, Petitioner.phone)

    def newest(*where) -> list:
        return session.execute(
            select(*columns).outerjoin(Petitioner, Case.petitioner_id == Petitioner.id)
            .where(Case.status.in_(OPEN_STATES), Case.received_at >= since, Case.fingerprint.is_not(None), *where)
            .order_by(Case.id.desc()).limit(DUPLICATE_CANDIDATES)).all()

    by_county = {county: newest(Case.county == county) for county in {c.county for c in cases if c.county}}
    ids = {c.petitioner.id for c in cases if c.petitioner is not None and c.petitioner.id}
    phones = {c.petitioner.phone for c in cases if c.petitioner is not None and c.petitioner.phone}
    people = [Case.petitioner_id.in_(ids)] if ids else []
    people += [Petitioner.phone.in_(phones)] if phones else []
    of_people = newest(or_(*people)) if people else []
    result = []
    for case in cases:
        person = case.petitioner
        rows = {row.id: row for row in by_county.get(case.county, [])}
        rows |= {row.id: row for row in of_people if person is not None and (
            (person.id and row.petitioner_id == person.id) or (person.phone and row.phone == person.phone))}
        in_time = [row for row in rows.values() if row.received_at >= case.received_at - DUPLICATE_LOOKBACK]
        result.append(sorted(in_time, key=lambda row: row.id, reverse=True)[:DUPLICATE_CANDIDATES])
    return result


def _same_scope(mate: Case, case: Case) -> bool:
    """Whether a new case registered before `case` is one _stored_candidates would find for it."""
    person, other = case.petitioner, mate.petitioner
    if person is not None and other is not None and (other is person or (person.phone and other.phone == person.phone)):
        return True
    return case.county is not None and mate.county == case.county


def classify_labels(session: Session, case: Case, classification: dict, now: datetime | None = None) -> None:
    """Store the classifier's suggestion; it fills the labels until a person confirms (Art. 44)."""
    _apply_labels(case, classification, now or utcnow())
    session.commit()


def _apply_labels(case: Case, classification: dict, now: datetime) -> None:
    case.classification = classification
    case.classified_at = now
    for field in LABEL_FIELDS:
        if field in classification and classification[field] is not None:
            # A county the citizen chose in the dialogue outranks the guess from the text, and so does
            # the township the citizen chose, when the text's lies in another county.
            if field == "county" and case.county:
                continue
            if field == "township" and case.county and classification.get("county") != case.county:
                continue
            setattr(case, field, classification[field])
    case.suggested_department_code = classification.get("department") or case.suggested_department_code
    case.confidential = case.confidential or classification.get("demand_type") == "检举控告"


def correct_label(session: Session, case: Case, actor: Actor, field: str, value) -> None:
    """A person overrules the classifier; the correction is kept for the next training run."""
    if field not in LABEL_FIELDS:
        raise WorkflowError(f"不能修改的字段：{field}")
    if actor.role not in ("clerk", "supervisor", "admin", "handler"):
        raise WorkflowError("当前角色无权修改分类")
    old = getattr(case, field)
    if old == value:
        return
    session.add(LabelCorrection(case_id=case.id, field=field, old_value=None if old is None else str(old),
                                new_value=None if value is None else str(value), staff_id=actor.id))
    setattr(case, field, value)
    case.confirmed_by = actor.id
    _record(session, case, "correct", actor, case.status, case.status, utcnow(),
            note=f"{field}: {old} → {value}", citizen_visible=False)
    session.commit()


# --- a citizen's 补充 ------------------------------------------------------------

SUPPLEMENT_EXCERPT_CHARS = 60


def add_supplement(session: Session, case: Case, petitioner_id: int, text: str, now: datetime) -> CaseEvent:
    """A citizen adds to a case already registered (补充材料, Art. 19: the facts and reasons are theirs to
    state): a timeline line they see too, and a 提醒 to whoever holds the case. Flushed, not committed:
    it is stored with the message that brought it."""
    event = _record(session, case, "supplement", Actor.citizen(petitioner_id), case.status, case.status, now,
                    note=text, citizen_visible=True)
    session.flush()
    shown = notices.excerpt(text, SUPPLEMENT_EXCERPT_CHARS)
    session.add(Notification.for_staff(case, "supplement", f"【补充】信访人对案件{case.tracking_code}补充：{shown}",
                                       f"supplement:{event.id}", now))
    return event


# --- transitions -------------------------------------------------------------

RECUSED = "您已对本件申请回避，不能再办理（《信访工作条例》第二十八条）"


def check_staff_action(session: Session, cal: Calendar, case: Case, action: str, actor: Actor, params: dict,
                       now: datetime):
    """The workflow's check (state, role, time, parameters) and whose body may act: WorkflowError if refused."""
    transition = check_action(case, action, actor.role, params, now, cal)
    if has_recused(session, case, actor):
        raise WorkflowError(RECUSED)
    refusal = reviews.opinion_refusal(session, case, action, actor)
    if refusal:
        raise WorkflowError(refusal)
    return transition


def has_recused(session: Session, case: Case, actor: Actor) -> bool:
    """Whether this staff member stepped aside from the case (回避, Art. 28(3))."""
    return actor.kind == "staff" and actor.id is not None and session.scalar(select(CaseEvent.id).where(
        CaseEvent.case_id == case.id, CaseEvent.action == "recuse", CaseEvent.actor_id == actor.id)) is not None


def available_actions(session: Session, cal: Calendar, case: Case, actor: Actor, now: datetime) -> list[str]:
    """The actions the panel and the staff API offer this staff member on the case now (none to a leader)."""
    if actor.role == "leader" or has_recused(session, case, actor):
        return []
    return [action for action in allowed_actions(case, actor.role, now, cal)
            if not reviews.opinion_refusal(session, case, action, actor)]


def perform_action(session: Session, cal: Calendar, case: Case, action: str, actor: Actor,
                   params: dict | None = None, now: datetime | None = None) -> CaseEvent:
    """Take a workflow action on a case; WorkflowError (nothing written) when it is not allowed."""
    params = dict(params or {})
    now = now or utcnow()
    if actor.kind == "staff" and not can_see(actor, case):
        raise CaseNotFound(case.tracking_code)
    transition = check_staff_action(session, cal, case, action, actor, params, now)
    if action == "assign":
        department = session.scalar(select(Department).where(Department.code == params["department"]))
        if department is None:
            raise WorkflowError(f"没有编码为 {params['department']} 的部门")
    from_status = case.status
    try:
        if action in reviews.REVIEW_REQUESTS:
            # Art. 35/36: the body one level up takes the review; the timeline and the notice name it.
            params["body"] = reviews.route_review(session, case)
        _EFFECTS[action](case, params, now)
        if transition.target:
            case.status = transition.target
        case.clock, case.due_at = running_clock(case, cal)
        event = _record(session, case, action, actor, from_status, case.status, now,
                        note=params.get("reason") or params.get("note") or params.get("text"),
                        data=_event_data(action, params), citizen_visible=transition.notice is not None)
        notification = _notify(session, case, event, transition.notice, cal) if transition.notice else None
        # 满意度评价: the survey is written with the 处理意见, so a Redis outage cannot lose it.
        survey = surveys.schedule_after_reply(session, case, now) if action in surveys.SURVEYED_ACTIONS else None
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ConflictError("案件已被他人更新，请刷新后重试") from None
    except Exception:
        session.rollback()
        raise
    _after_commit(case, [notification.id] if notification else [])
    if survey is not None:
        surveys.enqueue_send(survey)
    return event


def _effect_assign(case, params, now):
    case.department_code = params["department"]
    case.assigned_at = now


def _effect_object(case, params, now):
    # Back to the 信访部门 to reroute; the 15 days of Art. 22 still run from receipt.
    case.department_code = None
    case.assigned_at = None


def _effect_accept(case, params, now):
    case.accepted_at = now


def _effect_route(case, params, now):
    case.route = params["route"]
    case.route_body = params.get("body") or ROUTES[params["route"]]
    case.route_reason = params["reason"]
    if params["route"] in ("litigation", "arbitration", "reconsideration", "discipline"):
        case.path = params["route"]
    case.closed_at = now


def _effect_not_accept(case, params, now):
    case.not_accepted_ground = params["ground"]
    case.not_accepted_reason = params["reason"]
    case.closed_at = now


def _effect_extend(case, params, now):
    case.extension_days = int(params["days"])
    case.extension_reason = params["reason"]


def _set_reply(case, params, now):
    case.reply_outcome = params["outcome"]
    case.reply_text = params["text"]
    case.reply_facts = params["facts"]
    case.reply_basis = params["basis"]
    case.replied_at = now


def _effect_review_reply(case, params, now):
    _set_reply(case, params, now)
    case.review_level = 1


def _effect_rereview_reply(case, params, now):
    _set_reply(case, params, now)
    case.review_level = 2
    case.closed_at = now


def _effect_review_request(case, params, now):
    case.review_requested_at = now


def _effect_supervise(case, params, now):
    case.supervised_at = now


def _effect_close(case, params, now):
    case.closed_at = now


def _no_effect(case, params, now):
    return None


_EFFECTS = {
    "assign": _effect_assign,
    "object": _effect_object,
    "accept": _effect_accept,
    "route": _effect_route,
    "not_accept": _effect_not_accept,
    "extend": _effect_extend,
    "reply": _set_reply,
    "supervise": _effect_supervise,
    "request_review": _effect_review_request,
    "review_reply": _effect_review_reply,
    "request_rereview": _effect_review_request,
    "rereview_reply": _effect_rereview_reply,
    "close": _effect_close,
    "note": _no_effect,
    "recuse": _no_effect,
}
assert set(_EFFECTS) == set(TRANSITIONS), "every action needs its effect"

_EVENT_FIELDS = ("department", "route", "body", "ground", "days", "outcome", "facts", "basis", "due")


def _event_data(action: str, params: dict) -> dict:
    return {k: params[k] for k in _EVENT_FIELDS if params.get(k) not in (None, "")}


# --- timeline and outbox -----------------------------------------------------

def _record(session, case, action, actor: Actor, from_status, to_status, now, *, note=None, data=None,
            citizen_visible=False) -> CaseEvent:
    event = CaseEvent(case=case, action=action, actor_kind=actor.kind, actor_id=actor.id, actor_name=actor.name,
                      from_status=from_status, to_status=to_status, note=note, data=data or {}, at=now,
                      citizen_visible=citizen_visible)
    session.add(event)
    return event


def notification_channels(petitioner: Petitioner | None) -> list[str]:
    """The channels to try for a citizen, best first; the sender picks among them at send time."""
    if petitioner is None:
        return []
    channels = []
    if petitioner.openid and petitioner.subscribed:
        channels += ["wechat_custom", "wechat_template"]
    if petitioner.phone:
        channels.append("sms")
    if petitioner.email:
        channels.append("email")
    return channels


def _notify(session, case: Case, event: CaseEvent, notice: str, cal: Calendar) -> Notification | None:
    channels = notification_channels(case.petitioner)
    if not channels:
        return None  # the tracking page still shows it
    department = department_name(session, case.department_code)
    if event.id is None:
        session.flush()  # the notice's key names its event
    notification = Notification(
        idempotency_key=f"event:{event.id}", case_id=case.id, petitioner_id=case.petitioner_id, event=notice,
        channels=channels, text=notices.text(session, notice, case, cal, department),
        data={"tracking_code": case.tracking_code, "status": case.status, "status_name": STATES[case.status]},
        urgent=case.urgent, next_attempt_at=event.at,
    )
    session.add(notification)
    return notification


def pending_notification_ids(session: Session, case_ids: list[int]) -> list[int]:
    """The cases' notices not sent yet (a registration's receipt, normally), in order."""
    if not case_ids:
        return []
    return list(session.scalars(select(Notification.id).where(
        Notification.case_id.in_(case_ids), Notification.status == "pending").order_by(Notification.id)))


def enqueue_followups(session: Session, case: Case) -> None:
    """After a registration committed elsewhere (a letter): its pending pushes and reminders."""
    _after_commit(case, pending_notification_ids(session, [case.id]))


def _after_commit(case: Case, notification_ids: list[int | None]) -> None:
    followups.enqueue_all(
        [followups.send_job(nid) for nid in notification_ids if nid]
        + [(followups.SCHEDULE_REMINDERS, (case.id,), "reminders", followups.reminders_job_id([case.id]))])


# --- queries -----------------------------------------------------------------

def is_overdue(case: Case, now: datetime) -> bool:
    return case.status in HANDLING_STATES and case.due_at is not None and case.due_at < now


def search_terms(query: Select, text: str) -> Select:
    """Search over text, tracking code, petitioner name (also pinyin and initials) and phone."""
    like = f"%{text}%"
    lowered = text.lower().replace(" ", "")
    return query.outerjoin(Petitioner, Case.petitioner_id == Petitioner.id).where(or_(
        Case.tracking_code == text.upper(), Case.text.ilike(like), Petitioner.name.ilike(like),
        Petitioner.name_pinyin.like(f"{lowered}%"), Petitioner.name_initials == lowered,
        Petitioner.phone == text,
    ))
