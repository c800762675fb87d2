"""Staff of every role, signed in through the real login form or holding real API tokens."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from xinfang.admin import accounts
from xinfang.cases import service
from xinfang.cases.service import Actor
from xinfang.models import utcnow

PASSWORD = "correct-horse-9"
# name: (role, department, county)
STAFF = {
    "clerk": ("clerk", None, None),
    "handler": ("handler", "rsj", None),  # 人社局
    "other": ("handler", "zjj", None),  # 住建局, another department
    "jw": ("handler", "jw", None),  # 纪委监委
    "county_handler": ("handler", "rsj", "泸定县"),
    "supervisor": ("supervisor", None, None),
    "leader": ("leader", None, None),
    "admin": ("admin", None, None),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class _Lazy(dict):
    """Made on first use: an Argon2 hash costs real time, and most tests need two or three users."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, name):
        self[name] = self.make(name)
        return self[name]


@pytest.fixture
def staff(session):
    def make(name):
        role, department, county = STAFF[name]
        user, _ = accounts.create_user(session, name, role, password=PASSWORD, department_code=department,
                                       county=county, display_name=f"{name}同志")
        return user
    return _Lazy(make)


@pytest.fixture
def tokens(session, staff):
    return _Lazy(lambda name: accounts.issue_token(session, staff[name]))


def csrf(client, path="/admin/login") -> str:
    match = _CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username, password=PASSWORD):
    return client.post("/admin/login", data={"username": username, "password": password,
                                             "csrf_token": csrf(client)})


@pytest.fixture
def signed_in(app, staff):
    """A signed-in test client per user name (fresh cookie jar each)."""
    clients = {}

    def get(name):
        staff[name]
        if name not in clients:
            clients[name] = app.test_client()
            response = login(clients[name], name)
            assert response.status_code == 302, response.get_data(as_text=True)
        return clients[name]
    return get


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def new_case(session, cal, *, text="老板拖欠我们十几个工人的工资三个月了，请帮忙讨薪", name="扎西", phone="13800001234",
             openid="o-citizen-1", county="康定市", labels=None, now=None):
    petitioner = service.find_or_create_petitioner(session, openid=openid, name=name, phone=phone)
    labels = labels or {"category": "劳动和社会保障", "path": "petition", "demand_type": "求决", "department": "rsj",
                        "confidence": 0.91, "reasons": ["分类：劳动和社会保障（关键词：拖欠、工资）", "诉求类型：求决"]}
    return service.register_case(session, cal, channel="wechat", text=text, petitioner=petitioner, county=county,
                                 labels=labels, now=now)


SYSTEM_CLERK = Actor("staff", "admin", None, "系统准备")


def advance(session, cal, case, *steps, start=None):
    """Walk a case through (action, params, days-after-start) steps as an admin, to set up a state."""
    start = start or utcnow()
    for action, params, days in steps:
        service.perform_action(session, cal, case, action, SYSTEM_CLERK, params, now=start + timedelta(days=days))
    return case


REPLY = {"outcome": "支持", "text": "已责令用人单位十日内支付", "facts": "经查属实", "basis": "《保障农民工工资支付条例》第三条"}
