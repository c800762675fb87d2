"""The phone: a chat page at / where a person plays a citizen, and the JSON
it uses: /_sim/send (the citizen sends something to the account) and
/_sim/feed (the conversation as the phone shows it, polled every second)."""

from flask import Blueprint, jsonify, render_template, request

from . import messages
from .constants import MENU, SERVICE_UNAVAILABLE_TEXT
from .core import current_simulator
from .state import NotFollowing

bp = Blueprint("wechat_sim_chat", __name__, template_folder="templates")

MENU_LABELS = dict(MENU)
# 康定 (炉城镇), seat of the prefecture: where the location button puts you.
DEFAULT_LOCATION = (30.0497, 101.9636, "四川省甘孜藏族自治州康定市炉城镇")
PUSH_TAGS = {
    "message/custom/send": "客服消息",
    "message/template/send": "模板消息",
}


@bp.get("/")
def page():
    simulator = current_simulator()
    return render_template("simulator/chat.html", menu=MENU,
                           gateway_url=simulator.settings.gateway_url,
                           default_location=DEFAULT_LOCATION)


def build_message(account_id: str, openid: str, body: dict) -> dict:
    """The message a /_sim/send body asks for; ValueError if it makes no sense."""
    kind = body.get("kind", "text")
    if kind == "text":
        return messages.text_message(account_id, openid, _required(body, "text"))
    if kind == "voice":
        return messages.voice_message(account_id, openid, body.get("media_id") or "sim-voice",
                                      recognition=body.get("recognition"))
    if kind == "image":
        media_id = body.get("media_id") or "sim-image"
        return messages.image_message(account_id, openid, body.get("pic_url") or "", media_id)
    if kind == "file":
        return messages.file_message(account_id, openid, _required(body, "title"))
    if kind == "location":
        latitude, longitude, label = DEFAULT_LOCATION
        return messages.location_message(
            account_id, openid, float(body.get("latitude", latitude)),
            float(body.get("longitude", longitude)), scale=int(body.get("scale", 15)),
            label=body.get("label") or label)
    if kind == "event":
        event = _required(body, "event")
        fields = {"EventKey": body["event_key"]} if body.get("event_key") else {}
        return messages.event_message(account_id, openid, event, **fields)
    raise ValueError(f"unknown kind {kind!r}")


def _required(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} is required")
    return value


@bp.post("/_sim/send")
def send():
    """{"openid": ..., "kind": "text", "text": ...}: the citizen sends it; the
    answer is the passive reply (this waits while WeChat would wait)."""
    body = request.get_json(silent=True) or {}
    openid = body.get("openid")
    if not isinstance(openid, str) or not openid:
        return jsonify(error="openid is required"), 400
    simulator = current_simulator()
    try:
        message = build_message(simulator.settings.account_id, openid, body)
        reply = simulator.platform.deliver(message)
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    except NotFollowing:
        return jsonify(error="您已取消关注该公众号，请先关注"), 409
    return jsonify(kind=reply.kind, content=reply.content, fields=reply.fields,
                   msg_id=message.get("MsgId"), attempts=reply.attempts, error=reply.error)


@bp.get("/_sim/feed")
def feed():
    """{"items": [{"seq", "at", "side": "user"|"account"|"system", "text", "tag"}]}."""
    openid = request.args.get("openid", "")
    after = request.args.get("after", 0, type=int)
    entries = current_simulator().state.conversation(openid, after)
    items = []
    for entry in entries:
        side, text, tag = describe(entry)
        if text:
            items.append({"seq": entry["seq"], "at": entry["at"], "side": side,
                          "text": text, "tag": tag})
    # "last" moves past entries that show nothing, so polling never repeats them.
    return jsonify(items=items, last=max((e["seq"] for e in entries), default=after))


def describe(entry: dict) -> tuple[str, str | None, str | None]:
    """(side, text, tag) of one conversation entry as the phone shows it."""
    if "endpoint" in entry:
        return "account", _push_text(entry["payload"]), PUSH_TAGS.get(entry["endpoint"], "订阅消息")
    if entry["source"] == "user":
        return _user_text(entry["fields"])
    return _reply_text(entry["fields"])


def _user_text(fields: dict) -> tuple[str, str, None]:
    msg_type = fields["MsgType"]
    if msg_type == "text":
        return "user", fields["Content"], None
    if msg_type == "voice":
        return "user", "[语音] " + fields.get("Recognition", ""), None
    if msg_type == "image":
        return "user", "[图片]", None
    if msg_type == "file":
        return "user", "[文件] " + fields["Title"], None
    if msg_type == "location":
        return "user", f"[位置] {fields['Label']}", None
    event = fields.get("Event")
    if event == "subscribe":
        return "system", "你关注了公众号", None
    if event == "unsubscribe":
        return "system", "你取消关注了公众号", None
    if event == "CLICK":
        key = fields.get("EventKey", "")
        return "system", f"你点击了菜单「{MENU_LABELS.get(key, key)}」", None
    return "system", f"[{event or msg_type}]", None


def _reply_text(reply: dict) -> tuple[str, str | None, None]:
    kind = reply["kind"]
    if kind == "success":
        return "account", None, None  # nothing reaches the phone
    if kind == "failed":
        return "system", SERVICE_UNAVAILABLE_TEXT, None
    if kind == "text":
        return "account", reply["content"], None
    if kind == "news":
        articles = reply["fields"].get("Articles", {}).get("item", [])
        articles = articles if isinstance(articles, list) else [articles]
        return "account", "\n".join("[图文] " + (a.get("Title") or "") for a in articles), None
    return "account", f"[{kind}]", None


def _push_text(payload: dict) -> str:
    data = payload.get("data")
    if isinstance(data, dict):  # template and subscription messages
        lines = [payload.get("title", "")]
        lines += [str(item.get("value", "")) if isinstance(item, dict) else str(item)
                  for item in data.values()]
        if payload.get("url"):
            lines.append("详情：" + payload["url"])
        return "\n".join(line for line in lines if line)
    msgtype = payload["msgtype"]
    content = payload[msgtype]
    if msgtype == "text":
        return content.get("content", "")
    if msgtype == "news":
        return "\n".join("[图文] " + a.get("title", "") for a in content.get("articles", []))
    return f"[{msgtype}]"
