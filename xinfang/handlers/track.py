"""/track/: the citizen's page for a case, found by its 查询码.

Shows the status and timeline, the reply (处理意见) when given, the next
deadline, and the 复查 / 复核 request when the citizen may ask for it
(《信访工作条例》 Art. 35, 36). Wrong codes from one address are counted; past
the limit that address waits, so codes stay unguessable.
"""
from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from sqlalchemy import select

from ..cases import public
from ..cases.codes import normalize_tracking_code
from ..cases.service import Actor, perform_action
from ..cases.workflow import TRANSITIONS, WorkflowError
from ..models import Case
from ..requestctx import calendar, db
from . import evaluation, pages, public_texts as texts, ratelimit

bp = Blueprint("track", __name__, url_prefix="/track")
pages.setup(bp)


class LookupsBlocked(Exception):
    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


def lookup_case(raw_code: str) -> Case | None:
    """The case for a code as typed, None when there is none; LookupsBlocked after too many misses."""
    who = pages.client_address()
    wait = ratelimit.blocked("lookup_failures", who)
    if wait is not None:
        raise LookupsBlocked(wait)
    code = normalize_tracking_code(raw_code)
    case = db().scalar(select(Case).where(Case.tracking_code == code)) if code else None
    if case is None:
        ratelimit.hit("lookup_failures", who)
    return case


def _blocked_page(exc: LookupsBlocked):
    message = texts.LOOKUPS_LIMITED.format(wait=ratelimit.wait_text(exc.wait))
    response = make_response(render_template("public/message.html", title="请稍后再查", message=message), 429)
    response.headers["Retry-After"] = str(exc.wait)
    return response


@bp.get("/")
def lookup():
    raw = pages.arg("code", 40)
    if raw is None:
        return render_template("public/track_lookup.html")
    code = normalize_tracking_code(raw)
    if code is None:
        return render_template("public/track_lookup.html", code=raw, error=texts.CODE_NOT_FOUND), 404
    return redirect(url_for(".status", code=code), 303)


def evaluation_area(case: Case) -> str:
    """The satisfaction evaluation's place on the page (filled in by the survey pages)."""
    return evaluation.evaluation_area(case)


def _status_page(case: Case, *, notice=None, error=None, reason="", status=200):
    view = public.status_view(db(), calendar(), case)
    body = render_template("public/track.html", view=view, notice=notice, error=error, reason=reason,
                           evaluation=evaluation_area(case) if case.reply_outcome else "")
    return pages.no_store(make_response(body, status))


@bp.get("/<code>")
def status(code):
    try:
        case = lookup_case(code)
    except LookupsBlocked as exc:
        return _blocked_page(exc)
    if case is None:
        return render_template("public/track_lookup.html", code=code[:40], error=texts.CODE_NOT_FOUND), 404
    if case.tracking_code != code:
        return redirect(url_for(".status", code=case.tracking_code), 301)
    return _status_page(case)


@bp.post("/<code>/review")
def request_review(code):
    """The citizen asks for 复查 (or 复核) from the page; refused with the workflow's reason."""
    try:
        case = lookup_case(code)
    except LookupsBlocked as exc:
        return _blocked_page(exc)
    if case is None:
        abort(404)
    reason = (request.form.get("reason") or "").strip()[:1000]
    reason = "".join(c for c in reason if c.isprintable() or c == "\n")
    if not pages.csrf_ok():
        return _status_page(case, error=texts.CSRF_EXPIRED, reason=reason, status=400)
    action = request.form.get("action")
    if action not in public.REVIEW_ACTIONS:
        return _status_page(case, error="请选择申请复查或复核", reason=reason, status=400)
    try:
        perform_action(db(), calendar(), case, action, Actor.citizen(case.petitioner_id),
                       {"reason": reason} if reason else {})
    except WorkflowError as exc:
        return _status_page(case, error=str(exc), reason=reason, status=409)
    due = calendar().local_date(case.due_at)
    notice = texts.REVIEW_REQUESTED.format(label=TRANSITIONS[action].label, due=f"{due.year}年{due.month}月{due.day}日")
    return _status_page(case, notice=notice)
