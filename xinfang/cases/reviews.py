"""复查 and 复核: the body one level up (《信访工作条例》 Art. 35, 36; LAW.md §9).

The level of the body that gave the first 处理意见 is read from the staff who
replied: a user bound to a county works for that county's department;
everyone else for the prefecture. Each review goes one level further up, as
configured in xinfang/data/review_bodies.json (XINFANG_REVIEW_BODIES). The
review clock itself is in the workflow table and cases.deadlines.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import runtime
from ..models import Case, CaseEvent, StaffUser
from ..nlp import repeats
from . import deadlines
from .departments import department_name
from .workflow import NOT_ACCEPTED_GROUNDS

DEFAULT_BODIES = Path(__file__).resolve().parent.parent / "data" / "review_bodies.json"
REVIEW_REQUESTS = ("request_review", "request_rereview")
REVIEW_OPINIONS = {"review_reply": ("复查", "第三十五条"), "rereview_reply": ("复核", "第三十六条")}
LEVEL_NAMES = {1: "复查", 2: "复核"}


class ReviewConfigError(ValueError):
    """The review-bodies file cannot be used."""


@dataclass(frozen=True)
class ReviewBody:
    level: str
    name: str
    department_code: str | None


@lru_cache(maxsize=4)
def load_bodies(path: Path | None = None) -> dict:
    try:
        config = json.loads(Path(path or DEFAULT_BODIES).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReviewConfigError(f"cannot read the review bodies file {path}: {exc}") from None
    for key in ("up", "bodies"):
        if not isinstance(config.get(key), dict):
            raise ReviewConfigError(f"the review bodies file needs an object {key!r}")
    for level, above in config["up"].items():
        if above not in config["bodies"]:
            raise ReviewConfigError(f"level {level!r} goes up to {above!r}, which has no entry in 'bodies'")
    return config


def _config() -> dict:
    return load_bodies(runtime.current().settings.review_bodies_file)


def level_above(config: dict, level: str, department_code: str | None) -> str:
    override = config.get("up_by_department", {}).get(department_code or "", {})
    above = override.get(level) or config["up"].get(level)
    if above is None:
        raise ReviewConfigError(f"no body is configured above {level!r}")
    return above


def body_at(config: dict, level: str, *, department_code: str | None, department_name: str | None,
            county: str | None) -> ReviewBody:
    entry = config["bodies"][level]
    values = {"department": department_name or "", "department_code": department_code or "", "county": county or ""}
    department = entry.get("department")
    return ReviewBody(level, entry["name"].format(**values), department.format(**values) if department else None)


def first_level(session: Session, case: Case) -> str:
    """The level of the body that gave the first 处理意见: a county's department or the prefecture's."""
    replier = session.scalar(
        select(StaffUser).join(CaseEvent, CaseEvent.actor_id == StaffUser.id)
        .where(CaseEvent.case_id == case.id, CaseEvent.action == "reply", CaseEvent.actor_kind == "staff")
        .order_by(CaseEvent.id).limit(1)
    )
    return "county_department" if replier is not None and replier.county else "prefecture_department"


def next_body(session: Session, case: Case, config: dict | None = None) -> ReviewBody:
    """The body that takes the next review of this case: 复查 after the reply, 复核 after the 复查意见."""
    config = config or _config()
    level = first_level(session, case)
    for _ in range(case.review_level + 1):
        level = level_above(config, level, case.department_code)
    return body_at(config, level, department_code=case.department_code,
                   department_name=department_name(session, case.department_code),
                   county=case.county)


def route_review(session: Session, case: Case) -> str:
    """Send a 复查/复核 request to the body one level up; returns its name for the timeline and the notice."""
    body = next_body(session, case)
    case.review_body = body.name
    case.review_department_code = body.department_code
    return body.name


def opinion_refusal(session: Session, case: Case, action: str, actor) -> str | None:
    """Why this handler may not write the pending 复查/复核 opinion, or None when they may.

    The body one level up decides (Art. 35, 36), never the one whose opinion is under review: a handler
    writes it only for that body, in its department (as routed) and at its level (a county's or the
    prefecture's). The prefecture's 信访部门 roles may record any such opinion, one that a body
    outside the system, such as the province, sent on paper too.
    """
    if action not in REVIEW_OPINIONS or actor.role != "handler":
        return None
    county_level = next_body(session, case).level.startswith("county_")
    if (case.review_department_code is not None and actor.department_code == case.review_department_code
            and (actor.county == case.county if county_level else not actor.county)):
        return None
    kind, article = REVIEW_OPINIONS[action]
    return f"{kind}意见由{case.review_body or '上一级机关'}出具，本单位不能出具（《信访工作条例》{article}）"


def review_offer(session: Session, cal: deadlines.Calendar, case: Case, now: datetime, *, on_page: bool = False) -> str:
    """What a dissatisfied citizen may still do, told with the evaluation (an evaluation is no review request).

    `on_page`: told on the tracking page, which has the request form, rather than in WeChat.
    """
    if case.review_level >= 2 or case.status == "closed":
        return "复核意见为最终意见（《信访工作条例》第三十六条）。"
    if case.status != "replied" or case.replied_at is None:
        return ""
    deadline = deadlines.review_request_deadline(cal, case.replied_at, case.review_level)
    if now > deadline:
        return ""
    kind = LEVEL_NAMES[case.review_level + 1]
    day = cal.local_date(deadline)
    article = "第三十五条" if case.review_level == 0 else "第三十六条"
    how = "可在本页提交申请" if on_page else f"回复“{kind} {case.tracking_code}”"
    return (f"如不服，可在{day.year}年{day.month}月{day.day}日前向{next_body(session, case).name}申请{kind}"
            f"（{article}），{how}。")


def final_precedent(session: Session, case: Case) -> Case | None:
    """An earlier matter of the same petitioner already closed after 复核 that this case repeats (Art. 36 ¶3)."""
    if case.duplicate_of_id:
        original = session.get(Case, case.duplicate_of_id)
        if original is not None and original.review_level >= 2:
            return original
    if case.petitioner_id is None or not case.fingerprint:
        return None
    finals = session.scalars(
        select(Case).where(Case.petitioner_id == case.petitioner_id, Case.review_level >= 2, Case.id != case.id,
                           Case.fingerprint.is_not(None)).order_by(Case.id.desc())
    )
    for other in finals:
        if repeats.is_duplicate(case.fingerprint, other.fingerprint):
            return other
    return None


def not_accept_suggestion(session: Session, case: Case) -> dict | None:
    """The suggestion staff see on a repeat of a matter final after 复核: not accepted again.

    Only a suggestion: refusing a matter within the remit is itself a violation, so a
    person confirms it with the `not_accept` action (Art. 44; PIPL Art. 24).
    """
    if case.status not in ("received", "assigned"):
        return None
    original = final_precedent(session, case)
    if original is None:
        return None
    return {"ground": "final", "original": original.tracking_code,
            "reason": f"与已复核终结的{original.tracking_code}为同一事项：{NOT_ACCEPTED_GROUNDS['final']}"}
