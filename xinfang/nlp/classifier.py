"""classify(): every label of LABELS.md for one petition, with reasons."""
from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from . import channel, demand, flags, places, resources, routing, segment, topic

_models: dict[str, topic.TopicModel] = {}
_lock = threading.Lock()

DISCIPLINE_CATEGORY = "纪检监察"
LITIGATION_CATEGORY = "政法"
# Topics that keep their own label on the litigation path (LABELS.md, 政法).
_OWN_TOPIC_IN_COURT = {"国土资源", "卫生计生", "金融", "劳动和社会保障", "商贸旅游", "水电移民"}


@dataclass(frozen=True)
class Classification:
    category: str
    channel: str
    path: str
    demand_type: str
    county: str | None
    township: str | None
    collective: bool
    urgent: bool
    tibetan: bool
    department: str | None
    confidence: float
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["reasons"] = list(self.reasons)
        return d


def model(model_dir: str | None = None) -> topic.TopicModel:
    """The topic model, loaded once per process and directory."""
    key = str(Path(model_dir).resolve()) if model_dir else str(resources.MODEL_DIR)
    found = _models.get(key)
    if found is None:
        with _lock:
            found = _models.get(key)
            if found is None:
                found = _models[key] = topic.load(key)
    return found


def warm_up(model_dir: str | None = None) -> None:
    """Load the dictionary, gazetteer and model now rather than on the first request."""
    segment.tokenizer()
    places.gazetteer()
    classify("康定市新都桥镇工地拖欠农民工工资", model_dir)


def classify(text: str, model_dir: str | None = None) -> Classification:
    text = segment.normalize(text)
    reasons: list[str] = []
    tm = model(model_dir)

    decision = channel.decide_path(text)
    category, confidence, evidence = tm.predict(text)
    if decision.path == "discipline" and DISCIPLINE_CATEGORY in tm.labels:
        category = DISCIPLINE_CATEGORY
        reasons.append("分类：纪检监察——检举控告公职人员的事项均归纪检监察")
    elif (decision.path == "litigation" and category not in _OWN_TOPIC_IN_COURT
          and LITIGATION_CATEGORY in tm.labels):
        category = LITIGATION_CATEGORY
        reasons.append("分类：政法——涉法涉诉事项")
    else:
        shown = "、".join(f"“{w}”" for w in evidence[:4])
        reasons.append(f"分类：{category}（模型置信度{confidence:.2f}{'；关键词' + shown if shown else ''}）")
    reasons.append(decision.reason)

    demand_type, demand_words = demand.decide_demand(text, decision.path)
    reasons.append(f"诉求类型：{demand_type}" + (f"——“{demand_words}”" if demand_words else ""))

    county = places.resolve_county(text)
    reasons.append(county.reason if county else "地区：未识别到甘孜州内的县（市）")

    is_collective, group_words = flags.collective(text)
    if is_collective:
        reasons.append(f"集体访：“{group_words}”（五人以上共同提出）")
    is_urgent, danger_words = flags.urgent(text)
    if is_urgent:
        reasons.append(f"紧急：“{danger_words}”——可能危及人身安全，需立即处置")
    is_tibetan = flags.tibetan(text)
    if is_tibetan:
        reasons.append("藏文：含藏文字符，需懂藏文的工作人员办理，答复需藏汉双语")

    return Classification(
        category=category, channel=decision.channel, path=decision.path, demand_type=demand_type,
        county=county.county if county else None, township=county.township if county else None,
        collective=is_collective, urgent=is_urgent, tibetan=is_tibetan,
        department=routing.department_for(category, decision.path),
        confidence=round(confidence, 3), reasons=tuple(reasons),
    )
