"""manage.py import_meetings PATH [--user USERNAME] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangjian.meetings import ledger


class Command(BaseCommand):
    help = "导入会议台账（xlsx/xls，每行一次会议）：全部行无误才写入，否则列出每个错误的行号、列和原因。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", help="按该账号的权限范围导入，并记为录入人（默认：全部党组织）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args, path, user, dry_run, **opts):
        from dangjian.accounts.scope import editable_by
        from dangjian.orgs.models import Organization

        p = Path(path)
        if not p.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = None
        orgs = Organization.objects.all()
        if user:
            from dangjian.accounts.models import User

            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有账号：{user}")
            orgs = editable_by(actor, Organization)
        try:
            with transaction.atomic():
                result = ledger.import_meetings(p.read_bytes(), user=actor, orgs=orgs)
                if dry_run:
                    transaction.set_rollback(True)
        except ledger.LedgerError as exc:
            raise CommandError(exc.message) from None
        if not result.ok:
            for e in result.errors:
                self.stdout.write(f"第{e.row}行　{e.column}　{e.message}")
            raise CommandError(f"有 {len({e.row for e in result.errors})} 行错误，未导入任何会议。")
        for w in result.warnings:
            self.stdout.write(w)
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"检查通过：{result.created} 次会议可以导入（--dry-run，未写入）。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成：{result.created} 次会议。"))
