"""The case service against the real database: transitions, timeline, outbox, scope."""
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select

from tests.beijing_time import at
from xinfang.cases import public, service
from xinfang.cases.codes import ALPHABET, LENGTH, normalize_tracking_code
from xinfang.cases.service import Actor, CaseNotFound, ConflictError
from xinfang.cases.workflow import WorkflowError
from xinfang.models import Case, CaseEvent, Notification
from xinfang.nlp import classify

T0 = at("2026-03-02 10:00")
CLERK = Actor("staff", "clerk", 1, "登记员甲")
HANDLER = Actor("staff", "handler", 2, "承办人乙", department_code="rsj")
OTHER_HANDLER = Actor("staff", "handler", 3, "承办人丙", department_code="zjj")
SUPERVISOR = Actor("staff", "supervisor", 4, "督办员丁")


def new_case(session, cal, *, openid="o-citizen-1", text="老板拖欠我们12名工人工资三个月了", county="康定市", **kw):
    petitioner = service.find_or_create_petitioner(session, openid=openid, name="扎西", phone="13800001234")
    return service.register_case(session, cal, channel="wechat", text=text, petitioner=petitioner,
                                 county=county, now=kw.pop("now", T0), **kw)


def notices(session, case):
    return [n for n in session.scalars(select(Notification).where(Notification.case_id == case.id)
                                       .order_by(Notification.id))]


def test_registering_stores_the_case_with_its_clock_receipt_and_notice(session, cal):
    case = new_case(session, cal)
    assert case.status == "received"
    assert len(case.tracking_code) == LENGTH and set(case.tracking_code) <= set(ALPHABET)
    assert case.clock == "route"
    assert cal.local_date(case.due_at).isoformat() == "2026-03-17"  # Art. 22: 15 days
    [event] = case.events
    assert (event.action, event.to_status, event.citizen_visible) == ("register", "received", True)
    [notice] = notices(session, case)
    assert f"查询码：{case.tracking_code}" in notice.text
    assert notice.status == "pending" and notice.channels[0] == "wechat_custom"


def test_registering_enqueues_the_push_and_the_reminders(session, cal, rt):
    new_case(session, cal)
    assert Queue("notify", connection=rt.redis).count == 1
    assert Queue("reminders", connection=rt.redis).count == 1


def test_empty_petition_is_refused_and_nothing_is_written(session, cal):
    with pytest.raises(WorkflowError):
        new_case(session, cal, text="   ")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_whole_petition_procedure_to_the_final_rereview(session, cal):
    case = new_case(session, cal)
    service.perform_action(session, cal, case, "assign", CLERK, {"department": "rsj"}, now=T0 + timedelta(hours=2))
    assert (case.status, case.clock) == ("assigned", "notify")
    service.perform_action(session, cal, case, "accept", HANDLER, now=T0 + timedelta(days=3))
    assert case.clock == "reply"
    # Accepted 03-05: 60 days end 05-04, a holiday, so 05-06; 80 days end 05-24, a Sunday, so 05-25.
    assert cal.local_date(case.due_at).isoformat() == "2026-05-06"
    service.perform_action(session, cal, case, "extend", HANDLER, {"days": 20, "reason": "需要实地核查"},
                           now=T0 + timedelta(days=30))
    assert cal.local_date(case.due_at).isoformat() == "2026-05-25"
    service.perform_action(session, cal, case, "reply", HANDLER, {
        "outcome": "支持", "text": "已责令项目方十日内支付", "facts": "经查属实", "basis": "《保障农民工工资支付条例》"},
        now=T0 + timedelta(days=40))
    assert (case.status, case.clock) == ("replied", "review_window")
    service.perform_action(session, cal, case, "request_review", Actor.citizen(case.petitioner_id),
                           now=T0 + timedelta(days=50))
    assert (case.status, case.clock) == ("review", "review")
    service.perform_action(session, cal, case, "review_reply", SUPERVISOR, {
        "outcome": "解释说明", "text": "维持原处理意见", "facts": "经复查", "basis": "第三十五条"},
        now=T0 + timedelta(days=60))
    assert (case.status, case.review_level) == ("replied", 1)
    service.perform_action(session, cal, case, "request_rereview", Actor.citizen(case.petitioner_id),
                           now=T0 + timedelta(days=70))
    service.perform_action(session, cal, case, "rereview_reply", SUPERVISOR, {
        "outcome": "不予支持", "text": "维持", "facts": "经复核", "basis": "第三十六条"}, now=T0 + timedelta(days=80))
    assert (case.status, case.review_level, case.due_at) == ("closed", 2, None)

    actions = [e.action for e in case.events]
    assert actions == ["register", "assign", "accept", "extend", "reply", "request_review", "review_reply",
                       "request_rereview", "rereview_reply"]
    texts = [n.text for n in notices(session, case)]
    assert len(texts) == 9
    assert "转送州人力资源和社会保障局" in texts[1]
    assert "延长20日" in texts[3] and "需要实地核查" in texts[3]
    assert "申请复查" in texts[4] and "已责令项目方十日内支付" in texts[4]
    assert "最终意见" in texts[-1]
    with pytest.raises(WorkflowError, match="最终意见"):
        service.perform_action(session, cal, case, "request_review", Actor.citizen(case.petitioner_id),
                               now=T0 + timedelta(days=81))


def test_refused_action_writes_nothing(session, cal):
    case = new_case(session, cal)
    service.perform_action(session, cal, case, "assign", CLERK, {"department": "rsj"}, now=T0)
    before = session.scalar(select(func.count()).select_from(CaseEvent))
    with pytest.raises(WorkflowError):
        service.perform_action(session, cal, case, "reply", HANDLER, {"outcome": "支持"}, now=T0)
    session.expire_all()
    assert case.status == "assigned"
    assert session.scalar(select(func.count()).select_from(CaseEvent)) == before
    assert len(notices(session, case)) == 2


def test_assign_to_an_unknown_department_is_refused(session, cal):
    case = new_case(session, cal)
    with pytest.raises(WorkflowError, match="没有编码为 nosuch 的部门"):
        service.perform_action(session, cal, case, "assign", CLERK, {"department": "nosuch"}, now=T0)


def test_objection_returns_the_case_for_rerouting_on_the_original_clock(session, cal):
    case = new_case(session, cal)
    service.perform_action(session, cal, case, "assign", CLERK, {"department": "rsj"}, now=T0)
    service.perform_action(session, cal, case, "object", HANDLER, {"reason": "属于住建部门职责"}, now=T0 + timedelta(days=2))
    assert (case.status, case.department_code, case.clock) == ("received", None, "route")
    assert cal.local_date(case.due_at).isoformat() == "2026-03-17"


def test_routed_case_leaves_the_petition_clock_and_tells_the_citizen_where_and_why(session, cal):
    case = new_case(session, cal, text="法院判决对方还钱，已经两年了还没执行")
    service.perform_action(session, cal, case, "route", CLERK, {
        "route": "litigation", "body": "康定市人民法院执行局", "reason": "属于生效判决的执行"}, now=T0)
    assert (case.status, case.due_at, case.path) == ("routed", None, "litigation")
    text = notices(session, case)[-1].text
    assert "康定市人民法院执行局" in text and "属于生效判决的执行" in text


def test_a_theft_routed_as_suggested_is_told_the_police_window_not_the_civil_one(session, cal):
    text = "我家的牦牛被邻居偷了三头"
    case = new_case(session, cal, text=text)
    service.classify_labels(session, case, classify(text).to_dict(), now=T0)
    service.perform_action(session, cal, case, "route", CLERK, {
        "route": "litigation", "body": "理塘县公安局", "reason": "涉嫌盗窃，应由公安机关立案"}, now=T0)
    text = notices(session, case)[-1].text
    assert "公安机关" in text and "立案监督" in text and "诉讼时效" not in text
    # The tracking page says the same.
    window = public.status_view(session, cal, case)["route"]["window"]
    assert "立案监督" in window and "诉讼时效" not in window


def test_system_closes_after_the_review_window(session, cal):
    case = new_case(session, cal)
    service.perform_action(session, cal, case, "assign", CLERK, {"department": "rsj"}, now=T0)
    service.perform_action(session, cal, case, "accept", HANDLER, now=T0)
    service.perform_action(session, cal, case, "reply", HANDLER, {
        "outcome": "解释说明", "text": "政策解释", "facts": "经查", "basis": "政策"}, now=T0)
    with pytest.raises(WorkflowError):
        service.perform_action(session, cal, case, "close", Actor.system(), now=T0 + timedelta(days=30))
    service.perform_action(session, cal, case, "close", Actor.system(), now=T0 + timedelta(days=32))
    assert case.status == "closed"


def test_handler_of_another_department_cannot_see_or_act(session, cal):
    case = new_case(session, cal)
    service.perform_action(session, cal, case, "assign", CLERK, {"department": "rsj"}, now=T0)
    with pytest.raises(CaseNotFound):
        service.get_case(session, case.tracking_code, OTHER_HANDLER)
    with pytest.raises(CaseNotFound):
        service.perform_action(session, cal, case, "accept", OTHER_HANDLER, now=T0)
    assert service.get_case(session, case.tracking_code, HANDLER) is case


def test_county_staff_see_only_their_county(session, cal):
    kangding = new_case(session, cal, openid="o-1", county="康定市")
    litang = new_case(session, cal, openid="o-2", county="理塘县")
    county_clerk = Actor("staff", "clerk", 9, "理塘县登记员", county="理塘县")
    visible = session.scalars(service.scope_filter(county_clerk, select(Case))).all()
    assert [c.id for c in visible] == [litang.id]
    with pytest.raises(CaseNotFound):
        service.get_case(session, kangding.tracking_code, county_clerk)


def test_whistleblower_identity_reaches_only_the_petition_office_and_discipline(session, cal):
    case = new_case(session, cal, text="举报某局局长收受贿赂", labels={"demand_type": "检举控告", "path": "discipline"})
    assert case.confidential
    service.perform_action(session, cal, case, "assign", CLERK, {"department": "zjj"}, now=T0)
    accused_dept = Actor("staff", "handler", 5, "住建局承办人", department_code="zjj")
    discipline = Actor("staff", "handler", 6, "纪委承办人", department_code="jw")
    assert service.can_see(accused_dept, case) and not service.may_see_identity(accused_dept, case)
    assert service.may_see_identity(CLERK, case)
    assert service.may_see_identity(discipline, case) is False  # not assigned there: cannot see the case at all


def test_timeline_is_append_only(session, cal):
    case = new_case(session, cal)
    event = case.events[0]
    event.note = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        session.commit()


def test_a_concurrent_change_is_refused_not_lost(rt, cal):
    with rt.Session() as s1:
        case = new_case(s1, cal)
        code = case.tracking_code
    with rt.Session() as s1, rt.Session() as s2:
        c1 = s1.scalar(select(Case).where(Case.tracking_code == code))
        c2 = s2.scalar(select(Case).where(Case.tracking_code == code))
        service.perform_action(s1, cal, c1, "assign", CLERK, {"department": "rsj"}, now=T0)
        with pytest.raises(ConflictError):
            service.perform_action(s2, cal, c2, "assign", CLERK, {"department": "zjj"}, now=T0)
    with rt.Session() as s3:
        case = s3.scalar(select(Case).where(Case.tracking_code == code))
        assert case.department_code == "rsj"
        assert [e.action for e in case.events] == ["register", "assign"]


def test_a_petitioner_is_found_again_by_openid_and_searchable_by_pinyin(session, cal):
    first = service.find_or_create_petitioner(session, openid="o-42", name="扎西")
    again = service.find_or_create_petitioner(session, openid="o-42")
    assert first.id == again.id
    case = service.register_case(session, cal, channel="wechat", text="草场补贴没有发", petitioner=first, now=T0)
    clerk = Actor("staff", "clerk", 1, "c")
    for term in ("zhaxi", "zx", "扎西", case.tracking_code):
        found = session.scalars(service.search_terms(service.scope_filter(clerk, select(Case)), term)).all()
        assert [c.id for c in found] == [case.id], term


def test_tracking_code_normalisation():
    assert normalize_tracking_code(" abcd-efgh 23 ") == "ABCDEFGH23"
    assert normalize_tracking_code("ABCDEFGH2O") is None  # O is not in the alphabet
    assert normalize_tracking_code("ＡＢＣＤ－ＥＦＧＨ２３") == "ABCDEFGH23"  # a Chinese keyboard's full width
    assert normalize_tracking_code("short") is None


def test_a_repeat_of_an_open_case_is_linked_to_it(session, cal):
    first = new_case(session, cal, text="我们村的草场补贴2025年的一直没有发下来，请领导帮忙解决")
    again = new_case(session, cal, text="领导您好，我们村草场补贴2025年的一直没发下来，请帮忙解决一下",
                     now=T0 + timedelta(days=3))
    unrelated = new_case(session, cal, text="县医院收费太高，看病报销比例太低", now=T0 + timedelta(days=4))
    assert again.duplicate_of_id == first.id
    assert unrelated.duplicate_of_id is None


def test_near_identical_petitions_from_many_people_join_one_mass_petition(session, cal):
    text = "九龙县某水电站移民安置房漏水严重，后期扶持资金三年没有到位，请州里督促解决"
    cases = [new_case(session, cal, openid=f"o-mass-{i}", text=text + "。" * i, county="九龙县",
                      now=T0 + timedelta(hours=i)) for i in range(4)]
    assert [c.duplicate_of_id for c in cases] == [None] + [cases[0].id] * 3


def test_one_batch_finds_each_cases_own_original_by_county_phone_and_time(session, cal):
    mass = "九龙县某水电站移民安置房漏水严重，后期扶持资金三年没有到位，请州里督促解决"
    own = "我们村的草场补贴2025年的一直没有发下来，请领导帮忙解决"
    joined = new_case(session, cal, openid="o-mass-0", text=mass, county="九龙县")
    repeated = new_case(session, cal, openid="o-herder", text=own, county="理塘县")
    stale = new_case(session, cal, openid="o-old", text="县医院收费太高，看病报销比例太低，请调查处理", county="泸定县")
    later = T0 + service.DUPLICATE_LOOKBACK + timedelta(days=1)
    petitioners = [service.find_or_create_petitioner(session, openid=o, phone=p) for o, p in
                   (("o-mass-1", None), ("o-herder-new-phone", "13800001234"), ("o-old", None))]
    # One registration batch, three counties: the herder writes from another account with the same
    # phone and another county; the hospital complaint comes back after the look-back.
    batch = service.register_cases(session, cal, [
        service.Petition(channel="wechat", text=mass + "。", petitioner=petitioners[0], county="九龙县",
                         now=T0 + timedelta(hours=1)),
        service.Petition(channel="wechat", text=own + "！", petitioner=petitioners[1], county="稻城县",
                         now=T0 + timedelta(hours=2)),
        service.Petition(channel="wechat", text="县医院收费太高，看病报销比例太低，请调查处理。", petitioner=petitioners[2],
                         county="泸定县", now=later)])
    assert [case.duplicate_of_id for case, _ in batch] == [joined.id, repeated.id, None]
    assert stale.duplicate_of_id is None


def replied_case(session, cal, replied_on):
    case = new_case(session, cal)
    service.perform_action(session, cal, case, "assign", CLERK, {"department": "rsj"}, now=replied_on)
    service.perform_action(session, cal, case, "accept", HANDLER, now=replied_on)
    service.perform_action(session, cal, case, "reply", HANDLER, {
        "outcome": "不予支持", "text": "诉求缺乏依据", "facts": "经查", "basis": "相关规定"}, now=replied_on)
    return case


def test_review_asked_on_day_thirty_one_is_refused_and_nothing_changes(session, cal):
    case = replied_case(session, cal, at("2026-03-02 10:00"))
    with pytest.raises(WorkflowError, match="已超过复查申请期限"):
        service.perform_action(session, cal, case, "request_review", Actor.citizen(case.petitioner_id),
                               now=at("2026-04-02 08:00"))
    session.expire_all()
    assert case.status == "replied" and case.events[-1].action == "reply"


def test_review_asked_on_day_thirty_opens_the_review_clock(session, cal):
    case = replied_case(session, cal, at("2026-03-02 10:00"))
    service.perform_action(session, cal, case, "request_review", Actor.citizen(case.petitioner_id),
                           now=at("2026-04-01 21:00"))
    assert (case.status, case.clock) == ("review", "review")
    assert cal.local_date(case.due_at).isoformat() == "2026-05-06"  # 30 days end 05-01, a holiday


def test_working_day_calendar_moves_every_clock(session):
    from xinfang.cases.deadlines import Calendar

    working = Calendar.load(day_count="working")
    case = new_case(session, working, now=at("2026-03-06 09:00"))
    assert working.local_date(case.due_at).isoformat() == "2026-03-27"  # 15 working days


def test_the_body_one_level_up_sees_the_case_it_reviews(session, cal):
    case = replied_case(session, cal, at("2026-03-02 10:00"))
    reviewer = Actor("staff", "handler", 7, "复查机关承办人", department_code="xfj")
    assert not service.can_see(reviewer, case)
    case.review_department_code = "xfj"  # as cases.reviews routes a 复查 to the body above
    session.commit()
    assert service.can_see(reviewer, case)
    assert session.scalars(service.scope_filter(reviewer, select(Case))).all() == [case]
    nobody = Actor("staff", "handler", 8, "无部门", department_code=None)
    assert not service.can_see(nobody, case)
