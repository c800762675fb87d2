"""Which department a case is suggested to (DESIGN.md §5: assign takes a code).

The legal paths have fixed receivers; petitions go to the department whose
`categories` in departments.json cover the topic.
"""
from __future__ import annotations

from . import resources

PATH_DEPARTMENT = {
    "litigation": "zfw",       # 州委政法委 / 州中级人民法院: 转送政法部门 (Art. 22 ¶2)
    "reconsideration": "sfj",  # 州司法局 (行政复议机构)
    "discipline": "jw",        # 州纪委监委 (Art. 22 ¶2, Art. 30)
}
ARBITRATION_DEPARTMENT = {"农村农业": "nyncj", "国土资源": "nyncj"}  # 农村土地承包仲裁
LABOUR_ARBITRATION = "rsj"  # 劳动人事争议仲裁委员会 sits with 人社局

# Used only when departments.json does not name a department for the topic.
FALLBACK_CATEGORY_DEPARTMENT = {
    "城乡建设": "zjj", "国土资源": "zrzyj", "环境保护": "sthjj", "交通运输": "jtysj",
    "教育文体": "jyj", "劳动和社会保障": "rsj", "商贸旅游": "wglj", "卫生计生": "wjw",
    "农村农业": "nyncj", "水电移民": "ymj", "民政": "mzj", "政法": "zfw",
    "纪检监察": "jw", "金融": "jrb", "其他": "xfj",
}


def department_for(category: str, path: str) -> str | None:
    """Code of the department a case is suggested to."""
    if path in PATH_DEPARTMENT:
        return PATH_DEPARTMENT[path]
    if path == "arbitration":
        return ARBITRATION_DEPARTMENT.get(category, LABOUR_ARBITRATION)
    # A topic's lead department lists it first (卫生计生: 卫健委, where 市场监管 lists it second, for
    # food and drugs); failing that, the first department that lists it at all.
    covering = [d for d in resources.departments() if category in d.get("categories", ())]
    for dept in covering:
        if dept["categories"][0] == category:
            return dept["code"]
    if covering:
        return covering[0]["code"]
    return FALLBACK_CATEGORY_DEPARTMENT.get(category)
