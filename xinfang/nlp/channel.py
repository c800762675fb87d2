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
# Words that accuse whoever they name; the weak ones only when an official is named.
_MISCONDUCT = _re(
    r"贪污|受贿|索贿|行贿|贿赂|侵吞|中饱私囊|吃拿卡要|优亲厚友|以权谋私|滥用职权|玩忽职守|徇私|枉法",
    r"公款吃喝|公车私用|八项规定|虚报冒领|吃空饷|雁过拔毛|权钱交易|利益输送|保护伞|通风报信|跑官|买官|卖官",
    r"(进|揣进?|装进)了?(自己|他|她|他们)?的?(腰包|口袋)|据为己有|好处费|回扣|返点|干股|关系(户|保)|人情保",
    r"收(了|受)?[^，。]{0,6}(红包|礼金|好处|贿|烟酒|购物卡)|送了?(东西|礼|钱|红包)[^，。]{0,10}(法官|警察|干部|领导)",
    r"腐败|贪腐|打击报复|耍官威",
)
_MISCONDUCT_WEAK = _re(
    r"挪用|截留|私分|克扣|套取|冒领|冒用|伪造签字|虚报|作风|弄虚作假|私自(租|卖|出租|承包|发包|处置)",
    r"(辛苦费|跑路费|介绍费|管理费|过路费|保护费)|(给|交)[^，。]{0,8}(钱|块)[^，。]{0,8}(才能|才给|就能|才)",
    r"上班时间[^。]{0,12}(打麻将|打牌|喝酒|赌|玩)|(赌博|打麻将)[^。]{0,12}(输赢|几千|几万|几十万)",
    r"违规(提拔|招录|发放|分配|评定|认定|纳入|享受|审批)|不开票|(打|骂)(人|老百姓|群众)",
)
_DISCIPLINE_ORGAN = _re(r"纪委|纪检|监委|监察机关|党内[^，。]{0,4}处分|党纪")
_OFFICIAL = _re(
    r"书记|支书|村主任|村长|主任|乡长|镇长|县长|局长|所长|站长|院长|校长|科长|股长|干部|干事|官员|领导",
    r"工作人员|公务员|村委|两委|村会计|会计|法官|警察|民警|检察官|城管|组长|驻村|队长|负责人|检查站|乡政府|镇政府|乡上|村上",
)

# --- litigation: judicial procedures and civil disputes (Art. 28 ¶2, 31(1)) ---
# Courts and arbitral awards: judgments, enforcement, suing.
_JUDICIAL = (
    r"判决|裁定书|民事裁定|刑事裁定|法院[^，。]{0,6}(判|裁定|执行|立案|不受理|驳回|调解|审理|开庭)",
    r"执行难|申请(了)?强制执行|申请执行|执行局|执行法官|执行款|终结本次执行|终本|被执行人|老赖|失信被执行",
    r"一审|二审|再审|上诉|起诉|诉讼|开庭|败诉|胜诉|改判|冤案|错案|申请抗诉|民事案件|刑事案件",
    r"判刑|判了|缓刑|减刑|假释",
    r"(仲裁书|裁决书|仲裁裁决|调解书)[^。]{0,40}(不给|不履行|拖|不执行|生效)",
)
# The police and the procuratorate: a criminal case, its filing and its measures.
_POLICE = (
    r"(公安|派出所|警察|民警|刑警|检察院|警方|经侦)[^。]{0,12}(不立案|不予立案|不受理|不管|不作为|没有?立案|不处理|久拖|不抓|放了|取保|撤案|结案|案子|在查|查了|侦查)",
    r"(不予|没有|拒绝|不)立案|立案(侦查|了)?|报(了)?案|报警[^，。]{0,10}(没|不|无)|嫌疑人|批捕|公诉|不起诉|追赃|退赃|赃款",
    r"刑事拘留|被刑拘|逮捕|羁押|看守所",
)
_COURT = _re(*_JUDICIAL, *_POLICE)
_JUDICIAL_WORDS = _re(*_JUDICIAL)
_CRIME = _re(
    r"诈骗|被骗|盗窃|被偷|偷(了|走)|抢劫|抢走|故意伤害|强奸|猥亵|拐卖|绑架|敲诈|勒索|放火|投毒|杀人|黑社会|涉黑|恶势力",
    r"赌场|聚众赌博|开设赌场|吸毒|贩毒|卖淫|放高利贷",
)
# Bullying among pupils goes to the school; fraud-prevention advice reports no crime.
_NOT_CRIME = _re(r"学生|同学|班主任|防诈|反诈|宣传")
_CIVIL = _re(
    r"(借给|借了|借钱|借款|借条|欠条)[^。]{0,40}(不还|没还|未还|拖|赖|要不回|拉黑|还不上|要回来|不给|不接)",
    r"欠(我|我们|我家)[^，。工]{0,10}(钱|元|块|万|款)[^，。]{0,6}(不还|没还|赖|拖)|民间借贷|借款纠纷",
    r"离婚|抚养费|抚养权|赡养费|不赡养|不养老人|遗产|继承|分家(产)?纠纷|财产分割|彩礼",
    r"(车祸|交通事故|被[^，。]{0,8}撞|追尾|肇事)[^。]{0,80}(赔|医药费|误工费|修车费|全责|责任|不给|推脱)",
    r"(邻居|隔壁(?!村)|同村的?)[^。]{0,60}(占了|占用|损坏|砸|打伤|弄坏|赔偿|纠纷|漏水|挡|砍|开裂|倒塌|吵)",
    r"合同纠纷|租金纠纷|租赁合同|房东[^，。]{0,8}(押金|不退)",
    r"合伙[^，。]{0,10}(纠纷|不给|不分|散伙)|人身损害赔偿|名誉权|侵权",
    r"(保险公司|保险)[^。]{0,20}(不赔|不给理赔|拒赔|不在[^，。]{0,6}范围|拒绝理赔)",
    r"医院[^。]{0,30}(拒绝|不愿|推卸|不)[^。]{0,6}(承担|负责|赔)[^。]{0,30}(要求|索要)?赔偿",
)
# A parent's estate the siblings quarrel over is inheritance, even if it was a compensation.
_INHERITANCE = _re(
    r"(去世|过世|走了|死后)[^。]{0,60}(哥|弟|姐|妹|兄|叔|伯)[^。]{0,30}(拿走|取走|独占|霸占|不分|不给|没份|卖了|擅自)",
)
# Not a private civil dispute: a wage, a government payment, or a fundraising scheme.
_NOT_PRIVATE = _re(r"工资|工钱|劳务费|血汗钱|补偿款|补贴|补助|集资|理财|网贷|银行")
# A health-department investigation is asked for, not damages in court.
_ASKS_AUTHORITY = _re(r"卫生健康|卫健|调查|鉴定|查处")
# Legal aid and complaints about lawyers are services of the 司法行政 (petition).
_LEGAL_SERVICE = _re(r"法律援助|律师[^。]{0,40}(代理费|不负责|拖延|投诉|退还)")

# --- reconsideration: contesting a specific administrative act (Art. 31(4)) --
_ADMIN_ACT = _re(
    r"罚款|罚了|罚单|处罚决定|行政处罚|被罚|吊销|注销[^，。]{0,10}(执照|许可|资格)|撤销[^，。]{0,6}(执照|许可|资格|登记)",
    r"行政拘留|拘留(了)?[^，。]{0,3}(\d+|[一二三四五六七八九十]+)(天|日)|拘留决定|没收(?!到)|查封|扣押|扣车|扣(了)?[^，。]{0,3}(车|证|驾照)",
    r"征收决定|征收公告|拆迁决定|拆除决定|强拆决定|限期拆除|责令(拆除|停业|关闭|改正)|认定为?违[法章]建筑",
    r"工伤认定|不予认定|认定[^，。]{0,4}不是工伤|不(认定|算)工伤|(不给|不予|没有?)[^，。]{0,6}认定|伤残等级鉴定|劳动能力鉴定",
    r"(取消|停发|停了|停掉|退出|清退|核减|降|终止)[^，。]{0,10}(低保|最低生活保障)|低保[^，。]{0,8}(被|给)?(取消|停|退出|清退|核减|降档)",
    r"不予(批准|许可|行政许可|登记|办理|受理|发放)|不批|驳回[^，。]{0,6}申请|审批[^，。]{0,6}(不通过|被拒)|不给(办|批)",
    r"决定书|作出[^。]{0,40}决定|处理决定|行政决定|营业执照|处罚",
)
_CONTEST = _re(
    r"不服|不认可|不接受|不同意|不合理|不公平|不公正|不合法|违法|错误|冤枉|凭什么|凭啥|没道理|乱罚|乱收|事实有误",
    r"(要求|申请|请求)[^，。]{0,6}(撤销|重新|纠正|恢复|复议|退还|更正)|撤销|重新认定|恢复[^，。]{0,4}低保|复议|申诉|讨个说法|说法",
)
# Acts so clearly addressed to the writer that any objection (但, 其实) contests them.
_STRONG_ACT = _re(r"(取消|停|终止|退出)[^，。]{0,10}(低保|最低生活保障)|低保[^，。]{0,6}被(取消|停)|不予认定|吊销|拘留")
_IMPLICIT_CONTEST = _re(r"但|可是|其实|根本|明明|只是")
# Paying out what a decision already granted is a petition matter, not a contest.
_UNPAID = _re(r"(没|未|不|迟迟不?|一直没)(发|给|兑现|到位|到账|支付)|拖欠|欠(着|了)")
_DECISION_WORDS = _re(r"决定|认定|罚|吊销|注销|拘留|取消|停|终止|不予|不批")

# --- arbitration: labour disputes and rural land contracting (Art. 31(2)) ----
_LABOUR_DISPUTE = _re(
    r"辞退|开除|解雇|被炒|裁员|劝退|解除(了)?(劳动)?合同|终止(了)?(劳动)?合同|不续签|不续了|末位淘汰",
    r"(把|将)(我|我们|他|她)[^，。]{0,6}(开了|辞了|炒了|开除|辞退)|辞职信|逼[^，。]{0,4}辞职",
    r"(没|不|未)(签|给签|跟我签|和我签)[^，。]{0,4}(劳动)?合同|劳动合同|双倍工资|N\+1|遣散费",
    r"停工留薪|伤残补助金|伤残就业补助金|工伤(待遇|赔偿|赔付|费用)[^，。]{0,8}(不给|不赔|不付|拒)|劳动争议|劳动仲裁|仲裁",
)
# Need an employer in the text: 补偿金 also pays for requisitioned land.
_LABOUR_WEAK = _re(
    r"经济补偿|补偿金(?!额)|赔偿金|加班费|带薪年假|年休假|补缴社保|欠缴社保",
    r"(社保|养老保险|医疗保险|五险|保险)[^，。]{0,8}(没|不|未|断)(交|缴|买|给)",
    r"(没有?|未|不|从来没有?)(给|帮|为)?(我|我们|职工|员工)?(缴|交|买)(过|纳)?[^，。]{0,4}(社保|保险|养老|医疗)",
    r"(辞职|离职)[^。]{0,20}补偿|补偿[^。]{0,10}(辞职|离职)",
)
_EMPLOYER = _re(r"公司|老板|单位|厂|酒店|超市|店|上班|员工|职工|用人单位|雇主|合同制|劳动|工作")
_LAND_CONTRACT = _re(
    r"承包地|土地承包|承包经营|承包合同|承包证|承包到户|土地流转|流转合同|流转费|草场承包|承包的?(草场|土地|耕地|林地)",
)
_LAND_DISPUTE = _re(r"纠纷|争议|收回|强占|占了|占用|调整|不给|不付|违约|拖欠|转包|霸占|不还|圈|地界|扯不清|说不清|分")
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
    kind: str = "petition"  # which rule decided: the topic may follow from it

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


# The addressee of a letter (尊敬的州委书记：) is not the official it accuses.
_SALUTATION = _re(r"(尊敬的)?(州委|县委|市委|州|县|市)?(书记|州长|县长|市长|领导)(同志)?(您好|你好)?[：:，,！!]")


def decide_path(text: str) -> PathDecision:
    """The procedure a petition belongs to, with the words and article that decided."""
    text = _SALUTATION.sub(" ", text)
    discipline = _discipline_words(text)
    if discipline:
        return PathDecision("discipline", tuple(discipline), ART_22_DISCIPLINE,
                            "检举控告公职人员违纪违法，转纪检监察机关", "discipline")
    service = _words(_LEGAL_SERVICE, text)
    if service:
        return PathDecision("petition", tuple(service), ART_31_6,
                            "法律援助和律师执业监督属司法行政机关职责，按信访程序办理", "legal_service")
    court = _words(_COURT, text)
    if court:
        # Which of the two tells the citizen their window: an appeal's, or the police's procedures.
        return PathDecision("litigation", tuple(court), ART_31_1,
                            "属于应当通过诉讼、检察或公安法律程序处理的涉法涉诉事项，转同级政法部门依法处理",
                            "court" if _JUDICIAL_WORDS.search(text) else "police")

    act = _words(_ADMIN_ACT, text)
    contest = _words(_CONTEST, text)
    if act and not contest and _STRONG_ACT.search(text):
        contest = _words(_IMPLICIT_CONTEST, text, 1)
    if act and contest and not (_UNPAID.search(text) and not _DECISION_WORDS.search("".join(act))):
        return PathDecision("reconsideration", tuple(act + contest), ART_31_4,
                            "对具体行政行为不服，可申请行政复议", "administrative_act")

    labour = _words(_LABOUR_DISPUTE, text)
    if not labour and _EMPLOYER.search(text):
        labour = _words(_LABOUR_WEAK, text)
    if labour:
        return PathDecision("arbitration", tuple(labour), ART_31_2,
                            "用人单位与劳动者之间的劳动争议，应先申请劳动人事争议仲裁", "labour")
    land = _words(_LAND_CONTRACT, text)
    if land and _LAND_DISPUTE.search(text):
        return PathDecision("arbitration", tuple(land + _words(_LAND_DISPUTE, text, 1)), ART_31_2,
                            "农村土地承包经营纠纷，可申请农村土地承包仲裁", "land_contract")

    crime = _words(_CRIME, text)
    if crime and not _FUNDRAISING.search(text) and not _NOT_CRIME.search(text):
        return PathDecision("litigation", tuple(crime), ART_31_1,
                            "涉嫌违法犯罪，应由公安机关依法立案处理", "crime")
    civil = _words(_INHERITANCE, text)
    if not civil and not _NOT_PRIVATE.search(text):
        civil = [w for w in _words(_CIVIL, text) if not (w.startswith("医院") and _ASKS_AUTHORITY.search(text))]
    if civil:
        return PathDecision("litigation", tuple(civil), ART_31_1,
                            "私人之间的民事纠纷，应通过人民法院诉讼解决", "civil")

    wages = _words(_WAGE_ARREARS, text)
    if wages:
        return PathDecision("petition", tuple(wages), ART_31_5 + "、《保障农民工工资支付条例》",
                            "拖欠工资可由劳动保障监察责令支付，按信访程序办理", "wage_arrears")
    investigate = _words(_INVESTIGATE, text)
    if investigate:
        return PathDecision("petition", tuple(investigate), ART_31_5,
                            "申请查处违法行为，由有权机关依法履行职责或答复")
    suggestion = _words(_SUGGESTION, text)
    if suggestion:
        return PathDecision("petition", tuple(suggestion), ART_29, "建议意见类事项，按信访程序办理")
    return PathDecision("petition", (), ART_31_6, "申诉求决类事项，由有权处理的行政机关按信访程序办理")


def _discipline_words(text: str) -> list[str]:
    """Words accusing an official, or naming the discipline organs themselves."""
    organ = _words(_DISCIPLINE_ORGAN, text, 1)
    strong = _words(_MISCONDUCT, text)
    official = _words(_OFFICIAL, text, 1)
    weak = _words(_MISCONDUCT_WEAK, text) if official else []
    if organ or strong or weak:
        return official + organ + strong + weak
    return []
