"""Enter published material (上级文件, a 心得 范文, a 党课 讲稿) that records must not be pasted from."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.integrity.models import PublishedText
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "录入或列出“已发布材料”（上级文件、心得范文、党课讲稿等）：诚信扫描会标出大段照抄这些材料的心得和会议记录"

    def add_arguments(self, parser):
        parser.add_argument("--org", type=int, help="发布或录入单位的编号（扫描该单位及其上级、下级时使用）")
        parser.add_argument("--title", help="标题")
        parser.add_argument("--source", default="", help="出处（如：县委组织部 2023年7月）")
        parser.add_argument("--file", help="正文文本文件（UTF-8）")
        parser.add_argument("--list", dest="show", action="store_true", help="列出已录入的材料")

    def handle(self, *args, org, title, source, file, show: bool, **options):
        if show:
            for p in PublishedText.objects.select_related("org").order_by("id"):
                self.stdout.write(f"{p.pk}\t{p.org}\t{p.title}\t{len(p.text)}字")
            return
        if not (org and title and file):
            raise CommandError("请同时给出 --org（单位编号）、--title（标题）和 --file（正文文件）。")
        unit = Organization.objects.filter(pk=org).first()
        if unit is None:
            raise CommandError(f"没有编号为 {org} 的党组织。")
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"读不了正文文件 {file}：请确认文件存在且为 UTF-8 编码的文本。") from exc
        if len(text) < 50:
            raise CommandError("正文太短（不足50字），不能用于比对。")
        p = PublishedText.objects.create(org=unit, title=title.strip()[:200], source=source.strip()[:200], text=text)
        self.stdout.write(self.style.SUCCESS(f"已录入：{p.title}（编号 {p.pk}，{len(text)}字）"))
