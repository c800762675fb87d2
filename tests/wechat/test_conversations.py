"""Whole conversations through /wechat: signed, encrypted XML in, the bot's passive replies out."""
import re

import pytest
from sqlalchemy import select

from xinfang.admin import queries
from xinfang.cases import public, service
from xinfang.cases.service import Actor
from xinfang.models import Attachment, CaseEvent, Petitioner
from xinfang.simulator.constants import MENU_GUIDE, MENU_REPORT, MENU_TRACK

from .conftest import OPENID

CODE = re.compile(r"查询码：([23456789A-HJKMNP-Z]{10})")


def say(wechat, text, openid=OPENID):
    reply = wechat.send_text(openid, text)
    assert reply.ok and reply.kind == "text", reply
    return reply.content


def test_happy_path_goes_straight_to_the_summary(wechat, cases):
    answer = say(wechat, "康定市新都桥镇的工地老板拖欠我们工资三个月了，电话13812345678，请帮忙讨薪")
    assert "请核对" in answer and "康定市新都桥镇" in answer and "138****5678" in answer
    assert "劳动和社会保障" in answer and "确认" in answer
    assert cases() == []  # nothing is registered before 确认
    answer = say(wechat, "确认")
    code = CODE.search(answer).group(1)
    [case] = cases()
    assert case.tracking_code == code and case.channel == "wechat" and case.county == "康定市"
    assert case.status == "received" and case.classification["category"] == "劳动和社会保障"
    assert case.petitioner.openid == OPENID and case.petitioner.phone == "13812345678"
    # The draft is gone: a second 确认 submits nothing.
    assert "没有待提交" in say(wechat, "确认")
    assert len(cases()) == 1


def test_missing_county_is_asked_with_the_numbered_list(wechat, cases):
    answer = say(wechat, "我们村的路垮了半年没人修，娃娃上学要绕很远")
    assert "哪个县" in answer and "1 康定市" in answer and "18 得荣县" in answer
    answer = say(wechat, "14")
    assert "电话" in answer and "跳过" in answer
    answer = say(wechat, "跳过")
    assert "理塘县" in answer and "电话：未留" in answer
    code = CODE.search(say(wechat, "确认")).group(1)
    [case] = cases()
    assert case.tracking_code == code and case.county == "理塘县" and case.petitioner.phone is None


def test_a_draft_redis_lost_is_read_back_from_the_answered_messages(wechat, rt, cases):
    say(wechat, "我们村的路垮了半年没人修，娃娃上学要绕很远")
    rt.redis.flushdb()  # Redis restarted without its data: the draft is gone from it
    assert "电话" in say(wechat, "14")  # still the county question's answer
    rt.redis.flushdb()
    assert "理塘县" in say(wechat, "跳过")
    rt.redis.flushdb()
    code = CODE.search(say(wechat, "确认")).group(1)
    [case] = cases()
    assert case.tracking_code == code and case.county == "理塘县" and "路垮了" in case.text


def test_a_cancelled_or_submitted_draft_is_not_read_back(wechat, rt, cases):
    say(wechat, "巴塘县医院挂号排队太久，希望增加窗口，电话13812345678")
    say(wechat, "取消")
    rt.redis.flushdb()
    assert "没有待提交" in say(wechat, "确认")
    say(wechat, "巴塘县医院挂号排队太久，希望增加窗口，电话13812345678")
    assert CODE.search(say(wechat, "确认"))
    rt.redis.flushdb()
    assert "没有待提交" in say(wechat, "确认")
    assert len(cases()) == 1


def test_homophone_and_township_answers(wechat, cases):
    say(wechat, "我家草场的补助款两年没有发下来，找了好几次都说等一等")
    answer = say(wechat, "理唐")  # a homophone of 理塘
    assert "电话" in answer
    assert "理塘县" in say(wechat, "0836-2812345")
    say(wechat, "确认")
    [case] = cases()
    assert case.county == "理塘县" and case.petitioner.phone == "0836-2812345"


def test_a_township_names_its_county(wechat, cases):
    say(wechat, "家门口的河沟被人倒满了建筑垃圾，下雨就淹到院子里")
    say(wechat, "磨西镇")
    say(wechat, "跳过")
    say(wechat, "确认")
    [case] = cases()
    assert case.county == "泸定县" and case.township == "磨西镇"


def test_an_unrecognised_county_is_asked_again(wechat):
    say(wechat, "村委会的账目一直不公开，村民都有意见")
    answer = say(wechat, "火星")
    assert "没有认出" in answer and "1 康定市" in answer


def test_the_story_told_at_the_county_question_is_kept_not_taken_for_a_county(wechat, cases):
    assert "请写下您要反映的事情" in say(wechat, "我要反应问题")  # 反应 for 反映: no story yet
    assert cases() == [] and "哪个县" in say(wechat, "我们村的路烂了好久了没人修")
    # Longer than a county's name, and only sounding like one ("的路" ~ 德格): more of the story.
    assert "哪个县" in say(wechat, "路上全是大坑，娃娃上学要走两个小时，下雨天根本走不了")
    say(wechat, "得荣")
    summary = say(wechat, "跳过")
    assert "得荣县" in summary and "我们村的路烂了" in summary and "下雨天根本走不了" in summary


def test_a_story_naming_its_county_at_the_county_question_keeps_both(wechat, cases):
    assert "哪个县" in say(wechat, "工资")
    assert "电话" in say(wechat, "老板欠我们十几个人的工资三万多，在九龙县的工地")
    summary = say(wechat, "跳过")
    assert "九龙县" in summary and "十几个人的工资三万多" in summary


@pytest.mark.parametrize("no", ["没有电话", "不方便留", "没有"])
def test_declining_the_phone_in_words_is_a_skip(wechat, no):
    say(wechat, "色达县洛若镇的供暖一直不热，家里老人冻病了")
    summary = say(wechat, no)
    assert "请核对" in summary and "电话：未留" in summary


def test_a_story_typed_in_pieces_at_the_county_question_is_kept_whole(wechat):
    say(wechat, "我家的房子")
    assert "哪个县" in say(wechat, "被洪水冲垮了")
    assert "哪个县" in say(wechat, "现在没地方住")
    assert "没有认出" in say(wechat, "火星")  # no longer than a county's name: a county mistyped
    assert "哪个县" in say(wechat, "我们的路坏了")  # "的路" only sounds like 德格: story, not a county
    say(wechat, "在理塘那边")
    summary = say(wechat, "跳过")
    assert "我家的房子" in summary and "被洪水冲垮了" in summary and "我们的路坏了" in summary
    assert "理塘县" in summary and "火星" not in summary


def test_more_of_the_story_at_the_phone_question_is_kept_and_the_number_asked_again(wechat):
    say(wechat, "炉霍县的路修了一半就停了")
    assert "电话" in say(wechat, "还有桥也没修好，娃娃上学要绕很远")
    assert "号码格式不对" in say(wechat, "我的电话1380000222")  # a number mistyped is not story
    summary = say(wechat, "13800002222")
    assert "还有桥也没修好" in summary and "138****2222" in summary and "1380000222" not in summary


def test_a_county_named_in_tibetan_script_is_an_answer_not_more_story(wechat):
    say(wechat, "ང་ཚོའི་གྲོང་ཚོ་ལ་ཆུ་མེད།")
    assert "电话" in say(wechat, "དར་རྩེ་མདོ་རྫོང་")  # 康定 and "county": four syllables, sixteen code points
    summary = say(wechat, "跳过")
    assert "康定市" in summary and "རྫོང" not in summary


def test_a_county_put_right_at_the_phone_question_is_taken_and_the_number_asked_again(wechat):
    say(wechat, "炉霍县的路修了一半就停了")
    answer = say(wechat, "不是炉霍，是道孚")
    assert "道孚县" in answer and "电话" in answer and "格式不对" not in answer
    summary = say(wechat, "13800001111")
    assert "地点：道孚县" in summary and "138****1111" in summary


def test_commands_at_the_county_question_are_commands(wechat):
    say(wechat, "村里的自来水管冻裂了，一个月没有水")
    assert "没有待评价" in say(wechat, "评价")
    assert "没有找到查询码为 ABC 的事项" in say(wechat, "查询 ABC")
    assert "电话" in say(wechat, "5")  # the intake waited on its county all along: 5 is 雅江县


def test_an_amendment_that_corrects_the_place_moves_the_county(wechat, cases):
    say(wechat, "我家的房子被洪水冲垮了，住在道孚县，电话１３８１２３４５６７８")
    say(wechat, "修改")
    summary = say(wechat, "不是道孚，是炉霍")
    assert "地点：炉霍县" in summary
    say(wechat, "确认")
    [case] = cases()
    assert case.county == "炉霍县" and case.petitioner.phone == "13812345678"


def test_a_bad_phone_is_refused_with_the_format(wechat):
    say(wechat, "丹巴县的自来水停了一个星期，没人来修")
    assert "格式不对" in say(wechat, "12345")
    assert "请核对" in say(wechat, "13912345678")


def test_cancel_drops_the_draft(wechat, cases):
    say(wechat, "巴塘县医院挂号排队太久，希望增加窗口")
    assert "已取消" in say(wechat, "取消")
    assert "没有待提交" in say(wechat, "确认")
    assert cases() == []


def test_amend_adds_text_before_submitting(wechat, cases):
    say(wechat, "稻城县城区的路灯坏了很多，晚上走路不安全，电话13800001111")
    assert "补充" in say(wechat, "修改")
    answer = say(wechat, "主要是香格里拉大道那一段")
    assert "请核对" in answer
    say(wechat, "确认")
    [case] = cases()
    assert "路灯坏了" in case.text and "香格里拉大道" in case.text


def test_a_county_can_be_corrected_at_the_summary(wechat, cases):
    say(wechat, "康定市的公交车太少了，等一趟要一个小时，电话13800002222")
    assert "泸定县" in say(wechat, "泸定")
    say(wechat, "确认")
    assert cases()[0].county == "泸定县"


@pytest.mark.parametrize("text, procedure, body", [
    ("我被公司辞退了，一分钱补偿都没有，我在康定市，电话13800003333", "仲裁", "劳动人事争议仲裁委员会"),
    ("对县市场监管局的行政处罚决定不服，我在炉霍县，电话13800004444", "行政复议", "行政复议机关"),
    ("邻居占了我家的宅基地，想起诉他，我在色达县，电话13800005555", "诉讼", "人民法院"),
])
def test_a_legal_procedure_case_is_recorded_and_explained(wechat, cases, text, procedure, body):
    summary = say(wechat, text)
    assert f"依法应通过{procedure}解决" in summary
    answer = say(wechat, "确认")
    assert "查询码：" in answer and f"依法应通过{procedure}解决" in answer and body in answer
    assert "原因：" in answer and "时限：" in answer and re.search(r"\d+(日|年|个月)", answer)
    [case] = cases()
    assert case.status == "received"  # recorded all the same; a clerk confirms the route (Art. 44)
    assert case.path in ("litigation", "arbitration", "reconsideration")


def test_a_theft_is_sent_to_the_police_not_given_a_civil_limitation(wechat, cases):
    say(wechat, "我家的牦牛被邻居偷了三头，派出所不管，我在理塘县，电话13800006666")
    answer = say(wechat, "确认")
    assert "查询码：" in answer and "公安机关" in answer and "立案监督" in answer
    assert "诉讼时效" not in answer and "应通过诉讼解决" not in answer
    assert "公安、检察机关的法律程序" in answer and "原因：" in answer


def test_tibetan_text_gets_a_bilingual_answer_and_a_flagged_case(wechat, cases):
    answer = say(wechat, "ང་ཚོའི་གྲོང་ཚོ་ལ་ཆུ་མེད། 我们村没有自来水")
    assert re.search("[\u0f00-\u0fff]", answer) and "藏文" in answer
    assert "དར་རྩེ་མདོ" in answer  # the county list carries the Tibetan names
    say(wechat, "1")
    say(wechat, "跳过")
    answer = say(wechat, "确认")
    assert "查询码：" in answer and re.search("[\u0f00-\u0fff]", answer)
    [case] = cases()
    assert case.tibetan and case.county == "康定市"


def test_voice_uses_the_recognition_text(wechat, cases):
    reply = wechat.send_voice(OPENID, recognition="九龙县乡里的低保名单不公平，电话13800006666")
    assert "请核对" in reply.content and "九龙县" in reply.content
    say(wechat, "确认")
    assert "低保" in cases()[0].text


def test_voice_without_recognition_asks_for_text(wechat, cases):
    reply = wechat.send_voice(OPENID, recognition=None)
    assert "改发文字" in reply.content
    assert cases() == []


def test_images_are_attached_to_the_open_intake(wechat, session, cases):
    reply = wechat.send_image(OPENID, media_id="media-photo-1")
    assert "1个附件" in reply.content and "文字" in reply.content
    say(wechat, "石渠县的桥被水冲坏了，照片在上面，电话13800007777")
    wechat.send_file(OPENID, "材料清单.pdf")
    answer = say(wechat, "确认")
    assert "查询码：" in answer
    [case] = cases()
    attachments = session.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
    assert sorted(a.kind for a in attachments) == ["file", "image"]
    assert "media-photo-1" in [a.storage for a in attachments]


def test_a_location_gives_the_county(wechat, cases):
    reply = wechat.send_location(OPENID, 31.62, 100.01, label="甘孜县城附近")
    assert "甘孜县" in reply.content and "文字" in reply.content
    answer = say(wechat, "这里的垃圾站好久没人清运了，臭得很，电话13800008888")
    assert "甘孜县" in answer and "请核对" in answer
    say(wechat, "确认")
    assert cases()[0].county == "甘孜县"


def test_a_location_outside_the_prefecture_is_not_guessed(wechat):
    reply = wechat.send_location(OPENID, 30.66, 104.07, label="成都")
    assert "不在甘孜州" in reply.content


def test_subscribe_welcomes_with_the_personal_data_notice(wechat, session):
    reply = wechat.send_event(OPENID, "subscribe")
    assert "欢迎" in reply.content and "查询" in reply.content and "个人信息" in reply.content
    assert len(reply.content) < 400
    petitioner = session.scalar(select(Petitioner).where(Petitioner.openid == OPENID))
    assert petitioner.subscribed and petitioner.last_inbound_at is not None


def test_unsubscribe_stops_pushes(wechat, session):
    say(wechat, "你好")
    reply = wechat.send_event(OPENID, "unsubscribe")
    assert reply.kind == "success"
    session.expire_all()
    assert session.scalar(select(Petitioner).where(Petitioner.openid == OPENID)).subscribed is False


def test_menu_clicks(wechat):
    assert "请写下" in wechat.send_event(OPENID, "CLICK", EventKey=MENU_REPORT).content
    assert "没有在办" in wechat.send_event(OPENID, "CLICK", EventKey=MENU_TRACK).content
    assert "六十" in wechat.send_event(OPENID, "CLICK", EventKey=MENU_GUIDE).content.replace("60", "六十")


def test_query_tells_status_department_and_days_left(wechat):
    say(wechat, "新龙县的学校食堂饭菜太差，家长意见很大，电话13800009999")
    code = CODE.search(say(wechat, "确认")).group(1)
    answer = say(wechat, f"查询 {code.lower()}")
    assert code in answer and "已登记" in answer and re.search(r"还有\d+天", answer)
    answer = say(wechat, "查询")
    assert code in answer and "1件" in answer
    assert "没有找到" in say(wechat, "查询 ABCDEFGHJK")


def test_query_of_a_replied_case_reads_the_opinion(wechat, session, cal, cases):
    say(wechat, "丹巴县的自来水停了一个星期，没人来修，电话13800007777")
    code = CODE.search(say(wechat, "确认")).group(1)
    [case] = cases()
    admin = Actor("staff", "admin", None, "管理员")
    for action, params in (("assign", {"department": "slj"}), ("accept", {}),
                           ("reply", {"outcome": "支持", "text": "已督促水厂三日内恢复供水", "facts": "属实",
                                      "basis": "《城市供水条例》"})):
        service.perform_action(session, cal, case, action, admin, params)
    answer = say(wechat, f"查询 {code}")
    assert "已答复" in answer and "处理意见" in answer and "支持。已督促水厂三日内恢复供水" in answer


def test_a_supplement_after_submitting_reaches_the_case_and_its_staff(wechat, session, cal, cases):
    say(wechat, "理塘县的草场被邻村占了三年，电话13812345678")
    code = CODE.search(say(wechat, "确认")).group(1)
    assert "补充：" in say(wechat, "补充")  # told how
    assert f"已补充到您的事项（查询码 {code}）" in say(wechat, "补充一下，占草场的是邻村的村长，姓张")
    [case] = cases()
    status = public.status_view(session, cal, case)
    assert [e["note"] for e in status["timeline"] if e["action"] == "supplement"] == ["占草场的是邻村的村长，姓张"]
    clerk = Actor("staff", "clerk", None, "登记员")  # not assigned yet: the 信访部门's
    assert [n.event for n in queries.notices_for(session, clerk)] == ["supplement"]


def test_a_code_asked_for_before_the_queue_registered_it(make_gateway, rt):
    from .conftest import work_off_intake

    _, wechat = make_gateway("safe", worker=False)  # the worker is busy elsewhere for a moment
    say(wechat, "新龙县的学校食堂饭菜太差，家长意见很大，电话13800009999")
    code = CODE.search(say(wechat, "确认")).group(1)
    assert "正在登记" in say(wechat, f"查询 {code}")
    assert code in say(wechat, "查询") and "正在登记" in say(wechat, "查询")
    work_off_intake(rt)
    answer = say(wechat, f"查询 {code}")
    assert "已登记" in answer and re.search(r"还有\d+天", answer)


def test_query_alone_lists_the_submission_being_registered_then_open_cases_newest_first(make_gateway, rt):
    from .conftest import work_off_intake

    _, wechat = make_gateway("safe", worker=False)
    codes = []
    for text in ("新龙县的学校食堂饭菜太差，家长意见很大，电话13800009999",
                 "康定市新都桥镇的工地老板拖欠我们工资三个月了，电话13800009999"):
        say(wechat, text)
        codes.append(CODE.search(say(wechat, "确认")).group(1))
        work_off_intake(rt)
    say(wechat, "泸定县城的路灯坏了两个月，晚上走路很危险，电话13800009999")
    waiting = CODE.search(say(wechat, "确认")).group(1)
    lines = say(wechat, "查询").splitlines()
    assert "3件" in lines[0]
    assert [line.split()[0] for line in lines[1:4]] == [waiting, codes[1], codes[0]]
    assert "正在登记" in lines[1] and "已登记" in lines[2] and "已登记" in lines[3]


def test_review_only_on_own_case_and_with_the_workflow_reason(wechat):
    say(wechat, "白玉县的网络信号太差，打电话都打不通，电话13800001234")
    code = CODE.search(say(wechat, "确认")).group(1)
    refused = say(wechat, f"复查 {code}")
    assert "不能" in refused and "已登记" in refused  # no 处理意见 yet: the workflow's reason
    assert "没有找到您名下" in say(wechat, f"复查 {code}", openid="oSomeoneElse000000000000001")
    assert "查询码" in say(wechat, "复核")


def answered_petition(wechat, session, cal, cases) -> str:
    """A petition sent through the bot and answered by its department; its 查询码."""
    say(wechat, "康定市的工地老板拖欠我们工资三个月，电话13800004321")
    code = CODE.search(say(wechat, "确认")).group(1)
    [case] = cases()
    handler = Actor("staff", "handler", None, "承办人", department_code="rsj")
    service.perform_action(session, cal, case, "assign", Actor("staff", "clerk", None, "登记员"), {"department": "rsj"})
    service.perform_action(session, cal, case, "accept", handler)
    service.perform_action(session, cal, case, "reply", handler, {
        "outcome": "不予支持", "text": "经核查工资已结清", "facts": "有签收单", "basis": "《劳动合同法》"})
    return code


def test_review_alone_takes_the_one_case_it_can_be(wechat, session, cal, cases):
    assert "没有可以申请复查的事项" in say(wechat, "复查")
    code = answered_petition(wechat, session, cal, cases)
    assert "没有可以申请复核的事项" in say(wechat, "复核")  # no 复查 yet
    answer = say(wechat, "复查")  # no code to type: the only answered case
    assert "复查申请" in answer and code in answer
    session.expire_all()
    assert cases()[0].status == "review"


def test_a_wish_to_withdraw_reaches_whoever_holds_the_case(wechat, session, cases):
    assert "没有在办的事项" in say(wechat, "我想撤回")
    say(wechat, "康定市炉城镇的路灯坏了三个月了，晚上很黑，电话13800001234")
    code = CODE.search(say(wechat, "确认")).group(1)
    assert code in say(wechat, "我想撤回，路灯已经修好了")
    [case] = cases()
    assert case.status == "received"  # staff decide what becomes of it
    lines = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert any("不再需要办理" in (e.note or "") and "路灯已经修好了" in (e.note or "") for e in lines)


def test_help_and_greetings_do_not_start_an_intake(wechat, cases):
    assert "请直接写下" in say(wechat, "你好")
    assert "请直接写下" in say(wechat, "。。。")
    assert "不客气" in say(wechat, "谢谢")
    assert "办事指南" in say(wechat, "办事指南")
    assert "哪个县" not in say(wechat, "好的")
    assert cases() == []


def test_a_place_alone_is_kept_and_the_story_asked_for(wechat, cases):
    assert "已记下地点：泸定县磨西镇" in say(wechat, "磨西镇")
    say(wechat, "酒店收了定金不退，老板电话也不接了")
    summary = say(wechat, "跳过")
    assert "地点：泸定县磨西镇" in summary and "事情：酒店收了定金不退" in summary


def test_asking_after_an_earlier_matter_is_a_query_not_a_petition(wechat, cases):
    assert "没有在办的事项" in say(wechat, "我之前反映的事情怎么样了")
    assert "不客气" in say(wechat, "👍")
    assert cases() == []


def test_a_yes_at_the_summary_submits(wechat, cases):
    say(wechat, "巴塘县的村小学没有老师了，孩子们两个月没上课，电话13812345678")
    assert "查询码：" in say(wechat, "好的")
    assert "不客气" in say(wechat, "谢谢")
    [case] = cases()
    assert case.county == "巴塘县"


def test_a_life_at_risk_is_told_to_call_the_emergency_services_at_once(wechat, cases):
    answer = say(wechat, "村里的桥塌了，现在有人被困在河对岸，快派人来")
    assert answer.startswith("如有人身危险，请立即拨打 110") and "哪个县" in answer
    assert "110" not in say(wechat, "泸定")  # said once, with the words that raised it


def test_survey_words_without_a_survey(wechat):
    assert "没有待评价" in say(wechat, "评价 满意")


def test_floods_are_answered_and_still_stored(wechat, messages):
    for i in range(20):
        wechat.send_text(OPENID, f"第{i}条：乡城县的路不通")
    reply = wechat.send_text(OPENID, "还有一条")
    assert "太快" in reply.content
    assert len(messages()) == 21 and messages()[-1].payload["Content"] == "还有一条"


def test_a_lone_survey_word_without_a_survey_is_not_a_petition(wechat):
    assert "请直接写下" in say(wechat, "1")
    assert "请直接写下" in say(wechat, "满意")
    # A story that starts with the word is a petition all the same.
    assert "哪个县" in say(wechat, "不满意村里低保的分配，名单不公开")


def test_review_of_a_replied_case_is_taken_on_the_citizens_word(wechat, session, cal, cases):
    code = answered_petition(wechat, session, cal, cases)
    answer = say(wechat, f"复查 {code}")
    assert "复查申请" in answer and code in answer
    session.expire_all()
    assert cases()[0].status == "review"
    assert "不能" in say(wechat, f"复查 {code}")  # asked once: the workflow says why not again
