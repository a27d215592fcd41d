"""manage.py import_roster PATH [--dry-run] [--branch NAME] [--user USERNAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.members.roster_import import BranchIndex, ImportError_, apply_plan, plan_import, read_rows


class Command(BaseCommand):
    help = "导入党员名册（xlsx/xls）：全部行无误才写入；已在册的党员按公民身份号码更新，不重复登记。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--branch", help="文件中没有“所在党支部”列时，导入到该支部（全称或简称）")
        parser.add_argument("--user", help="按该账号的权限范围导入（默认：全部党组织）")

    def handle(self, *args, path, dry_run, branch, user, **opts):
        p = Path(path)
        if not p.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = None
        if user:
            from dangjian.accounts.models import User

            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有账号：{user}")
            index = BranchIndex.for_user(actor)
        else:
            index = BranchIndex.everything()
        default_branch = None
        if branch:
            try:
                default_branch = index.find(branch)
            except Exception as exc:
                raise CommandError(str(exc)) from None
        try:
            plan = plan_import(read_rows(p.read_bytes()), branches=index, default_branch=default_branch)
        except ImportError_ as exc:
            raise CommandError(exc.message) from None
        out = self.stdout
        out.write(
            f"表头在第{plan.header_row}行；可导入：新增 {len(plan.to_create)} 人，更新 {len(plan.to_update)} 人，"
            f"无变化 {len(plan.unchanged)} 人"
        )
        if plan.ignored_columns:
            out.write("未使用的列：" + "、".join(plan.ignored_columns))
        if not plan.ok:
            for e in plan.errors:
                out.write(f"第{e.row}行　{e.column}　{e.message}")
            raise CommandError(f"有 {plan.error_rows} 行错误，未导入任何数据。")
        if dry_run:
            out.write(self.style.SUCCESS("检查通过（--dry-run，未写入）。"))
            return
        result = apply_plan(plan, user=actor)
        out.write(self.style.SUCCESS(f"导入完成：新增 {result.created} 人，更新 {result.updated} 人。"))
