"""Answered messages stored together: each stored once, committed before its caller goes on."""
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from xinfang.bot import inbox
from xinfang.models import InboundMessage, Petitioner


def row(n: int, sender: str = "oGroup") -> dict:
    message = inbox.new_message(channel="wechat", external_id=str(n), sender=f"{sender}{n % 3}", msg_type="text",
                                raw="<xml/>", payload={"Content": str(n)})
    message.status, message.answer = "processed", f"answer {n}"
    return inbox.message_row(message)


def store_all(rt, rows: list[dict]) -> dict:
    """Each row from its own thread, all at once: external id -> its id or its error."""
    results, start = {}, threading.Barrier(len(rows))

    def store(r):
        with rt.Session() as session:
            start.wait()
            try:
                results[r["external_id"]] = inbox.store_answered(session, r, touch=True)
            except Exception as exc:  # noqa: BLE001 - the test reads it
                results[r["external_id"]] = exc

    threads = [threading.Thread(target=store, args=(r,)) for r in rows]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_messages_are_each_stored_once_with_their_citizens(rt, session):
    results = store_all(rt, [row(n) for n in range(24)])
    assert all(isinstance(v, int) for v in results.values()) and len(set(results.values())) == 24
    stored = {m.external_id: m for m in session.scalars(select(InboundMessage))}
    assert {k: stored[k].id for k in stored} == results
    assert all(stored[str(n)].answer == f"answer {n}" for n in range(24))
    assert session.scalar(select(func.count()).select_from(Petitioner)) == 3
    assert all(p.last_inbound_at is not None for p in session.scalars(select(Petitioner)))


def test_a_message_stored_already_costs_only_itself(rt, session):
    [first] = store_all(rt, [row(7)]).values()
    results = store_all(rt, [row(n) for n in range(4, 12)])  # 7 is a retry of a stored message
    assert isinstance(results.pop("7"), IntegrityError)
    assert all(isinstance(v, int) for v in results.values())
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 8
    assert session.scalar(select(InboundMessage.id).where(InboundMessage.external_id == "7")) == first


def test_a_session_that_wrote_is_told_apart(rt, session):
    assert not inbox.wrote(session)
    session.scalar(select(InboundMessage.id).limit(1))
    assert not inbox.wrote(session)  # reads are not writes
    session.add(Petitioner(openid="oWrote"))
    assert inbox.wrote(session)
    session.flush()
    assert inbox.wrote(session)
    session.rollback()
    assert not inbox.wrote(session)


def test_a_stored_row_reads_back_as_it_was_given(rt, session):
    earlier = row(1)
    earlier["received_at"] = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
    store_all(rt, [earlier])
    later = row(4)  # the same citizen (n % 3 == 1), a day later, with an intake kept
    later["received_at"] = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    later["intake"] = {"text": "牧场被占", "county": "康定市"}
    later["payload"] = {"Content": "牧场被占 ༄༅", "MsgId": "4"}
    store_all(rt, [later])
    stored = session.scalar(select(InboundMessage).where(InboundMessage.external_id == "4"))
    assert stored.payload == {"Content": "牧场被占 ༄༅", "MsgId": "4"}
    assert stored.intake == {"text": "牧场被占", "county": "康定市"}
    assert stored.received_at == datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)
    assert stored.status == "processed" and stored.answer == "answer 4" and stored.case_id is None
    citizen = session.scalar(select(Petitioner).where(Petitioner.openid == "oGroup1"))
    assert citizen.created_at == datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
    assert citizen.last_inbound_at == datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)
    assert citizen.subscribed
