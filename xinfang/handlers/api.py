"""The public petitions API (DESIGN §4): POST /api/v1/petitions and GET /api/v1/petitions/<code>.

Bad input is a 400 JSON error naming the field, never a 500. An optional
Idempotency-Key header makes a retried POST return the first case; the same
key with a different letter is refused (422).
"""
from __future__ import annotations

import logging
import re
import uuid

from flask import Blueprint, jsonify, request, url_for
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..cases import mailbox as intake
from ..cases import public
from ..models import Case
from ..requestctx import calendar, db, settings
from . import pages, public_texts as texts, ratelimit
from .track import LookupsBlocked, lookup_case

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CHANNEL = "api"
FIELDS = ("mailbox", "text", "county", "name", "phone", "email")
# Optional fields whose values the document names (an enum, a pattern, a format): blank is none of them.
NAMED_VALUE_FIELDS = ("county", "phone", "email")
IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,80}")
_TIBETAN = re.compile(r"[\u0f00-\u0fff]")


def error(status: int, code: str, message: str, field: str | None = None, **extra):
    body = {"error": code, "message": message}
    if field:
        body["field"] = field
    body.update(extra)
    return jsonify(body), status


def _too_many(wait: int, message: str):
    response, status = error(429, "rate_limited", message)
    response.headers["Retry-After"] = str(wait)
    return response, status


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return error(exc.code or 500, "http_error", exc.description or exc.name)


@bp.errorhandler(SQLAlchemyError)
def database_failed(exc: SQLAlchemyError):
    # Documented as 503, never a 500: the caller retries later (with the same Idempotency-Key).
    log.warning("%s %s failed, the database with it: %s", request.method, request.path, exc)
    return error(503, "unavailable", texts.UNAVAILABLE)


@bp.post("/petitions")
def create_petition():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "invalid", "请求体应为 JSON 对象", field="body")
    unknown = sorted(k for k in body if k not in FIELDS)
    if unknown:
        return error(400, "invalid", f"未知字段：{unknown[0]}", field=unknown[0])
    # A field not given is left out, as the document says: not sent null, nor blank where the document
    # names its values (the web form's empty inputs are the form's business, handled there).
    empty = sorted(k for k, value in body.items() if value is None or (
        k in NAMED_VALUE_FIELDS and isinstance(value, str) and not value.strip()))
    if empty:
        return error(400, "invalid", f"字段 {empty[0]} 为空：不填的字段请省略", field=empty[0])
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
        return error(400, "invalid", "Idempotency-Key 应为1至80个可见ASCII字符", field=IDEMPOTENCY_HEADER)
    session = db()
    try:
        letter = intake.validate(session, body)
    except intake.InvalidLetter as exc:
        return error(400, "invalid", exc.errors[exc.field], field=exc.field, errors=exc.errors)

    if key is not None:
        earlier = intake.find_message(session, CHANNEL, key)
        if earlier is not None:
            if earlier.payload.get("digest") != letter.digest():
                return error(422, "idempotency_conflict", "该 Idempotency-Key 已用于另一封来信",
                             field=IDEMPOTENCY_HEADER)
            return _receipt(earlier)
    wait = ratelimit.hit("submit_address", pages.client_address())
    if wait is None and letter.phone:
        wait = ratelimit.hit("submit_phone", pages.phone_key(letter.phone))
    if wait is not None:
        return _too_many(wait, texts.RATE_LIMITED.format(wait=ratelimit.wait_text(wait)))
    try:
        message, created = intake.receive(session, letter, channel=CHANNEL, external_id=key or uuid.uuid4().hex,
                                          sender=pages.client_address(), files=[], data_dir=settings().data_dir)
    except Exception:
        log.exception("an API letter could not be stored")
        return error(503, "unavailable", texts.SAVE_FAILED)
    if created:
        try:
            intake.process(session, calendar(), message)
        except Exception:
            pass  # logged by process; stored and pending for the sweeper
    return _receipt(message)


def _receipt(message):
    case = db().get(Case, message.case_id) if message.case_id else None
    if case is None:
        return jsonify(tracking_code=None, message=texts.API_PENDING), 202
    text = texts.API_RECEIVED.format(code=case.tracking_code)
    if case.tibetan or _TIBETAN.search(case.text):
        text = f"{texts.TIBETAN_RECEIPT_CODE} {case.tracking_code}\n{text}"
    response = jsonify(tracking_code=case.tracking_code, message=text)
    response.headers["Location"] = url_for(".petition_status", tracking_code=case.tracking_code)
    return response, 201


@bp.get("/petitions/<tracking_code>")
def petition_status(tracking_code):
    try:
        case = lookup_case(tracking_code)
    except LookupsBlocked as exc:
        return _too_many(exc.wait, texts.LOOKUPS_LIMITED.format(wait=ratelimit.wait_text(exc.wait)))
    if case is None:
        return error(404, "not_found", texts.CODE_NOT_FOUND, field="tracking_code")
    response = jsonify(public.status_view(db(), calendar(), case))
    return pages.no_store(response)
