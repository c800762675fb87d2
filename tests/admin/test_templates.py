"""Admin-editable texts: citizen notices and 处理意见 drafts, with preview, checks, audit and restore.

Rule: an override changes what the next notice says, never one already in the
outbox; a text that drops what the law asks the citizen be told (the 查询码,
the right to 复查 within 30 days, Art. 32/35) or uses an unknown placeholder is refused.
"""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.admin.conftest import REPLY, advance, csrf, new_case
from xinfang.models import AuditEntry, Notification, TemplateOverride

REPLIED = "/admin/manage/templates/notice.replied"
NEW_REPLIED = ("【甘孜州信访】{查询码}：{处理结果}。{处理意见} 不服的，请于{期限}前申请复查"
               "（《信访工作条例》第三十五条），回复“复查 {查询码}”。")


def replied(session, cal, openid):
    case = new_case(session, cal, openid=openid, phone=None)
    return advance(session, cal, case, ("assign", {"department": "rsj"}, 0), ("accept", {}, 0), ("reply", REPLY, 0))


def reply_notice(session, case) -> Notification:
    return session.scalar(select(Notification).where(Notification.case_id == case.id, Notification.event == "replied"))


def post(client, path, **data):
    return client.post(path, data={**data, "csrf_token": csrf(client, path)})


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def audited(session, *actions):
    return session.scalars(select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id)).all()


def test_the_list_shows_every_notice_and_draft(signed_in):
    text = page(signed_in("admin").get("/admin/manage/templates"))
    for label in ("告知信访人：登记", "告知信访人：处理意见", "告知信访人：办结", "处理意见草稿：不予支持"):
        assert label in text
    assert "已修改" not in text


def test_an_override_changes_the_next_notice_and_not_one_already_in_the_outbox(session, cal, signed_in):
    before = replied(session, cal, "o-before")
    old_text = reply_notice(session, before).text
    assert old_text.startswith(f"您的信访事项（{before.tracking_code}）已出具处理意见：支持")
    admin = signed_in("admin")

    shown = page(post(admin, REPLIED, do="preview", text=NEW_REPLIED))
    assert "【甘孜州信访】K3M7P9Q2RX：支持。经调查核实，用人单位拖欠工资属实" in shown  # the sample case
    assert session.scalar(select(TemplateOverride)) is None and audited(session, "template_changed") == []

    response = post(admin, REPLIED, do="save", text=NEW_REPLIED)
    assert response.status_code == 303
    assert "此后发出的通知使用新文本" in page(admin.get(REPLIED))
    after = replied(session, cal, "o-after")
    due = cal.local_date(after.due_at)
    assert reply_notice(session, after).text == (
        f"【甘孜州信访】{after.tracking_code}：支持。{REPLY['text']} 不服的，请于{due.year}年{due.month}月{due.day}日前"
        f"申请复查（《信访工作条例》第三十五条），回复“复查 {after.tracking_code}”。")
    session.expire_all()
    assert reply_notice(session, before).text == old_text

    [entry] = audited(session, "template_changed")
    assert entry.username == "admin" and entry.detail["template"] == "notice.replied"
    assert entry.detail["after"] == {"text": NEW_REPLIED} and "已出具处理意见" in entry.detail["before"]["text"]
    assert "已修改" in page(admin.get("/admin/manage/templates"))


def test_the_handlers_confirm_step_shows_the_overridden_notice(session, cal, signed_in):
    post(signed_in("admin"), REPLIED, do="save", text=NEW_REPLIED)
    case = advance(session, cal, new_case(session, cal), ("assign", {"department": "rsj"}, 0), ("accept", {}, 0))
    handler = signed_in("handler")
    confirm = post(handler, f"/admin/cases/{case.tracking_code}/actions/reply", **REPLY)
    assert f"【甘孜州信访】{case.tracking_code}：支持。" in page(confirm)


@pytest.mark.parametrize("text, message", [
    ("您的事项{查询码}已答复：{处理意见}，请于{期限}前申请复查。{姓名}", "未知的占位符：{姓名}"),
    ("您的事项已答复：{处理结果}。{处理意见} 请于{期限}前申请复查。", "缺少必需的占位符：{查询码}"),
    ("您的事项（{查询码}）已答复：{处理结果}。{处理意见} 有疑问请于{期限}前来电。", "须保留“复查”的告知"),
    ("您的事项（{查询码}）已答复：{处理结果}。{处理意见} 请于{期限前申请复查。", "花括号不成对"),
    ("您的事项（{查询码!r}）已答复：{处理结果}。{处理意见} 请于{期限}前申请复查。", "不能带格式或转换"),
    ("您的事项（{查询码.upper}）已答复：{处理结果}。{处理意见} 请于{期限}前申请复查。", "未知的占位符"),
    ("  ", "请填写通知内容"),
])
def test_a_notice_losing_what_the_law_requires_is_refused(session, cal, signed_in, text, message):
    admin = signed_in("admin")
    for do in ("preview", "save"):
        response = post(admin, REPLIED, do=do, text=text)
        assert response.status_code == 400 and message in page(response)
    assert session.scalar(select(TemplateOverride)) is None and audited(session, "template_changed") == []
    case = replied(session, cal, "o-1")
    assert "已出具处理意见" in reply_notice(session, case).text


def test_restore_default_brings_the_code_text_back_and_is_audited(session, cal, signed_in):
    admin = signed_in("admin")
    post(admin, REPLIED, do="save", text=NEW_REPLIED)
    assert post(admin, REPLIED, do="restore").status_code == 303
    assert session.scalar(select(TemplateOverride)) is None
    case = replied(session, cal, "o-1")
    assert reply_notice(session, case).text.startswith(f"您的信访事项（{case.tracking_code}）已出具处理意见：支持")
    assert [e.action for e in audited(session, "template_changed", "template_restored")] == [
        "template_changed", "template_restored"]
    assert audited(session, "template_restored")[0].detail == {"template": "notice.replied",
                                                               "before": {"text": NEW_REPLIED}}
    assert "当前为默认文本" in page(admin.get(REPLIED))


def test_a_reply_draft_is_edited_for_the_composer_and_needs_the_parts_of_art_32(session, cal, signed_in):
    admin = signed_in("admin")
    path = "/admin/manage/templates/reply.支持"
    draft = {"text": "经核查，您的诉求合理，予以支持，将于〔 〕日内办理完毕。", "facts": "经核查：〔 〕",
             "basis": "根据《〔 〕》的规定，"}
    refused = post(admin, path, do="save", **{**draft, "facts": ""})
    assert refused.status_code == 400 and "请填写认定的事实（《信访工作条例》第三十二条）" in page(refused)
    refused = post(admin, path, do="save", **{**draft, "text": "经核查，{姓名}的诉求予以支持。"})
    assert refused.status_code == 400 and "处理意见不使用占位符" in page(refused)

    shown = page(post(admin, path, do="preview", **draft))
    assert "K3M7P9Q2RX）已出具处理意见：支持。经核查，您的诉求合理，予以支持" in shown
    assert post(admin, path, do="save", **draft).status_code == 303
    [entry] = audited(session, "template_changed")
    assert entry.detail["after"] == draft

    case = advance(session, cal, new_case(session, cal), ("assign", {"department": "rsj"}, 0), ("accept", {}, 0))
    form = page(signed_in("handler").get(f"/admin/cases/{case.tracking_code}/actions/reply?template=支持"))
    assert draft["text"] in form and draft["basis"] in form


@pytest.mark.parametrize("name", ["clerk", "handler", "supervisor", "leader"])
def test_only_admins_edit_templates(signed_in, session, name):
    client = signed_in(name)
    assert client.get("/admin/manage/templates").status_code == 403
    assert client.get(REPLIED).status_code == 403
    assert client.post(REPLIED, data={"do": "save", "text": NEW_REPLIED,
                                      "csrf_token": csrf(client, "/admin/password")}).status_code == 403
    assert session.scalar(select(TemplateOverride)) is None


def test_an_unknown_template_is_not_found(signed_in):
    assert signed_in("admin").get("/admin/manage/templates/notice.nothing").status_code == 404
