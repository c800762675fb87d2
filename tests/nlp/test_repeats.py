import random

from xinfang.nlp import build
from xinfang.nlp.repeats import (DUPLICATE_THRESHOLD, fingerprint, is_duplicate, same_person_name, similarities,
                                    similarity)


def retell(text: str, rng: random.Random) -> str:
    """The same petition sent again: a greeting, a clause moved, a typo, a plea."""
    clauses = [c for c in text.replace("。", "，").split("，") if c]
    if len(clauses) > 2:
        i = rng.randrange(len(clauses) - 1)
        clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
    body = "，".join(clauses)
    if len(body) > 8:
        j = rng.randrange(len(body))
        body = body[:j] + "的" + body[j + 1:]
    return "领导你好，" + body + "，麻烦尽快处理，谢谢"


def test_threshold_separates_retellings_from_other_petitions():
    rng = random.Random(7)
    texts = [r["text"] for r in build.training_rows() if len(r["text"]) >= 30]
    sample = rng.sample(texts, 120)
    same = [similarity(fingerprint(t), fingerprint(retell(t, rng))) for t in sample]
    other = [similarity(fingerprint(a), fingerprint(b)) for a, b in zip(sample, sample[1:])]
    assert sum(s >= DUPLICATE_THRESHOLD for s in same) / len(same) >= 0.95
    assert sum(s >= DUPLICATE_THRESHOLD for s in other) / len(other) <= 0.02


def test_fingerprint_is_compact_and_stable():
    fp = fingerprint("康定市新都桥镇工地拖欠农民工工资")
    assert fp == fingerprint("康定市新都桥镇工地拖欠农民工工资")
    assert isinstance(fp, str) and len(fp) < 400
    assert similarity(fp, fp) == 1.0


def test_many_at_once_score_as_one_by_one_with_or_without_the_batch_memory():
    stored = [fingerprint(t) for t in ("牧场被邻村占用三年，乡里调解不成", "县医院报销比例算错了，少报两千元",
                                      "邻村占用我家牧场三年，乡里调解没有结果", "小区电梯坏了一个月没人修")]
    new = [fingerprint("我家的牧场被邻村占了三年，乡里调解不成"), fingerprint("电梯坏了一个月，物业不修")]
    memory: dict = {}
    for fp in new:
        one_by_one = [similarity(fp, other) for other in stored]
        assert list(similarities(fp, stored)) == one_by_one
        assert list(similarities(fp, stored, memory)) == one_by_one
    assert similarities(new[0], stored, memory).argmax() in (0, 2)


def test_duplicate_linking():
    a = fingerprint("我们村三十多户的征地补偿款到现在还没发，县里说资金没到位")
    b = fingerprint("县里说资金没到位，我们村三十多户征地补偿款到现在还没有发！！")
    c = fingerprint("小区的电梯坏了一个月没人修，物业不管")
    assert is_duplicate(a, b)
    assert not is_duplicate(a, c)


def test_same_person_name_by_pinyin():
    assert same_person_name("扎西", "扎喜")
    assert same_person_name("卓玛", "卓嘛")
    assert not same_person_name("扎西", "次仁")
    assert not same_person_name("扎西", "扎西多吉")
