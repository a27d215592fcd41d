from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dangjian.ops.backup import SUFFIX, BackupError, backup_key, create_backup, parse_backup_key


class Command(BaseCommand):
    help = f"备份数据库和附件，写成一个加密文件：manage.py backup PATH（建议以 {SUFFIX} 结尾）"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--key-file", help="用这个文件里的备份密钥（默认 BACKUP_KEY 或 var/backup.key）")
        parser.add_argument(
            "--with-key",
            action="store_true",
            help="把字段加密密钥一起放进（加密的）备份：拿到备份和备份密钥的人就能看到全部公民身份号码",
        )

    def handle(self, *args, path, with_key, key_file=None, **options):
        fresh = not settings.BACKUP_KEY and not key_file and not Path(settings.BACKUP_KEY_FILE).exists()
        try:
            key = parse_backup_key(Path(key_file).read_text()) if key_file else backup_key()
            r = create_backup(path, with_key=with_key, key=key)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{r.path}（已加密；{r.tables} 张表，{r.rows:,} 行，{r.files} 个附件；"
                "不含登录会话、锁定记录和待确认的上传文件）"
            )
        )
        if fresh:
            self.stdout.write(
                self.style.WARNING(
                    f"已生成备份密钥 {settings.BACKUP_KEY_FILE}。请现在把其中的密钥抄写或打印下来，"
                    "与备份分开保管（如放进保险柜）：恢复时必须输入它，丢失后备份无法打开。"
                )
            )
        if with_key:
            self.stdout.write(self.style.WARNING("本备份包含字段加密密钥，请像保管密钥本身一样保管它。"))
        else:
            self.stdout.write("本备份不含字段加密密钥（var/field.key）。请另行妥善保管密钥，恢复到新电脑时需要它。")
