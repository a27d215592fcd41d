"""manage.py import_units PATH [--year Y] [--org 镇党委] [--user USERNAME] [--dry-run]"""

from django.core.management.base import CommandError

from dangjian.orgs import importer
from dangjian.orgs.import_cli import ImportCommand


class Command(ImportCommand):
    help = (
        "导入社区（村）和居民（村民）小组及其户籍户数、户籍人口、常住户数、常住人口（xlsx/xls/ods/csv）："
        "按名称更新、不重复建立；全部行无误才写入。"
    )
    what, columns, noun = "units", importer.UNIT_COLUMNS, "社区（村）或小组"

    def add_options(self, parser):
        parser.add_argument("--year", type=int, help="文件中没有“年度”列时的年度")
        parser.add_argument("--org", help="所属镇（街道）党委（全称或简称；只有一个时可省略）")

    def make_plan(self, rows, *, actor, today, year=None, org=None, **opts):
        townships = importer.townships_for(actor)
        if org:
            townships = [t for t in townships if org in (t.name, t.short_name)]
            if not townships:
                raise CommandError(f"没有名为“{org}”的镇（街道）党委")
        if not townships:
            raise CommandError("还没有镇（街道）党委（基层党委）：请先导入组织架构")
        if len(townships) > 1:
            names = "、".join(t.name for t in townships)
            raise CommandError(f"有多个镇（街道）党委（{names}），请用 --org 指定")
        return importer.plan_units(rows, township=townships[0], year=year, today=today)

    def heading(self, plan) -> str:
        rows = importer.summary(plan.lines, per="行")
        return (
            f"{plan.township.name}：社区（村） {plan.communities} 个，居民（村民）小组 {plan.groups} 个；按行：{rows}"
        )

    def apply(self, plan, *, today) -> str:
        r = importer.apply_units(plan)
        return (
            f"导入完成：新建社区（村） {r.communities} 个、小组 {r.groups} 个，户数人口 {r.figures} 条，"
            f"无变化 {r.unchanged} 行。"
        )
