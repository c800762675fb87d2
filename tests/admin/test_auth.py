"""Signing in: the login form, lock-out, expiry, password change, CSRF, admin-only pages."""
from __future__ import annotations

import time

from sqlalchemy import select

from tests.admin.conftest import PASSWORD, csrf, login
from xinfang.admin import auth
from xinfang.models import AuditEntry


def test_login_with_the_right_password_opens_the_panel(client, staff):
    staff["clerk"]
    response = login(client, "clerk")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    page = client.get("/admin/queue/intake")
    assert page.status_code == 200 and "clerk同志（登记员）" in page.get_data(as_text=True)


def test_wrong_password_is_refused_and_the_panel_stays_closed(client, staff):
    staff["clerk"]
    response = login(client, "clerk", "wrong-password")
    assert response.status_code == 401 and "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/admin/queue/intake").status_code == 302


def test_five_failures_lock_the_account_even_against_the_right_password(client, staff, session):
    staff["clerk"]
    for _ in range(5):
        assert login(client, "clerk", "wrong-password").status_code == 401
    assert login(client, "clerk").status_code == 401
    assert client.get("/admin/queue/intake").status_code == 302
    failures = session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).all()
    assert len(failures) == 6


def test_a_form_without_its_csrf_token_is_refused(client, staff, session):
    staff["clerk"]
    response = client.post("/admin/login", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 400
    login(client, "clerk")
    response = client.post("/admin/password", data={"old": PASSWORD, "new": "another-pass-1", "repeat": "another-pass-1"})
    assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    response = client.post("/admin/password", data={"old": PASSWORD, "new": "another-pass-1", "repeat": "another-pass-1",
                                                    "csrf_token": "forged"})
    assert response.status_code == 400
    assert login(client, "clerk").status_code == 302  # the password did not change


def test_session_expires_after_idle_time(client, staff):
    staff["clerk"]
    login(client, "clerk")
    with client.session_transaction() as s:
        s["seen_at"] = int(time.time()) - auth.IDLE_TIMEOUT - 5
    assert client.get("/admin/queue/intake").status_code == 302


def test_session_expires_after_a_working_day_even_when_busy(client, staff):
    staff["clerk"]
    login(client, "clerk")
    with client.session_transaction() as s:
        s["login_at"] = int(time.time()) - auth.SESSION_LIFETIME - 5
    assert client.get("/admin/queue/intake").status_code == 302


def test_password_change_ends_the_session_and_the_new_password_works(app, staff):
    staff["clerk"]
    client, other_device = app.test_client(), app.test_client()
    login(client, "clerk")
    login(other_device, "clerk")
    time.sleep(1.1)  # the change is later than the sessions began
    response = client.post("/admin/password", data={"old": PASSWORD, "new": "new-secret-42", "repeat": "new-secret-42",
                                                    "csrf_token": csrf(client, "/admin/password")})
    assert response.status_code == 302
    assert other_device.get("/admin/queue/intake").status_code == 302
    assert login(client, "clerk").status_code == 401
    assert login(client, "clerk", "new-secret-42").status_code == 302


def test_password_change_refuses_a_wrong_old_password(signed_in):
    client = signed_in("clerk")
    response = client.post("/admin/password", data={"old": "not-it-at-all", "new": "new-secret-42",
                                                    "repeat": "new-secret-42", "csrf_token": csrf(client, "/admin/password")})
    assert response.status_code == 400 and "原密码不正确" in response.get_data(as_text=True)


def test_admin_pages_are_for_admins_only(signed_in):
    for path in ("/admin/manage/users", "/admin/manage/audit", "/admin/manage/reference"):
        assert signed_in("clerk").get(path).status_code == 403
        assert signed_in("admin").get(path).status_code == 200


def test_the_queue_dashboard_is_for_admins_only(signed_in, app):
    if "/admin/rq/" not in {r.rule for r in app.url_map.iter_rules()}:
        return
    assert signed_in("clerk").get("/admin/rq/").status_code == 403
    assert signed_in("admin").get("/admin/rq/").status_code == 200


def test_login_does_not_redirect_outside_the_panel(client, staff):
    staff["clerk"]
    response = client.post("/admin/login?next=//evil.example/x", data={
        "username": "clerk", "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.headers["Location"].endswith("/admin/")


def test_admin_creates_a_user_who_can_sign_in(signed_in, app):
    admin = signed_in("admin")
    response = admin.post("/admin/manage/users", data={
        "username": "lamu", "role": "handler", "department": "zjj", "password": "lamu-pass-1",
        "csrf_token": csrf(admin, "/admin/manage/users")})
    assert response.status_code == 200 and "已创建 lamu" in response.get_data(as_text=True)
    assert login(app.test_client(), "lamu", "lamu-pass-1").status_code == 302
    refused = admin.post("/admin/manage/users", data={"username": "nodept", "role": "handler",
                                                      "csrf_token": csrf(admin, "/admin/manage/users")})
    assert refused.status_code == 400 and "department" in refused.get_data(as_text=True)
