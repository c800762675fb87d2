"""The dialogue state in Redis: a TTL, one step at a time per citizen."""
import pytest

from xinfang.bot import dialogue
from xinfang.bot.dialogue import Intake


@pytest.fixture(autouse=True)
def _fresh_redis(rt):
    """The rt fixture flushes this test run's Redis database."""


def test_the_draft_round_trips_and_expires(redis_conn):
    intake = Intake(step="county", text="路坏了", attachments=[3], started_at="2026-11-29T04:00:00+00:00")
    dialogue.finish(redis_conn, "wechat", "oA", None, intake)
    assert dialogue.load(redis_conn, "wechat", "oA") == intake
    assert 0 < redis_conn.ttl("xinfang:dialogue:wechat:oA") <= dialogue.TTL_SECONDS
    dialogue.finish(redis_conn, "wechat", "oA", None, None)
    assert dialogue.load(redis_conn, "wechat", "oA") is None


def test_one_step_at_a_time_per_citizen(redis_conn, monkeypatch):
    monkeypatch.setattr(dialogue, "LOCK_WAIT_SECONDS", 0.1)
    first = dialogue.begin(redis_conn, "wechat", "oA")
    with pytest.raises(dialogue.Busy):
        dialogue.begin(redis_conn, "wechat", "oA")
    other = dialogue.begin(redis_conn, "wechat", "oB")  # another citizen is not held up
    dialogue.release(redis_conn, "wechat", "oB", other.token)
    dialogue.release(redis_conn, "wechat", "oA", first.token)
    again = dialogue.begin(redis_conn, "wechat", "oA")  # released
    dialogue.release(redis_conn, "wechat", "oA", again.token)


def test_flood_limit_counts_per_sender(redis_conn):
    limits = ((3, 60),)

    def over_limit(sender):
        return dialogue.begin(redis_conn, "wechat", sender, limits=limits, lock=False).wait

    assert [over_limit("oA") for _ in range(3)] == [None] * 3
    wait = over_limit("oA")
    assert wait is not None and 0 < wait <= 60
    assert over_limit("oB") is None


def test_a_step_goes_on_after_redis_dropped_its_connections_and_forgot_its_scripts(redis_conn):
    # What a restarted Redis server does to a web process that was answering before it.
    intake = Intake(step="county", text="路坏了")
    dialogue.finish(redis_conn, "wechat", "oA", None, intake)
    redis_conn.script_flush()
    db = str(redis_conn.connection_pool.connection_kwargs.get("db", 0))
    for client in redis_conn.client_list():
        if client["db"] == db and client["cmd"] in ("evalsha", "eval"):  # the connection that ran the script
            redis_conn.client_kill_filter(_id=client["id"])
    begun = dialogue.begin(redis_conn, "wechat", "oA")
    assert begun.intake == intake
    dialogue.finish(redis_conn, "wechat", "oA", begun.token, None)
    assert dialogue.load(redis_conn, "wechat", "oA") is None
