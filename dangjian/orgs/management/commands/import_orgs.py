"""manage.py import_orgs PATH [--dry-run] [--user USERNAME] [--template OUT.xlsx]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import clock
from dangjian.orgs import importer


class Command(BaseCommand):
    help = (
        "导入党组织（xlsx/xls）：党组织名称、简称、上级党组织、组织类型、组织类别、成立日期、所在社区，"
        "可含书记/副书记/委员及任职日期。按全称更新、不重复建立；全部行无误才写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--user", help="按该账号的权限范围导入（默认：全部党组织）")
        parser.add_argument("--template", metavar="OUT", help="写出导入模板到该路径，然后退出")

    def handle(self, *args, path, dry_run, user, template, **opts):
        if template:
            Path(template).write_bytes(importer.template_bytes("orgs"))
            self.stdout.write(f"已写出模板：{template}")
            return
        if not path:
            raise CommandError("请给出要导入的文件路径")
        p = Path(path)
        if not p.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = _user(user)
        today = clock.today()
        try:
            rows = importer.read_table(p.read_bytes(), importer.ORG_COLUMNS, filename=p.name)
        except importer.ImportFileError as exc:
            raise CommandError(exc.message) from None
        plan = importer.plan_orgs(rows, user=actor, today=today)
        out = self.stdout
        for w in plan.warnings:
            out.write("提示：" + w)
        if not plan.ok:
            for e in plan.errors:
                out.write(str(e))
            raise CommandError(f"有 {len({e.row for e in plan.errors})} 行错误，未导入任何数据。")
        out.write(f"可导入：新建 {len(plan.to_create)} 个党组织，更新 {len(plan.to_update)} 个")
        if dry_run:
            out.write(self.style.SUCCESS("检查通过（--dry-run，未写入）。"))
            return
        r = importer.apply_orgs(plan, today=today)
        out.write(
            self.style.SUCCESS(
                f"导入完成：新建 {r.created} 个，更新 {r.updated} 个；职务 {r.posts} 条，任期 {r.terms} 条，"
                f"新建社区（村） {r.units} 个。"
            )
        )


def _user(username):
    if not username:
        return None
    from dangjian.accounts.models import User

    actor = User.objects.filter(username=username).first()
    if actor is None:
        raise CommandError(f"没有账号：{username}")
    return actor
