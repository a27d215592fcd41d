"""Columns of the roster file (RULES.md §10 names) and the header names other systems and
hand-kept spreadsheets use for them."""

from __future__ import annotations

from dangjian.members.models import Occupation

# (field, canonical header, aliases). Order = export order.
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("name", "姓名", ("党员姓名", "名字")),
    ("sex", "性别", ()),
    ("ethnicity", "民族", ()),
    ("id_number", "公民身份号码", ("身份证号", "身份证号码", "公民身份证号", "公民身份证号码", "身份证", "证件号码")),
    ("birth_date", "出生日期", ("出生年月", "出生年月日", "出生时间", "生日")),
    ("education", "学历", ("文化程度", "最高学历", "全日制学历")),
    ("degree", "学位", ()),
    ("kind", "人员类别", ("预/正", "预备/正式", "党员类别", "政治面貌", "党员类型", "类别")),
    ("branch", "所在党支部", ("党支部", "所在支部", "支部", "支部名称", "所属支部", "所在党组织", "党组织")),
    ("group", "党小组", ("所在党小组",)),
    ("joined_on", "入党日期", ("入党时间", "入党年月", "加入党组织日期", "加入中国共产党日期")),
    ("full_on", "转为正式党员日期", ("转正时间", "转正日期", "转为正式党员时间", "转正年月")),
    ("probation_extension_months", "延长预备期（月）", ("延长预备期", "延长预备期月数")),
    ("job", "工作岗位", ("岗位", "工作单位及职务", "工作单位及岗位", "职务")),
    ("occupation", "职业类别", ("职业", "从事职业")),
    ("dues_category", "党费类别", ("党费交纳类别", "党费缴纳类别")),
    ("phone", "联系电话", ("手机号码", "手机号", "手机", "电话", "联系方式", "电话号码")),
    ("address", "家庭住址", ("住址", "家庭地址")),
    ("native_place", "籍贯", ()),
    ("registered_residence", "户籍所在地", ("户籍地",)),
    ("current_residence", "现居住地", ("居住地", "现住址")),
    ("is_migrant_worker", "是否农民工", ("农民工",)),
    ("standing", "党籍状态", ()),
    ("is_lost", "是否失联党员", ("失联党员", "是否失联")),
    ("lost_on", "失联日期", ("失联时间",)),
    ("is_mobile", "是否流动党员", ("流动党员", "是否流动")),
    ("mobile_destination", "外出流向", ("流向", "外出地点")),
    ("mobile_since", "外出日期", ("外出时间",)),
    ("mobile_host_org", "流入地党组织", ()),
    ("mobile_contact", "外出联系方式", ()),
    ("introducers", "入党介绍人", ("介绍人",)),
    ("joined_org_type", "进入本组织类型", ()),
    ("joined_org_on", "进入本组织日期", ()),
]

HEADERS = [h for _, h, _ in COLUMNS]
FIELD_HEADER = {f: h for f, h, _ in COLUMNS}


# Values people write, mapped to the model's choices.
KIND_VALUES = {
    "正式党员": "正式党员",
    "正式": "正式党员",
    "正": "正式党员",
    "中共党员": "正式党员",
    "党员": "正式党员",
    "预备党员": "预备党员",
    "预备": "预备党员",
    "预": "预备党员",
    "中共预备党员": "预备党员",
}
SEX_VALUES = {"男": "男", "男性": "男", "女": "女", "女性": "女"}
TRUE_VALUES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
FALSE_VALUES = {"否", "n", "no", "false", "0", "", "无", "×"}
STANDING_VALUES = {"正常": "正常", "停止党籍": "停止党籍", "停籍": "停止党籍"}

# The model's choices, computed once (Choices.values builds a new list on every access).
OCCUPATION_VALUES: tuple[str, ...] = tuple(Occupation.values)
