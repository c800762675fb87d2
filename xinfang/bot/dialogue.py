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
from dataclasses import dataclass, field, fields

from . import redis_scripts
from .floods import flood_key

TTL_SECONDS = 6 * 3600
# Long enough for one step; a crashed holder frees it by itself.
LOCK_SECONDS = 15
LOCK_WAIT_SECONDS = 2
# A request's (timestamp, nonce) seen inside WeChat's 5-minute window marks a replay: kept a little longer.
NONCE_SECONDS = 600  # twice callback.MAX_CLOCK_SKEW_SECONDS


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
    # When the intake's first message came (ISO): a submitted intake is recognised by it.
    started_at: str | None = None
    # The classification the summary showed (Classification.to_dict()): 确认 and the registration
    # take it as it is.
    labels: dict | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "Intake":
        """An intake as kept (a draft in Redis, a submitted message's): fields an older release kept
        and this one does not are dropped."""
        return cls(**{name: value for name, value in data.items() if name in _INTAKE_FIELDS})

    def to_dict(self) -> dict:
        # The fields as they are (asdict would deep-copy the labels first): written on every step.
        return dict(vars(self))

    def add_text(self, more: str) -> None:
        self.text = f"{self.text}\n{more}".strip() if self.text else more.strip()
        self.labels = None  # they described the text before: the next summary classifies it


_INTAKE_FIELDS = frozenset(f.name for f in fields(Intake))


def _key(channel: str, sender: str) -> str:
    return f"xinfang:dialogue:{channel}:{sender}"


def _lock_key(channel: str, sender: str) -> str:
    return _key(channel, sender) + ":lock"


def _intake(raw) -> Intake | None:
    return None if raw is None else Intake.from_dict(json.loads(raw))


def _dump(intake: Intake) -> str:
    return json.dumps(intake.to_dict(), ensure_ascii=False)


def load(redis, channel: str, sender: str) -> Intake | None:
    return _intake(redis.get(_key(channel, sender)))


# --- one step in two round trips ---------------------------------------------------
#
# begin: note the request's nonce (a replay is told apart), count the message
# against the flood limits, note whether the citizen's 48-hour window needs
# writing down, take the per-sender lock and read the draft, all in one
# script; finish: write (or drop) the draft and free the lock, in one script.
# The lock is a plain SET NX PX token, freed only by its holder.

_BEGIN = """
if ARGV[4] ~= '' then
  if not redis.call('SET', KEYS[3], ARGV[4], 'NX', 'EX', ARGV[5]) then
    return {'replay', redis.call('GET', KEYS[3])}
  end
end
local wait = 0
for i = 1, tonumber(ARGV[3]) do
  local key = KEYS[4 + i]
  local count = redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[7 + 2 * i]) end
  if count > tonumber(ARGV[6 + 2 * i]) then
    local ttl = redis.call('TTL', key)
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return {'wait', wait} end
local touch = 0
local now = tonumber(ARGV[7])
if now - tonumber(redis.call('GET', KEYS[4]) or '0') >= tonumber(ARGV[6]) then
  redis.call('SET', KEYS[4], ARGV[7], 'EX', 2 * ARGV[6])
  touch = 1
end
if ARGV[2] == '0' then return {'go', touch} end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'busy', touch} end
return {'go', touch, redis.call('GET', KEYS[1])}
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

# The citizen's last inbound moment (the 48-hour customer-service window) is written down at
# most this often: a window that closes a few minutes early only sends a template instead.
TOUCH_SECONDS = 600


def _token() -> str:
    return os.urandom(12).hex()


@dataclass
class Begun:
    """What `begin` found: a replayed request, a flood, or the go-ahead (with the lock and the draft)."""
    replay_of: str | None = None  # the message id the replayed request first carried
    wait: int | None = None  # seconds until the sender may write again
    token: str | None = None  # the lock, when one was asked for
    intake: Intake | None = None
    touch: bool = False  # the citizen's last inbound moment is due to be written down


def begin(redis, channel: str, sender: str, *, limits=(), replay: tuple[str, str] | None = None,
          lock: bool = True) -> Begun:
    """One round trip before a step (see above). `replay`: (the request's nonce key, the message's id).

    Over a flood limit no lock is taken. Waits up to LOCK_WAIT_SECONDS for a lock another message
    holds; Busy after that.
    """
    token = _token() if lock else ""
    nonce_key, external_id = replay or ("", "")
    keys = [_key(channel, sender), _lock_key(channel, sender), nonce_key or _key(channel, sender) + ":nonce",
            f"xinfang:seen:{channel}:{sender}"]
    args = [token, LOCK_SECONDS * 1000 if lock else 0, len(limits), external_id, NONCE_SECONDS, TOUCH_SECONDS,
            int(time.time())]
    for limit, seconds in limits:
        keys.append(flood_key(channel, sender, seconds))
        args += [limit, seconds]
    result = redis_scripts.run(redis, _BEGIN, keys, args)
    outcome = result[0].decode()
    if outcome == "replay":
        return Begun(replay_of=result[1].decode() if result[1] else "")
    if outcome == "wait":
        return Begun(wait=int(result[1]))
    begun = Begun(token=token or None, touch=bool(int(result[1])))
    if outcome == "go":
        begun.intake = _intake(result[2] if len(result) > 2 else None)
        return begun
    _acquire(redis, channel, sender, token)  # busy: another message of this citizen is being answered
    try:
        begun.intake = load(redis, channel, sender)
        return begun
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
    redis_scripts.run(redis, _FINISH, keys, args)


def release(redis, channel: str, sender: str, token: str) -> None:
    """Free the lock if this token still holds it (a step that outlived it finds it gone)."""
    redis_scripts.run(redis, _FINISH, [_key(channel, sender), _lock_key(channel, sender)], [token, "keep"])


def _acquire(redis, channel: str, sender: str, token: str) -> None:
    key = _lock_key(channel, sender)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not redis.set(key, token, nx=True, px=LOCK_SECONDS * 1000):
        if time.monotonic() >= deadline:
            raise Busy(sender)
        time.sleep(0.05)
