"""Every text the public pages and the public API show a citizen, in one place.

Short enough for a phone. The statutory times come from cases.deadlines, so
the receipt never promises a period the clocks do not run.
"""
from __future__ import annotations

from ..cases import deadlines, uploads

# PIPL Art. 17: who processes, what for, how, which data, how long, and the citizen's rights;
# Art. 13(1)(3): handling a petition is a statutory duty, so the notice, not consent, is what the law asks.
PRIVACY_NOTICE_TITLE = "个人信息处理告知"
PRIVACY_NOTICE = (
    ("处理者", "甘孜藏族自治州信访局（本平台的运营单位）及依法承办您信访事项的机关。"),
    ("目的和依据", "为登记、转送、办理和答复您的信访事项，依照《信访工作条例》履行法定职责"
                 "（《个人信息保护法》第十三条第一款第三项）。"),
    ("处理的信息", "您填写的姓名、电话、电子邮箱，信件内容和附件，以及提交时的网络地址（用于防止恶意提交）。"),
    ("处理方式", "录入信访信息系统，转送或交办给有权处理的机关；只用于办理本事项，不用于其他目的。"
              "检举控告类事项，您的身份信息不会透露给被检举控告的单位和个人（《信访工作条例》第三十条）。"),
    ("保存期限", "依照信访档案管理规定的期限保存，期满后删除或匿名化处理。"),
    ("您的权利", "您可以查阅、复制、更正、补充您的个人信息，或要求说明处理规则"
              "（《个人信息保护法》第四十四条至第四十八条），可通过本信箱留言或到州信访局提出。"),
    ("公开", "只有在您勾选同意后，答复才会在“办理公开”栏目展示，且隐去姓名、电话等个人信息"
           "（《个人信息保护法》第二十五条）。"),
)
CONSENT_LABEL = "我已阅读并知悉《个人信息处理告知》"
PUBLISH_LABEL = "同意在“办理公开”栏目公开本件的答复（隐去个人信息）"

# What happens next, with the statutory periods (《信访工作条例》).
NEXT_STEPS = (
    f"{deadlines.ROUTE_DAYS}日内：登记并转送、交办到有权处理的机关，告知您去向（第二十二条、第二十三条）。",
    f"承办机关收到后{deadlines.NOTIFY_DAYS}日内：告知您是否受理（第二十三条）。",
    f"受理后{deadlines.HANDLING_DAYS}日内：出具书面处理意见；情况复杂的可延长不超过"
    f"{deadlines.MAX_EXTENSION_DAYS}日，并告知理由（第三十四条）。",
    f"对处理意见不服：收到后{deadlines.REVIEW_REQUEST_DAYS}日内可申请复查，"
    f"复查机关{deadlines.REVIEW_DAYS}日内答复（第三十五条）；对复查意见不服，"
    f"{deadlines.REREVIEW_REQUEST_DAYS}日内可申请复核（第三十六条）。",
    "涉及诉讼、仲裁、行政复议等法定途径的事项，我们会告诉您向哪个机关、在什么期限内提出。",
)

RECEIPT_TITLE = "来信已收到"
RECEIPT_CODE = "您的查询码"
RECEIPT_KEEP = "请记下或截图保存查询码，凭它查询办理进度。"
RECEIPT_PENDING = "您的来信已保存，正在登记。请稍后刷新本页查看查询码。"
RECEIPT_CONTACT = "我们会通过您留下的电话或邮箱告知办理进展。"
RECEIPT_NO_CONTACT = "您没有留下联系方式，请凭查询码在本网站查询进展。"
API_RECEIVED = "来信已收到，查询码：{code}。请保存查询码，凭它查询办理进度。"
API_PENDING = "来信已收到并保存，正在登记；请稍后用同一 Idempotency-Key 重新提交以取得查询码。"

# Tibetan (bo): the receipt for a letter written in Tibetan script is bilingual (DESIGN §6).
TIBETAN_RECEIPT_CODE = "ཁྱེད་ཀྱི་ཕྲིན་ཡིག་འབྱོར་སོང་། ཞིབ་འཚོལ་ཨང་རྟགས་ནི།"
TIBETAN_RECEIPT_KEEP = "ཨང་རྟགས་འདི་ཉར་ཚགས་གནང་རོགས། དེ་བརྒྱུད་ནས་ལས་དོན་གྱི་གནས་སྟངས་འཚོལ་ཞིབ་བྱེད་ཐུབ།"
TIBETAN_PENDING = "ཁྱེད་ཀྱི་ཕྲིན་ཡིག་འབྱོར་སོང་། ཅུང་ཙམ་སྒུག་ནས་ཤོག་ངོས་འདི་བསྐྱར་དུ་ཁ་ཕྱེ་རོགས།"

# Refusals.
RATE_LIMITED = "提交太频繁，请{wait}后再试。如有紧急情况，请拨打12345或110。"
LOOKUPS_LIMITED = "查询失败次数过多，请{wait}后再试。请核对查询码（10位字母和数字）。"
CSRF_EXPIRED = "页面已过期，内容已为您保留，请再次点击提交。"
HONEYPOT = "提交未成功，请刷新页面后重新填写。"
CONSENT_MISSING = "请阅读并勾选《个人信息处理告知》"
SAVE_FAILED = "系统繁忙，信件未能保存，内容已为您保留，请稍后再次提交。"
UNAVAILABLE = "系统繁忙，暂时无法办理，请稍后再试。"
TOO_LARGE = (f"附件太大：每个不超过{uploads.MAX_FILE_BYTES // (1024 * 1024)}MB，"
             f"合计不超过{uploads.MAX_TOTAL_BYTES // (1024 * 1024)}MB。请返回重新选择。")
CODE_NOT_FOUND = "没有找到这个查询码，请核对后再试（查询码为10位字母和数字）。"
LOCATED = "已根据内容识别地区：{county}（文中提到{words}），如有误请重新选择。"
NOT_LOCATED = "未能从内容中识别出县（市），请手动选择。"
REVIEW_REQUESTED = "已提交{label}申请，{due}前答复。"
EVALUATION_PENDING = "答复后，我们会请您对办理情况进行评价（满意 / 基本满意 / 不满意）。"
