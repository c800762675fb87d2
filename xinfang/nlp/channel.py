"""诉访分离: which procedure a demand belongs to (LABELS.md, channel and path).

Rules follow 《信访工作条例》 (2022):
- Art. 22 ¶2 and Art. 28 ¶2: matters of judicial remedy go to the 政法 organs;
  accusations within the remit of 纪检监察 go to the 纪检监察 organs.
- Art. 30: 检举控告 are handled by 纪检监察 or the competent organ.
- Art. 31: 申诉求决 matters are channelled by kind: (1) litigation and other
  judicial procedures, (2) arbitration, (4) administrative reconsideration and
  other administrative procedures, (5) requests to investigate unlawful acts,
  (6) everything else through the petition procedure.
Each decision returns the words and the article that decided it, so a clerk
can confirm or overrule it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ART_22_DISCIPLINE = "《信访工作条例》第二十二条第二款、第三十条"
ART_31_1 = "《信访工作条例》第二十八条第二款、第三十一条第（一）项"
ART_31_2 = "《信访工作条例》第三十一条第（二）项"
ART_31_4 = "《信访工作条例》第三十一条第（四）项"
ART_31_5 = "《信访工作条例》第三十一条第（五）项"
ART_31_6 = "《信访工作条例》第三十一条第（六）项"
ART_29 = "《信访工作条例》第二十九条"

CHANNEL_OF_PATH = {
    "litigation": "litigation", "arbitration": "litigation", "reconsideration": "litigation",
    "petition": "administrative", "discipline": "administrative",
}


def _re(*parts: str) -> re.Pattern:
    return re.compile("|".join(parts))


# --- discipline: misconduct of officials (Art. 22 ¶2, Art. 30) ---------------
_MISCONDUCT = _re(
    r"贪污|受贿|索贿|行贿|贿赂|挪用|侵吞|截留|私分|中饱私囊|吃拿卡要|优亲厚友|以权谋私|滥用职权",
    r"玩忽职守|徇私|枉法|公款吃喝|公车私用|八项规定|虚报冒领|冒领|套取|吃空饷|雁过拔毛|权钱交易",
    r"收(了|受)?[^，。,]{0,6}(红包|礼金|好处费?|贿|烟酒|购物卡|回扣)|好处费|回扣|跑官|买官|卖官",
    r"违规(提拔|招录|发放|分配|评定|认定|纳入|享受)|腐败|贪腐|作风(粗暴|霸道|问题|恶劣)|耍官威",
    r"克扣[^，。]{0,6}(补贴|补助|补偿|扶贫|救济|低保)|关系(户|保)|人情保|亲戚[^，。]{0,8}(吃|享受|评上|纳入)低保",
    r"打(人|骂)[^，。]{0,4}(的)?(干部|书记|民警|警察|城管|乡长|镇长)|(干部|书记|民警|警察|城管|乡长|镇长)[^，。]{0,6}(打人|骂人|打伤|辱骂)",
)
_OFFICIAL = _re(
    r"书记|支书|村主任|村长|主任|乡长|镇长|县长|局长|所长|站长|院长|科长|股长|干部|官员|领导",
    r"工作人员|公务员|村委|两委|村会计|会计|法官|警察|民警|检察官|城管|组长|驻村|第一书记|队长|乡政府|镇政府",
)

# --- litigation: judicial procedures and civil disputes (Art. 28 ¶2, 31(1)) ---
_COURT = _re(
    r"判决|裁定书|民事裁定|刑事裁定|法院[^，。]{0,10}(判|裁|执行|立案|不受理|驳回|调解|审理|开庭)",
    r"执行难|申请(了)?强制执行|申请执行|执行局|执行法官|执行款|终结本次执行|终本|被执行人|老赖|失信被执行",
    r"一审|二审|再审|上诉|起诉|诉讼|开庭|败诉|胜诉|改判|冤案|错案|申请抗诉",
    r"(公安|派出所|警察|民警|刑警|检察院)[^。]{0,12}(不立案|不予立案|不受理|不管|不作为|没有?立案|不处理|久拖|不抓|放了|取保|撤案|结案|案子)",
    r"(不予|没有|拒绝|不)立案|立案(侦查|了)?|报(了)?案|报警[^，。]{0,10}(没|不|无)|刑事案件|嫌疑人|批捕|公诉|不起诉|追赃|退赃|赃款",
    r"刑事拘留|被刑拘|逮捕|羁押|看守所|判刑|判了|缓刑|减刑|假释|律师",
)
_CRIME = _re(r"诈骗|被骗|盗窃|被偷|偷(了|走)|抢劫|抢走|故意伤害|强奸|猥亵|拐卖|绑架|敲诈|勒索|放火|投毒|杀人|黑社会|涉黑|恶势力")
_CIVIL = _re(
    r"借(了|给)?[^，。工]{0,8}(钱|元|块|万)[^，。]{0,12}(不还|没还|未还|赖账|还不上|一直拖|拒不归还|要不回|不给)",
    r"欠(我|我们|我家)[^，。工]{0,10}(钱|元|块|万|款)[^，。]{0,6}(不还|没还|赖|拖)|欠条|借条|民间借贷|借款纠纷|还钱",
    r"离婚|抚养费|抚养权|赡养费|不赡养|不养老人|遗产|继承|分家(产)?纠纷|财产分割|彩礼",
    r"交通事故|车祸|撞(了|伤|死|倒)|肇事|保险赔付[^，。]{0,6}对方|对方司机",
    r"(邻居|隔壁)[^。]{0,20}(损坏|砸|打|占用|弄坏|赔偿|纠纷|漏水|挡|砍)|合同纠纷|租金纠纷|房东[^，。]{0,8}(押金|不退)|押金不退",
    r"合伙[^，。]{0,10}(纠纷|不给|不分|散伙)|人身损害赔偿|名誉权|侵权",
)
# Not a private civil dispute: a wage, a government payment, or a business.
_NOT_PRIVATE = _re(r"工资|工钱|劳务费|血汗钱|补偿款|补贴|补助|政府|乡里|村里|单位|公司|集资|理财|银行|医院")

# --- reconsideration: contesting a specific administrative act (Art. 31(4)) --
_ADMIN_ACT = _re(
    r"罚款|罚了|罚单|处罚决定|行政处罚|被罚|吊销|注销[^，。]{0,4}(执照|许可|资格)|撤销[^，。]{0,6}(执照|许可|资格|登记)",
    r"行政拘留|拘留(了)?[^，。]{0,3}(\d+|[一二三四五六七八九十]+)(天|日)|没收|查封|扣押|扣车|扣(了)?[^，。]{0,3}(车|证|驾照)",
    r"征收决定|征收公告|拆迁决定|拆除决定|强拆决定|限期拆除|责令(拆除|停业|关闭|改正)|认定为?违[法章]建筑",
    r"工伤认定|不予认定|认定[^，。]{0,4}不是工伤|不(认定|算)工伤|伤残等级鉴定|劳动能力鉴定",
    r"(取消|停发|停了|停掉|退出|清退|核减|降)[^，。]{0,8}低保|低保[^，。]{0,8}(被|给)?(取消|停|退出|清退|核减|降档)",
    r"不予(批准|许可|登记|办理|受理|发放)|不批|驳回[^，。]{0,6}申请|审批[^，。]{0,6}(不通过|被拒)|不给(办|批)",
    r"营业执照|行政决定|处理决定|处罚",
)
_CONTEST = _re(
    r"不服|不认可|不接受|不同意|不合理|不公平|不公正|不合法|违法|错误|冤枉|凭什么|没道理|乱罚|乱收",
    r"(要求|申请|请求)[^，。]{0,6}(撤销|重新|纠正|恢复|复议|退还|更正)|撤销|重新认定|恢复[^，。]{0,4}低保|复议|申诉|讨个说法|说法",
)
# Paying out what a decision already granted is a petition matter, not a contest.
_UNPAID = _re(r"(没|未|不|迟迟不?|一直没)(发|给|兑现|到位|到账|支付)|拖欠|欠(着|了)")

# --- arbitration: labour disputes and rural land contracting (Art. 31(2)) ----
_LABOUR_DISPUTE = _re(
    r"辞退|开除|解雇|被炒|裁员|劝退|解除(了)?(劳动)?合同|终止(了)?(劳动)?合同|不续签|末位淘汰",
    r"(没|不|未)(签|给签|跟我签|和我签)[^，。]{0,4}(劳动)?合同|劳动合同|双倍工资|经济补偿|补偿金|赔偿金|N\+1|遣散费",
    r"(社保|养老保险|医疗保险|五险|保险)[^，。]{0,8}(没|不|未|断)(交|缴|买|给)|(没|不|未)(给|帮)?[^，。]{0,6}(交|缴|买)(社保|保险|五险)",
    r"补缴社保|欠缴社保|加班费|带薪年假|年休假|工伤(待遇|赔偿|赔付|费用)[^，。]{0,8}(不给|不赔|不付|拒)|劳动争议|劳动仲裁|仲裁",
)
_LAND_CONTRACT = _re(
    r"承包地|土地承包|承包经营权|承包合同|土地流转|流转合同|流转费|草场承包|承包的?(草场|土地|耕地|林地)",
)
_LAND_DISPUTE = _re(r"纠纷|争议|收回|强占|占了|占用|调整|不给|不付|违约|拖欠|转包|霸占|不还")
# Wage arrears on a project: labour inspection orders payment (保障农民工工资支付条例).
_WAGE_ARREARS = _re(r"欠薪|拖欠[^，。]{0,8}(工资|工钱|劳务费)|工资[^，。]{0,8}(没|不|未)(发|给|结)|讨薪|(工资|工钱)[^，。]{0,4}拖")

# --- petition sub-kinds --------------------------------------------------------
_SUGGESTION = _re(r"建议|提议|呼吁|希望[^，。]{0,10}(能|可以|增设|增加|开通|修建)|意见|感谢|表扬|点赞")
_INVESTIGATE = _re(r"举报|查处|取缔|违法排污|偷排|非法(集资|开采|采砂|经营|占地)|打击")
_FUNDRAISING = _re(r"非法集资|集资|高息|理财|投资公司|P2P|p2p|返利|传销|套路贷")


@dataclass(frozen=True)
class PathDecision:
    path: str
    words: tuple[str, ...]
    article: str
    rule: str

    @property
    def channel(self) -> str:
        return CHANNEL_OF_PATH[self.path]

    @property
    def reason(self) -> str:
        shown = "、".join(f"“{w}”" for w in self.words) or "未发现需导入法定途径的情形"
        return f"途径：{_PATH_NAMES[self.path]}——{shown}：{self.rule}（{self.article}）"


_PATH_NAMES = {
    "litigation": "诉讼（政法机关）", "arbitration": "仲裁", "reconsideration": "行政复议",
    "discipline": "纪检监察", "petition": "信访",
}


def _words(pattern: re.Pattern, text: str, limit: int = 3) -> list[str]:
    return list(dict.fromkeys(m.group() for m in pattern.finditer(text)))[:limit]


def decide_path(text: str) -> PathDecision:
    """The procedure a petition belongs to, with the words and article that decided."""
    misconduct = _words(_MISCONDUCT, text)
    court = _words(_COURT, text)
    if misconduct and (_OFFICIAL.search(text) or not court):
        official = _words(_OFFICIAL, text, 1)
        return PathDecision("discipline", tuple(official + misconduct), ART_22_DISCIPLINE,
                            "检举控告公职人员违纪违法，转纪检监察机关")
    if court:
        return PathDecision("litigation", tuple(court), ART_31_1,
                            "属于应当通过诉讼、检察或公安法律程序处理的涉法涉诉事项，转同级政法部门依法处理")

    act = _words(_ADMIN_ACT, text)
    contest = _words(_CONTEST, text)
    if act and contest and not (_UNPAID.search(text) and not _re(r"决定|认定|罚|吊销|拘留|取消|停").search("".join(act))):
        return PathDecision("reconsideration", tuple(act + contest), ART_31_4,
                            "对具体行政行为不服，可申请行政复议")

    labour = _words(_LABOUR_DISPUTE, text)
    if labour:
        return PathDecision("arbitration", tuple(labour), ART_31_2,
                            "用人单位与劳动者之间的劳动争议，应先申请劳动人事争议仲裁")
    land = _words(_LAND_CONTRACT, text)
    if land and _LAND_DISPUTE.search(text):
        return PathDecision("arbitration", tuple(land + _words(_LAND_DISPUTE, text, 1)), ART_31_2,
                            "农村土地承包经营纠纷，可申请农村土地承包仲裁")

    crime = _words(_CRIME, text)
    if crime and not _FUNDRAISING.search(text):
        return PathDecision("litigation", tuple(crime), ART_31_1,
                            "涉嫌违法犯罪，应由公安机关依法立案处理")
    civil = _words(_CIVIL, text)
    if civil and not _NOT_PRIVATE.search(text):
        return PathDecision("litigation", tuple(civil), ART_31_1,
                            "私人之间的民事纠纷，应通过人民法院诉讼解决")

    wages = _words(_WAGE_ARREARS, text)
    if wages:
        return PathDecision("petition", tuple(wages), ART_31_5 + "、《保障农民工工资支付条例》",
                            "拖欠工资可由劳动保障监察责令支付，按信访程序办理")
    investigate = _words(_INVESTIGATE, text)
    if investigate:
        return PathDecision("petition", tuple(investigate), ART_31_5,
                            "申请查处违法行为，由有权机关依法履行职责或答复")
    suggestion = _words(_SUGGESTION, text)
    if suggestion:
        return PathDecision("petition", tuple(suggestion), ART_29, "建议意见类事项，按信访程序办理")
    return PathDecision("petition", (), ART_31_6, "申诉求决类事项，由有权处理的行政机关按信访程序办理")
