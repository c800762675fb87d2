"""The messages WeChat builds, read back with wechatpy's own parser."""

from wechatpy import parse_message

from xinfang.simulator import messages
from xinfang.simulator.constants import MENU_REPORT, TEMPLATE_USER_BLOCK

GH = "gh_6a78f0c1d2e3"
OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz1"


def parsed(fields):
    return parse_message(messages.render_xml(fields))


def test_text_message_has_msg_id_and_create_time():
    fields = messages.text_message(GH, OPENID, "道路坑洼 <请修> ]]> 谢谢")
    message = parsed(fields)
    assert message.type == "text"
    assert message.content == "道路坑洼 <请修> ]]> 谢谢"
    assert message.source == OPENID and message.target == GH
    assert message.id == fields["MsgId"] and 0 < message.id < 2**63
    assert abs(message.create_time.timestamp() - fields["CreateTime"]) < 1


def test_msg_ids_are_unique():
    ids = {messages.text_message(GH, OPENID, "x")["MsgId"] for _ in range(2000)}
    assert len(ids) == 2000


def test_voice_with_and_without_recognition():
    with_text = parsed(messages.voice_message(GH, OPENID, "media-1", recognition="我要反映"))
    assert with_text.type == "voice" and with_text.recognition == "我要反映"
    assert with_text.media_id == "media-1" and with_text.format == "amr"
    without = messages.voice_message(GH, OPENID, "media-2")
    assert "Recognition" not in without
    assert parsed(without).recognition is None


def test_image_and_location():
    image = parsed(messages.image_message(GH, OPENID, "http://pic.example/1.jpg", "m-1"))
    assert (image.type, image.image, image.media_id) == ("image", "http://pic.example/1.jpg", "m-1")
    location = parsed(messages.location_message(
        GH, OPENID, 30.0497, 101.9636, scale=16, label="康定市炉城镇"))
    assert location.type == "location"
    assert tuple(map(float, location.location)) == (30.0497, 101.9636)
    assert int(location.scale) == 16 and location.label == "康定市炉城镇"


def test_file_message_fields():
    fields = messages.parse_xml(messages.render_xml(messages.file_message(
        GH, OPENID, "材料.pdf", file_key="k", file_md5="d41d8cd9", file_total_len=1024)))
    assert fields["MsgType"] == "file" and fields["Title"] == "材料.pdf"
    assert fields["FileTotalLen"] == "1024" and fields["MsgId"]


def test_events_carry_no_msg_id_as_on_wechat():
    click = messages.click_event(GH, OPENID, MENU_REPORT)
    assert "MsgId" not in click
    event = parsed(click)
    assert event.type == "event" and event.event == "click" and event.key == MENU_REPORT
    assert parsed(messages.subscribe_event(GH, OPENID)).event == "subscribe"
    assert parsed(messages.unsubscribe_event(GH, OPENID)).event == "unsubscribe"


def test_template_finish_event():
    fields = messages.template_finish_event(GH, OPENID, 12345, TEMPLATE_USER_BLOCK)
    event = parsed(fields)
    assert event.event == "templatesendjobfinish"
    assert event.status == "failed:user block"
    assert messages.parse_xml(messages.render_xml(fields))["MsgID"] == "12345"


def test_what_opens_the_customer_service_window():
    assert messages.counts_as_interaction(messages.text_message(GH, OPENID, "x"))
    assert messages.counts_as_interaction(messages.click_event(GH, OPENID, MENU_REPORT))
    assert messages.counts_as_interaction(messages.subscribe_event(GH, OPENID))
    assert not messages.counts_as_interaction(messages.unsubscribe_event(GH, OPENID))
    assert not messages.counts_as_interaction(
        messages.template_finish_event(GH, OPENID, 1, "success"))
