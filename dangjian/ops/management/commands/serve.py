"""Serve the workbench, with a background task worker beside it (core.jobs).

  manage.py serve                      one waitress process (embedded: SQLite, one office PC)
  manage.py serve --workers 4          gunicorn, 4 processes x THREADS threads (PostgreSQL; set
                                       CACHE_URL=redis://127.0.0.1:6379/1 so they share one cache)

Either way one task worker (`manage.py db_worker`) is started beside the server and stopped with
it, unless --task-workers 0 (then run workers as services, see docs/DEPLOYMENT.md).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Command(BaseCommand):
    help = "启动网页服务（单进程 waitress；--workers N 时为多进程 gunicorn）和后台任务进程，打印访问地址和演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "8")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_WORKERS", "0")),
            help="gunicorn 进程数（0：单进程 waitress，适合 SQLite）",
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=int(os.environ.get("TASK_WORKERS", "1")),
            help="同时启动的后台任务进程数（0：不启动，由系统服务运行）",
        )
        parser.add_argument(
            "--allow-plain-http",
            action="store_true",
            default=os.environ.get("ALLOW_PLAIN_HTTP", "") == "1",
            help="明确允许在局域网上用不加密的 http 提供服务（不建议：密码和个人信息会明文经过网络）",
        )

    def handle(self, *args, host, port, threads, workers, task_workers, allow_plain_http=False, **options):
        if host not in LOOPBACK and not allow_plain_http:
            raise CommandError(
                f"拒绝在 {host} 上用不加密的 http 提供服务：局域网上的密码和公民身份号码会被他人截获。\n"
                "请按《用户指南》“在局域网使用（HTTPS）”一节，在本机前面加一个 HTTPS 反向代理（如 nginx/Caddy，"
                "并设置 DJANGO_SECURE=1、TRUSTED_PROXIES=127.0.0.1），服务本身仍只监听 127.0.0.1；"
                "确需临时使用 http 时，加 --allow-plain-http 明确说明。"
            )
        if workers < 0 or task_workers < 0 or threads < 1:
            raise CommandError("进程数和线程数不能为负数")
        if workers and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            self.stderr.write("提示：SQLite 只允许一个写入者，多进程服务建议使用 PostgreSQL（DATABASE_URL）。")
        if workers > 1 and settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
            self.stderr.write("提示：多进程时请设置 CACHE_URL=redis://…，让各进程共用一份缓存。")
        self._ensure_static()
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write(self.style.SUCCESS(f"基层党建工作台已启动：http://{shown_host}:{port}/"))
        if host in ("0.0.0.0", "::"):
            self.stdout.write("（已对本机所在网络开放，同一网络内的电脑和手机可用本机IP地址访问）")
        self._print_logins()
        self._start_backups()
        helpers = self._start_task_workers(task_workers)
        try:
            if workers:
                self._gunicorn(host, port, workers, threads)
            else:
                from waitress import serve

                from dangjian.wsgi import application

                # A service manager stops us with SIGTERM: leave through `finally`, so the task
                # worker is stopped too (gunicorn handles SIGTERM itself).
                signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

                serve(application, host=host, port=port, threads=threads, ident="dangjian")
        finally:
            for p in helpers:
                p.terminate()
            for p in helpers:
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()

    def _start_task_workers(self, n: int) -> list:
        manage = Path(settings.BASE_DIR) / "manage.py"
        out = []
        for _ in range(n):
            out.append(subprocess.Popen([sys.executable, str(manage), "db_worker", "--interval", "1", "--no-reload"]))
        if n:
            self.stdout.write(f"后台任务进程已启动（{n} 个）")
        return out

    def _gunicorn(self, host: str, port: int, workers: int, threads: int) -> None:
        from gunicorn.app.base import BaseApplication

        from dangjian.wsgi import application

        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

        class App(BaseApplication):
            def load_config(self):
                for key, value in {
                    "bind": bind,
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread",
                    "timeout": 120,
                    "graceful_timeout": 20,
                    "keepalive": 5,
                    "max_requests": 5000,
                    "max_requests_jitter": 500,
                    "accesslog": os.environ.get("ACCESS_LOG") or None,
                    # One control socket per installation (var/), not one per machine user.
                    "control_socket": str(Path(settings.VAR_DIR) / "gunicorn.ctl"),
                }.items():
                    self.cfg.set(key, value)

            def load(self):
                return application

        App().run()

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
            from dangjian.ops.backup_schedule import start_daily_backups
        except ImportError:
            return
        start_daily_backups(self.stdout)
