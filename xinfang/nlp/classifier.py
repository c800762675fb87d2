"""classify(): every label of LABELS.md for one petition, with reasons."""
from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from . import channel, demand, flags, places, resources, routing, scoring, segment

_models: dict[str, scoring.Scorer] = {}
_lock = threading.Lock()

# Topics the decisive rule implies (LABELS.md): every discipline case is 纪检监察;
# judicial matters are 政法 except medical, land and fundraising matters; labour
# disputes are 劳动和社会保障 and household land contracting is 农村农业.
_IMPLIED_BY_KIND = {"discipline": "纪检监察", "court": "政法", "police": "政法", "crime": "政法", "civil": "政法",
                    "legal_service": "政法", "labour": "劳动和社会保障", "land_contract": "农村农业"}
_IMPLIED_WHY = {"discipline": "检举控告公职人员的事项均归纪检监察", "court": "涉法涉诉事项", "police": "涉法涉诉事项",
                "crime": "涉嫌违法犯罪", "civil": "私人之间的民事纠纷", "legal_service": "法律服务事项",
                "labour": "劳动争议", "land_contract": "农村土地承包纠纷"}
_OWN_TOPIC_IN_COURT = {"国土资源", "卫生计生", "金融"}
_PRAISE = re.compile(r"感谢|点赞|表扬|谢谢|锦旗|致敬|感激|辛苦了|好样的")
_COMPLAINT = re.compile(r"投诉|举报|要求|请求|恳请|拖欠|不管|乱收|没人|不给|太差|问题|怎么办|咋办")


def _implied_category(decision: channel.PathDecision, predicted: str, text: str) -> str | None:
    implied = _IMPLIED_BY_KIND.get(decision.kind)
    if implied == "政法" and predicted in _OWN_TOPIC_IN_COURT:
        return None
    if implied is None and _PRAISE.search(text) and not _COMPLAINT.search(text):
        return "其他"  # pure thanks and praise
    return implied


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
    # Which rule of channel.decide_path chose the path ("court", "police", "crime", "civil"…): within one
    # procedure the citizen's window depends on it.
    path_rule: str = "petition"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["reasons"] = list(self.reasons)
        return d


def model(model_dir: str | None = None) -> scoring.Scorer:
    """The topic model's scorer, loaded once per process and directory."""
    key = str(Path(model_dir).resolve()) if model_dir else str(resources.MODEL_DIR)
    found = _models.get(key)
    if found is None:
        with _lock:
            found = _models.get(key)
            if found is None:
                found = _models[key] = scoring.load(key)
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
    implied = _implied_category(decision, category, text)
    if implied and implied != category and implied in tm.labels:
        category = implied
        reasons.append(f"分类：{category}——{_IMPLIED_WHY[decision.kind] if decision.kind in _IMPLIED_WHY else '表扬感谢类'}")
    else:
        shown = "、".join(f"“{w}”" for w in evidence[:4])
        reasons.append(f"分类：{category}（模型置信度{confidence:.2f}{'；关键词' + shown if shown else ''}）")
    reasons.append(decision.reason)

    demand_type, demand_words = demand.decide_demand(text, decision.path)
    reasons.append(f"诉求类型：{demand_type}" + (f"——“{demand_words}”" if demand_words else ""))

    county = places.resolve_county(text, normalized=True)
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
        confidence=round(confidence, 3), reasons=tuple(reasons), path_rule=decision.kind,
    )
