"""诉访分离: each rule of the path decision, with contrastive pairs."""
import pytest

from xinfang.nlp.channel import decide_path

PAIRS = [
    # wage arrears on a project (labour inspection) vs a severance dispute (arbitration)
    ("在康定工地干了半年，包工头拖欠我们工资三万块，人都找不到了", "petition"),
    ("公司把我辞退了，干了五年一分经济补偿都不给，合同还没到期", "arbitration"),
    # unpaid compensation vs contesting the requisition decision
    ("修路征了我家的地，征地补偿款到现在都没有发", "petition"),
    ("县政府的征收决定程序违法，没有听证，我们不服，要求撤销征收决定", "reconsideration"),
    # a judge taking bribes vs disagreeing with a judgment
    ("法官收了对方的红包，开庭时明显偏袒对方", "discipline"),
    ("对县法院的一审判决不服，法官没有采纳我的证据", "litigation"),
    # a private loan vs a fundraising scheme reported to the government
    ("借给同村人三万块，有借条，他一直拖着不还", "litigation"),
    ("有公司在村里搞非法集资，承诺高息，请政府查处", "petition"),
    # fundraising once a criminal case exists
    ("集资诈骗案公安立案两年了，追赃一直没有进展", "litigation"),
    # low-income allowance: cancelled (contest) vs asked for
    ("乡上取消了我家的低保，说我家有车，但那车是我哥的", "reconsideration"),
    ("家里老人瘫痪在床，申请低保一年了还没批下来，请帮忙", "petition"),
    # work injury: contesting the determination vs the employer refusing benefits
    ("人社局作出不予认定工伤的决定，我不服，要求重新认定", "reconsideration"),
    ("工伤已经认定了，公司不给停工留薪期工资和伤残补助金", "arbitration"),
    # land: household contracting dispute vs a boundary between villages
    ("我家的承包地被村里收回给别人种了，我有承包合同", "arbitration"),
    ("两个村之间的草场边界不清，每年放牧都起冲突，请政府划界", "petition"),
    # police: refusing to file a case vs an officer taking bribes
    ("被人骗了二十万，派出所一直不立案", "litigation"),
    ("派出所有个民警收了赌场老板的好处费，给他们通风报信", "discipline"),
    # traffic accident between parties vs a road in bad repair
    ("被一辆车撞了腿断了，交警认定对方全责，对方司机不赔医药费", "litigation"),
    ("到乡上的公路坑坑洼洼，下雨全是泥，请尽快修一下", "petition"),
    # the addressee of a letter is not an accused official
    ("尊敬的州委书记：小区的路灯坏了半年了，晚上看不见路", "petition"),
    # legal aid is a service, not a lawsuit
    ("想问一下，没钱请律师，可以申请法律援助不", "petition"),
]


@pytest.mark.parametrize("text,path", PAIRS)
def test_path(text, path):
    assert decide_path(text).path == path


def test_channel_follows_path():
    assert decide_path("对法院判决不服").channel == "litigation"
    assert decide_path("公司辞退我不给补偿").channel == "litigation"
    assert decide_path("实名举报村支书贪污扶贫款").channel == "administrative"
    assert decide_path("路灯坏了").channel == "administrative"


@pytest.mark.parametrize("text,article", [
    ("对法院判决不服", "第三十一条第（一）项"),
    ("公司辞退我不给补偿", "第三十一条第（二）项"),
    ("交警罚款两百，我没有违章，不服处罚", "第三十一条第（四）项"),
    ("实名举报村支书贪污扶贫款", "第三十条"),
    ("包工头拖欠农民工工资", "第三十一条第（五）项"),
    ("建议县城多建公共厕所", "第二十九条"),
])
def test_reasons_cite_the_article_and_the_words(text, article):
    decision = decide_path(text)
    assert article in decision.reason
    assert decision.words and all(w in text for w in decision.words)
