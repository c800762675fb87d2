"""The WeChat API endpoints the gateway calls, under /cgi-bin/.

Answers as api.weixin.qq.com does: HTTP 200 with a JSON body whose errcode
says what went wrong. Each call first takes a pending injected fault, then
checks the access token, then the recipient.
"""

import functools
import json
import secrets

from flask import Blueprint, Response, jsonify, request

from .constants import ERRMSG, ErrCode
from .core import current_simulator
from .messages import new_msg_id

bp = Blueprint("wechat_api", __name__, url_prefix="/cgi-bin")


class ApiError(Exception):
    def __init__(self, errcode: int):
        super().__init__(errcode)
        self.errcode = errcode


def _error_body(errcode: int) -> dict:
    # WeChat appends a request id to every errmsg.
    message = ERRMSG.get(errcode, "error")
    return {"errcode": int(errcode), "errmsg": f"{message} rid: {secrets.token_hex(12)}"}


def api_call(endpoint: str, *, needs_token: bool = True):
    """Faults, token check and the call log around one API endpoint."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper():
            state = current_simulator().state
            fault = state.take_fault(endpoint)
            if fault is not None and fault.mode == "http500":
                state.record_call(endpoint, 500, ErrCode.SYSTEM_BUSY)
                return Response("Internal Server Error", status=500, mimetype="text/plain")
            try:
                if fault is not None:
                    raise ApiError(fault.errcode)
                if needs_token:
                    errcode = state.check_token(request.args.get("access_token"))
                    if errcode:
                        raise ApiError(errcode)
                body = view()
            except ApiError as exc:
                state.record_call(endpoint, 200, exc.errcode)
                return jsonify(_error_body(exc.errcode))
            state.record_call(endpoint, 200, body.get("errcode", 0))
            return jsonify(body)

        return wrapper

    return decorate


def _json_body() -> dict:
    raw = request.get_data()
    if not raw.strip():
        raise ApiError(ErrCode.EMPTY_POST_DATA)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(ErrCode.DATA_FORMAT_ERROR) from None
    if not isinstance(body, dict) or not isinstance(body.get("touser"), str):
        raise ApiError(ErrCode.DATA_FORMAT_ERROR)
    return body


def _check_reachable(openid: str, *, needs_window: bool) -> None:
    errcode = current_simulator().state.reachability(openid, needs_window=needs_window)
    if errcode:
        raise ApiError(errcode)


@bp.get("/token")
@api_call("token", needs_token=False)
def token():
    settings = current_simulator().settings
    if request.args.get("grant_type") != "client_credential":
        raise ApiError(ErrCode.INVALID_GRANT_TYPE)
    if request.args.get("appid") != settings.appid:
        raise ApiError(ErrCode.INVALID_APPID)
    if request.args.get("secret") != settings.secret:
        raise ApiError(ErrCode.INVALID_APPSECRET)
    state = current_simulator().state
    return {"access_token": state.issue_token(), "expires_in": state.token_ttl}


@bp.post("/message/custom/send")
@api_call("message/custom/send")
def custom_send():
    body = _json_body()
    msgtype = body.get("msgtype")
    if not isinstance(msgtype, str) or not isinstance(body.get(msgtype), dict):
        raise ApiError(ErrCode.DATA_FORMAT_ERROR)
    # Customer-service messages only within 48 hours of the user's last move.
    _check_reachable(body["touser"], needs_window=True)
    current_simulator().state.record_sent(body["touser"], "message/custom/send", body)
    return {"errcode": 0, "errmsg": "ok"}


@bp.post("/message/template/send")
@api_call("message/template/send")
def template_send():
    body = _json_body()
    if not body.get("template_id"):
        raise ApiError(ErrCode.INVALID_TEMPLATE_ID)
    _check_reachable(body["touser"], needs_window=False)
    simulator = current_simulator()
    msgid = new_msg_id()
    # client_msg_id: WeChat sends one message per openid and id within ten minutes, and answers
    # a repeat with the first one's msgid.
    earlier = simulator.state.record_template(body["touser"], body, msgid)
    if earlier is not None:
        return {"errcode": 0, "errmsg": "ok", "msgid": earlier}
    simulator.template_sent(body["touser"], msgid)
    return {"errcode": 0, "errmsg": "ok", "msgid": msgid}


def _subscribe_send(endpoint: str):
    @api_call(endpoint)
    def view():
        body = _json_body()
        if not body.get("template_id"):
            raise ApiError(ErrCode.INVALID_TEMPLATE_ID)
        _check_reachable(body["touser"], needs_window=False)
        current_simulator().state.record_sent(body["touser"], endpoint, body)
        return {"errcode": 0, "errmsg": "ok"}

    return view


# Subscription messages: the path the gateway uses, and the two that
# wechatpy's send_subscribe_template / send_subscribe_message call.
for _endpoint in ("message/subscribe/send", "message/subscribe/bizsend",
                  "message/template/subscribe"):
    bp.add_url_rule("/" + _endpoint, endpoint=_endpoint.replace("/", "_"),
                    view_func=_subscribe_send(_endpoint), methods=["POST"])
