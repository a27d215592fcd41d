"""Demo: two 2023 inspections of the demo township (one 明察, one 暗访) with findings in
several categories; all but one rectification item closed — that one is still overdue."""

from __future__ import annotations

from datetime import date

from dangjian.core.audit import log_bulk
from dangjian.demo.context import DemoContext
from dangjian.inspections.models import Finding, Inspection, RectificationItem
from dangjian.reviews.demo import demo_document

PROBLEMS = [
    ("组织生活", "三会一课记录不全，第二季度党员大会无会议记录", "补齐会议记录，严格落实三会一课制度"),
    ("党费", "个别党员党费连续3个月未交纳，支部未及时催缴", "逐人谈话催缴，建立党费收缴提醒台账"),
    ("学习", "学习笔记雷同，集中学习流于形式", "改进学习方式，开展专题研讨并记录发言"),
    ("党员管理", "流动党员联系不经常，2人半年未联系", "指定联系人，每月至少联系一次并登记"),
    ("作风", "便民服务窗口工作时间无人值守", "落实值班制度，公示值班电话"),
    ("弄虚作假", "主题党日签到表存在代签情况", "核实情况，如实更正记录，对相关人员批评教育"),
    ("其他", "党建阵地宣传栏内容长期未更新", "每月更新宣传栏内容"),
]


def load(ctx: DemoContext) -> None:
    rng = ctx.rng_for("inspections")
    town = ctx.township
    if town is None:
        return
    branches = [b for b in ctx.branches if b.path.startswith(town.path)]
    if not branches:
        return
    admin = ctx.users.get("admin")
    doc = demo_document()
    inspector = ctx.users.get("inspector")
    plan = [
        (
            "2023年上半年基层党建工作督查",
            date(2023, 6, 15),
            Inspection.Mode.ANNOUNCED,
            admin,
            "听取汇报、查阅台账、个别谈话",
        ),
        (
            "2023年三会一课落实情况暗访",
            date(2023, 10, 18),
            Inspection.Mode.UNANNOUNCED,
            inspector,
            "不打招呼、直奔现场、随机走访党员",
        ),
    ]
    inspections = [
        Inspection(org=town, title=t, kind="专项督查" if mode == Inspection.Mode.UNANNOUNCED else "日常督查", date=d,
                   mode=mode, team="镇党委组织委员、党建办工作人员", method=m, created_by=u)
        for t, d, mode, u, m in plan
    ]  # fmt: skip
    Inspection.objects.bulk_create(inspections)
    # The first visits the first branches in path order, the second (暗访) the second half:
    # deterministic, and each has branches the other does not (scope tests need both).
    back = branches[len(branches) // 2 :] or branches
    visited = [branches[:6], rng.sample(back, min(len(back), 5))]
    through = Inspection.branches.through
    through.objects.bulk_create(
        [through(inspection_id=i.pk, organization_id=b.pk) for i, bs in zip(inspections, visited) for b in bs]
    )
    findings, items = [], []
    k = 0
    for insp, bs in zip(inspections, visited):
        for b in bs[:4]:
            cat, desc, measure = PROBLEMS[k % len(PROBLEMS)]
            k += 1
            f = Finding(inspection=insp, branch=b, category=cat, description=desc,
                        evidence_note="现场查阅台账并拍照留存", evidence=doc, evidence_name="现场照片.pdf",
                        created_by=insp.created_by)  # fmt: skip
            findings.append(f)
    Finding.objects.bulk_create(findings)
    for n, f in enumerate(findings):
        deadline = date.fromordinal(f.inspection.date.toordinal() + 30)
        overdue = n == len(findings) - 1  # the last one: never completed, still 逾期
        in_time = not overdue
        items.append(
            RectificationItem(
                finding=f,
                measure=PROBLEMS[n % len(PROBLEMS)][2],
                responsible=getattr(ctx.secretary_by_branch.get(f.branch_id), "name", "支部书记"),
                deadline=deadline,
                status=RectificationItem.Status.IN_PROGRESS if overdue else RectificationItem.Status.DONE,
                completion_note="已制定整改方案，尚未完成" if overdue else "已按要求整改到位，相关台账已补齐",
                completion_evidence=doc,
                completion_evidence_name="整改方案.pdf" if overdue else "整改佐证.pdf",
                reported_on=date.fromordinal(deadline.toordinal() - 5) if in_time else None,
                closed_on=date.fromordinal(deadline.toordinal() + 3) if in_time else None,
                closed_by=f.inspection.created_by if in_time else None,
                close_note="复查属实，同意销号" if in_time else "",
            )
        )
    RectificationItem.objects.bulk_create(items)
    log_bulk([*inspections, *findings, *items], note="演示数据")
    ctx.say(f"督查 {len(inspections)} 次、问题 {len(findings)} 个（逾期未整改 1 个）")
