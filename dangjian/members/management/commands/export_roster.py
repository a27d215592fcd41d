"""manage.py export_roster PATH [--masked] [--user USERNAME] [--include-left]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.members.models import Member
from dangjian.members.roster_export import national_bytes, roster_bytes


class Command(BaseCommand):
    help = (
        "导出党员名册（xlsx，可用 import_roster 导回）。默认含完整公民身份号码和电话（用于备份、迁移），"
        "请妥善保管文件；--masked 只导出脱敏号码。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--masked", action="store_true", help="身份证号、电话脱敏（脱敏文件不能再导入）")
        parser.add_argument("--user", help="只导出该账号权限范围内的党员")
        parser.add_argument("--include-left", action="store_true", help="包含已离开（不在册）的党员")
        parser.add_argument(
            "--layout", choices=["roster", "national"], default="roster",
            help="national：全国党员管理信息系统的党员信息列，性别、民族、学历写国家代码（可用 import_roster 导回）",
        )  # fmt: skip
        parser.add_argument("--purpose", default="命令行导出（未写明用途）", help="导出用途（记入敏感信息查看记录）")

    def handle(self, *args, path, masked, user, include_left, layout, purpose="命令行导出（未写明用途）", **opts):
        qs = Member.objects.select_related("branch", "group").order_by("branch__path", "name_pinyin", "id")
        actor = None
        if user:
            from dangjian.accounts.models import User
            from dangjian.accounts.scope import visible_to

            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有账号：{user}")
            qs = visible_to(actor, qs)
        if not include_left:
            qs = qs.filter(is_current=True)
        members = list(qs)
        if not masked and actor is not None:
            from dangjian.members.services import log_id_export

            log_id_export(actor, count=len(members), purpose=purpose, detail=f"命令行导出党员名册 {len(members)} 人")
        uncoded: list[str] = []
        if layout == "national":  # 性别、民族、学历 as national codes (rules.codes)
            content = national_bytes(members, full=not masked, user=actor, uncoded=uncoded)
        else:
            content = roster_bytes(members, full=not masked, user=actor)
        Path(path).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"已导出 {len(members)} 人到 {path}"))
        for line in uncoded:
            self.stdout.write("提示：" + line)
        if not masked:
            self.stdout.write("注意：文件含完整公民身份号码和电话，请妥善保管。")
