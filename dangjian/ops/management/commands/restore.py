import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.ops.backup import BackupError, parse_backup_key, restore_backup


class Command(BaseCommand):
    help = "从备份恢复数据库和附件（会替换现有数据；请先停止网页服务）：manage.py restore PATH"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="不再确认，直接恢复")
        parser.add_argument("--replace-key", action="store_true", help="改用备份中的加密密钥（旧密钥另存）")
        parser.add_argument("--key-file", help="备份密钥所在的文件（不给时从 BACKUP_KEY 读，或在此询问）")

    def _key(self, key_file, interactive) -> bytes:
        if key_file:
            text = Path(key_file).read_text()
        elif os.environ.get("BACKUP_KEY"):
            text = os.environ["BACKUP_KEY"]
        elif interactive:
            text = getpass.getpass("请输入备份密钥（备份时生成、与备份分开保管的那串 32 位十六进制数字）：")
        else:
            raise CommandError("需要备份密钥：用 --key-file 给出，或设置 BACKUP_KEY。未做任何恢复。")
        try:
            return parse_backup_key(text)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

    def handle(self, *args, path, yes, replace_key, key_file=None, **options):
        key = self._key(key_file, options.get("interactive", True) and not yes)
        if not yes and options.get("interactive", True):
            answer = input("恢复会用备份替换现有的全部数据和附件。确认请输入 yes：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何修改。")
        try:
            r = restore_backup(path, key=key, replace_key=replace_key)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"恢复完成：{r.tables} 张表，{r.rows:,} 行，{r.files} 个附件，均与备份清单一致。")
        )
        if r.key_restored:
            self.stdout.write("已从备份恢复加密密钥。")
        if r.key_ok is False:
            self.stdout.write(
                self.style.ERROR(
                    "注意：当前加密密钥无法解密恢复的公民身份号码。请把原来的 var/field.key 放回（或设置 FIELD_ENCRYPTION_KEY）。"
                )
            )
        self.stdout.write("如备份来自较早的版本，请再运行 manage.py migrate。")
