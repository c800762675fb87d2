"""Everything the simulated WeChat platform remembers.

Access tokens, followers (subscribed or not, last interaction), the outbox
of messages the gateway sent, the log of API calls, pending faults and the
chat feed. It lives in the memory of one process behind one lock: the
simulator is a single-process tool (run it with threads, never with several
worker processes).
"""

import itertools
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .constants import (ACCESS_TOKEN_TTL_SECONDS, CUSTOMER_SERVICE_WINDOW_SECONDS, TEMPLATE_DEDUPE_SECONDS, ErrCode)
from .messages import counts_as_interaction

# WeChat keeps the previous access token valid this long after a new one.
TOKEN_OVERLAP_SECONDS = 300

FAULT_MODES = ("http500", "errcode")

# Logs only people read (the chat page, the call log) keep this many entries;
# the outbox, which tests assert on, keeps everything.
LOG_LIMIT = 50_000


class NotFollowing(Exception):
    """The user unsubscribed: WeChat offers no chat box to write in."""


@dataclass
class Follower:
    subscribed: bool = True
    last_interaction: float | None = None


@dataclass
class Fault:
    mode: str
    errcode: int
    remaining: int


class SimulatorState:
    def __init__(self, *, window_seconds: float = CUSTOMER_SERVICE_WINDOW_SECONDS,
                 token_ttl: int = ACCESS_TOKEN_TTL_SECONDS,
                 clock: Callable[[], float] = time.time):
        self.window_seconds = window_seconds
        self.token_ttl = token_ttl
        self.clock = clock
        self._lock = threading.RLock()
        self._seq = itertools.count(1)  # one order for chat lines and outbox
        self._tokens: dict[str, float] = {}  # token -> expires_at
        self._followers: dict[str, Follower] = {}
        self._faults: dict[str, Fault] = {}  # endpoint -> pending fault
        self._outbox: list[dict] = []
        self._template_ids: dict[tuple[str, str], tuple[int, float]] = {}  # (openid, client_msg_id) -> (msgid, at)
        self._calls: deque[dict] = deque(maxlen=LOG_LIMIT)
        self._conversation: deque[dict] = deque(maxlen=LOG_LIMIT)

    def reset(self) -> None:
        with self._lock:
            for store in (self._tokens, self._followers, self._faults, self._template_ids):
                store.clear()
            for log in (self._outbox, self._calls, self._conversation):
                log.clear()

    # -- access tokens --------------------------------------------------

    def issue_token(self) -> str:
        with self._lock:
            now = self.clock()
            for token, expires_at in self._tokens.items():
                self._tokens[token] = min(expires_at, now + TOKEN_OVERLAP_SECONDS)
            token = secrets.token_urlsafe(48)
            self._tokens[token] = now + self.token_ttl
            return token

    def check_token(self, token: str | None) -> ErrCode:
        if not token:
            return ErrCode.ACCESS_TOKEN_MISSING
        with self._lock:
            expires_at = self._tokens.get(token)
            if expires_at is None:
                return ErrCode.INVALID_CREDENTIAL
            if expires_at <= self.clock():
                return ErrCode.ACCESS_TOKEN_EXPIRED
            return ErrCode.OK

    def expire_tokens(self, token: str | None = None) -> int:
        """Expire one token or all of them; returns how many."""
        with self._lock:
            now = self.clock()
            if token is None:
                targets = list(self._tokens)
            else:
                targets = [token] if token in self._tokens else []
            for target in targets:
                self._tokens[target] = now
            return len(targets)

    # -- followers ------------------------------------------------------

    def record_inbound(self, message: dict) -> None:
        """Note what a user sent, as a chat line too; raises NotFollowing if
        they cannot send it."""
        openid = message["FromUserName"]
        event = message.get("Event")
        with self._lock:
            follower = self._followers.get(openid)
            if follower is None:
                # A user never seen is taken to have followed before the simulator ran.
                follower = self._followers[openid] = Follower()
            if event == "subscribe":
                follower.subscribed = True
            elif not follower.subscribed:
                raise NotFollowing(openid)
            if event == "unsubscribe":
                follower.subscribed = False
            if counts_as_interaction(message):
                follower.last_interaction = self.clock()
            self.record_chat(openid, "user", message)

    def reachability(self, openid: str, *, needs_window: bool) -> ErrCode:
        """Whether the API may deliver to this openid now."""
        with self._lock:
            follower = self._followers.get(openid)
            if follower is None:
                return ErrCode.INVALID_OPENID
            if not follower.subscribed:
                return ErrCode.REQUIRE_SUBSCRIBE
            if needs_window and (
                    follower.last_interaction is None
                    or self.clock() - follower.last_interaction > self.window_seconds):
                return ErrCode.OUT_OF_RESPONSE_TIME
            return ErrCode.OK

    def add_followers(self, openids: list[str]) -> None:
        """Users who follow the account and wrote just now (inside the window), without chat lines:
        for benchmarks and demos that start with a crowd of citizens."""
        with self._lock:
            now = self.clock()
            for openid in openids:
                self._followers[openid] = Follower(subscribed=True, last_interaction=now)

    def followers(self) -> dict:
        with self._lock:
            return {openid: {"subscribed": f.subscribed, "last_interaction": f.last_interaction}
                    for openid, f in self._followers.items()}

    # -- faults ---------------------------------------------------------

    def add_fault(self, endpoint: str, mode: str, errcode: int = 0, times: int = 1) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"mode must be one of {FAULT_MODES}")
        if mode == "errcode" and not errcode:
            raise ValueError("errcode mode needs a non-zero errcode")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults[endpoint] = Fault(mode, errcode, times)

    def take_fault(self, endpoint: str) -> Fault | None:
        """The fault for this call, if one is pending (consumes one)."""
        with self._lock:
            fault = self._faults.get(endpoint)
            if fault is None:
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                del self._faults[endpoint]
            return fault

    def faults(self) -> dict:
        with self._lock:
            return {endpoint: vars(fault).copy() for endpoint, fault in self._faults.items()}

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # -- what the gateway sent, and what it asked ----------------------

    def record_sent(self, openid: str, endpoint: str, payload: dict,
                    msgid: int | None = None) -> dict:
        with self._lock:
            entry = {"seq": next(self._seq), "at": self.clock(), "openid": openid,
                     "endpoint": endpoint, "msgid": msgid, "payload": payload}
            self._outbox.append(entry)
            return entry

    def record_template(self, openid: str, payload: dict, msgid: int) -> int | None:
        """Record a template message; with a client_msg_id WeChat sent already to this openid within
        TEMPLATE_DEDUPE_SECONDS, record nothing and return that message's msgid (None: it is new)."""
        key = payload.get("client_msg_id")
        with self._lock:
            now = self.clock()
            if key:
                earlier = self._template_ids.get((openid, key))
                if earlier is not None and now - earlier[1] < TEMPLATE_DEDUPE_SECONDS:
                    return earlier[0]
                self._template_ids[(openid, key)] = (msgid, now)
            self.record_sent(openid, "message/template/send", payload, msgid)
            return None

    def sent(self, openid: str | None = None, after: int = 0) -> list[dict]:
        with self._lock:
            return [e for e in self._outbox
                    if e["seq"] > after and (openid is None or e["openid"] == openid)]

    def record_call(self, endpoint: str, status: int, errcode: int) -> None:
        with self._lock:
            self._calls.append({"at": self.clock(), "endpoint": endpoint,
                                "status": status, "errcode": errcode})

    def calls(self, endpoint: str | None = None) -> list[dict]:
        with self._lock:
            return [c for c in self._calls if endpoint is None or c["endpoint"] == endpoint]

    # -- the chat as the user sees it ----------------------------------

    def record_chat(self, openid: str, source: str, fields: dict) -> dict:
        """A line of the conversation: source "user" (the message's fields) or
        "reply" (kind, content and fields of the passive reply)."""
        with self._lock:
            entry = {"seq": next(self._seq), "at": self.clock(), "openid": openid,
                     "source": source, "fields": fields}
            self._conversation.append(entry)
            return entry

    def conversation(self, openid: str, after: int = 0) -> list[dict]:
        """Chat lines and pushed messages of one user, in order."""
        with self._lock:
            lines = [e for e in self._conversation if e["openid"] == openid and e["seq"] > after]
            return sorted(lines + self.sent(openid, after), key=lambda e: e["seq"])
