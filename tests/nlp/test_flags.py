import pytest

from xinfang.nlp.flags import collective, tibetan, urgent


@pytest.mark.parametrize("text,expected", [
    ("我们村三十多户的补偿款没发", True),
    ("我们12名工人被欠薪", True),
    ("全体村民联名反映", True),
    ("我家5口人挤在一间房", False),
    ("我们几个人去问过", False),
    ("我今年65岁", False),
])
def test_collective(text, expected):
    assert collective(text)[0] is expected


@pytest.mark.parametrize("text", [
    "再不给钱我就从桥上跳下去",
    "有人拿刀说要砍死我全家",
    "楼道里好浓的天然气味道，快来人",
    "房子后面的山这几天一直在垮，墙上的裂缝越来越大",
    "奶奶一个人在家，没有吃的了",
])
def test_urgent(text):
    assert urgent(text)[0]


@pytest.mark.parametrize("text", [
    "气死了，再不解决我就去北京上访",
    "去年洪水冲坏了路，到现在还没修",
    "感谢交警在雪灾中救助被困的司机",
])
def test_not_urgent(text):
    assert not urgent(text)[0]


def test_tibetan():
    assert tibetan("བཀྲ་ཤིས་བདེ་ལེགས། 我的工资没发")
    assert not tibetan("我的工资没发")
