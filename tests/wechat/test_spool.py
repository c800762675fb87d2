"""Messages kept on disk while the database could not take them go into it once, oldest first."""
import time
from datetime import timedelta

from sqlalchemy import select

from xinfang.bot import conversation, inbox, spool
from xinfang.bot.spool import Spool
from xinfang.models import InboundMessage, utcnow


def kept_fields(external_id: str, text: str, at=None) -> dict:
    message = inbox.new_message(channel="wechat", external_id=external_id, sender="oHerder-spool", msg_type="text",
                                raw=f"<xml><Content>{text}</Content></xml>",
                                payload={"MsgType": "text", "Content": text, "MsgId": external_id}, now=at)
    return conversation.stored_fields(message)


def stored(session) -> list[InboundMessage]:
    session.expire_all()
    return session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()


def test_kept_messages_are_stored_once_each_oldest_first_for_the_queue(rt, session, tmp_path):
    kept = Spool(tmp_path / "spool", rt.Session)
    start = utcnow() - timedelta(minutes=3)
    kept.keep(kept_fields("1001", "色达县的牧道被挖断了", start))
    kept.keep(kept_fields("1001", "色达县的牧道被挖断了", start + timedelta(seconds=5)))  # WeChat's retry
    kept.keep(kept_fields("1002", "电话13800001111", start + timedelta(seconds=40)))
    kept.close()  # no importer thread: this test imports itself
    assert kept.import_waiting() == 3
    rows = stored(session)
    assert [(m.external_id, m.status) for m in rows] == [("1001", "pending"), ("1002", "pending")]
    assert rows[0].received_at == start and kept.waiting() == []


def test_a_kept_message_is_readable_by_this_user_alone(rt, tmp_path):
    kept = Spool(tmp_path / "spool", rt.Session)
    path = kept.keep(kept_fields("1501", "我的身份证号和家庭住址都写在这里"))
    kept.close()
    assert path.stat().st_mode & 0o077 == 0 and kept.directory.stat().st_mode & 0o077 == 0


def test_an_unreadable_file_is_set_aside_never_deleted(rt, session, tmp_path):
    kept = Spool(tmp_path / "spool", rt.Session)
    kept.keep(kept_fields("2001", "理塘县的草场被占了"))
    kept.close()
    broken = kept.directory / "00000000T000000000000-broken.json"
    broken.write_text('{"channel": "wechat", "exter', encoding="utf-8")
    assert kept.import_waiting() == 1
    assert [m.external_id for m in stored(session)] == ["2001"]
    assert broken.with_suffix(".unreadable").exists() and kept.waiting() == []


def test_a_process_that_kept_a_message_stores_it_when_the_database_answers_again(rt, session, tmp_path,
                                                                                monkeypatch):
    monkeypatch.setattr(spool, "RETRY_SECONDS", 0.05)
    kept = Spool(tmp_path / "spool", rt.Session)
    kept.keep(kept_fields("3001", "道孚县的低保被取消了"))  # no callback follows: the process's own thread
    deadline = time.monotonic() + 10
    while kept.waiting() and time.monotonic() < deadline:
        time.sleep(0.05)
    kept.close()
    assert [(m.external_id, m.status) for m in stored(session)] == [("3001", "pending")]
