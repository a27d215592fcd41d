import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import clock
from dangjian.integrity.models import Signal
from dangjian.integrity.selectors import signal_summary
from dangjian.integrity.services import run_scan
from dangjian.orgs.models import Organization, OrgType


class Command(BaseCommand):
    help = "扫描形式主义和弄虚作假的迹象，结果进入诚信信号核查队列（只提示，不处理任何人）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="年度（默认今年）")
        parser.add_argument("--org", default=None, help="党组织名称（默认每个镇党委）")
        parser.add_argument("--force", action="store_true", help="数据未变也重新扫描")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, year, org, force, json: bool, **options):
        year = year or clock.today().year
        if org:
            roots = list(Organization.objects.filter(name=org) | Organization.objects.filter(short_name=org))
            if not roots:
                raise CommandError(f"找不到党组织：{org}")
        else:
            roots = list(Organization.objects.filter(org_type=OrgType.COMMITTEE).order_by("path"))
        results = []
        for root in roots:
            run = run_scan(root=root, year=year, force=force, progress=None if json else self._say)
            summary = signal_summary(root, year)
            results.append(
                {
                    "org": root.name,
                    "year": year,
                    "skipped": run.skipped,
                    "seconds": run.seconds,
                    "found": run.found,
                    "new": run.new,
                    "open": summary.open,
                    "open_by_kind": summary.by_kind,
                    "signals": [
                        {"kind": s.get_kind_display(), "org": str(s.org), "strength": s.strength, "title": s.title}
                        for s in Signal.objects.filter(org__path__startswith=root.path, year=year, is_current=True)
                        .select_related("org")
                        .order_by("-strength")[:200]
                    ],
                }
            )
        if json:
            self.stdout.write(jsonlib.dumps(results, ensure_ascii=False, indent=2))
            return
        for r in results:
            state = "数据未变，跳过" if r["skipped"] else f"发现{r['found']}条，新增{r['new']}条，用时{r['seconds']}秒"
            self.stdout.write(f"{r['org']} {r['year']}年：{state}；待处理{r['open']}条")
            for kind, n in r["open_by_kind"].items():
                self.stdout.write(f"  {kind}：{n}")

    def _say(self, text):
        self.stdout.write(f"  · {text}")
