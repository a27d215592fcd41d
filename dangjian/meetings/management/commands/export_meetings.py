"""manage.py export_meetings PATH [--year Y] [--branch NAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from dangjian.meetings import ledger
from dangjian.meetings.models import Meeting
from dangjian.orgs.models import BRANCH_TYPES, Organization


class Command(BaseCommand):
    help = "导出会议台账（xlsx，列与导入相同，可直接再导入）。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--year", type=int)
        parser.add_argument("--branch", help="只导出一个党支部（全称或简称）")

    def handle(self, *args, path, year, branch, **opts):
        qs = Meeting.objects.all()
        org = ""
        if branch:
            found = list(Organization.objects.filter(Q(name=branch) | Q(short_name=branch), org_type__in=BRANCH_TYPES))
            if len(found) != 1:
                raise CommandError(f"找不到党支部“{branch}”" if not found else f"有多个党支部叫“{branch}”，请写全称")
            qs = qs.filter(branch=found[0])
            org = found[0].name
        if year:
            qs = qs.filter(date__year=year)
        content = ledger.export_bytes(
            qs.order_by("date", "start_time", "id"), org=org, period=f"{year}年" if year else "全部"
        )
        Path(path).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"已导出 {qs.count()} 次会议到 {path}"))
