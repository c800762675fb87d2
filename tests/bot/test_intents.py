"""Reading what a citizen's text asks for, and places from coordinates."""
import pytest

from xinfang.bot import intents, locations


@pytest.mark.parametrize("text, kind, arg", [
    ("确认", "confirm", None),
    ("确认。", "confirm", None),
    ("取消", "cancel", None),
    ("修改", "amend", None),
    ("跳过", "skip", None),
    ("查询", "query", None),
    ("查询 abcde23456", "query", "ABCDE23456"),
    ("查询码：ABCDE-23456", "query", "ABCDE23456"),
    ("复查 ABCDE23456", "review", "ABCDE23456"),
    ("复核", "rereview", None),
    ("查询 ABC", "query", "ABC"),  # a mistyped code: looked up, not found, the citizen told so
    ("查询一下", "query", None),
    ("查询低保政策", "text", "查询低保政策"),  # a question about a policy: a 咨询, not the command
    ("复查 12", "review", "12"),
    ("我要反应问题", "report", None),  # 反应 for 反映, nothing reported yet
    ("我想反映一下情况", "report", None),
    ("举报", "report", None),
    ("我要举报村干部挪用扶贫款", "text", "我要举报村干部挪用扶贫款"),
    ("谢谢！", "thanks", None),
    ("好的", "agree", None),
    ("。。。", "help", None),
    ("👍", "agree", None),
    ("[微笑]", "help", None),  # WeChat's own emoticon, sent as a code
    ("我之前反映的事情怎么样了", "query", None),
    ("要多久", "query", None),
    ("能不能快点", "query", None),
    ("我刚才反映的事有人管吗", "query", None),
    ("路灯坏了有人管吗", "text", "路灯坏了有人管吗"),  # a new matter, asked as a question
    ("我想撤回", "withdraw", "我想撤回"),
    ("我要撤回这个事，路灯修好了", "withdraw", "我要撤回这个事，路灯修好了"),
    ("我要撤销罚款决定", "text", "我要撤销罚款决定"),  # a petition against a decision
    ("上次说的草场的事有结果了吗", "query", None),
    ("村里的路修得怎么样了没人管", "text", "村里的路修得怎么样了没人管"),
    ("补充一下，老板姓张，电话13900000000", "supplement", "老板姓张，电话13900000000"),
    ("补充材料", "amend", None),
    ("办事指南", "guide", None),
    ("你好", "help", None),
    ("喂", "help", None),  # "hello" on the phone: not a petition
    ("不满意 问题没解决", "survey", "不满意 问题没解决"),
    ("3", "survey", "3"),
    # Commands only when the message is the command: a story that starts with the word stays a story.
    ("取消了我家的低保，想问问为什么", "text", "取消了我家的低保，想问问为什么"),
    ("查询了好几次都没人管我们村的路", "text", "查询了好几次都没人管我们村的路"),
    ("确认一下补贴什么时候发", "text", "确认一下补贴什么时候发"),
])
def test_intents(text, kind, arg):
    assert intents.parse(text) == intents.Intent(kind, arg)


@pytest.mark.parametrize("typed, phone", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("0836-2812345", "0836-2812345"),
    ("１３８１２３４５６７８", "13812345678"),  # full-width digits of a Chinese keyboard
    ("12345", None),
    ("23812345678", None),
    ("电话", None),
])
def test_phone_numbers(typed, phone):
    assert intents.phone_number(typed) == phone


@pytest.mark.parametrize("lat, lon, county", [
    (30.05, 101.96, "康定市"),   # 炉城
    (29.60, 102.12, "泸定县"),   # near 磨西
    (32.98, 98.10, "石渠县"),
    (29.04, 100.30, "稻城县"),
    (30.66, 104.07, None),       # 成都
    (29.98, 103.00, None),       # 雅安: close to 泸定 but outside the prefecture
    (39.90, 116.40, None),       # 北京
])
def test_county_from_coordinates(lat, lon, county):
    assert locations.county_at(lat, lon) == county


def test_tibetan_script_is_recognised():
    assert intents.has_tibetan("ང་ཚོའི་ཡུལ་ལ་ཆུ་མེད།") and not intents.has_tibetan("我们村没有水")
