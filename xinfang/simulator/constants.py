"""Values shared by the WeChat simulator and the gateway.

The gateway imports the menu keys and error codes from here, so this module
imports nothing: it stays cheap to import on the production path.
"""

from enum import IntEnum

# Custom menu of the official account: the EventKey of each CLICK button.
MENU_REPORT = "MENU_REPORT"
MENU_TRACK = "MENU_TRACK"
MENU_GUIDE = "MENU_GUIDE"

# (EventKey, button label) in the order the buttons appear on the phone.
MENU = (
    (MENU_REPORT, "我要反映"),
    (MENU_TRACK, "查询进度"),
    (MENU_GUIDE, "办事指南"),
)

# Status of the TEMPLATESENDJOBFINISH event, as WeChat spells it.
TEMPLATE_SUCCESS = "success"
TEMPLATE_USER_BLOCK = "failed:user block"
TEMPLATE_SYSTEM_FAILED = "failed: system failed"

# WeChat's customer-service window: custom messages only within 48 hours of
# the user's last interaction.
CUSTOMER_SERVICE_WINDOW_SECONDS = 48 * 3600

ACCESS_TOKEN_TTL_SECONDS = 7200
# A template message's client_msg_id: one message per openid and id within this long.
TEMPLATE_DEDUPE_SECONDS = 600

# What WeChat shows the user when the account did not answer in time.
SERVICE_UNAVAILABLE_TEXT = "该公众号暂时无法提供服务，请稍后再试"


class ErrCode(IntEnum):
    """WeChat API error codes the gateway has to handle."""

    SYSTEM_BUSY = -1
    OK = 0
    INVALID_CREDENTIAL = 40001
    INVALID_GRANT_TYPE = 40002
    INVALID_OPENID = 40003
    INVALID_APPID = 40013
    INVALID_TEMPLATE_ID = 40037
    INVALID_APPSECRET = 40125
    ACCESS_TOKEN_MISSING = 41001
    ACCESS_TOKEN_EXPIRED = 42001
    REQUIRE_SUBSCRIBE = 43004
    EMPTY_POST_DATA = 44002
    OUT_OF_RESPONSE_TIME = 45015
    DATA_FORMAT_ERROR = 47001


# errmsg texts as WeChat returns them (WeChat appends a request id).
ERRMSG = {
    ErrCode.SYSTEM_BUSY: "system error",
    ErrCode.OK: "ok",
    ErrCode.INVALID_CREDENTIAL: "invalid credential, access_token is invalid or not latest",
    ErrCode.INVALID_GRANT_TYPE: "invalid grant_type",
    ErrCode.INVALID_OPENID: "invalid openid",
    ErrCode.INVALID_APPID: "invalid appid",
    ErrCode.INVALID_TEMPLATE_ID: "invalid template_id",
    ErrCode.INVALID_APPSECRET: "invalid appsecret",
    ErrCode.ACCESS_TOKEN_MISSING: "access_token missing",
    ErrCode.ACCESS_TOKEN_EXPIRED: "access_token expired",
    ErrCode.REQUIRE_SUBSCRIBE: "require subscribe",
    ErrCode.EMPTY_POST_DATA: "empty post data",
    ErrCode.OUT_OF_RESPONSE_TIME: "response out of time limit or subscription is canceled",
    ErrCode.DATA_FORMAT_ERROR: "data format error",
}
