"""The files a new township brings (issue 15): its tree, units, roster and a year's meeting ledger.
Shared by tests/orgs/test_orgs_from_zero.py and tests/e2e/test_e2e_from_zero.py."""

import io
from datetime import date

import openpyxl

from dangjian.rules.idcard import make_id

TOP = "中共桃川镇委员会"
JG = "中共桃川镇机关支部委员会"
DM = "中共桃川镇东门社区支部委员会"

ORG_ROWS = [
    ["桃川镇党组织一览表（2025年）"],  # a title row above the header, as staff keep it
    ["党组织名称", "简称", "上级党组织", "组织类型", "组织类别", "成立日期", "所在社区", "换届日期", "书记", "委员"],
    [TOP, "桃川镇党委", "", "基层党委", "机关", "1950-01-01", "", "", "", ""],
    [JG, "机关支部", TOP, "党支部", "机关", "1958年3月1日", "", "2024-03-15", "张建国", "李红、王强"],
    [DM, "东门社区支部", "桃川镇党委", "党支部", "社区", "2001.07.01", "东门社区", "", "", ""],
    ["东门社区第一党小组", "", DM, "党小组", "社区", "", "", "", "", ""],
]
UNIT_ROWS = [
    ["社区（村）", "居民（村民）小组", "户籍户数", "户籍人口", "常住户数", "常住人口", "年度"],
    ["东门社区", "第一居民小组", 312, 958, 280, 860, 2025],
    ["东门社区", "第二居民小组", 298, 901, 270, 812, 2025],
    ["河口村", "第一村民小组", 120, 402, 96, 310, 2025],
]
PEOPLE = [  # name, branch, birth, seq
    ("张建国", "机关支部", date(1975, 3, 1), 11),
    ("李红", "机关支部", date(1982, 6, 2), 22),
    ("王强", "机关支部", date(1988, 9, 3), 33),
    ("赵六", "机关支部", date(1990, 1, 4), 45),
    ("陈芳", "东门社区支部", date(1979, 2, 5), 52),
    ("刘洋", "东门社区支部", date(1985, 4, 6), 63),
]


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def roster_rows():
    head = ["姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "人员类别", "所在党支部", "入党日期",
            "转为正式党员日期", "联系电话"]  # fmt: skip
    rows = [head]
    for i, (name, branch, birth, seq) in enumerate(PEOPLE):
        rows.append([name, "男" if seq % 2 else "女", "汉族", make_id("431024", birth, seq), birth, "大学本科",
                     "正式党员", f"中共桃川镇{branch}委员会" if branch == "机关支部" else branch,
                     date(2010, 7, 1), date(2011, 7, 1), f"1390000{i:04d}"])  # fmt: skip
    return rows


def ledger_rows():
    """主题党日 every month of 2025 in both branches; 赵六 absent from July on (six months)."""
    rows = [
        [
            "党组织",
            "会议类型",
            "日期",
            "开始时间",
            "结束时间",
            "地点",
            "主题",
            "主持人",
            "记录人",
            "出席",
            "请假",
            "缺席",
        ]
    ]
    jg = ["张建国", "李红", "王强", "赵六"]
    for month in range(1, 13):
        present = jg if month < 7 else jg[:3]
        absent = "" if month < 7 else "赵六"
        rows.append(["机关支部", "主题党日", date(2025, month, 10), "09:00", "11:00", "镇会议室", f"{month}月主题党日",
                     "张建国", "李红", "、".join(present), "", absent])  # fmt: skip
        rows.append(["东门社区支部", "主题党日", date(2025, month, 12), "15:00", "16:30", "社区活动室",
                     f"{month}月主题党日", "陈芳", "刘洋", "陈芳、刘洋", "", ""])  # fmt: skip
    return rows
