"""Status pushes: one per citizen-visible transition, on the right channel, with the right text."""
from __future__ import annotations

import json
from datetime import timedelta

import time_machine

from tests.beijing_time import at
from xinfang import runtime
from xinfang.cases import service
from xinfang.models import utcnow
from xinfang.queue import operations, sweeper

from .conftest import ADMIN, notifications

REPLY = {"outcome": "支持", "text": "已协调村委会退还草场。", "facts": "经核实属实。", "basis": "《草原法》第十六条"}


def test_every_citizen_visible_transition_is_pushed_once_with_its_text(session, cal, citizen, new_case, platform,
                                                                       run_jobs, daytime):
    petitioner = citizen()
    case = new_case(petitioner)
    for action, params in [("assign", {"department": "nyncj"}), ("accept", {}),
                           ("note", {"note": "内部备注，不告知"}),
                           ("extend", {"days": 30, "reason": "需现场勘界"}), ("reply", REPLY)]:
        service.perform_action(session, cal, case, action, ADMIN, params)
    run_jobs()

    texts = platform.texts(petitioner.openid)
    assert len(texts) == 5  # registered, assigned, accepted, extended, replied; the note is internal
    assert "查询码：" + case.tracking_code in texts[0]
    assert "已转送州农业农村局" in texts[1] or "已转送" in texts[1]
    assert "已受理" in texts[2]
    assert "延长30日" in texts[3] and "需现场勘界" in texts[3]
    assert "支持" in texts[4] and "已协调村委会退还草场" in texts[4] and "复查" in texts[4]
    # The citizen wrote a moment ago: customer-service messages, not templates.
    assert {e["endpoint"] for e in platform.sent(petitioner.openid)} == {"message/custom/send"}
    assert [n.status for n in notifications(session, petitioner_id=petitioner.id)] == ["sent"] * 5


def silent_for_three_days(session, citizen, new_case):
    """A citizen outside WeChat's 48-hour window, and their case just registered."""
    petitioner = citizen()
    petitioner.last_inbound_at = utcnow() - timedelta(days=3)
    session.commit()
    return petitioner, new_case(petitioner)


def test_outside_the_48_hour_window_a_template_message_carries_the_notice(session, cal, citizen, new_case, platform,
                                                                          run_jobs, daytime):
    petitioner, case = silent_for_three_days(session, citizen, new_case)
    run_jobs()

    [entry] = platform.sent(petitioner.openid)
    assert entry["endpoint"] == "message/template/send"
    data = entry["payload"]["data"]
    assert data["keyword1"]["value"] == case.tracking_code and data["keyword2"]["value"] == "已登记"
    assert "查询码" in data["first"]["value"]
    assert entry["payload"]["url"].endswith("/track/" + case.tracking_code)
    [n] = notifications(session, case_id=case.id)
    assert (n.status, n.channel, n.external_id) == ("sent", "wechat_template", str(entry["msgid"]))


def test_a_template_sent_again_after_a_crash_reaches_the_citizen_once(session, cal, citizen, new_case, platform,
                                                                       run_jobs, daytime):
    petitioner, case = silent_for_three_days(session, citizen, new_case)
    run_jobs()
    [first] = platform.sent(petitioner.openid)

    # The worker died after WeChat took the message and before `sent` was committed: the row is
    # unsent again, and the sweeper sends it once more.
    [n] = notifications(session, case_id=case.id)
    n.status, n.sent_at, n.external_id = "pending", None, None
    n.next_attempt_at = utcnow() - timedelta(minutes=1)  # the sweeper waits out its grace
    session.commit()
    assert sweeper.sweep(session, runtime.current().redis).notifications == 1
    run_jobs()

    assert platform.sent(petitioner.openid) == [first]  # WeChat dropped the repeat by its client_msg_id
    session.expire_all()
    [n] = notifications(session, case_id=case.id)
    assert (n.status, n.external_id) == ("sent", str(first["msgid"]))
    assert [c["errcode"] for c in platform.calls("message/template/send")] == [0, 0]


def test_templates_per_event_come_from_the_configured_file(tmp_path, settings, rt, session, cal, citizen, new_case,
                                                           platform, run_jobs, daytime):
    path = tmp_path / "templates.json"
    path.write_text(json.dumps({
        "registered": {"template_id": "TPL-REG", "data": {"thing1": "{tracking_code}", "time2": "{date}"}},
        "default": {"template_id": "TPL-ANY", "data": {"first": "{text}"}},
    }), encoding="utf-8")
    from dataclasses import replace

    from xinfang import runtime

    runtime.init_runtime(replace(settings, wechat_templates_file=path))
    petitioner = citizen()
    petitioner.last_inbound_at = None
    session.commit()
    case = new_case(petitioner)
    run_jobs()

    [entry] = platform.sent(petitioner.openid)
    assert entry["payload"]["template_id"] == "TPL-REG"
    assert entry["payload"]["data"]["thing1"]["value"] == case.tracking_code
    assert entry["payload"]["data"]["time2"]["value"] == "2026年3月2日 10:00"


def test_a_send_that_fails_twice_then_succeeds_is_delivered_once(session, cal, citizen, new_case, platform, run_jobs):
    with time_machine.travel(at("2026-03-02 10:00"), tick=False) as clock:
        petitioner = citizen()
        platform.fault("message/custom/send", mode="http500", times=2)
        case = new_case(petitioner)
        run_jobs()
        [n] = notifications(session, case_id=case.id)
        assert (n.status, n.attempts) == ("failed", 1) and "HTTP 500" in n.last_error
        assert platform.sent(petitioner.openid) == []

        clock.shift(timedelta(seconds=11))  # the first backoff
        run_jobs()
        [n] = notifications(session, case_id=case.id)
        assert (n.status, n.attempts) == ("failed", 2)

        clock.shift(timedelta(seconds=31))  # the second backoff
        run_jobs()
        run_jobs()

    assert len(platform.sent(petitioner.openid)) == 1
    [n] = notifications(session, case_id=case.id)
    assert (n.status, n.channel, n.attempts) == ("sent", "wechat_custom", 2)
    assert [c["status"] for c in platform.calls("message/custom/send")] == [500, 500, 200]


def test_an_access_token_expiring_mid_run_is_refreshed_once(session, cal, citizen, new_case, platform, run_jobs,
                                                           daytime):
    petitioner = citizen()
    case = new_case(petitioner)
    run_jobs()
    platform.state.expire_tokens()
    service.perform_action(session, cal, case, "assign", ADMIN, {"department": "nyncj"})
    run_jobs()

    assert len(platform.texts(petitioner.openid)) == 2
    assert [c["errcode"] for c in platform.calls("message/custom/send")] == [0, 42001, 0]
    assert len(platform.calls("token")) == 2
    assert [n.status for n in notifications(session, case_id=case.id)] == ["sent", "sent"]


def test_an_unsubscribed_citizen_ends_dead_with_the_reason(session, cal, citizen, new_case, platform, run_jobs,
                                                          daytime):
    petitioner = citizen()
    platform.unfollow(petitioner.openid)  # WeChat knows; the gateway has not heard yet
    case = new_case(petitioner)
    run_jobs()

    [n] = notifications(session, case_id=case.id)
    assert n.status == "dead"
    assert "wechat_custom: 43004" in n.last_error and "wechat_template: 43004" in n.last_error
    assert platform.sent(petitioner.openid) == []
    assert [d.id for d in operations.list_dead_notifications(session)] == [n.id]


def test_a_permanent_wechat_failure_falls_back_to_sms(session, cal, settings, citizen, new_case, platform, run_jobs,
                                                     daytime):
    petitioner = citizen(phone="13800000000")
    platform.unfollow(petitioner.openid)
    case = new_case(petitioner)
    run_jobs()

    [n] = notifications(session, case_id=case.id)
    assert (n.status, n.channel) == ("sent", "sms")
    [line] = (settings.data_dir / "sms.log").read_text(encoding="utf-8").splitlines()
    sms = json.loads(line)
    assert sms["phone"] == "13800000000" and case.tracking_code in sms["text"]


def test_a_mailbox_post_with_an_email_address_is_told_by_email(session, cal, settings, new_case, run_jobs, daytime):
    petitioner = service.find_or_create_petitioner(session, name="王芳", email="wangfang@example.cn")
    session.commit()
    case = new_case(petitioner)
    run_jobs()

    [n] = notifications(session, case_id=case.id)
    assert (n.status, n.channel) == ("sent", "email")
    mail = json.loads((settings.data_dir / "mail.log").read_text(encoding="utf-8"))
    assert mail["to"] == "wangfang@example.cn" and case.tracking_code in mail["text"]


def test_no_pushes_at_night_except_urgent_ones(session, cal, citizen, new_case, platform, run_jobs):
    with time_machine.travel(at("2026-03-02 23:30"), tick=False) as clock:
        petitioner = citizen()
        quiet = new_case(petitioner)
        urgent = new_case(petitioner, text="山体滑坡压住了房子，家里老人被困，请马上来人！", urgent=True)
        run_jobs()
        assert platform.texts(petitioner.openid) == [n.text for n in notifications(session, case_id=urgent.id)]
        [n] = notifications(session, case_id=quiet.id)
        assert n.status == "pending" and n.next_attempt_at == at("2026-03-03 07:00")

        clock.move_to(at("2026-03-03 07:00:01"))
        run_jobs()
    assert len(platform.texts(petitioner.openid)) == 2
    assert [n.status for n in notifications(session, case_id=quiet.id)] == ["sent"]


def test_a_dead_push_can_be_retried_from_the_panel(session, cal, citizen, new_case, platform, run_jobs, daytime):
    petitioner = citizen()
    platform.unfollow(petitioner.openid)
    case = new_case(petitioner)
    run_jobs()
    [dead] = operations.list_dead_notifications(session)

    platform.follow(petitioner.openid)  # the citizen follows the account again
    operations.retry_notification(session, dead.id)
    run_jobs()

    assert platform.texts(petitioner.openid) == [dead.text]
    assert [n.status for n in notifications(session, case_id=case.id)] == ["sent"]
