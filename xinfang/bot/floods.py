"""A per-sender limit on messages, in Redis: floods get a clear answer, never silence.

Fixed windows (INCR + EXPIRE, counted in dialogue.begin's script), shared by
every web process. A burst of photos (nine at once) is normal; hundreds a
minute are not. A message over the limit is stored all the same, so nothing a
citizen sent is lost either way.
"""
from __future__ import annotations

# (messages, seconds): both must hold.
LIMITS = ((20, 60), (200, 3600))


def flood_key(channel: str, sender: str, seconds: int) -> str:
    return f"xinfang:flood:{channel}:{sender}:{seconds}"


def wait_text(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{minutes}分钟" if minutes < 60 else f"{-(-minutes // 60)}小时"
