"""Callback messages as WeChat builds them: field dicts and their XML.

Each builder returns the fields in WeChat's order. Ordinary messages carry a
unique int64 MsgId; events carry none, exactly as on WeChat (a gateway must
deduplicate events by FromUserName + CreateTime). No signing here: see
crypto.py.
"""

import secrets
import time

import xmltodict

# Events that count as the user's interaction for the customer-service window.
INTERACTIVE_EVENTS = frozenset({"subscribe", "SCAN", "CLICK", "VIEW"})


def new_msg_id() -> int:
    # Random 63 bits: unique across simulator processes, still a positive int64.
    return secrets.randbits(63) or 1


def _base(account_id: str, openid: str, msg_type: str, create_time: int | None) -> dict:
    return {
        "ToUserName": account_id,
        "FromUserName": openid,
        "CreateTime": int(create_time if create_time is not None else time.time()),
        "MsgType": msg_type,
    }


def _message(account_id, openid, msg_type, create_time, msg_id, **fields) -> dict:
    message = _base(account_id, openid, msg_type, create_time)
    message.update(fields)
    message["MsgId"] = msg_id if msg_id is not None else new_msg_id()
    return message


def text_message(account_id: str, openid: str, content: str, *,
                 create_time: int | None = None, msg_id: int | None = None) -> dict:
    return _message(account_id, openid, "text", create_time, msg_id, Content=content)


def voice_message(account_id: str, openid: str, media_id: str, *, recognition: str | None = None,
                  audio_format: str = "amr", create_time: int | None = None,
                  msg_id: int | None = None) -> dict:
    fields = {"MediaId": media_id, "Format": audio_format}
    # Recognition appears only when speech recognition is on for the account.
    if recognition is not None:
        fields["Recognition"] = recognition
    return _message(account_id, openid, "voice", create_time, msg_id, **fields)


def image_message(account_id: str, openid: str, pic_url: str, media_id: str, *,
                  create_time: int | None = None, msg_id: int | None = None) -> dict:
    return _message(account_id, openid, "image", create_time, msg_id,
                    PicUrl=pic_url, MediaId=media_id)


def file_message(account_id: str, openid: str, title: str, *, description: str = "",
                 file_key: str = "", file_md5: str = "", file_total_len: int = 0,
                 create_time: int | None = None, msg_id: int | None = None) -> dict:
    return _message(account_id, openid, "file", create_time, msg_id,
                    Title=title, Description=description, FileKey=file_key,
                    FileMd5=file_md5, FileTotalLen=file_total_len)


def location_message(account_id: str, openid: str, latitude: float, longitude: float, *,
                     scale: int = 15, label: str = "", create_time: int | None = None,
                     msg_id: int | None = None) -> dict:
    return _message(account_id, openid, "location", create_time, msg_id,
                    Location_X=latitude, Location_Y=longitude, Scale=scale, Label=label)


def event_message(account_id: str, openid: str, event: str, *,
                  create_time: int | None = None, **fields) -> dict:
    """Any event; extra fields (EventKey, MsgID, Status…) follow Event."""
    message = _base(account_id, openid, "event", create_time)
    message["Event"] = event
    message.update(fields)
    return message


def subscribe_event(account_id: str, openid: str, **kwargs) -> dict:
    return event_message(account_id, openid, "subscribe", **kwargs)


def unsubscribe_event(account_id: str, openid: str, **kwargs) -> dict:
    return event_message(account_id, openid, "unsubscribe", **kwargs)


def click_event(account_id: str, openid: str, event_key: str, **kwargs) -> dict:
    return event_message(account_id, openid, "CLICK", EventKey=event_key, **kwargs)


def template_finish_event(account_id: str, openid: str, msg_id: int, status: str,
                          **kwargs) -> dict:
    # WeChat spells this field MsgID (capital D): the msgid of template/send.
    return event_message(account_id, openid, "TEMPLATESENDJOBFINISH",
                         MsgID=msg_id, Status=status, **kwargs)


def counts_as_interaction(message: dict) -> bool:
    """Whether the message opens the 48-hour customer-service window."""
    if message["MsgType"] != "event":
        return True
    return message["Event"] in INTERACTIVE_EVENTS


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside one CDATA section: split it across two.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_xml(fields: dict) -> str:
    """WeChat's XML: numbers bare, strings in CDATA."""
    parts = ["<xml>"]
    for name, value in fields.items():
        if isinstance(value, bool):
            raise TypeError(f"{name}: WeChat XML has no booleans")
        if isinstance(value, (int, float)):
            parts.append(f"<{name}>{value}</{name}>")
        else:
            parts.append(f"<{name}>{_cdata(str(value))}</{name}>")
    parts.append("</xml>")
    return "".join(parts)


def parse_xml(xml: str | bytes) -> dict:
    """Fields of a WeChat XML document (one level, as WeChat sends)."""
    document = xmltodict.parse(xml)
    root = document.get("xml")
    if not isinstance(root, dict):
        raise ValueError("not a WeChat XML document")
    return root

