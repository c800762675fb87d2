"""The channels a status push goes out on: WeChat (customer-service and template
messages), SMS through a pluggable sender, email through SMTP.

Every sender has `send(notification, petitioner) -> external id or None` and
raises `SendError` saying whether trying again could help. Which channel is
tried, and when, is the outbox's business (`outbox.py`), not the senders'.
"""
from __future__ import annotations

import json
import logging
import smtplib
from datetime import datetime, timezone
from email.message import EmailMessage
from importlib import import_module
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from ..cases.workflow import STATES

log = logging.getLogger(__name__)

# Used when XINFANG_WECHAT_TEMPLATES names no file: one template for every event.
DEFAULT_TEMPLATES = {
    "default": {
        "template_id": "xinfang-status-update",
        "url": "{tracking_url}",
        "data": {"first": "{text}", "keyword1": "{tracking_code}", "keyword2": "{status_name}",
                 "keyword3": "{date}", "remark": "点击查看办理进度"},
    },
}
DEFAULT_SMS_SENDER = "xinfang.queue.senders.LogSmsSender"
# The customer-service window (WeChat: 48 hours after the citizen's last message).
CUSTOM_WINDOW_SECONDS = 48 * 3600
SMTP_TIMEOUT = 10


class SendError(Exception):
    """A push did not go out. `permanent`: this channel will never take it (try the next one)."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


# --- WeChat ------------------------------------------------------------------

def load_templates(path: Path | None) -> dict:
    """Template ids and field mapping per event (XINFANG_WECHAT_TEMPLATES), with a "default" entry."""
    if path is None:
        return DEFAULT_TEMPLATES
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for event, spec in data.items():
        if not isinstance(spec, dict) or not spec.get("template_id") or not isinstance(spec.get("data"), dict):
            raise ValueError(f"template for {event!r} needs template_id and data")
    return data


def template_fields(notification, public_url: str, timezone_name: str) -> dict:
    """The values a template's field mapping may use, e.g. "{tracking_code}"."""
    data = notification.data or {}
    code = data.get("tracking_code", "")
    moment = (notification.created_at or datetime.now(timezone.utc)).astimezone(ZoneInfo(timezone_name))
    return {
        "text": notification.text,
        "tracking_code": code,
        "status_name": data.get("status_name") or STATES.get(data.get("status"), ""),
        "date": f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}",
        "tracking_url": f"{public_url}/track/{code}" if code else public_url,
    }


def _wechat_error(exc) -> SendError:
    return SendError(f"{exc.errcode} {exc.errmsg}", permanent=exc.permanent)


class WeChatCustomSender:
    """Customer-service message: free text, only within 48 hours of the citizen's last message."""

    def __init__(self, api):
        self.api = api

    def send(self, notification, petitioner) -> str | None:
        from ..bot.wechat_api import WeChatAPIError

        _check_follower(petitioner)
        last = petitioner.last_inbound_at
        if last is None or (datetime.now(timezone.utc) - last).total_seconds() > CUSTOM_WINDOW_SECONDS:
            raise SendError("超出48小时客服消息窗口", permanent=True)
        try:
            self.api.send_text(petitioner.openid, notification.text)
        except WeChatAPIError as exc:
            raise _wechat_error(exc) from None
        return None


class WeChatTemplateSender:
    """Template message: any time to a follower; the template is chosen by the notice's event."""

    def __init__(self, api, templates: dict, public_url: str, timezone_name: str):
        self.api = api
        self.templates = templates
        self.public_url = public_url
        self.timezone_name = timezone_name

    def send(self, notification, petitioner) -> str | None:
        from ..bot.wechat_api import WeChatAPIError

        _check_follower(petitioner)
        spec = self.templates.get(notification.event) or self.templates.get("default")
        if spec is None:
            raise SendError(f"没有为 {notification.event} 配置模板消息", permanent=True)
        fields = template_fields(notification, self.public_url, self.timezone_name)
        data = {key: {"value": value.format(**fields)} for key, value in spec["data"].items()}
        url = spec["url"].format(**fields) if spec.get("url") else None
        try:
            msgid = self.api.send_template(petitioner.openid, spec["template_id"], data, url=url,
                                           client_msg_id=template_send_id(notification))
        except WeChatAPIError as exc:
            raise _wechat_error(exc) from None
        return str(msgid) if msgid is not None else None


def template_send_id(notification) -> str:
    """The notice's client_msg_id: a send repeated after a worker died mid-send (the outbox
    sweeper's, a minute later) is one WeChat drops, within its ten minutes. The row's creation
    moment goes with its id: a database set up afresh numbers its notices from 1 again."""
    return f"xinfang-{notification.id}-{int(notification.created_at.timestamp())}"


def _check_follower(petitioner) -> None:
    if petitioner is None or not petitioner.openid:
        raise SendError("没有微信用户", permanent=True)
    if not petitioner.subscribed:
        raise SendError("用户已取消关注", permanent=True)


# --- SMS ---------------------------------------------------------------------

class LogSmsSender:
    """The default SMS gateway: writes each message to sms.log in the data directory.

    A real gateway is a class with the same constructor and `send_sms(phone, text)`,
    named by XINFANG_SMS_SENDER; it raises SendError(permanent=True) for a bad number.
    """

    def __init__(self, settings):
        self.path = settings.data_dir / "sms.log"

    def send_sms(self, phone: str, text: str) -> str | None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": datetime.now(timezone.utc).isoformat(), "phone": phone, "text": text},
                          ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
        return None


class SmsSender:
    def __init__(self, gateway):
        self.gateway = gateway

    def send(self, notification, petitioner) -> str | None:
        if petitioner is None or not petitioner.phone:
            raise SendError("没有手机号", permanent=True)
        return self.gateway.send_sms(petitioner.phone, notification.text)


def load_sms_gateway(dotted: str, settings):
    module, _, name = dotted.rpartition(".")
    return getattr(import_module(module), name)(settings)


# --- email -------------------------------------------------------------------

class EmailSender:
    """Email through SMTP: XINFANG_SMTP_URL = smtp[s]://user:password@host:port?from=addr&starttls=1.

    Without it, mail goes to mail.log in the data directory, like SMS.
    """

    def __init__(self, smtp_url: str | None, data_dir: Path):
        self.smtp_url = smtp_url
        self.log_path = data_dir / "mail.log"

    def send(self, notification, petitioner) -> str | None:
        if petitioner is None or not petitioner.email:
            raise SendError("没有电子邮箱", permanent=True)
        message = EmailMessage()
        message["To"] = petitioner.email
        message["Subject"] = "信访事项办理进展"
        message.set_content(notification.text)
        if not self.smtp_url:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"to": petitioner.email, "text": notification.text}, ensure_ascii=False) + "\n")
            return None
        url = urlsplit(self.smtp_url)
        query = parse_qs(url.query)
        message["From"] = query.get("from", [f"xinfang@{url.hostname}"])[0]
        smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
        try:
            with smtp_class(url.hostname, url.port or (465 if url.scheme == "smtps" else 25),
                            timeout=SMTP_TIMEOUT) as smtp:
                if query.get("starttls", ["0"])[0] in ("1", "true"):
                    smtp.starttls()
                if url.username:
                    smtp.login(unquote(url.username), unquote(url.password or ""))
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"邮箱地址被拒收：{exc}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"SMTP: {exc}") from None
        return None


# --- the set of senders of one worker ------------------------------------------

class StaffSender:
    """Staff notices are shown in the admin panel: nothing to push."""

    def send(self, notification, petitioner) -> str | None:
        return None


def build_senders(settings, redis) -> dict:
    """One sender per channel name of Notification.channels, built once per worker."""
    from ..bot.wechat_api import WeChatAPI

    api = WeChatAPI(settings, redis)
    return {
        "wechat_custom": WeChatCustomSender(api),
        "wechat_template": WeChatTemplateSender(api, load_templates(settings.wechat_templates_file),
                                                settings.public_url, settings.timezone),
        "sms": SmsSender(load_sms_gateway(settings.sms_sender, settings)),
        "email": EmailSender(settings.smtp_url, settings.data_dir),
        "staff": StaffSender(),
    }
