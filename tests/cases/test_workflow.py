"""The transition table: every transition, every refusal (pure, no database)."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.beijing_time import at
from xinfang.cases.workflow import STATES, WorkflowError, allowed_actions, check_action

T0 = at("2026-03-02 10:00")

# The specification, written out independently of the table: (state, action) -> next state.
EXPECTED = {
    ("received", "assign"): "assigned",
    ("received", "route"): "routed",
    ("received", "not_accept"): "not_accepted",
    ("assigned", "object"): "received",
    ("assigned", "accept"): "accepted",
    ("assigned", "route"): "routed",
    ("assigned", "not_accept"): "not_accepted",
    ("accepted", "route"): "routed",
    ("accepted", "extend"): None,
    ("accepted", "reply"): "replied",
    ("replied", "request_review"): "review",
    ("review", "review_reply"): "replied",
    ("replied", "close"): "closed",
    ("rereview", "rereview_reply"): "closed",
}
for state in ("received", "assigned", "accepted", "review", "rereview"):
    EXPECTED[(state, "supervise")] = None
for state in STATES:
    EXPECTED[(state, "note")] = None
for state in ("received", "assigned", "accepted", "replied", "review", "rereview"):
    EXPECTED[(state, "recuse")] = None

ROLE_OF = {
    "assign": "clerk", "object": "handler", "accept": "handler", "route": "clerk", "not_accept": "clerk",
    "extend": "handler", "reply": "handler", "supervise": "supervisor", "request_review": "citizen",
    "review_reply": "supervisor", "request_rereview": "citizen", "rereview_reply": "supervisor",
    "close": "system", "note": "clerk", "recuse": "handler",
}
PARAMS = {
    "assign": {"department": "rsj"}, "object": {"reason": "不属于本部门职责"},
    "route": {"route": "litigation", "reason": "涉及法院判决"},
    "not_accept": {"ground": "duplicate", "reason": "同一事项正在办理"},
    "extend": {"days": 30, "reason": "情况复杂，需要实地调查"},
    "reply": {"outcome": "支持", "text": "已责令支付", "facts": "经查属实", "basis": "《保障农民工工资支付条例》"},
    "review_reply": {"outcome": "解释说明", "text": "维持", "facts": "经复查", "basis": "第三十五条"},
    "rereview_reply": {"outcome": "不予支持", "text": "维持", "facts": "经复核", "basis": "第三十六条"},
    "supervise": {"note": "请加快办理"}, "note": {"note": "已电话联系"}, "recuse": {"reason": "信访人是本人的亲属"},
}


def make_case(status, **kw):
    values = dict(status=status, received_at=T0, assigned_at=T0, accepted_at=T0, replied_at=T0,
                  review_level=0, extension_days=0)
    values.update(kw)
    return SimpleNamespace(**values)


def when_allowed(state, action):
    """A moment at which the action's clock allows it (inside every window)."""
    return T0 + timedelta(days=1)


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("action", list(ROLE_OF))
def test_each_action_is_allowed_exactly_in_its_states(cal, state, action):
    level = 1 if action == "request_rereview" else 0
    case = make_case(state, review_level=level)
    expected = EXPECTED.get((state, action), "refused")
    if action == "request_rereview" and state == "replied":
        expected = "rereview"
    if action == "close" and state == "replied":
        now = T0 + timedelta(days=40)  # closing waits for the review window to pass
    else:
        now = when_allowed(state, action)
    if expected == "refused":
        with pytest.raises(WorkflowError):
            check_action(case, action, ROLE_OF[action], PARAMS.get(action, {}), now, cal)
    else:
        transition = check_action(case, action, ROLE_OF[action], PARAMS.get(action, {}), now, cal)
        assert transition.target == expected


@pytest.mark.parametrize("action,wrong_role", [
    ("assign", "handler"), ("assign", "leader"), ("accept", "clerk"), ("reply", "clerk"),
    ("reply", "leader"), ("extend", "supervisor"), ("supervise", "handler"), ("supervise", "clerk"),
    ("request_review", "handler"), ("close", "handler"), ("note", "leader"), ("object", "clerk"),
    ("route", "leader"), ("review_reply", "clerk"), ("assign", "citizen"),
])
def test_wrong_role_is_refused_with_a_reason(cal, action, wrong_role):
    state = {"assign": "received", "accept": "assigned", "object": "assigned", "reply": "accepted",
             "extend": "accepted", "supervise": "accepted", "request_review": "replied", "close": "replied",
             "note": "received", "route": "received", "review_reply": "review"}[action]
    with pytest.raises(WorkflowError, match="无权"):
        check_action(make_case(state), action, wrong_role, PARAMS.get(action, {}), T0 + timedelta(days=40), cal)


def test_missing_parameters_are_named(cal):
    with pytest.raises(WorkflowError, match="facts"):
        check_action(make_case("accepted"), "reply", "handler",
                     {"outcome": "支持", "text": "x", "basis": "y"}, T0, cal)


def test_reply_outcome_must_be_one_of_the_three(cal):
    with pytest.raises(WorkflowError, match="支持、解释说明、不予支持"):
        check_action(make_case("accepted"), "reply", "handler", dict(PARAMS["reply"], outcome="同意"), T0, cal)


def test_only_one_extension(cal):
    with pytest.raises(WorkflowError, match="只能延长一次"):
        check_action(make_case("accepted", extension_days=10), "extend", "handler", PARAMS["extend"], T0, cal)


def test_extension_over_thirty_days_is_refused(cal):
    with pytest.raises(WorkflowError, match="30日"):
        check_action(make_case("accepted"), "extend", "handler", dict(PARAMS["extend"], days=31), T0, cal)


def test_extension_after_the_period_ran_out_is_refused(cal):
    with pytest.raises(WorkflowError, match="届满"):
        check_action(make_case("accepted"), "extend", "handler", PARAMS["extend"], at("2026-05-07 09:00"), cal)


def test_objection_after_five_working_days_is_refused(cal):
    case = make_case("assigned", assigned_at=at("2026-03-02 10:00"))  # Monday: window ends Monday 03-09
    check_action(case, "object", "handler", PARAMS["object"], at("2026-03-09 23:00"), cal)
    with pytest.raises(WorkflowError, match="5个工作日"):
        check_action(case, "object", "handler", PARAMS["object"], at("2026-03-10 08:00"), cal)


def test_review_asked_on_day_thirty_is_accepted_and_on_day_thirty_one_refused(cal):
    case = make_case("replied", replied_at=at("2026-03-02 10:00"))
    assert check_action(case, "request_review", "citizen", {}, at("2026-04-01 23:30"), cal).target == "review"
    with pytest.raises(WorkflowError, match="已超过复查申请期限"):
        check_action(case, "request_review", "citizen", {}, at("2026-04-02 00:10"), cal)


def test_rereview_needs_a_review_first_and_review_cannot_be_asked_twice(cal):
    with pytest.raises(WorkflowError, match="应先申请复查"):
        check_action(make_case("replied", review_level=0), "request_rereview", "citizen", {}, T0, cal)
    with pytest.raises(WorkflowError, match="申请复核"):
        check_action(make_case("replied", review_level=1), "request_review", "citizen", {}, T0, cal)


def test_after_rereview_the_matter_is_final(cal):
    case = make_case("closed", review_level=2)
    for action in ("request_review", "request_rereview"):
        with pytest.raises(WorkflowError, match="最终意见"):
            check_action(case, action, "citizen", {}, T0, cal)


def test_closing_waits_for_the_review_window(cal):
    with pytest.raises(WorkflowError, match="未届满"):
        check_action(make_case("replied"), "close", "system", {}, T0 + timedelta(days=10), cal)


def test_route_and_not_accept_need_a_known_route_or_ground(cal):
    with pytest.raises(WorkflowError, match="法定途径"):
        check_action(make_case("received"), "route", "clerk", {"route": "court", "reason": "x"}, T0, cal)
    with pytest.raises(WorkflowError, match="不予受理理由"):
        check_action(make_case("received"), "not_accept", "clerk", {"ground": "dislike", "reason": "x"}, T0, cal)


def test_unknown_action(cal):
    with pytest.raises(WorkflowError, match="未知"):
        check_action(make_case("received"), "approve", "admin", {}, T0, cal)


def test_allowed_actions_for_panel_buttons(cal):
    assert set(allowed_actions(make_case("assigned"), "handler", T0 + timedelta(days=1), cal)) == {
        "object", "accept", "route", "not_accept", "note", "recuse"}
    assert allowed_actions(make_case("accepted"), "leader", T0, cal) == []
    assert set(allowed_actions(make_case("received"), "clerk", T0, cal)) == {"assign", "route", "not_accept", "note",
                                                                              "recuse"}
