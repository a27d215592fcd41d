"""manage.py import_orgs PATH [--dry-run] [--user USERNAME] [--template OUT.xlsx]"""

from dangjian.orgs import importer
from dangjian.orgs.import_cli import ImportCommand


class Command(ImportCommand):
    help = (
        "导入党组织（xlsx/xls/ods/csv）：党组织名称、简称、上级党组织、组织类型、组织类别、成立日期、所在社区，"
        "可含书记/副书记/委员及任职日期。按全称更新、不重复建立；全部行无误才写入。"
    )
    what, columns, noun = "orgs", importer.ORG_COLUMNS, "党组织"

    def make_plan(self, rows, *, actor, today, **opts):
        return importer.plan_orgs(rows, user=actor, today=today)

    def apply(self, plan, *, today) -> str:
        r = importer.apply_orgs(plan, today=today)
        return (
            f"导入完成：新建 {r.created} 个，更新 {r.updated} 个，无变化 {r.unchanged} 个；职务 {r.posts} 条，"
            f"任期 {r.terms} 条，新建社区（村） {r.units} 个。"
        )
