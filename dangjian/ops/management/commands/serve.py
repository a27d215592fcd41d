"""Serve the workbench, with a background task worker beside it (core.jobs).

  manage.py serve                      one waitress process (embedded: SQLite, one office PC)
  manage.py serve --workers 4          gunicorn, 4 processes x THREADS threads (PostgreSQL; set
                                       CACHE_URL=redis://127.0.0.1:6379/1 so they share one cache)

  manage.py serve --https --host 0.0.0.0
                                       HTTPS on the office network: a certificate made on the first
                                       run (core/tls.py, var/tls/), its fingerprint printed; served
                                       by gunicorn (waitress has no TLS), one process unless --workers

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
            "--https",
            action="store_true",
            default=os.environ.get("HTTPS", "") == "1",
            help="用 HTTPS 提供服务：首次运行时生成本机证书（var/tls/），打印其指纹供核对",
        )
        parser.add_argument(
            "--allow-plain-http",
            action="store_true",
            default=os.environ.get("ALLOW_PLAIN_HTTP", "") == "1",
            help="明确允许在局域网上用不加密的 http 提供服务（不建议：密码和个人信息会明文经过网络）",
        )

    def handle(self, *args, host, port, threads, workers, task_workers, allow_plain_http=False, https=False, **options):
        if host not in LOOPBACK and not allow_plain_http and not https:
            raise CommandError(
                f"拒绝在 {host} 上用不加密的 http 提供服务：局域网上的密码和公民身份号码会被他人截获。\n"
                "请加 --https（首次运行时自动生成本机证书），或按《用户指南》“在局域网使用（HTTPS）”一节，"
                "在本机前面加一个 HTTPS 反向代理（如 nginx/Caddy，"
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
        tls = self._https(host, port) if https else None
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        scheme = "https" if tls else "http"
        self.stdout.write(self.style.SUCCESS(f"基层党建工作台已启动：{scheme}://{shown_host}:{port}/"))
        if host in ("0.0.0.0", "::"):
            self.stdout.write("（已对本机所在网络开放，同一网络内的电脑和手机可用本机IP地址访问）")
        self._print_logins()
        self._start_backups()
        helpers = self._start_task_workers(task_workers)
        try:
            if workers or tls:
                self._gunicorn(host, port, workers or 1, threads, tls=tls)
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

    def _https(self, host: str, port: int):
        """The certificate (made on the first run, reused after) and the settings of a site
        served over TLS by this process itself: secure cookies, its own names as allowed hosts."""
        from dangjian.core import tls

        site_host = (
            settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0] if settings.SITE_URL else ""
        )
        files = tls.ensure_certificate(Path(settings.VAR_DIR) / "tls", tls.local_names(host, (site_host,)))
        if files.made == "new":
            self.stdout.write(f"首次使用 HTTPS：已生成本机证书颁发机构 {files.ca_cert} 和服务器证书。")
        elif files.made == "reissued":
            self.stdout.write("已重新签发服务器证书（地址有变化或即将到期）；各电脑和手机无需重新安装证书。")
        self.stdout.write(f"证书指纹（SHA-256）：{files.fingerprint}")
        self.stdout.write(
            f"请在每台办公电脑和手机上安装并信任 {files.ca_cert}，安装时核对上面的指纹（见《用户指南》）。"
            f"证书包含的地址：{'、'.join(files.names)}"
        )
        if os.name == "nt":  # the certificate is still useful: a reverse proxy can serve it
            raise CommandError(
                "Windows 上不能由本程序直接提供 HTTPS（waitress 不支持 TLS，gunicorn 不能在 Windows 上运行）。"
                f"证书已准备好（{files.cert}、{files.key}）：请按《用户指南》“在局域网使用（HTTPS）”一节"
                "用 Caddy 或 nginx 反向代理使用它，服务本身只监听 127.0.0.1。"
            )
        # Served over TLS by this process: cookies only over https, HSTS (settings.py says why
        # without subdomains or preload), no proxy header; the names in the certificate are the
        # hosts this site answers to. Set before the application is built in _gunicorn (the
        # security middleware reads them once) and copied into gunicorn's forked workers.
        for name, value in settings.HTTPS_DIRECT_SETTINGS.items():
            setattr(settings, name, value)
        settings.ALLOWED_HOSTS = list(dict.fromkeys([*settings.ALLOWED_HOSTS, *files.names]))
        if not settings.SITE_URL:
            lan = next((n for n in files.names if n[0].isdigit() and not n.startswith("127.")), "localhost")
            settings.SITE_URL = f"https://{lan}:{port}"
            self.stdout.write(f"会议签到二维码按 {settings.SITE_URL} 生成（设置 SITE_URL 可更改）。")
        return files

    def _gunicorn(self, host: str, port: int, workers: int, threads: int, tls=None) -> None:
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
                    **({"certfile": str(tls.cert), "keyfile": str(tls.key)} if tls else {}),
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
        missing = _uncollected(root)
        if not missing:
            return
        if missing is True:
            self.stdout.write("首次启动：正在准备网页样式和脚本文件（collectstatic）……")
        else:  # an update brought new files: without them in the manifest those pages answer 500
            self.stdout.write(f"程序更新后有 {len(missing)} 个新的网页文件，正在准备（collectstatic）……")
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


def _uncollected(root) -> bool | list[str]:
    """True when nothing is collected yet; else the source static files the manifest lacks."""
    import json
    from pathlib import Path

    manifest = root / "staticfiles.json"
    if not manifest.exists():
        return not (root / "css" / "app.css").exists()  # a plain (non-manifest) collection is kept
    try:
        paths = json.loads(manifest.read_text(encoding="utf-8")).get("paths", {})
    except (OSError, ValueError):
        return True
    missing = []
    for d in settings.STATICFILES_DIRS:
        base = Path(d)
        missing += [
            rel for f in base.rglob("*") if f.is_file() and (rel := f.relative_to(base).as_posix()) not in paths
        ]
    return missing
