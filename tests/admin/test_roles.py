"""Every role against every action, through the staff API and through the panel: the same answers."""
from __future__ import annotations

import itertools
from datetime import timedelta

from tests.admin.conftest import REPLY, advance, bearer, csrf, new_case
from xinfang.cases import service
from xinfang.cases.service import Actor
from xinfang.cases.workflow import ACTIONS, TRANSITIONS
from xinfang.models import utcnow

ROLES = ("clerk", "handler", "supervisor", "leader", "admin")

RECENT = [("assign", {"department": "rsj"}, 0), ("accept", {}, 0.5), ("reply", REPLY, 1)]
STATES = {
    "received": [],
    "assigned": [("assign", {"department": "rsj"}, 0)],
    "accepted": [("assign", {"department": "rsj"}, 0), ("accept", {}, 0.5)],
    "replied": RECENT,
    "review": RECENT + [("request_review", {}, 1.5)],
    "replied_once_reviewed": RECENT + [("request_review", {}, 1.5), ("review_reply", REPLY, 1.8)],
    "rereview": RECENT + [("request_review", {}, 1.5), ("review_reply", REPLY, 1.8), ("request_rereview", {}, 1.9)],
}
# The state each action is tried in, and the parameters it is given.
TRIES = {
    "assign": ("received", {"department": "rsj"}),
    "object": ("assigned", {"reason": "不属于本单位职责，应由住建部门办理"}),
    "accept": ("assigned", {}),
    "route": ("received", {"route": "litigation", "reason": "属于民间借贷纠纷，应向人民法院起诉"}),
    "not_accept": ("received", {"ground": "duplicate", "reason": "同一事项正在办理中"}),
    "extend": ("accepted", {"days": 10, "reason": "需要实地核查"}),
    "reply": ("accepted", REPLY),
    "supervise": ("assigned", {"note": "请加快办理，三日内反馈"}),
    "request_review": ("replied", {}),
    "review_reply": ("review", REPLY),
    "request_rereview": ("replied_once_reviewed", {}),
    "rereview_reply": ("rereview", REPLY),
    "close": ("closable", {}),
    "note": ("received", {"note": "已电话联系信访人"}),
    "recuse": ("assigned", {"reason": "信访人是本人的亲属"}),
}
assert set(TRIES) == set(ACTIONS)


def case_in(session, cal, state):
    if state == "closable":  # replied 45 days ago: the 30 days to ask for 复查 are over
        start = utcnow() - timedelta(days=50)
        case = new_case(session, cal, now=start)
        return advance(session, cal, case, *RECENT, start=start)
    start = utcnow() - timedelta(days=2)
    case = new_case(session, cal, now=start)
    return advance(session, cal, case, *STATES[state], start=start)


def expected(user, case, action):
    if not service.can_see(Actor.staff(user), case):
        return 404
    if user.role == "handler" and action in ("review_reply", "rereview_reply"):
        return 409  # the department whose opinion is reviewed is not the body one level up (Art. 35, 36)
    return 200 if user.role in TRANSITIONS[action].actors else 409


def api_call(client, token, case, action, params):
    response = client.post(f"/api/v1/staff/cases/{case.tracking_code}/actions", json={"action": action, **params},
                           headers=bearer(token))
    return response.status_code, response.get_json()


def panel_call(client, case, action, params):
    form = {k: str(v) for k, v in params.items()}
    response = client.post(f"/admin/cases/{case.tracking_code}/actions/{action}",
                           data={**form, "confirm": "1", "csrf_token": csrf(client, "/admin/password")})
    return {303: 200}.get(response.status_code, response.status_code), response.get_data(as_text=True)


def test_every_role_against_every_action_in_the_api(session, cal, client, staff, tokens):
    for action, role in itertools.product(ACTIONS, ROLES):
        state, params = TRIES[action]
        case = case_in(session, cal, state)
        before = (case.status, len(case.events))
        status, body = api_call(client, tokens[role], case, action, params)
        want = expected(staff[role], case, action)
        assert status == want, (role, action, body)
        session.refresh(case)
        if want == 200:
            assert case.status == (TRANSITIONS[action].target or before[0])
            assert case.events[-1].action == action and case.events[-1].actor_name == f"{role}同志"
            assert body["status"] == case.status
        else:
            assert (case.status, len(case.events)) == before
        if want == 409:
            assert "角色" in body["message"] or "不能" in body["message"]


def test_every_role_against_every_action_in_the_panel(session, cal, signed_in, staff):
    for action, role in itertools.product(ACTIONS, ROLES):
        state, params = TRIES[action]
        case = case_in(session, cal, state)
        before = (case.status, len(case.events))
        status, page = panel_call(signed_in(role), case, action, params)
        want = expected(staff[role], case, action)
        assert status == want, (role, action, page[:400])
        session.refresh(case)
        if want == 200:
            assert case.events[-1].action == action
        else:
            assert (case.status, len(case.events)) == before
        if want == 409:
            assert "当前角色无权" in page or "本单位不能出具" in page


def test_the_panel_offers_exactly_the_actions_the_api_lists(session, cal, signed_in, client, tokens):
    for state in ("received", "assigned", "accepted", "replied", "review"):
        case = case_in(session, cal, state)
        for role in ("clerk", "handler", "supervisor", "admin"):
            api = client.get(f"/api/v1/staff/cases/{case.tracking_code}", headers=bearer(tokens[role]))
            page = signed_in(role).get(f"/admin/cases/{case.tracking_code}")
            if api.status_code == 404:
                assert page.status_code == 404
                continue
            html = page.get_data(as_text=True)
            offered = {a for a in ACTIONS if f"/actions/{a}\"" in html or f"/actions/{a}?" in html}
            assert offered == set(api.get_json()["allowed_actions"]), (state, role)


def test_leader_sees_cases_read_only_with_masked_identity(session, cal, signed_in):
    case = case_in(session, cal, "accepted")
    page = signed_in("leader").get(f"/admin/cases/{case.tracking_code}").get_data(as_text=True)
    assert "扎某" in page and "138****1234" in page
    assert "扎西" not in page and "13800001234" not in page
    assert "/actions/" not in page
    assert signed_in("leader").get("/admin/overview").status_code == 200


def test_each_role_lands_on_its_first_page_after_signing_in(signed_in):
    for role, landing in (("clerk", "/admin/queue/intake"), ("handler", "/admin/queue/mine"),
                          ("supervisor", "/admin/queue/mine"), ("leader", "/admin/overview"),
                          ("admin", "/admin/queue/mine")):
        home = signed_in(role).get("/admin/", follow_redirects=True)
        assert home.status_code == 200 and home.request.path == landing, role


def test_a_staff_member_who_stepped_aside_no_longer_acts_on_the_case(session, cal, client, signed_in, staff, tokens):
    # 回避 (Art. 28(3)): a handler related to the petitioner steps aside; the department carries on.
    case = case_in(session, cal, "assigned")
    status, _ = api_call(client, tokens["handler"], case, "recuse", {"reason": "信访人是本人的亲属"})
    assert status == 200
    status, body = api_call(client, tokens["handler"], case, "accept", {})
    assert status == 409 and "回避" in body["message"]
    page = signed_in("handler").get(f"/admin/cases/{case.tracking_code}").get_data(as_text=True)
    assert "/actions/" not in page  # nothing offered to them any more
    colleague = Actor.staff(service_user(session, "rsj"))
    service.perform_action(session, cal, case, "accept", colleague)
    session.refresh(case)
    assert case.status == "accepted"
    [step] = [e for e in case.events if e.action == "recuse"]
    assert not step.citizen_visible and step.note == "信访人是本人的亲属"


def service_user(session, department):
    from xinfang.admin import accounts

    user, _ = accounts.create_user(session, "rsj-colleague", "handler", password="Colleague-pass-1",
                                   department_code=department, display_name="人社同事")
    return user
