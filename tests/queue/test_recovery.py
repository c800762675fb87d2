"""Nothing lost: Redis flushed or down, a worker killed with -9 — the sweeper finds the work again."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis as redis_lib
import time_machine
from sqlalchemy import func, select

from xinfang import runtime
from xinfang.bot.dialogue import Intake
from xinfang.cases import mailbox, service
from xinfang.models import Case, InboundMessage, Notification, Petitioner, utcnow
from xinfang.queue import offline, outbox, periodic, sweeper

from .conftest import ADMIN, notifications

ROOT = Path(__file__).resolve().parents[2]


def redis_down():
    """A client of a Redis that is not there, built as the runtime builds its own (no retries)."""
    return redis_lib.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)


def test_a_redis_flushed_mid_run_loses_no_push(rt, session, cal, citizen, new_case, platform, run_jobs, daytime):
    people = [citizen(f"o-citizen-{i}") for i in range(3)]
    cases = [new_case(p) for p in people]
    platform.fault("message/custom/send", mode="http500", times=1)  # one receipt waits for a retry
    run_jobs()
    for case in cases:
        service.perform_action(session, cal, case, "assign", ADMIN, {"department": "nyncj"})
    rt.redis.flushdb()  # the three assign pushes and the retry's schedule go with it
    run_jobs()
    assert sum(len(platform.texts(p.openid)) for p in people) == 2

    daytime.shift(sweeper.GRACE + timedelta(seconds=outbox.BACKOFF[0] + 1))
    assert sweeper.sweep(session, rt.redis).notifications == 4
    run_jobs()
    assert [len(platform.texts(p.openid)) for p in people] == [2, 2, 2]
    assert {n.status for n in notifications(session)} == {"sent"}
    # A second sweep finds nothing left to do.
    assert sweeper.sweep(session, rt.redis).notifications == 0


def test_transitions_while_redis_is_down_are_pushed_when_it_returns(rt, session, cal, citizen, new_case, platform,
                                                                   run_jobs, daytime):
    petitioner = citizen()
    case = new_case(petitioner)
    run_jobs()
    rt.__dict__["redis"] = redis_down()  # nothing listens there
    service.perform_action(session, cal, case, "assign", ADMIN, {"department": "nyncj"})
    service.perform_action(session, cal, case, "accept", ADMIN, {})
    del rt.__dict__["redis"]  # Redis is back

    run_jobs()
    assert len(platform.texts(petitioner.openid)) == 1
    daytime.shift(timedelta(minutes=1))
    sweeper.sweep(session, rt.redis)
    run_jobs()
    texts = platform.texts(petitioner.openid)
    assert len(texts) == 3 and "已转送" in texts[1] and "已受理" in texts[2]


def test_a_worker_killed_mid_send_loses_nothing_and_sends_once(settings, rt, session, cal, new_case, run_jobs):
    settings = dataclasses.replace(settings, quiet_hours=None,
                                   sms_sender="tests.queue.gateways.DieBeforeSending")
    runtime.init_runtime(settings)
    petitioner = service.find_or_create_petitioner(session, name="扎西", phone="13900000000")
    session.commit()
    case = new_case(petitioner)

    env = {**os.environ, "XINFANG_DATABASE_URL": settings.database_url, "XINFANG_REDIS_URL": settings.redis_url,
           "XINFANG_DATA_DIR": str(settings.data_dir), "XINFANG_SMS_SENDER": settings.sms_sender,
           "XINFANG_QUIET_HOURS": "off", "XINFANG_SECRET_KEY": "test-secret"}
    worker = subprocess.run([sys.executable, "-m", "xinfang", "worker", "--burst"], cwd=ROOT, env=env,
                            capture_output=True, timeout=120)
    assert worker.returncode == -9, worker.stderr.decode()[-3000:]  # killed inside the job, mid-send
    [n] = notifications(session, case_id=case.id)
    assert n.status == "pending"
    assert not (settings.data_dir / "sms.log").exists()

    # Right away the job still looks alive and the sending marker is held: nothing is re-sent yet.
    assert sweeper.sweep(session, rt.redis).notifications == 0
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        for key in rt.redis.scan_iter("xinfang:alive:*"):  # Redis's clock moved on too: the heartbeat lapsed
            rt.redis.delete(key)
        assert sweeper.sweep(session, rt.redis).notifications == 1
        run_jobs()
        run_jobs()
    [line] = (settings.data_dir / "sms.log").read_text(encoding="utf-8").splitlines()
    assert case.tracking_code in json.loads(line)["text"]
    assert [n.status for n in notifications(session, case_id=case.id)] == ["sent"]


def test_messages_taken_while_redis_was_down_are_answered_when_it_returns(app, session, platform, run_jobs, daytime):
    platform.connect(app)
    rt = runtime.current()
    rt.__dict__["redis"] = redis_down()
    holding = platform.say("o-herder-1", "康定市新都桥镇的工地老板拖欠我们工资三个月了，电话13812345678，请帮忙讨薪")
    [message] = session.scalars(select(InboundMessage)).all()
    assert message.status == "pending" and holding  # stored, and the citizen was told to wait
    del rt.__dict__["redis"]

    daytime.shift(sweeper.GRACE + timedelta(seconds=1))
    assert sweeper.sweep(session, rt.redis).messages == 1
    run_jobs()
    session.refresh(message)
    assert message.status == "processed"
    [summary] = platform.texts("o-herder-1")  # the dialogue's answer, pushed as a customer-service message
    assert "确认" in summary and "康定市" in summary

    receipt = platform.say("o-herder-1", "确认")  # Redis is back: answered inline
    assert "查询码：" in receipt
    run_jobs()
    texts = platform.texts("o-herder-1")
    assert len(texts) == 2 and "查询码" in texts[1]  # the registration notice from the outbox
    assert sweeper.sweep(session, rt.redis).messages == 0


def test_a_review_asked_inside_its_window_keeps_it_when_the_queue_answers_after_it(
        app, session, cal, citizen, new_case, platform, run_jobs, daytime):
    platform.connect(app)
    rt = runtime.current()
    petitioner = citizen("o-herder-9")
    replied_at = utcnow() - timedelta(days=30)  # the 30 days of Art. 35 end tonight
    case = new_case(petitioner, now=replied_at - timedelta(days=5))
    for action, params in (("assign", {"department": "rsj"}), ("accept", {}),
                           ("reply", {"outcome": "支持", "text": "已协调", "facts": "属实", "basis": "有关规定"})):
        service.perform_action(session, cal, case, action, ADMIN, params, now=replied_at)
    rt.__dict__["redis"] = redis_down()
    platform.say(petitioner.openid, f"复查 {case.tracking_code}")
    [message] = session.scalars(select(InboundMessage).where(InboundMessage.sender == petitioner.openid)).all()
    del rt.__dict__["redis"]

    daytime.shift(timedelta(days=1))  # Redis is back the next day, after the window closed
    assert sweeper.sweep(session, rt.redis).messages == 1
    run_jobs()
    session.refresh(case)
    assert case.status == "review"
    [request] = [e for e in case.events if e.action == "request_review"]
    assert request.at == message.received_at
    assert any("复查申请" in text for text in platform.texts(petitioner.openid))


def test_a_draft_that_outlived_its_submission_makes_no_second_case(app, session, platform, run_jobs, daytime):
    platform.connect(app)
    rt = runtime.current()
    platform.say("o-herder-5", "康定市新都桥镇的工地老板拖欠我们工资三个月了，电话13812345678")
    draft_key = "xinfang:dialogue:wechat:o-herder-5"
    draft = rt.redis.get(draft_key)
    code = re.search(r"查询码：(\w+)", platform.say("o-herder-5", "确认")).group(1)
    rt.redis.set(draft_key, draft)  # Redis missed the clear after the commit: the summary is still open

    holding = platform.say("o-herder-5", "确认")
    assert "查询码" not in holding  # not a second code: the queue looks the first one up
    run_jobs()
    pushed = platform.texts("o-herder-5")
    assert len(pushed) == 2 and all(f"查询码：{code}" in text for text in pushed)  # the receipt, the answer
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    assert session.scalar(select(func.count()).select_from(InboundMessage).where(
        InboundMessage.tracking_code.is_not(None))) == 1
    assert "没有待提交" in platform.say("o-herder-5", "确认")  # and the draft is gone now


def test_two_jobs_that_meet_on_one_pending_message_answer_it_once(app, session, platform, run_jobs, daytime):
    from xinfang.queue import intake

    platform.connect(app)
    rt = runtime.current()
    rt.__dict__["redis"] = redis_down()
    platform.say("o-herder-4", "康定市新都桥镇的工地老板拖欠我们工资三个月了，电话13812345678")
    platform.say("o-herder-4", "确认")  # waits behind the first: both pending
    del rt.__dict__["redis"]
    first, second = session.scalars(select(InboundMessage.id).order_by(InboundMessage.id)).all()
    # The first's own job answers it; the second's job, which saw it pending and waited for the
    # citizen's lock, then meets it answered.
    assert intake._answer_pending(session, rt.calendar, rt.redis, first) is not None
    assert intake._answer_pending(session, rt.calendar, rt.redis, first) is None
    assert len(intake.process_message(session, rt.calendar, rt.redis, second)) == 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.event == "answer")) == 2


def test_a_letter_stored_but_not_registered_is_registered_by_the_sweeper(app, session, monkeypatch, run_jobs,
                                                                         daytime):
    def classifier_down(text):
        raise RuntimeError("classifier unavailable")

    monkeypatch.setattr(mailbox.nlp, "classify", classifier_down)
    resp = app.test_client().post("/api/v1/petitions", json={"mailbox": "governor", "text": "县城到乡里的班车停运半年了"})
    assert resp.status_code in (201, 202)
    [message] = session.scalars(select(InboundMessage)).all()
    assert message.status == "pending" and session.scalar(select(func.count()).select_from(Case)) == 0
    monkeypatch.undo()

    rt = runtime.current()
    daytime.shift(sweeper.GRACE + timedelta(seconds=1))
    assert sweeper.sweep(session, rt.redis).messages == 1
    run_jobs()
    session.refresh(message)
    case = session.get(Case, message.case_id)
    assert message.status == "processed" and case.status == "received" and case.category == "交通运输"
    assert sweeper.sweep(session, rt.redis).messages == 0


def test_a_confirmation_whose_registration_job_vanished_is_registered_by_the_sweeper(app, session, platform,
                                                                                     run_jobs, daytime):
    platform.connect(app)
    rt = runtime.current()
    platform.say("o-herder-2", "理塘县的草场被邻村占了，村里不管，电话13812340000")
    receipt = platform.say("o-herder-2", "确认")
    code = receipt.split("查询码：")[1][:10]
    rt.redis.flushdb()  # Redis restarted empty: the registration job is gone
    assert session.scalar(select(func.count()).select_from(Case)) == 0

    daytime.shift(sweeper.GRACE + timedelta(seconds=1))
    assert sweeper.sweep(session, rt.redis).submissions == 1
    assert sweeper.sweep(session, rt.redis).submissions == 0  # queued once, not twice
    run_jobs()
    [case] = session.scalars(select(Case)).all()
    assert case.tracking_code == code and case.county == "理塘县"
    assert any(code in text and "已登记" in text for text in platform.texts("o-herder-2"))
    assert sweeper.sweep(session, rt.redis).submissions == 0


def test_the_first_tick_after_redis_lost_its_data_recovers_at_once(app, session, platform, run_jobs, daytime):
    platform.connect(app)
    rt = runtime.current()
    assert "recover" in periodic.run_due(rt)  # a new Redis: nothing was queued yet
    assert "recover" not in periodic.run_due(rt)
    platform.say("o-herder-3", "理塘县的草场被邻村占了，村里不管，电话13812340001")
    receipt = platform.say("o-herder-3", "确认")
    code = receipt.split("查询码：")[1][:10]
    rt.redis.flushdb()  # Redis restarted empty a moment after the 确认: its registration job is gone

    # No waiting for the sweeper's grace: the next tick sees the data gone and sweeps.
    assert periodic.run_due(rt)[0] == "recover"
    run_jobs()
    assert session.scalar(select(Case.tracking_code)) == code
    assert any(code in text and "已登记" in text for text in platform.texts("o-herder-3"))


def test_after_an_outage_new_registrations_go_before_the_backlog_of_pending_messages(app, session, platform,
                                                                                    run_jobs, daytime):
    platform.connect(app)
    rt = runtime.current()
    rt.__dict__["redis"] = redis_down()
    for i in range(3):  # messages taken while Redis was down: stored pending, answered by the queue later
        platform.say(f"o-waiting-{i}", "康定市新都桥镇的工地老板拖欠我们工资三个月了，电话13812345678")
    del rt.__dict__["redis"]
    recovery = periodic.run_due(rt)  # Redis is back, empty: the backlog is queued at once
    assert recovery[0] == "recover"
    platform.say("o-after-1", "理塘县的草场被邻村占了，村里不管，电话13812340002")
    code = platform.say("o-after-1", "确认").split("查询码：")[1][:10]  # queued behind the backlog

    run_jobs()
    sent = session.execute(select(Petitioner.openid, Notification.event).join(Petitioner, Notification.petitioner_id == Petitioner.id)
                           .where(Notification.status == "sent").order_by(Notification.sent_at, Notification.id)).all()
    # The receipt of the case registered after the outage went out before the backlog's answers.
    assert sent[0] == ("o-after-1", "registered")
    assert {openid for openid, event in sent[1:]} == {f"o-waiting-{i}" for i in range(3)}
    assert session.scalar(select(Case.tracking_code)) == code


def test_a_worker_that_outlived_redis_queues_the_lost_work_again_when_it_returns(settings, session, tmp_path):
    port = _free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    server = _redis_server(port, tmp_path)
    env = {**os.environ, "XINFANG_DATABASE_URL": settings.database_url, "XINFANG_REDIS_URL": redis_url,
           "XINFANG_DATA_DIR": str(settings.data_dir), "XINFANG_QUIET_HOURS": "off",
           "XINFANG_SECRET_KEY": "test-secret", "XINFANG_WECHAT_API_BASE": settings.wechat_api_base}
    worker = subprocess.Popen([sys.executable, "-m", "xinfang", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: redis_lib.Redis.from_url(redis_url).scard("rq:workers") > 0, 60)
        server.kill()  # Redis dies without its data
        server.wait()
        # A 确认 stored meanwhile: its registration job could not be queued.
        now = utcnow()
        message = InboundMessage(channel="wechat", external_id="outage-1", sender="o-outage", msg_type="text",
                                 raw="<xml/>", payload={"Content": "确认"}, received_at=now, status="processed",
                                 processed_at=now, attempts=1, answer="", tracking_code="OUTAGE2345",
                                 intake=dataclasses.asdict(Intake(step="confirm", text="理塘县的草场被邻村占了",
                                                                  county="理塘县", phone_asked=True,
                                                                  started_at=now.isoformat())))
        session.add(message)
        session.commit()
        server = _redis_server(port, tmp_path)  # back, empty

        # Registered well within the sweeper's grace: the worker re-queued the lost work on its return.
        _wait_for(lambda: session.scalar(select(Case.tracking_code).where(Case.tracking_code == "OUTAGE2345")),
                  sweeper.GRACE.total_seconds() / 2)
    finally:
        worker.kill()
        worker.wait()
        server.kill()
        server.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_server(port: int, directory: Path) -> subprocess.Popen:
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(directory)], stdout=subprocess.DEVNULL)
    _wait_for(lambda: redis_lib.Redis(port=port).ping(), 10)
    return server


def _wait_for(check, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (redis_lib.RedisError, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


def test_a_starting_worker_takes_pushes_without_waiting_for_the_classifier():
    # scikit-learn and scipy take over a second to import: a worker restarted under load must not
    # hold its first pushes behind them (they load beside the first jobs; a registration waits).
    probe = ("import sys; from xinfang.cli import build_parser; build_parser(); "
             "import xinfang.queue.worker, xinfang.queue.jobs; "
             "print(' '.join(m for m in ('sklearn', 'scipy') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""


def test_while_redis_is_away_a_worker_registers_the_waiting_intakes_and_sends_their_receipts(app, session, platform,
                                                                                            run_jobs, daytime):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("without Redis's markers only PostgreSQL's row locks keep workers apart")
    platform.connect(app)
    rt = runtime.current()
    platform.say("o-before-0", "康定市新都桥镇的工地老板拖欠我们工资三个月了，电话13812340004")
    platform.say("o-before-0", "确认")
    run_jobs()  # the worker has been at work: it holds the API's access token
    platform.say("o-before-1", "理塘县的草场被邻村占了，村里不管，电话13812340003")
    code = platform.say("o-before-1", "确认").split("查询码：")[1][:10]
    rt.__dict__["redis"] = redis_down()  # the registration job is out of reach
    try:
        assert offline.work_from_database(rt) == 2  # registered, and its receipt sent
        assert offline.work_from_database(rt) == 0  # nothing twice
    finally:
        del rt.__dict__["redis"]
    session.expire_all()
    assert session.scalar(select(Case.id).where(Case.tracking_code == code)) is not None
    receipts = [text for text in platform.texts("o-before-1") if "已登记" in text]
    assert len(receipts) == 1 and code in receipts[0]


def test_the_job_of_a_worker_that_died_is_taken_again_at_the_next_sweep(rt, session, citizen, new_case, daytime):
    from rq import Queue
    from rq.job import JobStatus

    from xinfang.cases import followups
    from xinfang.queue import liveness

    new_case(citizen())
    [n] = notifications(session)
    daytime.shift(sweeper.GRACE + timedelta(seconds=1))
    rt.redis.flushdb()
    job = Queue("notify", connection=rt.redis).enqueue(followups.SEND_NOTIFICATION, n.id,
                                                       job_id=followups.notify_job_id(n.id))
    job.worker_name = "worker-alive"
    job.save()
    job.set_status(JobStatus.STARTED)  # a worker took it
    liveness.Heartbeat(rt.redis).beat_now("worker-alive")
    assert sweeper.sweep(session, rt.redis).notifications == 0  # its worker beats: left alone

    job.worker_name = "worker-killed"  # a worker killed with -9 mid-job: RQ still calls the job started
    job.save()
    assert sweeper.sweep(session, rt.redis).notifications == 1


def test_receipts_waiting_in_a_batch_send_job_are_not_queued_again(rt, session, citizen, new_case, platform,
                                                                   run_jobs, daytime):
    from rq import Queue
    from rq.job import JobStatus

    from xinfang.cases import followups
    from xinfang.queue import liveness

    openids = [f"o-batch-{i}" for i in range(followups.SENDS_PER_JOB + 2)]
    for openid in openids:
        new_case(citizen(openid))
    rt.redis.flushdb()  # their own jobs gone: a registration batch queued their receipts a few to a job
    batches = followups.send_jobs([n.id for n in notifications(session)])
    followups.enqueue_all(batches)
    daytime.shift(sweeper.GRACE + timedelta(seconds=1))  # a backlog: they wait longer than the grace
    assert sweeper.sweep(session, rt.redis).notifications == 0

    first = Queue("notify", connection=rt.redis).fetch_job(batches[0][3])
    first.worker_name = "worker-killed"  # taken by a worker then killed with -9
    first.save()
    first.set_status(JobStatus.STARTED)
    liveness.Heartbeat(rt.redis).beat_now("worker-alive")
    assert sweeper.sweep(session, rt.redis).notifications == followups.SENDS_PER_JOB

    run_jobs()
    for openid in openids:
        assert len(platform.texts(openid)) == 1


def test_a_retry_whose_schedule_redis_lost_is_scheduled_again_for_its_moment(rt, session, citizen, new_case,
                                                                             platform, run_jobs, daytime):
    from rq.registry import ScheduledJobRegistry

    petitioner = citizen()
    new_case(petitioner)
    platform.fault("message/custom/send", mode="http500", times=1)
    run_jobs()
    [n] = notifications(session)
    assert n.status == "failed" and n.next_attempt_at > utcnow()  # the retry waits for its backoff
    assert sweeper.sweep(session, rt.redis).retries == 0  # its schedule is in Redis
    rt.redis.flushdb()  # and now it is not

    assert sweeper.sweep(session, rt.redis).retries == 1
    assert sweeper.sweep(session, rt.redis).retries == 0  # scheduled once, not twice
    [job_id] = ScheduledJobRegistry("notify", connection=rt.redis).get_job_ids()
    assert job_id.endswith(str(int(n.next_attempt_at.timestamp())))  # for the backoff's moment, not now
    daytime.shift(timedelta(seconds=outbox.BACKOFF[0] + 1))
    run_jobs()
    assert len(platform.texts(petitioner.openid)) == 1
