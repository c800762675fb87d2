"""The dialogue's Lua scripts, run on a Redis connection of the calling thread's own.

Two scripts run on every message the callback answers (bot.dialogue). Through the client, each
call also checked a connection out of the pool, tested it for stray input, ran the retry wrapper
and checked it back in: three times the cost of the round trip itself. A thread here keeps one
connection made with the client's own settings (address, password, database, timeouts, TLS) and
sends EVALSHA on it.

A connection that fails is closed by redis-py and opened again on the next call. A connection the
server closed while it lay idle fails only when used: a script sent on it is sent once more, on a
fresh connection (the server never saw it). A timeout is not retried: that would make the
callback wait twice as long.
"""
from __future__ import annotations

import hashlib
import os
import threading
import weakref

from redis.exceptions import ConnectionError, NoScriptError


def run(redis, source: str, keys: list, args: list):
    """The script's reply, as the client's Script would give it (bytes, lists, integers)."""
    runner = _runners.get(redis)
    if runner is None:
        runner = _runners.setdefault(redis, _Runner(redis))
    return runner.run(source, keys, args)


class _Runner:
    """The thread-own connections of one client."""

    def __init__(self, redis):
        self.pool = redis.connection_pool
        self.local = threading.local()

    def run(self, source: str, keys: list, args: list):
        local = self.local
        if getattr(local, "pid", None) != os.getpid():
            # A forked worker must not share its parent's socket.
            local.pid, local.connection, local.answered = os.getpid(), self.pool.make_connection(), False
        try:
            reply = _evalsha(local.connection, source, keys, args)
        except ConnectionError:
            if not local.answered:
                raise
            local.answered = False  # closed by redis-py: the call below opens a fresh one
            reply = _evalsha(local.connection, source, keys, args)
        local.answered = True
        return reply


def _evalsha(connection, source: str, keys: list, args: list):
    try:
        return _call(connection, "EVALSHA", _sha(source), len(keys), *keys, *args)
    except NoScriptError:
        # A server restarted since (or one that never saw the script): EVAL also caches it there.
        return _call(connection, "EVAL", source, len(keys), *keys, *args)


def _call(connection, *command):
    connection.send_packed_command(connection.pack_command(*command), check_health=False)
    return connection.read_response()


_shas: dict[str, str] = {}


def _sha(source: str) -> str:
    sha = _shas.get(source)
    if sha is None:
        sha = _shas[source] = hashlib.sha1(source.encode()).hexdigest()
    return sha


_runners: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
