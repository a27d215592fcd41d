"""manage.py import_units PATH [--year Y] [--org 镇党委] [--user USERNAME] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import clock
from dangjian.orgs import importer
from dangjian.orgs.management.commands.import_orgs import _user


class Command(BaseCommand):
    help = (
        "导入社区（村）和居民（村民）小组及其户籍户数、户籍人口、常住户数、常住人口（xlsx/xls）："
        "按名称更新、不重复建立；全部行无误才写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?")
        parser.add_argument("--year", type=int, help="文件中没有“年度”列时的年度")
        parser.add_argument("--org", help="所属镇（街道）党委（全称或简称；只有一个时可省略）")
        parser.add_argument("--user", help="按该账号的权限范围导入")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--template", metavar="OUT", help="写出导入模板到该路径，然后退出")

    def handle(self, *args, path, year, org, user, dry_run, template, **opts):
        if template:
            Path(template).write_bytes(importer.template_bytes("units"))
            self.stdout.write(f"已写出模板：{template}")
            return
        if not path:
            raise CommandError("请给出要导入的文件路径")
        p = Path(path)
        if not p.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = _user(user)
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
        today = clock.today()
        try:
            rows = importer.read_table(p.read_bytes(), importer.UNIT_COLUMNS, filename=p.name)
        except importer.ImportFileError as exc:
            raise CommandError(exc.message) from None
        plan = importer.plan_units(rows, township=townships[0], year=year, today=today)
        out = self.stdout
        if not plan.ok:
            for e in plan.errors:
                out.write(str(e))
            raise CommandError(f"有 {len({e.row for e in plan.errors})} 行错误，未导入任何数据。")
        out.write(f"{townships[0].name}：社区（村） {plan.communities} 个，居民（村民）小组 {plan.groups} 个")
        if dry_run:
            out.write(self.style.SUCCESS("检查通过（--dry-run，未写入）。"))
            return
        r = importer.apply_units(plan)
        out.write(
            self.style.SUCCESS(
                f"导入完成：新建社区（村） {r.communities} 个、小组 {r.groups} 个，户数人口 {r.figures} 条。"
            )
        )
