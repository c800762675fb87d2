"""Texts an admin may edit: the citizen notices and the 处理意见 drafts of the reply composer.

The defaults stay in code (cases.notices, REPLY_DRAFTS); an override is a row
of template_overrides. A text is refused unless it keeps what the law asks the
citizen be told: a notice keeps its required placeholders and words (the
查询码, the 复查 right of Art. 35 …) and uses no unknown one; a draft keeps the
conclusion, the facts and the basis of Art. 32 and uses no placeholder at all.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import TemplateOverride
from . import notices
from .deadlines import Calendar
from .workflow import REPLY_OUTCOMES

NOTICE_MAX = 500
DRAFT_MAX = 5000

# 处理意见 drafts per outcome (Art. 32: the facts found, the basis, the conclusion). Staff fill the 〔 〕.
REPLY_DRAFTS = {
    "支持": {"text": "经调查核实，您反映的问题属实，诉求合理，予以支持。我单位将于〔 〕日内落实，落实情况将另行告知。",
             "facts": "经调查核实：〔 〕", "basis": "依据《〔 〕》第〔 〕条的规定，"},
    "解释说明": {"text": "经调查核实，您反映的问题已有明确政策规定，现将有关情况和政策说明如下：〔 〕",
                 "facts": "经调查核实：〔 〕", "basis": "依据《〔 〕》第〔 〕条的规定，"},
    "不予支持": {"text": "经调查核实，您的诉求缺乏事实根据或者不符合法律法规政策规定，不予支持。",
                 "facts": "经调查核实：〔 〕", "basis": "依据《〔 〕》第〔 〕条的规定，"},
}
assert set(REPLY_DRAFTS) == set(REPLY_OUTCOMES)
DRAFT_FIELDS = {"text": "处理意见", "facts": "认定的事实", "basis": "依据"}


class TemplateError(ValueError):
    """The text cannot be used; the message tells the admin why."""


@dataclass(frozen=True)
class Template:
    key: str
    kind: str  # notice, draft
    label: str
    default: dict[str, str]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


CATALOGUE = {
    **{notices.override_key(name): Template(notices.override_key(name), "notice", f"告知信访人：{n.label}",
                                             {"text": n.default})
       for name, n in notices.NOTICE_TEXTS.items()},
    **{f"reply.{outcome}": Template(f"reply.{outcome}", "draft", f"处理意见草稿：{outcome}", draft)
       for outcome, draft in REPLY_DRAFTS.items()},
}


def get(key: str) -> Template:
    if key not in CATALOGUE:
        raise KeyError(key)
    return CATALOGUE[key]


def overrides(session: Session) -> dict[str, TemplateOverride]:
    return {row.key: row for row in session.scalars(select(TemplateOverride))}


def current(session: Session, key: str) -> dict[str, str]:
    override = session.get(TemplateOverride, key)
    return dict(override.fields) if override else dict(get(key).default)


def reply_draft(session: Session, outcome: str) -> dict[str, str]:
    """The composer's draft for an outcome, as the admin set it."""
    return current(session, f"reply.{outcome}")


# --- checking a text ---------------------------------------------------------------

def validate(key: str, raw: dict) -> dict[str, str]:
    """The fields of a template as they would be stored; TemplateError with the reason when refused."""
    template = get(key)
    fields = {name: (raw.get(name) or "").strip() for name in template.default}
    if template.kind == "notice":
        _check_notice(notices.NOTICE_TEXTS[template.name], fields["text"])
    else:
        for name, label in DRAFT_FIELDS.items():
            _check_draft_field(label, fields[name])
    return fields


def placeholders(text: str) -> list[str]:
    """The placeholders a text uses, in order; TemplateError for braces that are not one."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise TemplateError("花括号不成对：占位符应写成 {查询码} 这样，文字中的花括号请写两次") from None
    used = []
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if spec or conversion:
            raise TemplateError(f"占位符 {{{field}}} 不能带格式或转换")
        used.append(field)
    return used


def _check_notice(notice: notices.Notice, text: str) -> None:
    if not text:
        raise TemplateError("请填写通知内容")
    if len(text) > NOTICE_MAX:
        raise TemplateError(f"通知内容不能超过{NOTICE_MAX}字")
    used = placeholders(text)
    unknown = [p for p in used if p not in notice.allowed]
    if unknown:
        raise TemplateError(f"未知的占位符：{{{unknown[0]}}}。这条通知可用：{_braced(notice.allowed)}")
    missing = [p for p in notice.required if p not in used]
    if missing:
        raise TemplateError(f"缺少必需的占位符：{_braced(missing)}（《信访工作条例》{notice.basis}要求告知）")
    for word in notice.words:
        if word not in text:
            raise TemplateError(f"须保留“{word}”的告知（《信访工作条例》{notice.basis}）")


def _check_draft_field(label: str, text: str) -> None:
    if not text:
        raise TemplateError(f"请填写{label}（《信访工作条例》第三十二条）")
    if len(text) > DRAFT_MAX:
        raise TemplateError(f"{label}不能超过{DRAFT_MAX}字")
    if "{" in text or "}" in text:
        raise TemplateError(f"{label}不使用占位符，请删去花括号")


def _braced(names) -> str:
    return "、".join(f"{{{n}}}" for n in names)


# --- saving -------------------------------------------------------------------------

def save(session: Session, key: str, raw: dict, user_id: int | None, now: datetime) -> dict[str, str]:
    """Check and store an override (commits); the next notice written uses it (in the other processes
    within the minute), none already written."""
    fields = validate(key, raw)
    override = session.get(TemplateOverride, key)
    if override is None:
        session.add(TemplateOverride(key=key, fields=fields, updated_by=user_id, updated_at=now))
    else:
        override.fields, override.updated_by, override.updated_at = fields, user_id, now
    session.commit()
    notices.forget_overrides()
    return fields


def restore(session: Session, key: str) -> bool:
    """Back to the default text (commits); False when there was no override."""
    override = session.get(TemplateOverride, get(key).key)
    if override is None:
        return False
    session.delete(override)
    session.commit()
    notices.forget_overrides()
    return True


# --- the preview ----------------------------------------------------------------------

SAMPLE_DEPARTMENT = "州人力资源和社会保障局"


def sample_case(cal: Calendar, now: datetime, **fields) -> SimpleNamespace:
    """A made-up case with every field a notice may show, for the preview."""
    case = SimpleNamespace(
        tracking_code="K3M7P9Q2RX", due_at=cal.add_days(now, 30), route="litigation", route_body=None,
        route_reason="该事项属于合同纠纷，应由人民法院依法处理", not_accepted_ground="duplicate",
        not_accepted_reason="您此前提出的同一事项正在办理中", extension_days=30,
        extension_reason="需要会同相关部门现场核查", reply_outcome="支持",
        reply_text="经调查核实，用人单位拖欠工资属实，已责令其十日内足额支付。", review_body="甘孜州人民政府",
    )
    for name, value in fields.items():
        setattr(case, name, value)
    return case


def preview(session: Session, cal: Calendar, key: str, raw: dict, now: datetime) -> str:
    """What a citizen would read with this text, on a sample case; TemplateError when it would be refused.

    A draft is shown inside the 处理意见 notice, as the citizen receives it after staff fill it in.
    """
    template = get(key)
    fields = validate(key, raw)
    if template.kind == "notice":
        return notices.render(fields["text"], sample_case(cal, now), cal, SAMPLE_DEPARTMENT)
    case = sample_case(cal, now, reply_outcome=template.name, reply_text=fields["text"])
    return notices.render(current(session, notices.override_key("replied"))["text"], case, cal, SAMPLE_DEPARTMENT)

