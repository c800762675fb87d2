"""Redis-backed limits for the public pages: submissions per address and per phone, failed lookups.

Fixed windows (INCR + EXPIRE): simple, shared by every web process. When
Redis is down the limits are not applied: a citizen's letter must still be
accepted and stored (DESIGN §7), and floods are then nginx's to stop.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from redis.exceptions import RedisError

from .. import runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# Defaults; a deployment or a test overrides any of them in app.config["XINFANG_RATE_LIMITS"].
DEFAULTS = {
    # Several citizens may share one carrier address: generous per address, strict per phone.
    "submit_address": Limit(20, 3600),
    "submit_phone": Limit(5, 86400),
    # Wrong 查询码 lookups from one address before it must wait (codes are unguessable; this keeps them so).
    "lookup_failures": Limit(10, 900),
}


def limit(name: str) -> Limit:
    override = current_app.config.get("XINFANG_RATE_LIMITS", {}).get(name)
    return Limit(*override) if override else DEFAULTS[name]


def _key(name: str, who: str) -> str:
    return f"xinfang:rl:{name}:{who}"


def hit(name: str, who: str) -> int | None:
    """Count one event; None when allowed, else the seconds to wait."""
    rule = limit(name)
    key = _key(name, who)
    try:
        pipe = runtime.current().redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, rule.seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("rate limit %s not applied: %s", name, exc)
        return None
    return None if count <= rule.count else max(int(ttl), 1)


def blocked(name: str, who: str) -> int | None:
    """Without counting: None when under the limit, else the seconds to wait."""
    rule = limit(name)
    key = _key(name, who)
    try:
        pipe = runtime.current().redis.pipeline()
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("rate limit %s not checked: %s", name, exc)
        return None
    return max(int(ttl), 1) if count is not None and int(count) >= rule.count else None


def wait_text(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{minutes}分钟" if minutes < 60 else f"{-(-minutes // 60)}小时"
