"""/mailbox/: the leaders' mailboxes, the letter form, the receipt and the public replies board.

Works without JavaScript: the county is recognised from the text by a
"识别地区" submit button (a small script does the same live). A double tap
submits one letter: the form carries a one-time token, and the token with the
letter's digest is the InboundMessage's external id.
"""
from __future__ import annotations

import logging
import re
import secrets
import unicodedata

from flask import Blueprint, abort, jsonify, make_response, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from ..cases import mailbox as intake
from ..cases import public, uploads
from ..models import Case, County, Mailbox
from ..nlp.places import resolve_county
from ..requestctx import calendar, db, settings
from . import pages, public_texts as texts, ratelimit

log = logging.getLogger(__name__)

bp = Blueprint("mailbox", __name__, url_prefix="/mailbox")
pages.setup(bp)

CHANNEL = "mailbox"
HONEYPOT_FIELD = "homepage"  # hidden from people; bots fill every field
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_TIBETAN = re.compile(r"[\u0f00-\u0fff]")
FORM_FIELDS = ("title", "text", "county", "name", "phone", "email")
REPLIES_PER_PAGE = 10


def _mailboxes():
    return db().scalars(select(Mailbox).where(Mailbox.active.is_(True)).order_by(Mailbox.id)).all()


def _counties():
    return db().scalars(select(County).order_by(County.position)).all()


@bp.get("/")
def index():
    return render_template("public/mailbox_index.html", mailboxes=_mailboxes())


@bp.get("/notice")
def notice():
    return render_template("public/notice.html", texts=texts)


def _form(mailbox, values: dict, token: str, *, errors=None, notice=None, status=200):
    return render_template("public/mailbox_form.html", mailbox=mailbox, values=values, token=token,
                           errors=errors or {}, notice=notice, failed=status >= 400, counties=_counties(), texts=texts,
                           honeypot=HONEYPOT_FIELD, max_files=uploads.MAX_FILES,
                           max_mb=uploads.MAX_FILE_BYTES // (1024 * 1024), text_max=intake.TEXT_MAX), status


def _token(raw: str | None) -> str:
    return raw if raw and _TOKEN.fullmatch(raw) else secrets.token_urlsafe(24)


@bp.route("/<slug>/", methods=["GET", "POST"])
def write(slug):
    mailbox = db().scalar(select(Mailbox).where(Mailbox.slug == slug, Mailbox.active.is_(True)))
    if mailbox is None:
        abort(404)
    if request.method == "GET":
        return _form(mailbox, {}, _token(None))

    form = request.form
    values = {name: form.get(name, "") for name in FORM_FIELDS}
    # A phone's keyboard may type full-width digits and letters; the API's callers send what its document says.
    values["phone"], values["email"] = (unicodedata.normalize("NFKC", values[name]) for name in ("phone", "email"))
    values["publish_consent"] = form.get("publish") == "1"
    values["privacy"] = form.get("privacy") == "1"
    token = _token(form.get("form_token"))
    if not pages.csrf_ok():
        return _form(mailbox, values, token, notice=texts.CSRF_EXPIRED, status=400)
    if form.get("action") == "locate":
        return _locate(mailbox, values, token)
    if form.get(HONEYPOT_FIELD):
        log.info("honeypot filled from %s; letter refused", pages.client_address())
        return _form(mailbox, values, token, notice=texts.HONEYPOT, status=400)

    errors, letter, files = _check(slug, values)
    if errors:
        return _form(mailbox, values, token, errors=errors, status=400)

    key = f"{token}.{letter.digest()}"
    session = db()
    if intake.find_message(session, CHANNEL, key) is None:
        wait = ratelimit.hit("submit_address", pages.client_address())
        if wait is None and letter.phone:
            wait = ratelimit.hit("submit_phone", pages.phone_key(letter.phone))
        if wait is not None:
            notice = texts.RATE_LIMITED.format(wait=ratelimit.wait_text(wait))
            return _form(mailbox, values, token, notice=notice, status=429)
        try:
            message, created = intake.receive(session, letter, channel=CHANNEL, external_id=key,
                                              sender=pages.client_address(), files=files,
                                              data_dir=settings().data_dir)
        except Exception:
            log.exception("a mailbox letter could not be stored")
            return _form(mailbox, values, token, notice=texts.SAVE_FAILED, status=503)
        if created:
            try:
                intake.process(session, calendar(), message)
            except Exception:
                pass  # logged by process; stored and pending, the receipt says so
    return redirect(url_for(".receipt", key=key), 303)


def _check(slug: str, values: dict):
    """(errors, letter, uploads): every problem at once, so the citizen corrects them in one go."""
    errors, letter, files = {}, None, []
    try:
        letter = intake.validate(db(), {**{k: values[k] for k in FORM_FIELDS}, "mailbox": slug,
                                         "publish_consent": values["publish_consent"]})
    except intake.InvalidLetter as exc:
        errors.update(exc.errors)
    try:
        files = uploads.check([(f.filename or "", f.read(uploads.MAX_FILE_BYTES + 1))
                               for f in request.files.getlist("attachments")])
    except uploads.UploadError as exc:
        errors["attachments"] = str(exc)
    if not values["privacy"]:
        errors["privacy"] = texts.CONSENT_MISSING
    return errors, letter, files


def _locate(mailbox, values: dict, token: str):
    match = resolve_county(f"{values['title']}\n{values['text']}")
    if match is None:
        return _form(mailbox, values, token, notice=texts.NOT_LOCATED)
    values["county"] = match.county
    words = "、".join(f"“{w}”" for w in match.words)
    return _form(mailbox, values, token, notice=texts.LOCATED.format(county=match.county, words=words))


@bp.post("/locate")
def locate():
    """The live version of "识别地区" for the form's small script."""
    if not pages.csrf_ok():
        return jsonify(error="csrf", message=texts.CSRF_EXPIRED), 400
    match = resolve_county((request.form.get("text") or "")[: intake.TEXT_MAX])
    return jsonify(county=match.county if match else None, reason=match.reason if match else None)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    return render_template("public/message.html", title="附件太大", message=texts.TOO_LARGE), 413


@bp.get("/receipt/<key>")
def receipt(key):
    session = db()
    message = intake.find_message(session, CHANNEL, key)
    if message is None:
        abort(404)
    letter = message.payload["letter"]
    case = session.get(Case, message.case_id) if message.case_id else None
    mailbox = session.scalar(select(Mailbox).where(Mailbox.slug == letter["mailbox"]))
    tibetan = case.tibetan if case else bool(_TIBETAN.search(letter["text"]))
    due = public.status_view(session, calendar(), case)["deadline"] if case else None
    return pages.no_store(make_response(render_template(
        "public/receipt.html", case=case, mailbox=mailbox, tibetan=tibetan, due=due,
        has_contact=bool(letter.get("phone") or letter.get("email")), texts=texts)))


@bp.get("/replies")
def replies():
    """办理过程全公开: the replies citizens agreed to publish, personal data removed."""
    session = db()
    category, county, query = pages.arg("category", 20), pages.arg("county", 20), pages.arg("q", 50)
    page = pages.arg("page", 5) or "1"
    page = int(page) if page.isdigit() else 1
    result = public.published_replies(session, calendar(), category=category, county=county, query=query,
                                      page=page, per_page=REPLIES_PER_PAGE)
    return render_template("public/replies.html", result=result, categories=public.published_categories(session),
                           counties=_counties(), category=category, county=county, query=query)
