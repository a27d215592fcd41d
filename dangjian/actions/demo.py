"""Demo: the demo township's 2023 "三抓三促" 工作方案 with tasks in every state
(已完成, 进行中, 未开始, 逾期, 停滞), milestones and dated progress reports.

Long-running (常态化) tasks are dated relative to ctx.today so their states stay meaningful
whenever the demo is loaded; the rest are fixed in 2023.
"""

from __future__ import annotations

from datetime import date, timedelta

from dangjian.actions.models import ActionPlan, Milestone, ProgressReport, Task, TaskCategory
from dangjian.core.audit import log_bulk
from dangjian.demo.context import DemoContext
from dangjian.reviews.demo import demo_document

# (category index, kind, title, responsible-org "town"|"branch", cycle, state)
TASKS = [
    (0, "重点工作", "党委理论学习中心组每月集中学习", "town", "月", "done"),
    (0, "重点工作", "各支部通过三会一课、主题党日开展学习", "branch", "月", "progress"),
    (0, "重点工作", "开展“五个明显”专题研讨", "town", "一次性", "done"),
    (0, "问题整改", "学习流于形式问题整改", "branch", "一次性", "overdue"),
    (1, "重点工作", "建立重点工作清单、问题清单、周例会清单", "town", "周", "done"),
    (1, "重点工作", "党员量化积分管理全覆盖", "branch", "季", "stalled"),
    (1, "问题整改", "组织生活不经常问题整改", "branch", "一次性", "progress"),
    (1, "问题整改", "党费催缴问题整改", "branch", "一次性", "done"),
    (2, "重点工作", "花椒、油橄榄、樱桃产业党建引领", "town", "年", "progress"),
    (2, "重点工作", "流动党员服务站建设", "town", "一次性", "not_started"),
    (2, "重点工作", "输出劳动力技能培训", "town", "季", "overdue"),
    (2, "问题整改", "便民服务效率不高问题整改", "branch", "一次性", "stalled"),
]


def load(ctx: DemoContext) -> None:
    rng = ctx.rng_for("actions")
    town = ctx.township
    if town is None:
        return
    today = ctx.today
    branches = [b for b in ctx.branches if b.path.startswith(town.path)]
    admin = ctx.users.get("admin")
    doc = demo_document()
    plan = ActionPlan.objects.create(
        org=town, title="2023年“三抓三促”行动工作方案", year=2023, started_on=date(2023, 2, 20),
        goals="思想观念明显转变、能力素质明显提升、工作作风明显改进、效率效能明显提高、各项事业明显进步。",
        created_by=admin,
    )  # fmt: skip
    cats = [
        TaskCategory(plan=plan, name=n, order=i)
        for i, n in enumerate(["抓学习促提升", "抓执行促落实", "抓效能促发展"], 1)
    ]
    TaskCategory.objects.bulk_create(cats)
    tasks: list[Task] = []
    plan_reports: list[tuple[Task, list[date], bool]] = []
    for n, (ci, kind, title, who, cycle, state) in enumerate(TASKS):
        org = town if who == "town" or not branches else branches[(n * 7) % len(branches)]
        sec = ctx.secretary_by_branch.get(org.pk)
        start = date(2023, 3, 1)
        if state == "done":
            deadline, reports, done = (
                date(2023, 11, 30),
                [date(2023, 5, 10), date(2023, 8, 20), date(2023, 11, 25)],
                True,
            )
        elif state == "overdue":
            deadline, reports, done = date(2023, 12, 31), [date(2023, 6, 1)], False
        elif state == "progress":
            deadline, reports, done = (
                today + timedelta(days=120),
                [today - timedelta(days=40), today - timedelta(days=6)],
                False,
            )
        elif state == "stalled":
            deadline, reports, done = today + timedelta(days=90), [today - timedelta(days=75)], False
        else:  # not_started
            start = today + timedelta(days=10)
            deadline, reports, done = today + timedelta(days=200), [], False
        t = Task(
            plan=plan, category=cats[ci], kind=kind, title=title, org=org,
            responsible=sec.name if sec else "镇党委组织委员", cycle=cycle, starts_on=start, deadline=deadline,
            status=Task.Status.DONE if done else (Task.Status.IN_PROGRESS if reports else Task.Status.NOT_STARTED),
            done_on=reports[-1] if done else None, last_report_on=reports[-1] if reports else None,
        )  # fmt: skip
        tasks.append(t)
        plan_reports.append((t, reports, done))
    Task.objects.bulk_create(tasks)
    reports, milestones = [], []
    for t, dates, done in plan_reports:
        for i, d in enumerate(dates, start=1):
            last = i == len(dates)
            pct = 100 if (done and last) else min(90, int(100 * i / (len(dates) + 1)) + rng.randint(0, 5))
            reports.append(
                ProgressReport(
                    task=t,
                    date=d,
                    text=f"第{i}次进展：按方案推进，完成阶段性工作。",
                    percent=pct,
                    reported_by=admin,
                    evidence=doc,
                    evidence_name="进展佐证.pdf",
                )
            )
        mid = t.starts_on + (t.deadline - t.starts_on) / 2
        milestones.append(
            Milestone(
                task=t, title="阶段推进", due_on=mid, done_on=mid if (done or dates and dates[0] <= mid) else None
            )
        )
        milestones.append(Milestone(task=t, title="完成验收", due_on=t.deadline, done_on=t.done_on))
    # Branches write their own 工作方案 too: the first branches get one with a task each.
    for b in branches[:3]:
        bp = ActionPlan.objects.create(org=b, title=f"{b}“三抓三促”行动实施方案", year=2023, started_on=date(2023, 3, 1),
                                       created_by=ctx.users.get(f"secretary:{b.pk}"))  # fmt: skip
        bc = TaskCategory.objects.create(plan=bp, name="抓执行促落实", order=1)
        bt = Task.objects.create(plan=bp, category=bc, title="落实三会一课，每月主题党日", org=b, cycle=Task.Cycle.MONTH,
                                 responsible=getattr(ctx.secretary_by_branch.get(b.pk), "name", "支部书记"),
                                 starts_on=date(2023, 3, 1), deadline=date(2023, 12, 31), status=Task.Status.DONE,
                                 done_on=date(2023, 12, 28), last_report_on=date(2023, 12, 28))  # fmt: skip
        tasks.append(bt)
        reports.append(ProgressReport(task=bt, date=date(2023, 12, 28), text="全年按月开展主题党日12次", percent=100,
                                      reported_by=admin, evidence=doc, evidence_name="进展佐证.pdf"))  # fmt: skip
        milestones.append(Milestone(task=bt, title="半年小结", due_on=date(2023, 6, 30), done_on=date(2023, 6, 30)))
    ProgressReport.objects.bulk_create(reports)
    Milestone.objects.bulk_create(milestones)
    log_bulk([plan, *cats, *tasks, *milestones], note="演示数据")
    ctx.say(f"三抓三促：任务 {len(tasks)} 项、进展报告 {len(reports)} 条")
