"""A burst of 确认: the intakes waiting are registered together, each citizen told once with their own code."""
from __future__ import annotations

import re

from rq.registry import FailedJobRegistry, FinishedJobRegistry
from sqlalchemy import func, select

from xinfang import runtime
from xinfang.models import Case, CaseTotal, InboundMessage

CODE = re.compile(r"查询码：\s*([A-Z0-9]+)")
PETITIONS = {
    "o-burst-1": "理塘县禾尼乡的草场被邻村占了，村里不管，电话13812340001",
    "o-burst-2": "康定市新都桥镇的工地老板拖欠我们工资三个月了，电话13812340002",
    "o-burst-3": "稻城县香格里拉镇到县城的班车停运半年了，电话13812340003",
    "o-burst-4": "炉霍县的低保停发了，不知道为什么，电话13812340004",
}
MASS = "色达县洛若镇修水电站淹了我们村的草场，补偿款一分没发，全村人都没法放牧了，电话1381234{:04d}"


def confirm(platform, openid: str, text: str) -> str:
    platform.say(openid, text)
    return CODE.search(platform.say(openid, "确认")).group(1)


def test_a_burst_of_confirmations_is_registered_together_and_each_citizen_told_once(app, session, platform,
                                                                                  run_jobs, daytime):
    platform.connect(app)
    codes = {openid: confirm(platform, openid, text) for openid, text in PETITIONS.items()}
    assert session.scalar(select(func.count()).select_from(Case)) == 0  # the queue registers them

    run_jobs()
    cases = {case.tracking_code: case for case in session.scalars(select(Case))}
    assert set(cases) == set(codes.values())
    assert cases[codes["o-burst-1"]].county == "理塘县" and cases[codes["o-burst-3"]].county == "稻城县"
    for openid, code in codes.items():
        receipts = [text for text in platform.texts(openid) if "已登记" in text]
        assert len(receipts) == 1 and code in receipts[0]
    # One job did the burst; the jobs of the others were taken out of the queue.
    assert FinishedJobRegistry("intake", connection=runtime.current().redis).count == 1


def test_a_mass_petition_confirmed_in_one_burst_gathers_under_its_first_case(app, session, platform, run_jobs,
                                                                            daytime):
    platform.connect(app)
    codes = [confirm(platform, f"o-mass-{i}", MASS.format(i)) for i in range(6)]
    run_jobs()
    cases = {case.tracking_code: case for case in session.scalars(select(Case))}
    first = cases[codes[0]]
    assert first.duplicate_of_id is None
    assert all(cases[code].duplicate_of_id == first.id for code in codes[1:])
    # The overview counts five petitioners joining the first one's petition.
    assert session.scalar(select(func.sum(CaseTotal.joined))) == 5
    assert session.scalar(select(func.sum(CaseTotal.received))) == 6


def test_an_intake_the_registration_refuses_does_not_hold_up_the_others(app, session, platform, run_jobs, daytime):
    platform.connect(app)
    codes = {openid: confirm(platform, openid, text) for openid, text in PETITIONS.items()}
    broken = session.scalar(select(InboundMessage).where(InboundMessage.tracking_code == codes["o-burst-1"]))
    broken.intake = {**broken.intake, "text": " "}  # a row damaged after the 确认
    session.commit()

    run_jobs()
    registered = set(session.scalars(select(Case.tracking_code)))
    assert registered == {code for openid, code in codes.items() if openid != "o-burst-1"}
    for openid in ("o-burst-2", "o-burst-3", "o-burst-4"):
        assert sum("已登记" in text for text in platform.texts(openid)) == 1
    session.refresh(broken)
    assert broken.case_id is None and broken.intake["text"] == " "  # kept as it was, for staff and the sweeper
    assert broken.error.startswith("登记失败")

    # A later burst is registered all the same, in one job: the refused intake does not hold it up.
    later = {openid: confirm(platform, openid, text) for openid, text in
             {f"{openid}-later": text for openid, text in PETITIONS.items()}.items()}
    run_jobs()
    assert set(later.values()) <= set(session.scalars(select(Case.tracking_code)))
    assert FinishedJobRegistry("intake", connection=runtime.current().redis).count == 1
    assert FailedJobRegistry("intake", connection=runtime.current().redis).count == 1


def test_the_case_is_registered_under_the_topic_the_citizen_confirmed(app, session, platform, run_jobs, daytime,
                                                                       monkeypatch):
    platform.connect(app)
    summary = platform.say("o-topic-1", PETITIONS["o-burst-2"])
    assert "劳动和社会保障" in summary
    code = CODE.search(platform.say("o-topic-1", "确认")).group(1)
    # A model replaced between the summary and the registration does not change what was confirmed.
    from xinfang.nlp import classifier
    monkeypatch.setattr(classifier, "classify", lambda text, model_dir=None: (_ for _ in ()).throw(
        AssertionError("classified again")))
    run_jobs()
    case = session.scalar(select(Case).where(Case.tracking_code == code))
    assert case.category == "劳动和社会保障" and case.county == "康定市"
