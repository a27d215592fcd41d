from django.core.management.base import BaseCommand, CommandError

from dangjian.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库和附件：manage.py backup PATH（PATH 以 .zip 结尾则写成一个压缩包，否则写入一个空目录）"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--with-key",
            action="store_true",
            help="把加密密钥一起放进备份（不建议：拿到备份的人就能看到全部公民身份号码）",
        )

    def handle(self, *args, path, with_key, **options):
        try:
            r = create_backup(path, with_key=with_key)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"备份完成：{r.path}（{r.tables} 张表，{r.rows:,} 行，{r.files} 个附件）"))
        if with_key:
            self.stdout.write(self.style.WARNING("本备份包含加密密钥，请像保管密钥本身一样保管它。"))
        else:
            self.stdout.write("本备份不含加密密钥（var/field.key）。请另行妥善保管密钥，恢复到新电脑时需要它。")
