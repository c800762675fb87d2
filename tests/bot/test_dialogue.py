"""The dialogue state in Redis: a TTL, one step at a time per citizen."""
import pytest

from xinfang.bot import dialogue, floods
from xinfang.bot.dialogue import Intake


@pytest.fixture(autouse=True)
def _fresh_redis(rt):
    """The rt fixture flushes this test run's Redis database."""


def test_the_draft_round_trips_and_expires(redis_conn):
    intake = Intake(step="county", text="路坏了", attachments=[3], started_at="2026-11-29T04:00:00+00:00")
    dialogue.save(redis_conn, "wechat", "oA", intake)
    assert dialogue.load(redis_conn, "wechat", "oA") == intake
    assert 0 < redis_conn.ttl("xinfang:dialogue:wechat:oA") <= dialogue.TTL_SECONDS
    dialogue.clear(redis_conn, "wechat", "oA")
    assert dialogue.load(redis_conn, "wechat", "oA") is None


def test_one_step_at_a_time_per_citizen(redis_conn, monkeypatch):
    monkeypatch.setattr(dialogue, "LOCK_WAIT_SECONDS", 0.1)
    with dialogue.locked(redis_conn, "wechat", "oA"):
        with pytest.raises(dialogue.Busy):
            with dialogue.locked(redis_conn, "wechat", "oA"):
                pass
        with dialogue.locked(redis_conn, "wechat", "oB"):  # another citizen is not held up
            pass
    with dialogue.locked(redis_conn, "wechat", "oA"):  # released
        pass


def test_flood_limit_counts_per_sender(redis_conn):
    limits = ((3, 60),)
    assert [floods.over_limit(redis_conn, "wechat", "oA", limits) for _ in range(3)] == [None] * 3
    wait = floods.over_limit(redis_conn, "wechat", "oA", limits)
    assert wait is not None and 0 < wait <= 60
    assert floods.over_limit(redis_conn, "wechat", "oB", limits) is None
