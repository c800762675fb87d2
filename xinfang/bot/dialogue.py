"""The open intake of one citizen, kept in Redis with a TTL.

One JSON value per sender: what the citizen has said so far and which
question comes next. It lives as long as a citizen might reasonably take to
answer; after that the draft is dropped (the messages themselves are in the
database for good). A per-sender lock keeps two messages of one citizen from
stepping the same draft at once (WeChat retries, several web processes).
"""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

TTL_SECONDS = 6 * 3600
# Long enough for one step; a crashed holder frees it by itself.
LOCK_SECONDS = 15
LOCK_WAIT_SECONDS = 2


class Busy(Exception):
    """Another message of the same citizen is being handled right now."""


@dataclass
class Intake:
    # text: waiting for the description; county, phone: asking for them; confirm: summary shown;
    # amend: waiting for the text to add.
    step: str = "text"
    text: str = ""
    county: str | None = None
    township: str | None = None
    phone: str | None = None
    phone_asked: bool = False
    attachments: list[int] = field(default_factory=list)
    # The first stored message of this intake: a submitted intake is recognised by it.
    first_message_id: int | None = None

    def add_text(self, more: str) -> None:
        self.text = f"{self.text}\n{more}".strip() if self.text else more.strip()


def _key(channel: str, sender: str) -> str:
    return f"xinfang:dialogue:{channel}:{sender}"


def _lock_key(channel: str, sender: str) -> str:
    return _key(channel, sender) + ":lock"


def _intake(raw) -> Intake | None:
    return None if raw is None else Intake(**json.loads(raw))


def _dump(intake: Intake) -> str:
    return json.dumps(asdict(intake), ensure_ascii=False)


def load(redis, channel: str, sender: str) -> Intake | None:
    return _intake(redis.get(_key(channel, sender)))


def save(redis, channel: str, sender: str, intake: Intake) -> None:
    redis.set(_key(channel, sender), _dump(intake), ex=TTL_SECONDS)


def clear(redis, channel: str, sender: str) -> None:
    redis.delete(_key(channel, sender))


# --- one step in two round trips ---------------------------------------------------
#
# begin: count the message against the flood limits (when asked), take the
# per-sender lock and read the draft, all in one script; finish: write (or
# drop) the draft and free the lock, in one script. The lock is a plain
# SET NX PX token, freed only by its holder.

_BEGIN = """
local wait = 0
local n = tonumber(ARGV[3])
for i = 1, n do
  local key = KEYS[2 + i]
  local count = redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[3 + 2 * i]) end
  if count > tonumber(ARGV[2 + 2 * i]) then
    local ttl = redis.call('TTL', key)
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return {wait, 0} end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, 0} end
local draft = redis.call('GET', KEYS[1])
if draft then return {0, 1, draft} end
return {0, 1}
"""

_FINISH = """
if ARGV[2] == 'save' then
  redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
elseif ARGV[2] == 'clear' then
  redis.call('DEL', KEYS[1])
end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
"""

_scripts: dict = {}


def _script(redis, source: str):
    # One Script (EVALSHA, EVAL once on a server that has not seen it) per client and source.
    key = (id(redis), source)
    script = _scripts.get(key)
    if script is None or script.registered_client is not redis:
        script = _scripts[key] = redis.register_script(source)
    return script


def _token() -> str:
    return os.urandom(12).hex()


def begin(redis, channel: str, sender: str, limits=()) -> tuple[int | None, str | None, Intake | None]:
    """(seconds to wait when over a flood limit, else None; the lock token; the draft).

    Counts the message against `limits` (floods.LIMITS for a new message), then
    takes the sender's lock and reads the draft. Over a limit, no lock is
    taken. Waits up to LOCK_WAIT_SECONDS for a lock another message holds;
    Busy after that.
    """
    from .floods import flood_key

    token = _token()
    keys = [_key(channel, sender), _lock_key(channel, sender)]
    args = [token, LOCK_SECONDS * 1000, len(limits)]
    for limit, seconds in limits:
        keys.append(flood_key(channel, sender, seconds))
        args += [limit, seconds]
    result = _script(redis, _BEGIN)(keys=keys, args=args)
    if int(result[0]) > 0:
        return int(result[0]), None, None
    if int(result[1]):
        return None, token, _intake(result[2] if len(result) > 2 else None)
    _acquire(redis, channel, sender, token)
    try:
        return None, token, load(redis, channel, sender)
    except BaseException:
        release(redis, channel, sender, token)
        raise


def finish(redis, channel: str, sender: str, token: str | None, intake: Intake | None) -> None:
    """Keep the draft (None: drop it) and free the lock, in one round trip."""
    keys = [_key(channel, sender), _lock_key(channel, sender)]
    if intake is None:
        args = [token or "", "clear"]
    else:
        args = [token or "", "save", _dump(intake), TTL_SECONDS]
    _script(redis, _FINISH)(keys=keys, args=args)


def release(redis, channel: str, sender: str, token: str) -> None:
    """Free the lock if this token still holds it (a step that outlived it finds it gone)."""
    _script(redis, _FINISH)(keys=[_key(channel, sender), _lock_key(channel, sender)], args=[token, "keep"])


def _acquire(redis, channel: str, sender: str, token: str) -> None:
    key = _lock_key(channel, sender)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not redis.set(key, token, nx=True, px=LOCK_SECONDS * 1000):
        if time.monotonic() >= deadline:
            raise Busy(sender)
        time.sleep(0.05)


@contextmanager
def locked(redis, channel: str, sender: str):
    token = _token()
    _acquire(redis, channel, sender, token)
    try:
        yield
    finally:
        release(redis, channel, sender, token)
