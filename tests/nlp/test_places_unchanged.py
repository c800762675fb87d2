"""Classification of synthetic petitions is unchanged by speed work on places and rules.

The texts are written for this test (none comes from the dev or training data); the
expected outputs were recorded from the classifier before the homophone scan, the
regex rules and the segmentation were made cheaper.
"""
import json

import pytest

from xinfang.nlp import classify
from xinfang.nlp.places import county_from_answer

_EXPECTED = json.loads(r"""{
 "classify": [
  [
   "理塘县高城镇的自来水停了三天，村民们要求尽快恢复供水",
   {
    "category": "城乡建设",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "理塘县",
    "township": "高城镇",
    "collective": true,
    "urgent": false,
    "tibetan": false,
    "department": "zjj",
    "confidence": 0.759,
    "reasons": [
     "分类：城乡建设（模型置信度0.76；关键词“自来水”、“供水”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决——“要求”",
     "地区：理塘县·高城镇——文中提到“理塘县”、“高城镇”",
     "集体访：“村民们”（五人以上共同提出）"
    ]
   }
  ],
  [
   "我在理唐打工，老板拖欠工资八个月不给，请帮忙解决",
   {
    "category": "劳动和社会保障",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "理塘县",
    "township": null,
    "collective": true,
    "urgent": false,
    "tibetan": false,
    "department": "rsj",
    "confidence": 0.973,
    "reasons": [
     "分类：劳动和社会保障（模型置信度0.97；关键词“老板”、“拖欠工资”）",
     "途径：信访——“拖欠工资”：拖欠工资可由劳动保障监察责令支付，按信访程序办理（《信访工作条例》第三十一条第（五）项、《保障农民工工资支付条例》）",
     "诉求类型：求决——“帮忙”",
     "地区：理塘县——文中提到“理唐”（按拼音近音识别）",
     "集体访：“八个”（五人以上共同提出）"
    ]
   }
  ],
  [
   "康丁市的出租车乱收费，建议加强管理",
   {
    "category": "交通运输",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "建议意见",
    "county": "康定市",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "jtysj",
    "confidence": 0.667,
    "reasons": [
     "分类：交通运输（模型置信度0.67；关键词“出租车”）",
     "途径：信访——“建议”：建议意见类事项，按信访程序办理（《信访工作条例》第二十九条）",
     "诉求类型：建议意见——“建议”",
     "地区：康定市——文中提到“康丁县”、“康丁市”（按拼音近音识别）"
    ]
   }
  ],
  [
   "磨溪镇的农家乐不退押金，游客很生气",
   {
    "category": "商贸旅游",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "泸定县",
    "township": "磨西镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wglj",
    "confidence": 0.63,
    "reasons": [
     "分类：商贸旅游（模型置信度0.63；关键词“游客”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：泸定县·磨西镇——文中提到“磨溪”（按拼音近音识别）"
    ]
   }
  ],
  [
   "海罗沟景区门票涨价太快了，请问有没有优惠政策",
   {
    "category": "商贸旅游",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "咨询",
    "county": "泸定县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wglj",
    "confidence": 0.88,
    "reasons": [
     "分类：商贸旅游（模型置信度0.88；关键词“景区”、“门票”、“涨价”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：咨询——“请问”",
     "地区：泸定县——文中提到“海罗沟”（按拼音近音识别）"
    ]
   }
  ],
  [
   "稻成亚丁的酒店订单被取消了，要求赔偿",
   {
    "category": "商贸旅游",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "稻城县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wglj",
    "confidence": 0.737,
    "reasons": [
     "分类：商贸旅游（模型置信度0.74；关键词“酒店”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决——“要求”",
     "地区：稻城县——文中提到“亚丁”、“稻成”"
    ]
   }
  ],
  [
   "学校礼堂漏水好几个月了，没人管",
   {
    "category": "教育文体",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": null,
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "jyj",
    "confidence": 0.553,
    "reasons": [
     "分类：教育文体（模型置信度0.55；关键词“学校”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：未识别到甘孜州内的县（市）"
    ]
   }
  ],
  [
   "我到城里打工被欠工资，怎么办",
   {
    "category": "劳动和社会保障",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "咨询",
    "county": null,
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "rsj",
    "confidence": 0.747,
    "reasons": [
     "分类：劳动和社会保障（模型置信度0.75；关键词“工资”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：咨询——“怎么办”",
     "地区：未识别到甘孜州内的县（市）"
    ]
   }
  ],
  [
   "市区的路灯坏了，晚上很危险",
   {
    "category": "城乡建设",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": null,
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "zjj",
    "confidence": 0.652,
    "reasons": [
     "分类：城乡建设（模型置信度0.65；关键词“路灯”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：未识别到甘孜州内的县（市）"
    ]
   }
  ],
  [
   "我现在住在康定市，老家稻城县桑堆镇的房子被拆了，不服拆除决定",
   {
    "category": "城乡建设",
    "channel": "litigation",
    "path": "reconsideration",
    "demand_type": "申诉",
    "county": "稻城县",
    "township": "桑堆镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "sfj",
    "confidence": 0.328,
    "reasons": [
     "分类：城乡建设（模型置信度0.33）",
     "途径：行政复议——“拆除决定”、“不服”：对具体行政行为不服，可申请行政复议（《信访工作条例》第三十一条第（四）项）",
     "诉求类型：申诉——“不服”",
     "地区：稻城县·桑堆镇——文中提到“稻城县”、“桑堆镇”"
    ]
   }
  ],
  [
   "我是理塘人，在康定的工地上打工被拖欠工资，十二名工人一起反映",
   {
    "category": "劳动和社会保障",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "康定市",
    "township": null,
    "collective": true,
    "urgent": false,
    "tibetan": false,
    "department": "rsj",
    "confidence": 0.962,
    "reasons": [
     "分类：劳动和社会保障（模型置信度0.96；关键词“工地”、“拖欠工资”、“工人”）",
     "途径：信访——“拖欠工资”：拖欠工资可由劳动保障监察责令支付，按信访程序办理（《信访工作条例》第三十一条第（五）项、《保障农民工工资支付条例》）",
     "诉求类型：求决",
     "地区：康定市——文中提到“康定”",
     "集体访：“十二名”（五人以上共同提出）"
    ]
   }
  ],
  [
   "泸定县冷碛镇村支书贪污扶贫款，请纪委严查",
   {
    "category": "纪检监察",
    "channel": "administrative",
    "path": "discipline",
    "demand_type": "检举控告",
    "county": "泸定县",
    "township": "冷碛镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "jw",
    "confidence": 0.84,
    "reasons": [
     "分类：纪检监察（模型置信度0.84；关键词“村支书”、“贪污”、“纪委”）",
     "途径：纪检监察——“支书”、“纪委”、“贪污”：检举控告公职人员违纪违法，转纪检监察机关（《信访工作条例》第二十二条第二款、第三十条）",
     "诉求类型：检举控告——“检举控告公职人员”",
     "地区：泸定县·冷碛镇——文中提到“泸定县”、“冷碛镇”"
    ]
   }
  ],
  [
   "丹巴县巴底镇有人放高利贷，还威胁要打死我们全家，救命",
   {
    "category": "金融",
    "channel": "litigation",
    "path": "litigation",
    "demand_type": "求决",
    "county": "丹巴县",
    "township": "巴底镇",
    "collective": false,
    "urgent": true,
    "tibetan": false,
    "department": "zfw",
    "confidence": 0.485,
    "reasons": [
     "分类：金融（模型置信度0.48；关键词“高利贷”）",
     "途径：诉讼（政法机关）——“放高利贷”：涉嫌违法犯罪，应由公安机关依法立案处理（《信访工作条例》第二十八条第二款、第三十一条第（一）项）",
     "诉求类型：求决",
     "地区：丹巴县·巴底镇——文中提到“丹巴县”、“巴底镇”",
     "紧急：“威胁要打死”——可能危及人身安全，需立即处置"
    ]
   }
  ],
  [
   "九龙县烟袋镇的山体有裂缝，现在随时可能垮塌，请马上派人",
   {
    "category": "城乡建设",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "九龙县",
    "township": "烟袋镇",
    "collective": false,
    "urgent": true,
    "tibetan": false,
    "department": "zjj",
    "confidence": 0.157,
    "reasons": [
     "分类：城乡建设（模型置信度0.16）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：九龙县·烟袋镇——文中提到“九龙县”、“烟袋镇”",
     "紧急：“随时可能垮塌”——可能危及人身安全，需立即处置"
    ]
   }
  ],
  [
   "雅江河口镇的学校食堂饭菜太差，家长们联名反映",
   {
    "category": "教育文体",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "雅江县",
    "township": "河口镇",
    "collective": true,
    "urgent": false,
    "tibetan": false,
    "department": "jyj",
    "confidence": 0.704,
    "reasons": [
     "分类：教育文体（模型置信度0.70；关键词“学校”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：雅江县·河口镇——文中提到“雅江”、“河口镇”",
     "集体访：“家长们”（五人以上共同提出）"
    ]
   }
  ],
  [
   "道孚八美镇的草场承包纠纷，邻村强占了我们的承包地",
   {
    "category": "农村农业",
    "channel": "litigation",
    "path": "arbitration",
    "demand_type": "求决",
    "county": "道孚县",
    "township": "八美镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "nyncj",
    "confidence": 0.707,
    "reasons": [
     "分类：农村农业（模型置信度0.71；关键词“承包地”）",
     "途径：仲裁——“草场承包”、“承包地”、“纠纷”：农村土地承包经营纠纷，可申请农村土地承包仲裁（《信访工作条例》第三十一条第（二）项）",
     "诉求类型：求决",
     "地区：道孚县·八美镇——文中提到“道孚”、“八美镇”"
    ]
   }
  ],
  [
   "炉霍县新都镇卫生院的医生态度很差，看病排队太久",
   {
    "category": "卫生计生",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "炉霍县",
    "township": "新都镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wjw",
    "confidence": 0.986,
    "reasons": [
     "分类：卫生计生（模型置信度0.99；关键词“卫生院”、“医生”、“看病”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：炉霍县·新都镇——文中提到“炉霍县”、“新都镇”"
    ]
   }
  ],
  [
   "甘孜县城的快递一直收不到，想咨询一下怎么办理退件",
   {
    "category": "商贸旅游",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "咨询",
    "county": "甘孜县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wglj",
    "confidence": 0.207,
    "reasons": [
     "分类：商贸旅游（模型置信度0.21；关键词“快递”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：咨询——“咨询”",
     "地区：甘孜县——文中提到“甘孜县”"
    ]
   }
  ],
  [
   "新龙县如龙镇的低保被取消了，我不服，要求重新认定",
   {
    "category": "民政",
    "channel": "litigation",
    "path": "reconsideration",
    "demand_type": "申诉",
    "county": "新龙县",
    "township": "如龙镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "sfj",
    "confidence": 0.533,
    "reasons": [
     "分类：民政（模型置信度0.53；关键词“低保”）",
     "途径：行政复议——“低保被取消”、“不服”、“要求重新”：对具体行政行为不服，可申请行政复议（《信访工作条例》第三十一条第（四）项）",
     "诉求类型：申诉——“不服”",
     "地区：新龙县·如龙镇——文中提到“新龙县”、“如龙镇”"
    ]
   }
  ],
  [
   "德格印经院附近的民宿乱涨价，建议物价部门查处",
   {
    "category": "商贸旅游",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "检举控告",
    "county": "德格县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wglj",
    "confidence": 0.88,
    "reasons": [
     "分类：商贸旅游（模型置信度0.88；关键词“民宿”、“涨价”、“物价”）",
     "途径：信访——“查处”：申请查处违法行为，由有权机关依法履行职责或答复（《信访工作条例》第三十一条第（五）项）",
     "诉求类型：检举控告——“查处”",
     "地区：德格县——文中提到“德格印经院”"
    ]
   }
  ],
  [
   "白玉县建设镇的道路修了一半停工了，车都过不去",
   {
    "category": "交通运输",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "白玉县",
    "township": "建设镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "jtysj",
    "confidence": 0.5,
    "reasons": [
     "分类：交通运输（模型置信度0.50；关键词“道路”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：白玉县·建设镇——文中提到“白玉县”、“建设镇”"
    ]
   }
  ],
  [
   "石曲县的牧民冬天缺草料，希望政府给点补助",
   {
    "category": "农村农业",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "石渠县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "nyncj",
    "confidence": 0.252,
    "reasons": [
     "分类：农村农业（模型置信度0.25；关键词“牧民”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决——“希望”",
     "地区：石渠县——文中提到“石曲县”（按拼音近音识别）"
    ]
   }
  ],
  [
   "色达五明佛学院附近交通拥堵严重",
   {
    "category": "交通运输",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "色达县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "jtysj",
    "confidence": 0.451,
    "reasons": [
     "分类：交通运输（模型置信度0.45；关键词“交通”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：色达县——文中提到“色达”、“五明佛学院”"
    ]
   }
  ],
  [
   "巴唐县夏邛镇的银行贷款利息太高",
   {
    "category": "金融",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "巴塘县",
    "township": "夏邛镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "jrb",
    "confidence": 0.981,
    "reasons": [
     "分类：金融（模型置信度0.98；关键词“银行”、“贷款”、“利息”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：巴塘县·夏邛镇——文中提到“夏邛镇”、“巴唐县”"
    ]
   }
  ],
  [
   "乡成的香巴拉镇污水直排河里，偷排严重",
   {
    "category": "环境保护",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "检举控告",
    "county": "乡城县",
    "township": "香巴拉镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "sthjj",
    "confidence": 0.913,
    "reasons": [
     "分类：环境保护（模型置信度0.91；关键词“污水”）",
     "途径：信访——“偷排”：申请查处违法行为，由有权机关依法履行职责或答复（《信访工作条例》第三十一条第（五）项）",
     "诉求类型：检举控告——“偷排”",
     "地区：乡城县·香巴拉镇——文中提到“香巴拉镇”、“乡成”"
    ]
   }
  ],
  [
   "得荣太阳谷的电站移民安置款一直没发",
   {
    "category": "水电移民",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "得荣县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "ymj",
    "confidence": 0.99,
    "reasons": [
     "分类：水电移民（模型置信度0.99；关键词“电站”、“移民安置”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：得荣县——文中提到“得荣太阳谷”"
    ]
   }
  ],
  [
   "甘孜州人民政府门口有人聚集",
   {
    "category": "其他",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": null,
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "xfj",
    "confidence": 0.157,
    "reasons": [
     "分类：其他（模型置信度0.16）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：未识别到甘孜州内的县（市）"
    ]
   }
  ],
  [
   "我在成都打工，户籍是稻城县的，工伤认定不予认定，我不服",
   {
    "category": "劳动和社会保障",
    "channel": "litigation",
    "path": "reconsideration",
    "demand_type": "申诉",
    "county": null,
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "sfj",
    "confidence": 0.721,
    "reasons": [
     "分类：劳动和社会保障（模型置信度0.72；关键词“工伤”）",
     "途径：行政复议——“工伤认定”、“不予认定”、“不服”：对具体行政行为不服，可申请行政复议（《信访工作条例》第三十一条第（四）项）",
     "诉求类型：申诉——“不服”",
     "地区：未识别到甘孜州内的县（市）"
    ]
   }
  ],
  [
   "感谢康定市公安局民警帮我找回了走失的孩子，送锦旗致敬",
   {
    "category": "其他",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "建议意见",
    "county": "康定市",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "xfj",
    "confidence": 0.837,
    "reasons": [
     "分类：其他（模型置信度0.84；关键词“感谢”、“锦旗”、“致敬”）",
     "途径：信访——“感谢”：建议意见类事项，按信访程序办理（《信访工作条例》第二十九条）",
     "诉求类型：建议意见——“感谢”",
     "地区：康定市——文中提到“康定市”"
    ]
   }
  ],
  [
   "尊敬的县长您好：我家5个人住的房子开裂了，现在下雨还在渗水",
   {
    "category": "城乡建设",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": null,
    "township": null,
    "collective": false,
    "urgent": true,
    "tibetan": false,
    "department": "zjj",
    "confidence": 0.128,
    "reasons": [
     "分类：城乡建设（模型置信度0.13）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：未识别到甘孜州内的县（市）",
     "紧急：“开裂…现在”——可能危及人身安全，需立即处置"
    ]
   }
  ],
  [
   "ཁྱེད་ཚོར་བཀྲ་ཤིས་བདེ་ལེགས། 理塘县的牧民要求修路",
   {
    "category": "其他",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "理塘县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": true,
    "department": "xfj",
    "confidence": 0.31,
    "reasons": [
     "分类：其他（模型置信度0.31）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决——“要求”",
     "地区：理塘县——文中提到“理塘县”",
     "藏文：含藏文字符，需懂藏文的工作人员办理，答复需藏汉双语"
    ]
   }
  ],
  [
   "二十多户牧民的草场补贴被村会计截留了",
   {
    "category": "纪检监察",
    "channel": "administrative",
    "path": "discipline",
    "demand_type": "检举控告",
    "county": null,
    "township": null,
    "collective": true,
    "urgent": false,
    "tibetan": false,
    "department": "jw",
    "confidence": 0.293,
    "reasons": [
     "分类：纪检监察（模型置信度0.29；关键词“截留”）",
     "途径：纪检监察——“村会计”、“截留”：检举控告公职人员违纪违法，转纪检监察机关（《信访工作条例》第二十二条第二款、第三十条）",
     "诉求类型：检举控告——“检举控告公职人员”",
     "地区：未识别到甘孜州内的县（市）",
     "集体访：“二十多户”（五人以上共同提出）"
    ]
   }
  ],
  [
   "法院判决后对方一直不履行，申请强制执行也没用，康定",
   {
    "category": "政法",
    "channel": "litigation",
    "path": "litigation",
    "demand_type": "求决",
    "county": "康定市",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "zfw",
    "confidence": 0.968,
    "reasons": [
     "分类：政法（模型置信度0.97；关键词“法院”、“判决”、“强制执行”）",
     "途径：诉讼（政法机关）——“法院判”、“申请强制执行”：属于应当通过诉讼、检察或公安法律程序处理的涉法涉诉事项，转同级政法部门依法处理（《信访工作条例》第二十八条第二款、第三十一条第（一）项）",
     "诉求类型：求决",
     "地区：康定市——文中提到“康定”"
    ]
   }
  ],
  [
   "离婚后对方不给抚养费，泸定法院不立案",
   {
    "category": "政法",
    "channel": "litigation",
    "path": "litigation",
    "demand_type": "求决",
    "county": "泸定县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "zfw",
    "confidence": 0.976,
    "reasons": [
     "分类：政法（模型置信度0.98；关键词“离婚”、“抚养费”、“法院”、“立案”）",
     "途径：诉讼（政法机关）——“法院不立案”：属于应当通过诉讼、检察或公安法律程序处理的涉法涉诉事项，转同级政法部门依法处理（《信访工作条例》第二十八条第二款、第三十一条第（一）项）",
     "诉求类型：求决",
     "地区：泸定县——文中提到“泸定”"
    ]
   }
  ],
  [
   "丹吧县的中学乱收补课费，家长反映多次没人处理",
   {
    "category": "教育文体",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "丹巴县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "jyj",
    "confidence": 0.72,
    "reasons": [
     "分类：教育文体（模型置信度0.72；关键词“补课费”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：丹巴县——文中提到“丹吧县”（按拼音近音识别）"
    ]
   }
  ],
  [
   "在九隆的工地上摔伤了，公司不给工伤赔偿",
   {
    "category": "劳动和社会保障",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "九龙县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "rsj",
    "confidence": 0.938,
    "reasons": [
     "分类：劳动和社会保障（模型置信度0.94；关键词“工地”、“工伤”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决——“赔偿”",
     "地区：九龙县——文中提到“九隆”（按拼音近音识别）"
    ]
   }
  ],
  [
   "新都桥的客栈老板打人，派出所不处理",
   {
    "category": "政法",
    "channel": "litigation",
    "path": "litigation",
    "demand_type": "求决",
    "county": "康定市",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "zfw",
    "confidence": 0.517,
    "reasons": [
     "分类：政法（模型置信度0.52；关键词“派出所”）",
     "途径：诉讼（政法机关）——“派出所不处理”：属于应当通过诉讼、检察或公安法律程序处理的涉法涉诉事项，转同级政法部门依法处理（《信访工作条例》第二十八条第二款、第三十一条第（一）项）",
     "诉求类型：求决",
     "地区：康定市——文中提到“新都桥”"
    ]
   }
  ],
  [
   "稻城的亚丁村有人非法采砂，请查处",
   {
    "category": "环境保护",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "检举控告",
    "county": "稻城县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "sthjj",
    "confidence": 0.619,
    "reasons": [
     "分类：环境保护（模型置信度0.62；关键词“采砂”）",
     "途径：信访——“非法采砂”、“查处”：申请查处违法行为，由有权机关依法履行职责或答复（《信访工作条例》第三十一条第（五）项）",
     "诉求类型：检举控告——“非法采砂”",
     "地区：稻城县——文中提到“稻城”、“亚丁村”"
    ]
   }
  ],
  [
   "康定跑马山景区的索道停运了，想知道什么时候恢复",
   {
    "category": "商贸旅游",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "咨询",
    "county": "康定市",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wglj",
    "confidence": 0.445,
    "reasons": [
     "分类：商贸旅游（模型置信度0.45；关键词“景区”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：咨询——“想知道”",
     "地区：康定市——文中提到“康定”、“跑马山”"
    ]
   }
  ],
  [
   "理塘和巴塘之间的公路塌方了，今天有车被困",
   {
    "category": "交通运输",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "理塘县",
    "township": null,
    "collective": false,
    "urgent": true,
    "tibetan": false,
    "department": "jtysj",
    "confidence": 0.922,
    "reasons": [
     "分类：交通运输（模型置信度0.92；关键词“公路”、“塌方”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：理塘县——文中提到“理塘”",
     "紧急：“塌方…今天”——可能危及人身安全，需立即处置"
    ]
   }
  ],
  [
   "老家在白玉，现居康定，白玉县的宅基地被邻居占了",
   {
    "category": "国土资源",
    "channel": "litigation",
    "path": "litigation",
    "demand_type": "求决",
    "county": "白玉县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "zfw",
    "confidence": 0.784,
    "reasons": [
     "分类：国土资源（模型置信度0.78；关键词“宅基地”）",
     "途径：诉讼（政法机关）——“邻居占了”：私人之间的民事纠纷，应通过人民法院诉讼解决（《信访工作条例》第二十八条第二款、第三十一条第（一）项）",
     "诉求类型：求决",
     "地区：白玉县——文中提到“白玉”、“白玉县”"
    ]
   }
  ],
  [
   "磨西古镇的商户乱占道经营",
   {
    "category": "商贸旅游",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "泸定县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wglj",
    "confidence": 0.517,
    "reasons": [
     "分类：商贸旅游（模型置信度0.52）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：泸定县——文中提到“磨西古镇”"
    ]
   }
  ],
  [
   "我们村的网络信号太差，能不能增设基站",
   {
    "category": "其他",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "咨询",
    "county": null,
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "xfj",
    "confidence": 0.787,
    "reasons": [
     "分类：其他（模型置信度0.79；关键词“网络信号”、“基站”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：咨询——“能不能”",
     "地区：未识别到甘孜州内的县（市）"
    ]
   }
  ],
  [
   "县医院收费不合理，住院费用清单看不懂",
   {
    "category": "卫生计生",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": null,
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wjw",
    "confidence": 0.924,
    "reasons": [
     "分类：卫生计生（模型置信度0.92；关键词“医院”、“住院”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：未识别到甘孜州内的县（市）"
    ]
   }
  ],
  [
   "海螺沟冰川的观光车收费太高了",
   {
    "category": "商贸旅游",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "泸定县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "wglj",
    "confidence": 0.716,
    "reasons": [
     "分类：商贸旅游（模型置信度0.72；关键词“观光车”、“收费”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：泸定县——文中提到“海螺沟冰川”"
    ]
   }
  ],
  [
   "九龙县呷尔镇的养老保险没有给我们缴，公司说没钱",
   {
    "category": "劳动和社会保障",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "九龙县",
    "township": "呷尔镇",
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "rsj",
    "confidence": 0.742,
    "reasons": [
     "分类：劳动和社会保障（模型置信度0.74；关键词“养老保险”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：九龙县·呷尔镇——文中提到“九龙县”、“呷尔镇”"
    ]
   }
  ],
  [
   "雅将县的小学老师工资被克扣，校长不管",
   {
    "category": "纪检监察",
    "channel": "administrative",
    "path": "discipline",
    "demand_type": "检举控告",
    "county": "雅江县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "jw",
    "confidence": 0.939,
    "reasons": [
     "分类：纪检监察——检举控告公职人员的事项均归纪检监察",
     "途径：纪检监察——“校长”、“克扣”：检举控告公职人员违纪违法，转纪检监察机关（《信访工作条例》第二十二条第二款、第三十条）",
     "诉求类型：检举控告——“检举控告公职人员”",
     "地区：雅江县——文中提到“雅将县”（按拼音近音识别）"
    ]
   }
  ],
  [
   "色达县色柯镇的集资公司卷款跑了，几十户被骗",
   {
    "category": "金融",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "色达县",
    "township": "色柯镇",
    "collective": true,
    "urgent": false,
    "tibetan": false,
    "department": "jrb",
    "confidence": 0.819,
    "reasons": [
     "分类：金融（模型置信度0.82；关键词“集资”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：色达县·色柯镇——文中提到“色达县”、“色柯镇”",
     "集体访：“几十户”（五人以上共同提出）"
    ]
   }
  ],
  [
   "我想问一下得荣县的低保申请需要哪些材料",
   {
    "category": "民政",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "咨询",
    "county": "得荣县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "mzj",
    "confidence": 0.765,
    "reasons": [
     "分类：民政（模型置信度0.77；关键词“低保”）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：咨询——“想问”",
     "地区：得荣县——文中提到“得荣县”"
    ]
   }
  ],
  [
   "炉霍的寿灵寺附近有人偷伐林木",
   {
    "category": "环境保护",
    "channel": "administrative",
    "path": "petition",
    "demand_type": "求决",
    "county": "炉霍县",
    "township": null,
    "collective": false,
    "urgent": false,
    "tibetan": false,
    "department": "sthjj",
    "confidence": 0.269,
    "reasons": [
     "分类：环境保护（模型置信度0.27）",
     "途径：信访——未发现需导入法定途径的情形：申诉求决类事项，由有权处理的行政机关按信访程序办理（《信访工作条例》第三十一条第（六）项）",
     "诉求类型：求决",
     "地区：炉霍县——文中提到“炉霍”、“寿灵寺”"
    ]
   }
  ]
 ],
 "answers": [
  [
   "1",
   [
    "康定市",
    null,
    [
     "1"
    ],
    false
   ]
  ],
  [
   "3",
   [
    "丹巴县",
    null,
    [
     "3"
    ],
    false
   ]
  ],
  [
   "18",
   [
    "得荣县",
    null,
    [
     "18"
    ],
    false
   ]
  ],
  [
   "十四",
   [
    "理塘县",
    null,
    [
     "十四"
    ],
    false
   ]
  ],
  [
   "丹巴",
   [
    "丹巴县",
    null,
    [
     "丹巴"
    ],
    false
   ]
  ],
  [
   "磨西",
   [
    "泸定县",
    "磨西镇",
    [
     "磨西"
    ],
    false
   ]
  ],
  [
   "理唐",
   [
    "理塘县",
    null,
    [
     "理唐"
    ],
    true
   ]
  ],
  [
   "礼堂",
   [
    "理塘县",
    null,
    [
     "礼堂"
    ],
    true
   ]
  ],
  [
   "成都",
   null
  ],
  [
   "19",
   null
  ],
  [
   "康丁",
   [
    "康定市",
    null,
    [
     "康丁"
    ],
    true
   ]
  ],
  [
   "海罗沟",
   [
    "泸定县",
    null,
    [
     "海罗沟"
    ],
    true
   ]
  ],
  [
   "稻成",
   [
    "稻城县",
    null,
    [
     "稻成"
    ],
    true
   ]
  ],
  [
   "石曲",
   [
    "石渠县",
    null,
    [
     "石曲"
    ],
    true
   ]
  ]
 ]
}""")


@pytest.mark.parametrize("text,expected", _EXPECTED["classify"], ids=[str(i) for i in range(len(_EXPECTED["classify"]))])
def test_classification_unchanged(text, expected):
    found = classify(text).to_dict()
    assert {name: found[name] for name in expected} == expected  # fields added since are not compared


@pytest.mark.parametrize("answer,expected", _EXPECTED["answers"])
def test_county_from_answer_unchanged(answer, expected):
    m = county_from_answer(answer)
    assert ([m.county, m.township, list(m.words), m.homophone] if m else None) == expected
