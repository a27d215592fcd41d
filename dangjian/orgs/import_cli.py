"""What `import_orgs` and `import_units` share: the file argument, --template, --user and
--dry-run (which prints the same row-by-row plan as the browser's preview), the errors as
行号/列/原因, and nothing written unless every row is right."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import clock
from dangjian.orgs import importer


def user_named(username: str | None):
    if not username:
        return None
    from dangjian.accounts.models import User

    actor = User.objects.filter(username=username).first()
    if actor is None:
        raise CommandError(f"没有账号：{username}")
    return actor


class ImportCommand(BaseCommand):
    what = ""  # "orgs" or "units": template_bytes(what)
    columns: dict = {}
    noun = ""  # what a plan line counts, for the summary

    def add_options(self, parser) -> None:
        """Options of one import (besides path, --dry-run, --user, --template)."""

    def make_plan(self, rows, *, actor, today, **opts):
        raise NotImplementedError

    def heading(self, plan) -> str:
        return "可导入：" + importer.summary(plan.lines, self.noun)

    def apply(self, plan, *, today) -> str:
        """Write the plan; the sentence that says what was written."""
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?")
        parser.add_argument("--dry-run", action="store_true", help="只检查，逐行列出将新建、更新或无变化的内容，不写入")
        parser.add_argument("--user", help="按该账号的权限范围导入（默认：全部党组织）")
        parser.add_argument("--template", metavar="OUT", help="写出导入模板到该路径，然后退出")
        self.add_options(parser)

    def handle(self, *args, path, dry_run, user, template, **opts):
        if template:
            Path(template).write_bytes(importer.template_bytes(self.what))
            self.stdout.write(f"已写出模板：{template}")
            return
        if not path:
            raise CommandError("请给出要导入的文件路径")
        p = Path(path)
        if not p.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = user_named(user)
        today = clock.today()
        try:
            table = importer.read_file(p.read_bytes(), self.columns, filename=p.name)
        except importer.ImportFileError as exc:
            raise CommandError(exc.message) from None
        plan = self.make_plan(importer.rows_of(table), actor=actor, today=today, **opts)
        out = self.stdout
        for notice in table.notices():
            out.write("提示：" + notice)
        for w in plan.warnings:
            out.write("提示：" + w)
        if not plan.ok:
            for e in plan.errors:
                out.write(str(e))
            raise CommandError(f"有 {len({e.row for e in plan.errors})} 行错误，未导入任何数据。")
        out.write(self.heading(plan))
        if dry_run:
            for line in plan.lines:
                out.write(str(line))
            out.write(self.style.SUCCESS("检查通过（--dry-run，未写入）。"))
            return
        out.write(self.style.SUCCESS(self.apply(plan, today=today)))
