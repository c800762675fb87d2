"""The callback as a WeChat server peer: signatures, bodies, retries, replays, outages."""
import time
from dataclasses import replace

import pytest
from sqlalchemy import select, text

from xinfang import create_app
from xinfang.bot import conversation
from xinfang.models import Case, InboundMessage, Notification, Petitioner
from xinfang.simulator import messages as wx
from xinfang.simulator.platform import WeChatPlatform
from xinfang.simulator.server import BackgroundServer

from .conftest import AES_KEY, APPID, OPENID, work_off_intake


def post(app, params, body):
    return app.test_client().post("/wechat", query_string=params, data=body,
                                  content_type="text/xml; charset=utf-8")


def text_xml(platform, content="你好", msg_id=None, **kwargs):
    return wx.render_xml(wx.text_message(platform.account_id, OPENID, content, msg_id=msg_id, **kwargs))


# -- URL verification ------------------------------------------------------------

@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_url_verification_echoes_only_for_a_good_signature(make_gateway, mode):
    app, platform = make_gateway(mode)
    assert platform.verify_url("8675309")
    params = platform.signer.verify_params("8675309")
    forged = app.test_client().get("/wechat", query_string={**params, "signature": "0" * 40})
    assert forged.status_code == 403 and b"8675309" not in forged.data
    stale = dict(params, timestamp=str(int(time.time()) - 400))
    stale["signature"] = platform.signer.sign("<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName></xml>",
                                              timestamp=stale["timestamp"], nonce=stale["nonce"])[0]["signature"]
    assert app.test_client().get("/wechat", query_string=stale).status_code == 403


def test_head_answers_as_get_without_a_body_and_other_methods_are_refused(make_gateway):
    app, platform = make_gateway("safe")
    params = platform.signer.verify_params("8675309")
    head = app.test_client().head("/wechat", query_string=params)
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == "7"
    put = app.test_client().put("/wechat", query_string=params, data=b"<xml/>")
    assert put.status_code == 405 and put.headers["Allow"] == "GET, HEAD, POST"
    # A parameter repeated after the signed one does not replace it.
    repeated = app.test_client().get("/wechat?" + "&".join(f"{k}={v}" for k, v in params.items()) + "&signature=0")
    assert repeated.status_code == 200 and repeated.data == b"8675309"


# -- refusals: 403, 400, 413, and nothing stored ----------------------------------

@pytest.mark.parametrize("mode", ["plain", "compatible", "safe"])
def test_a_wrong_signature_is_refused_and_nothing_stored(make_gateway, count, mode):
    app, platform = make_gateway(mode)
    params, body = platform.build_callback(text_xml(platform))
    assert post(app, {**params, "signature": "f" * 40}, body).status_code == 403
    if mode != "plain":
        assert post(app, {**params, "msg_signature": "e" * 40}, body).status_code == 403
    assert count(InboundMessage) == 0 and count(Petitioner) == 0


def test_a_stale_or_future_timestamp_is_refused(make_gateway, count):
    app, platform = make_gateway("safe")
    for skew in (-301, 400):
        params, body = platform.build_callback(text_xml(platform), timestamp=str(int(time.time()) + skew))
        response = post(app, params, body)
        assert response.status_code == 403
    assert count(InboundMessage) == 0


def test_an_unencrypted_callback_to_a_safe_mode_gateway_is_refused(make_gateway, count):
    app, safe = make_gateway("safe")
    plain = WeChatPlatform("http://gateway.invalid/wechat", safe.signer.token)
    params, body = plain.build_callback(text_xml(plain))
    assert post(app, params, body).status_code == 403
    assert count(InboundMessage) == 0


@pytest.mark.parametrize("mutilate", [
    lambda xml: b"hello, this is not xml",
    lambda xml: xml[: len(xml) // 2],  # truncated
    lambda xml: xml.replace(b"<MsgType><![CDATA[text]]></MsgType>", b""),  # no MsgType
    lambda xml: xml.replace(b"<MsgId>", b"<Nope>").replace(b"</MsgId>", b"</Nope>"),  # a message without MsgId
    lambda xml: xml.decode().encode("gbk"),  # wrong encoding
    lambda xml: b'<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><ToUserName>&a;</ToUserName></xml>',
    lambda xml: b"<xml><ToUserName><a>nested</a></ToUserName></xml>",
    lambda xml: b"",
])
def test_malformed_bodies_get_400_without_a_traceback(make_gateway, count, mutilate):
    app, platform = make_gateway("plain")
    params, body = platform.build_callback(text_xml(platform, "牧场的路断了"))
    response = post(app, params, mutilate(body))
    assert response.status_code == 400
    assert b"Traceback" not in response.data and b"File " not in response.data
    assert count(InboundMessage) == 0


def test_undecryptable_safe_mode_bodies_get_400(make_gateway, count):
    app, platform = make_gateway("safe")
    params, _ = platform.build_callback(text_xml(platform))
    garbage = "not base64 at all!!"
    from xinfang.simulator.crypto import signature
    params = {**params, "msg_signature": signature(platform.signer.token, params["timestamp"], params["nonce"], garbage)}
    body = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>".encode()
    assert post(app, params, body).status_code == 400
    assert count(InboundMessage) == 0


def test_a_body_over_the_limit_gets_413(make_gateway, count):
    app, platform = make_gateway("plain", max_body_bytes=2048)
    params, body = platform.build_callback(text_xml(platform, "长" * 1000))
    assert post(app, params, body).status_code == 413
    assert count(InboundMessage) == 0


# -- what is stored, and when ------------------------------------------------------

def test_the_message_is_stored_with_its_answer_and_opens_the_window(wechat, messages, session):
    reply = wechat.send_text(OPENID, "你好")
    [stored] = messages()
    assert stored.status == "processed" and stored.answer == reply.content
    assert stored.sender == OPENID and stored.payload["Content"] == "你好" and "你好" in stored.raw
    petitioner = session.scalar(select(Petitioner).where(Petitioner.openid == OPENID))
    assert petitioner.last_inbound_at is not None


def test_unhandled_types_are_stored_and_answered_success(wechat, messages):
    reply = wechat.deliver(wx.event_message(wechat.account_id, OPENID, "SOME_NEW_EVENT", Foo="bar"))
    assert reply.kind == "success"
    link = wx.text_message(wechat.account_id, OPENID, "x")
    link.update(MsgType="link", Title="一篇文章", Url="http://example.invalid/a")
    link.pop("Content")
    assert wechat.deliver(link).kind == "success"
    assert [m.msg_type for m in messages()] == ["event", "link"]
    assert all(m.status == "processed" for m in messages())


def test_template_job_finish_records_the_delivery(wechat, session, messages):
    petitioner = Petitioner(openid=OPENID)
    session.add(petitioner)
    session.flush()
    session.add(Notification(idempotency_key="t-1", petitioner_id=petitioner.id, event="assigned",
                             channels=["wechat_template"], text="已转送", status="sent", external_id="424242"))
    session.commit()
    window_before = petitioner.last_inbound_at
    reply = wechat.deliver(wx.template_finish_event(wechat.account_id, OPENID, 424242, "failed:user block"))
    assert reply.kind == "success"
    session.expire_all()
    assert session.scalar(select(Notification.delivery)) == "failed:user block"
    # The platform's report is not the citizen's move: the 48-hour window stays as it was.
    assert session.get(Petitioner, petitioner.id).last_inbound_at == window_before
    assert len(messages()) == 1


# -- retries and replays ----------------------------------------------------------

def test_a_triple_retry_of_the_confirmation_yields_one_case(make_gateway, session, rt):
    app, platform = make_gateway("safe")
    platform.send_text(OPENID, "色达县的牧道被挖断了，牛羊过不去，电话13800001111")
    confirm = text_xml(platform, "确认")
    answers = []
    for _ in range(4):  # the first delivery and WeChat's three retries, each freshly signed
        params, body = platform.build_callback(confirm)
        response = post(app, params, body)
        assert response.status_code == 200
        answers.append(platform._read_reply(response.data, 1, 200).content)
    work_off_intake(rt)
    assert "查询码：" in answers[0] and len(set(answers)) == 1
    assert len(session.scalars(select(Case)).all()) == 1
    assert len(session.scalars(select(InboundMessage).where(InboundMessage.payload.is_not(None))).all()) == 2


def test_retried_events_take_effect_once(wechat, session):
    event = wx.event_message(wechat.account_id, OPENID, "subscribe", create_time=int(time.time()))
    first, second = wechat.deliver(event), wechat.deliver(event)
    assert first.content == second.content and "欢迎" in first.content
    assert len(session.scalars(select(InboundMessage)).all()) == 1


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_a_replayed_request_changes_nothing_and_gets_the_stored_answer(make_gateway, session, mode):
    app, platform = make_gateway(mode)
    params, body = platform.build_callback(text_xml(platform, "我要反映"), nonce="1234567890")
    first = post(app, params, body)
    again = post(app, params, body)
    assert first.status_code == again.status_code == 200
    read = platform._read_reply
    assert read(again.data, 1, 200).content == read(first.data, 1, 200).content
    if mode == "plain":
        # Plain mode signs only (timestamp, nonce): a replayed signature over another body is not processed.
        _, forged = platform.build_callback(text_xml(platform, "查询"), nonce="1234567890")
        replay = post(app, params, forged)
        assert read(replay.data, 1, 200).content == read(first.data, 1, 200).content
    assert len(session.scalars(select(InboundMessage)).all()) == 1


# -- outages ------------------------------------------------------------------------

def test_answered_in_time_while_redis_is_unreachable(rt, settings, session):
    # Nothing listens on port 1: every Redis call fails at once, as when the server is down.
    down = replace(settings, redis_url="redis://127.0.0.1:1/0", wechat_appid=APPID, wechat_aes_key=AES_KEY)
    app = create_app(down)
    with BackgroundServer(app) as server:
        platform = WeChatPlatform(server.url + "/wechat", down.wechat_token, APPID, AES_KEY, timeout=5.0)
        reply = platform.send_text(OPENID, "得荣县的路修了一半就停工了，电话13800002222")
        welcome = platform.send_event(OPENID, "subscribe")
    assert reply.ok and reply.attempts == 1 and "稍后回复" in reply.content
    assert welcome.attempts == 1 and "欢迎" in welcome.content  # events need no Redis
    stored = session.scalar(select(InboundMessage).where(InboundMessage.msg_type == "text"))
    assert stored.status == "pending" and stored.answer is None
    # Redis is back: the queue's job runs the same entry point and gets the real answer.
    answer = conversation.respond(session, rt.calendar, rt.redis, stored)
    assert "请核对" in answer and "得荣县" in answer
    assert stored.status == "processed" and stored.answer == answer
    assert conversation.respond(session, rt.calendar, rt.redis, stored) == answer  # idempotent


def test_after_an_outage_a_citizens_answers_keep_the_order_they_wrote_in(rt, settings, session, make_gateway,
                                                                          monkeypatch):
    down = replace(settings, redis_url="redis://127.0.0.1:1/0", wechat_appid=APPID, wechat_aes_key=AES_KEY)
    with BackgroundServer(create_app(down)) as server:
        platform = WeChatPlatform(server.url + "/wechat", down.wechat_token, APPID, AES_KEY, timeout=5.0)
        assert "稍后回复" in platform.send_text(OPENID, "得荣县的路修了一半就停工了，电话13800002222").content
    # Redis is back; this web process has not seen the outage (another process stored the message).
    monkeypatch.setattr(conversation, "_backlog", conversation._Backlog())
    _, wechat = make_gateway("safe", worker=False)
    # The 确认 must not overtake the petition still waiting in the queue: it waits behind it.
    assert "稍后回复" in wechat.send_text(OPENID, "确认").content
    work_off_intake(rt)
    answers = session.scalars(select(Notification.text).where(Notification.event == "answer")
                              .order_by(Notification.id)).all()
    assert len(answers) == 2 and "请核对" in answers[0] and "查询码：" in answers[1]
    work_off_intake(rt)  # the registration the 确认 enqueued
    [case] = session.scalars(select(Case)).all()
    assert case.county == "得荣县" and case.tracking_code in answers[1]


def test_answered_in_time_while_the_database_is_unreachable_and_nothing_is_lost(rt, settings, session,
                                                                               make_gateway):
    # Nothing listens on port 1: every connection is refused, as when the database server is down.
    down = replace(settings, database_url="postgresql+psycopg://postgres@127.0.0.1:1/xinfang",
                   wechat_appid=APPID, wechat_aes_key=AES_KEY)
    kept = settings.data_dir / "spool"
    with BackgroundServer(create_app(down)) as server:
        platform = WeChatPlatform(server.url + "/wechat", down.wechat_token, APPID, AES_KEY, timeout=5.0)
        reply = platform.send_text(OPENID, "得荣县的路修了一半就停工了，电话13800002222")
    # Answered at the first attempt: within WeChat's 5 s (the stand-in platform's timeout), no retry.
    assert reply.ok and reply.attempts == 1 and "稍后回复" in reply.content
    assert session.scalar(select(InboundMessage.id)) is None and len(list(kept.glob("*.json"))) == 1
    # The database is back: the next callback stores the kept message first, and the citizen's 确认,
    # which answers it, waits behind it in the queue.
    _, wechat = make_gateway("safe", worker=False)
    assert "稍后回复" in wechat.send_text(OPENID, "确认").content
    assert not list(kept.glob("*.json"))
    work_off_intake(rt)
    answers = session.scalars(select(Notification.text).where(Notification.event == "answer")
                              .order_by(Notification.id)).all()
    assert len(answers) == 2 and "请核对" in answers[0] and "得荣县" in answers[0] and "查询码：" in answers[1]


def test_answered_in_time_while_another_transaction_holds_the_database(rt, settings, session, make_gateway,
                                                                       messages):
    # A long transaction (a stuck job, an operator's session) holds the lock the callback's INSERT needs.
    safe = replace(settings, wechat_appid=APPID, wechat_aes_key=AES_KEY)
    kept = settings.data_dir / "spool"
    app = create_app(safe)
    engine = session.get_bind()
    holder = engine.raw_connection()
    try:
        holder.cursor().execute("BEGIN IMMEDIATE" if engine.dialect.name == "sqlite"
                                else "LOCK TABLE inbound_messages IN EXCLUSIVE MODE")
        with BackgroundServer(app) as server:
            platform = WeChatPlatform(server.url + "/wechat", safe.wechat_token, APPID, AES_KEY, timeout=5.0)
            reply = platform.send_text(OPENID, "得荣县的路修了一半就停工了，电话13800002222")
    finally:
        holder.rollback()
        holder.close()
    # Answered at the first attempt, within WeChat's 5 s; the message kept on disk meanwhile.
    assert reply.ok and reply.attempts == 1 and "稍后回复" in reply.content
    assert len(list(kept.glob("*.json"))) == 1
    # The lock is gone: the next callback stores the kept message before its own.
    _, wechat = make_gateway("safe", worker=False)
    wechat.send_text(OPENID, "确认")
    assert not list(kept.glob("*.json"))
    assert [m.payload["Content"] for m in messages()] == ["得荣县的路修了一半就停工了，电话13800002222", "确认"]


def test_a_callback_after_the_database_dropped_its_connections_is_stored(wechat, messages, session, rt):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("a PostgreSQL server restart")
    wechat.send_text(OPENID, "你好")  # the gateway's pool now holds a connection
    session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    session.commit()
    reply = wechat.send_text(OPENID, "理塘县的草场被邻村占了")
    assert reply.content  # answered, not a 500
    assert [m.payload["Content"] for m in messages()] == ["你好", "理塘县的草场被邻村占了"]
    assert "请" in wechat.send_text(OPENID, "电话13812340001").content  # and the next one as usual


def test_a_failing_step_is_undone_and_the_message_kept_for_the_queue(wechat, session, monkeypatch):
    wechat.send_text(OPENID, "色达县的牧道被挖断了，牛羊过不去，电话13800001111")

    def half_done_then_fails(turn):
        turn.session.add(Case(channel="wechat", text="half done", status="received"))
        turn.session.flush()
        raise ZeroDivisionError("the step failed")

    monkeypatch.setattr(conversation._Turn, "submit", half_done_then_fails)
    reply = wechat.send_text(OPENID, "确认")
    assert reply.ok and "稍后回复" in reply.content
    session.expire_all()
    stored = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [m.status for m in stored] == ["processed", "pending"] and stored[1].answer is None
    assert session.scalars(select(Case)).all() == []  # the step's work is rolled back, the message is not


def test_a_failure_before_the_step_does_not_hold_up_the_citizens_next_message(wechat, session, monkeypatch):
    backlog_of = conversation._backlog_of
    failures = [ConnectionError("the database dropped the connection")]

    def fails_once(s, message):
        if failures:
            raise failures.pop()
        return backlog_of(s, message)

    monkeypatch.setattr(conversation, "_backlog_of", fails_once)
    assert "稍后回复" in wechat.send_text(OPENID, "你好").content  # stored, answered by the queue
    # Answered at once: the failed message's lock was freed, not left to expire.
    assert "稍后回复" not in wechat.send_text(OPENID, "色达县的牧道被挖断了，牛羊过不去").content


def test_a_failing_commit_still_stores_the_message(wechat, session, monkeypatch):
    store = conversation._store
    clashes = [1]

    def clashing_store(s, message, answer, touch):  # the first commit fails (a unique key clash)
        if clashes.pop() if clashes else None:
            s.add(InboundMessage(channel="wechat", external_id=message.external_id, sender="other", msg_type="text",
                                 raw="", payload={}, received_at=message.received_at, status="pending"))
        store(s, message, answer, touch)

    monkeypatch.setattr(conversation, "_store", clashing_store)
    reply = wechat.send_text(OPENID, "你好")
    assert reply.ok and "稍后回复" in reply.content
    session.expire_all()
    # Stored alone, then answered by the queue (the worker beside the gateway) through the outbox.
    [stored] = session.scalars(select(InboundMessage))
    assert (stored.sender, stored.raw != "", stored.status) == (OPENID, True, "processed")
    assert session.scalar(select(Notification.text).where(Notification.event == "answer")) == stored.answer
