"""A per-sender limit on messages, in Redis: floods get a clear answer, never silence.

Fixed windows (INCR + EXPIRE), shared by every web process. A burst of
photos (nine at once) is normal; hundreds a minute are not. Every message is
stored before this is asked, so nothing a citizen sent is lost either way.
"""
from __future__ import annotations

# (messages, seconds): both must hold.
LIMITS = ((20, 60), (200, 3600))


def flood_key(channel: str, sender: str, seconds: int) -> str:
    return f"xinfang:flood:{channel}:{sender}:{seconds}"


def over_limit(redis, channel: str, sender: str, limits=LIMITS) -> int | None:
    """Count one message; None when allowed, else the seconds until the sender may write again."""
    pipe = redis.pipeline()
    for _, seconds in limits:
        key = flood_key(channel, sender, seconds)
        pipe.incr(key)
        pipe.expire(key, seconds, nx=True)
        pipe.ttl(key)
    results = pipe.execute()
    waits = [max(int(ttl), 1) for (count, _, ttl), (limit, _) in zip(zip(*[iter(results)] * 3), limits)
             if count > limit]
    return max(waits) if waits else None


def wait_text(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{minutes}分钟" if minutes < 60 else f"{-(-minutes // 60)}小时"
