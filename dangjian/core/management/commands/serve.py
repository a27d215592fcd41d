"""Serve with waitress (pure Python, runs on Windows office PCs too)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Command(BaseCommand):
    help = "启动网页服务（waitress），打印访问地址和演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "8")))
        parser.add_argument(
            "--allow-plain-http",
            action="store_true",
            default=os.environ.get("ALLOW_PLAIN_HTTP", "") == "1",
            help="明确允许在局域网上用不加密的 http 提供服务（不建议：密码和个人信息会明文经过网络）",
        )

    def handle(self, *args, host, port, threads, allow_plain_http=False, **options):
        from django.core.management.base import CommandError
        from waitress import serve

        if host not in LOOPBACK and not allow_plain_http:
            raise CommandError(
                f"拒绝在 {host} 上用不加密的 http 提供服务：局域网上的密码和公民身份号码会被他人截获。\n"
                "请按《用户指南》“在局域网使用（HTTPS）”一节，在本机前面加一个 HTTPS 反向代理（如 nginx/Caddy，"
                "并设置 DJANGO_SECURE=1、TRUSTED_PROXIES=127.0.0.1），服务本身仍只监听 127.0.0.1；"
                "确需临时使用 http 时，加 --allow-plain-http 明确说明。"
            )

        from dangjian.wsgi import application

        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write(self.style.SUCCESS(f"基层党建工作台已启动：http://{shown_host}:{port}/"))
        if host in ("0.0.0.0", "::"):
            self.stdout.write("（已对本机所在网络开放，同一网络内的电脑和手机可用本机IP地址访问）")
        self._print_logins()
        self._start_backups()
        serve(application, host=host, port=port, threads=threads, ident="dangjian")

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
