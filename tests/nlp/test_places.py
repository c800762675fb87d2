import pytest

from xinfang.nlp.places import corrected_county, county_from_answer, resolve_county


@pytest.mark.parametrize("text,county", [
    ("理塘县高城镇的路灯坏了", "理塘县"),
    ("我在理塘打工", "理塘县"),
    ("新都桥镇上的垃圾没人清理", "康定市"),
    ("磨西镇的酒店不退定金", "泸定县"),
    ("亚丁景区门票太贵", "稻城县"),
    ("五明佛学院附近的民宿乱涨价", "色达县"),
    ("在康丁的工地上干活", "康定市"),
    ("理唐县的判决执行不了", "理塘县"),
    ("稻成的酒店订单被取消了", "稻城县"),
])
def test_county_from_names_places_and_homophones(text, county):
    assert resolve_county(text).county == county


def test_township_is_reported():
    match = resolve_county("康定市新都桥镇工地欠薪")
    assert (match.county, match.township) == ("康定市", "新都桥镇")


@pytest.mark.parametrize("text", [
    "学校礼堂漏水",            # 礼堂 sounds like 理塘
    "我到城里打工被欠工资",     # 到城 sounds like 稻城
    "市区的路灯坏了",          # 市区 sounds like 石渠
    "甘孜州人民政府",          # the prefecture, not 甘孜县
    "我在成都打工",
])
def test_no_county_from_everyday_words_or_outside(text):
    assert resolve_county(text) is None


def test_place_of_the_matter_beats_present_home():
    assert resolve_county("我现在住在康定市，老家稻城县桑堆镇的房子被拆了").county == "稻城县"
    assert resolve_county("我是理塘人，在康定的工地上打工被拖欠工资").county == "康定市"
    # Where the citizen works is not where their land lies.
    assert resolve_county("我在康定市打工，老家理塘县的草场被人占了").county == "理塘县"
    assert resolve_county("我在康定打工，我们雅江县村里的路修了一半").county == "雅江县"


@pytest.mark.parametrize("answer,county", [
    ("1", "康定市"), ("3", "丹巴县"), ("18", "得荣县"), ("十四", "理塘县"),
    ("丹巴", "丹巴县"), ("磨西", "泸定县"), ("理唐", "理塘县"), ("礼堂", "理塘县"),
])
def test_county_from_chatbot_answer(answer, county):
    assert county_from_answer(answer).county == county


def test_answer_outside_the_list():
    assert county_from_answer("19") is None
    assert county_from_answer("成都") is None


def test_counties_json_shape():
    from xinfang.nlp import resources
    counties = resources.counties()
    assert [c["name"] for c in counties][:3] == ["康定市", "泸定县", "丹巴县"]
    assert len(counties) == 18 and len({c["code"] for c in counties}) == 18
    assert sum(len(c["townships"]) for c in counties) >= 300


def test_county_named_in_tibetan_script():
    assert resolve_county("ང་ནི་ལི་ཐང་རྫོང་གི་འབྲོག་པ་ཡིན།").county == "理塘县"


def test_matter_outside_the_prefecture_has_no_county():
    assert resolve_county("我是理塘人，在成都的工地打工被拖欠工资") is None
    assert resolve_county("我是理塘人，在理塘县城的工地打工被拖欠工资").county == "理塘县"


@pytest.mark.parametrize("text,county", [
    ("我们在海罗沟跟团玩", "泸定县"),      # 海螺沟
    ("磨溪镇那个酒店工地欠薪", "泸定县"),   # 磨西镇
    ("塔工镇某干部吃拿卡要", "康定市"),     # 塔公镇
    ("新都乔那边的安置房工地", "康定市"),   # 新都桥, not 炉霍's 新都镇
])
def test_towns_and_spots_typed_by_sound(text, county):
    assert resolve_county(text).county == county


def test_two_character_sounds_need_a_suffix():
    assert resolve_county("他工作很认真") is None


@pytest.mark.parametrize("text,county", [
    ("不是道孚，是炉霍", "炉霍县"),
    ("地点写错了，应该是巴塘县", "巴塘县"),
    ("不在康定，在泸定县磨西镇", "泸定县"),
    ("我去了康定市找州里的部门", None),  # another county in the story, no correction
    ("不是道孚", None),  # denied, and nothing named instead
])
def test_a_correction_names_the_county_it_puts_right(text, county):
    found = corrected_county(text)
    assert (found.county if found else None) == county
