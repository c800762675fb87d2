"""Operations: failed and dead work, figures, the dashboard, the periodic tasks, classification."""
from __future__ import annotations

import re

from rq import Queue

from xinfang.admin import accounts
from xinfang.cases import followups
from xinfang.queue import jobs, operations, periodic
from xinfang.stats import collect_stats

PASSWORD = "Gz-queue-test-2026"


def test_failed_jobs_are_listed_with_their_error_and_can_be_retried(rt, run_jobs):
    queue = Queue("default", connection=rt.redis)
    queue.enqueue("xinfang.queue.jobs.no_such_job", 7, job_id="old-release-job")
    run_jobs()

    [failed] = operations.list_failed_jobs(rt.redis)
    assert (failed.id, failed.queue, failed.args) == ("old-release-job", "default", (7,))
    assert "no_such_job" in failed.error
    operations.retry_job(rt.redis, "old-release-job")
    assert queue.count == 1 and operations.list_failed_jobs(rt.redis) == []


def test_retrying_what_is_not_failed_is_refused(rt, session):
    import pytest

    with pytest.raises(operations.RetryError):
        operations.retry_job(rt.redis, "never-was")
    with pytest.raises(operations.RetryError):
        operations.retry_notification(session, 12345)


def test_stats_keep_the_contract_and_add_job_figures(rt, session, citizen, new_case, run_jobs, daytime):
    new_case(citizen())
    Queue("intake", connection=rt.redis).enqueue("xinfang.queue.jobs.no_such_job")
    stats = collect_stats(session, rt.redis)
    assert stats["queues"]["notify"] == 1 and stats["queues"]["intake"] == 1
    run_jobs()

    stats = collect_stats(session, rt.redis)
    assert {"messages", "cases", "notifications", "surveys", "queues"} <= set(stats)
    assert stats["notifications"]["sent"] == 1 and stats["queues"]["notify"] == 0
    assert stats["queues"]["intake_failed"] == 1 and stats["jobs"]["intake"]["failed"] == 1
    notify = stats["jobs"]["notify"]
    assert notify["run_ms_p50"] is not None and notify["wait_ms_p50"] is not None
    assert stats["jobs"]["reminders"]["scheduled"] == 1  # the 15-day route clock: its next moment
    assert stats["jobs"]["notify"]["oldest_wait_s"] is None


def test_the_dashboard_is_for_admins_only(app, session):
    for name, role in (("clerk1", "clerk"), ("admin1", "admin")):
        accounts.create_user(session, name, role, password=PASSWORD)

    def signed_in(name):
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/login").get_data(as_text=True))
        client.post("/admin/login", data={"username": name, "password": PASSWORD, "csrf_token": token.group(1)})
        return client

    assert app.test_client().get("/admin/rq/").status_code == 403
    assert signed_in("clerk1").get("/admin/rq/").status_code == 403
    page = signed_in("admin1").get("/admin/rq/")
    assert page.status_code == 200 and b"RQ" in page.data


def test_a_case_registered_without_labels_is_classified_by_the_intake_queue(rt, session, cal, new_case, run_jobs):
    case = new_case(None, text="康定市新都桥镇的工地老板拖欠我们农民工工资三个月了")
    assert case.classified_at is None
    followups.enqueue(followups.CLASSIFY_CASE, case.id, queue="intake", job_id=f"classify-{case.id}")
    run_jobs()

    session.refresh(case)
    assert case.category == "劳动和社会保障" and case.suggested_department_code
    assert case.status == "received"  # it waits for a clerk in the 待登记 queue
    assert jobs.classify_case(case.id) == "nothing to do"


def test_periodic_tasks_run_once_per_interval_across_workers(rt):
    assert periodic.run_due(rt) == ["recover", "sweep", "clocks", "surveys", "close"]  # a new Redis
    assert periodic.run_due(rt) == []  # another worker's tick in the same interval
    rt.redis.flushdb()  # Redis restarted empty: the next tick recovers and runs them again
    assert periodic.run_due(rt) == ["recover", "sweep", "clocks", "surveys", "close"]
