"""/_sim/ endpoints that tests and demos use to look into the simulated
platform and to bend it: outbox, call log, followers, faults, token expiry,
the customer-service window, template job results, reset."""

from flask import Blueprint, abort, jsonify, request

from .constants import TEMPLATE_SUCCESS
from .core import current_simulator

bp = Blueprint("wechat_sim_control", __name__, url_prefix="/_sim")


def _json() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.get("/sent")
def sent():
    """Messages the gateway sent, oldest first; ?openid= and ?after=<seq>."""
    state = current_simulator().state
    openid = request.args.get("openid") or None
    return jsonify(messages=state.sent(openid, request.args.get("after", 0, type=int)))


@bp.get("/calls")
def calls():
    endpoint = request.args.get("endpoint") or None
    return jsonify(calls=current_simulator().state.calls(endpoint))


@bp.get("/followers")
def followers():
    return jsonify(followers=current_simulator().state.followers())


@bp.post("/followers")
def add_followers():
    """{"openids": [...]}: users who follow the account and wrote just now."""
    openids = _json().get("openids")
    if not isinstance(openids, list) or not all(isinstance(o, str) and o for o in openids):
        return jsonify(error="openids must be a list of openids"), 400
    current_simulator().state.add_followers(openids)
    return jsonify(added=len(openids))


@bp.get("/faults")
def faults():
    return jsonify(faults=current_simulator().state.faults())


@bp.post("/faults")
def add_fault():
    """{"endpoint": "message/custom/send", "mode": "http500"|"errcode",
    "errcode": 45015, "times": 2}: the next `times` calls fail that way."""
    body = _json()
    state = current_simulator().state
    try:
        state.add_fault(str(body.get("endpoint", "")).strip("/"), body.get("mode"),
                        int(body.get("errcode") or 0), int(body.get("times", 1)))
    except (TypeError, ValueError) as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(faults=state.faults())


@bp.delete("/faults")
def clear_faults():
    current_simulator().state.clear_faults()
    return jsonify(faults={})


@bp.post("/expire-token")
def expire_token():
    """Expire every access token, or only {"access_token": ...}."""
    expired = current_simulator().state.expire_tokens(_json().get("access_token"))
    return jsonify(expired=expired)


@bp.post("/window")
def set_window():
    """{"seconds": N}: shrink (or grow) the 48-hour customer-service window."""
    try:
        seconds = float(_json()["seconds"])
    except (KeyError, TypeError, ValueError):
        return jsonify(error="seconds is required"), 400
    current_simulator().state.window_seconds = seconds
    return jsonify(seconds=seconds)


@bp.post("/template-finish")
def template_finish():
    """{"msgid": ..., "status": "failed:user block"}: fire TEMPLATESENDJOBFINISH now."""
    body = _json()
    simulator = current_simulator()
    matches = [e for e in simulator.state.sent() if e["msgid"] == body.get("msgid")]
    if not matches:
        abort(404)
    reply = simulator.finish_template(matches[0]["openid"], matches[0]["msgid"],
                                      body.get("status") or TEMPLATE_SUCCESS)
    return jsonify(ok=reply.ok, attempts=reply.attempts, error=reply.error)


@bp.post("/reset")
def reset():
    current_simulator().state.reset()
    return jsonify(ok=True)
