"""Serve with waitress (pure Python, runs on Windows office PCs too)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网页服务（waitress），打印访问地址和演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "8")))

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from dangjian.wsgi import application

        self._ensure_static()
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write(self.style.SUCCESS(f"基层党建工作台已启动：http://{shown_host}:{port}/"))
        if host in ("0.0.0.0", "::"):
            self.stdout.write("（已对本机所在网络开放，同一网络内的电脑和手机可用本机IP地址访问）")
        self._print_logins()
        self._start_backups()
        serve(application, host=host, port=port, threads=threads, ident="dangjian")

    def _ensure_static(self):
        """A fresh checkout has no collected static files (CSS, JS); without them every page
        would fail. Collect them once, or stop with a Chinese message saying how."""
        from pathlib import Path

        from django.core.management import call_command
        from django.core.management.base import CommandError

        root = Path(settings.STATIC_ROOT)
        if (root / "staticfiles.json").exists() or (root / "css" / "app.css").exists():
            return
        self.stdout.write("首次启动：正在准备网页样式和脚本文件（collectstatic）……")
        try:
            call_command("collectstatic", interactive=False, verbosity=0)
        except Exception as exc:  # noqa: BLE001 — shown to the operator in Chinese
            raise CommandError(
                f"无法准备网页样式和脚本文件（{exc}）。请先运行："
                f"python manage.py collectstatic --noinput（文件将放在 {root}），再启动服务。"
            ) from exc
        self.stdout.write("网页样式和脚本文件已准备好。")

    def _print_logins(self):
        from dangjian.demo.logins import demo_logins

        logins = demo_logins()
        if not logins:
            return
        self.stdout.write("演示账号（首次登录须修改密码）：")
        for role, username, password in logins:
            self.stdout.write(f"  {role}：用户名 {username}　密码 {password}")

    def _start_backups(self):
        if not getattr(settings, "BACKUP_ON_SERVE", True):
            return
        try:
            from dangjian.core.backup_schedule import start_daily_backups
        except ImportError:
            return
        start_daily_backups(self.stdout)
