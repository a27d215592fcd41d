"""manage.py report --year 2023 [--org 名称] --out 报告.docx  (writes 报告.xlsx beside it)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from dangjian.core import clock, figures
from dangjian.orgs.models import Organization, OrgType


class Command(BaseCommand):
    help = "根据系统数据生成调研报告（Word）及其数据表（Excel）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="报告年度，如 2023")
        parser.add_argument("--org", default="", help="党组织全称或简称（默认：唯一的镇党委，或最上级党组织）")
        parser.add_argument("--out", required=True, help="输出文件路径（.docx）；同名 .xlsx 一并生成")
        parser.add_argument("--today", default="", help="以此日期为“今天”（YYYY-MM-DD），用于复现")

    def handle(self, *args, year, org, out, today, **options):
        from dangjian.reports.official_doc import docx_bytes, xlsx_bytes
        from dangjian.reports.survey import build_report

        root = self._org(org)
        try:
            as_of = date.fromisoformat(today) if today else clock.today()
        except ValueError:
            raise CommandError("--today 应为 YYYY-MM-DD") from None
        if not 1949 <= year <= as_of.year:
            raise CommandError(f"年度应在1949—{as_of.year}之间")
        path = Path(out)
        if path.suffix.lower() != ".docx":
            path = path.with_suffix(".docx")
        path.parent.mkdir(parents=True, exist_ok=True)
        # --today reaches every source: the one clock says as_of for the whole report.
        with clock.as_of(as_of), figures.scope():
            report = build_report(root, year, today=as_of)
            path.write_bytes(docx_bytes(report))
            xlsx = path.with_suffix(".xlsx")
            xlsx.write_bytes(xlsx_bytes(report))
        self.stdout.write(self.style.SUCCESS(f"已生成：{path}（{report.title}）"))
        self.stdout.write(f"数据表：{xlsx}")
        if report.missing:
            self.stdout.write("数据缺失：" + "、".join(report.missing))
        if report.unavailable:
            self.stdout.write("暂无数据：" + "、".join(report.unavailable))

    def _org(self, name: str) -> Organization:
        if name:
            found = list(Organization.objects.filter(Q(name=name) | Q(short_name=name), is_active=True)[:5])
            if not found:
                found = list(Organization.objects.filter(name__contains=name, is_active=True)[:5])
            if not found:
                raise CommandError(f"找不到党组织“{name}”")
            if len(found) > 1:
                raise CommandError("有多个党组织符合，请写全称：" + "、".join(o.name for o in found))
            return found[0]
        committees = list(Organization.objects.filter(org_type=OrgType.COMMITTEE, is_active=True)[:2])
        if len(committees) == 1:
            return committees[0]
        root = Organization.objects.get_root_nodes().first()
        if root is None:
            raise CommandError("系统中还没有党组织")
        return root
