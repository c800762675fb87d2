"""The one wrapper around wechatpy's WeChatClient: every outbound WeChat call.

Every call, the access token included, goes to settings.wechat_api_base (the
simulator in tests and demos). The access token is cached in Redis and shared
by all processes; one process refreshes it under a Redis lock while the
others wait for its result, so an expiry never turns into a stampede.
"""
from __future__ import annotations

import requests
from redis.exceptions import RedisError
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from ..config import Settings

# The token is dropped from the cache this long before WeChat expires it.
TOKEN_MARGIN_SECONDS = 300
# Connect and read timeouts of every call: a worker must not hang on WeChat.
TIMEOUT = (3, 10)
# Errcodes that mean "this access token is no good": refresh once, retry once.
STALE_TOKEN = {40001, 40014, 42001}
# Errcodes that will not change by trying again later: the recipient or the
# request itself is wrong, so the outbox must fall back or give up at once.
PERMANENT = {
    40003,  # invalid openid
    40013,  # invalid appid
    40036,  # invalid template size
    40037,  # invalid template id
    40125,  # invalid appsecret
    41028, 41029, 41030,  # bad form id / page for subscribe messages
    43004,  # the user does not follow the account (unsubscribed)
    43101,  # the user refused the subscribe message
    44002,  # empty post data
    45015,  # outside the 48-hour customer-service window
    45047,  # customer-service message quota of the window used up
    47001,  # data format error
    47003,  # template field invalid
    48001,  # api unauthorized for this account
}


class WeChatAPIError(Exception):
    """A call that failed; errcode is None for HTTP errors and timeouts."""

    def __init__(self, errcode: int | None, errmsg: str):
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def permanent(self) -> bool:
        return self.errcode in PERMANENT


class _Client(WeChatClient):
    """wechatpy's client with the base URL and the token source replaced."""

    def __init__(self, api: "WeChatAPI"):
        super().__init__(api.settings.wechat_appid, api.settings.wechat_secret,
                         timeout=TIMEOUT, auto_retry=False)
        self.API_BASE_URL = api.settings.wechat_api_base
        self._api = api
        # Every call goes to one host: what requests reads from the environment (proxies, CA bundle)
        # is read for it once, not on every call (a third of a push's CPU).
        environment = self._http.merge_environment_settings(self.API_BASE_URL, {}, None, None, None)
        self._http.proxies, self._http.verify = environment["proxies"], environment["verify"]
        self._http.trust_env = False

    @property
    def access_token(self) -> str:
        return self._api.access_token()

    def fetch_access_token(self) -> dict:
        # wechatpy hard-codes https://api.weixin.qq.com/cgi-bin/token (and no timeout) here.
        res = self._http.get(self.API_BASE_URL + "token", timeout=TIMEOUT, params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        res.raise_for_status()
        return self._handle_result(res)


class WeChatAPI:
    def __init__(self, settings: Settings, redis):
        self.settings = settings
        self.redis = redis
        self.client = _Client(self)
        self._token_key = f"xinfang:wechat:access_token:{settings.wechat_appid}"
        self._lock_key = self._token_key + ":lock"
        self._last_token: str | None = None  # what this process last had from the cache

    # -- the calls ------------------------------------------------------

    def send_text(self, openid: str, text: str) -> None:
        """A customer-service message (only within 48 h of the user's last message)."""
        self._call(lambda: self.client.message.send_text(openid, text))

    def send_template(self, openid: str, template_id: str, data: dict, url: str | None = None,
                      client_msg_id: str | None = None) -> str:
        """A template message; returns WeChat's msgid (TEMPLATESENDJOBFINISH reports on it).

        `client_msg_id`: WeChat sends one message per openid and id within ten minutes, so a send
        repeated after a crash reaches the citizen once. wechatpy's send_template has no such field.
        """
        body = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        if client_msg_id:
            body["client_msg_id"] = client_msg_id
        result = self._call(lambda: self.client.post("message/template/send", data=body))
        return str(result["msgid"])

    def send_subscribe(self, openid: str, template_id: str, data: dict, page: str | None = None) -> None:
        """A subscribe message the user agreed to receive."""
        self._call(lambda: self.client.message.send_subscribe_message(openid, template_id, data, page=page))

    # -- the access token -----------------------------------------------

    def access_token(self) -> str:
        try:
            cached = self.redis.get(self._token_key)
        except RedisError:
            # Redis away: the token this process last had, else one of its own (see _fetch).
            return self._last_token or self._fetch(share=False)
        if cached is None:
            return self.refresh_token(stale=None)
        self._last_token = cached.decode()
        return self._last_token

    def refresh_token(self, stale: str | None) -> str:
        """Fetch a new token unless another process already replaced `stale`."""
        try:
            with self.redis.lock(self._lock_key, timeout=15, blocking_timeout=15):
                cached = self.redis.get(self._token_key)
                if cached and cached.decode() != stale:
                    self._last_token = cached.decode()
                    return self._last_token
                return self._fetch(share=True)
        except RedisError:
            return self._fetch(share=False)

    def _fetch(self, share: bool) -> str:
        """A new token for this process, and with `share` for all of them through Redis. One for this
        process alone (Redis away) leaves the others working: WeChat keeps the token it replaces
        valid for five more minutes, and once Redis is back the first 40001 among them refreshes
        the shared one."""
        result = self._guard(self.client.fetch_access_token)
        token, ttl = result["access_token"], int(result.get("expires_in", 7200))
        if share:
            margin = min(TOKEN_MARGIN_SECONDS, ttl // 10)
            self.redis.set(self._token_key, token, ex=max(ttl - margin, 1))
        self._last_token = token
        return token

    def _call(self, request):
        used = self.access_token()
        try:
            return self._guard(request)
        except WeChatAPIError as exc:
            if exc.errcode not in STALE_TOKEN:
                raise
        self.refresh_token(stale=used)
        return self._guard(request)

    @staticmethod
    def _guard(request):
        """Run one wechatpy call, turning every failure into WeChatAPIError."""
        try:
            return request()
        except WeChatClientException as exc:
            if exc.errcode is None:
                status = exc.response.status_code if exc.response is not None else "?"
                raise WeChatAPIError(None, f"HTTP {status}") from exc
            raise WeChatAPIError(int(exc.errcode), str(exc.errmsg)) from exc
        except requests.RequestException as exc:
            raise WeChatAPIError(None, f"{type(exc).__name__}: {exc}") from exc
        except ValueError as exc:  # a 200 whose body is not JSON
            raise WeChatAPIError(None, f"bad answer: {exc}") from exc
