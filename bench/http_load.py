"""HTTP under load: the app served by waitress in a subprocess on 127.0.0.1, N concurrent
clients for a bounded time cycling through the busiest pages (logged in with a real session
cookie), versus the same clients on the trivial /healthz endpoint of the same server."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.timing import percentile

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user) -> str:
    """A logged-in session for `user`, made the way django.contrib.auth.login makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"


def redis_url() -> str:
    """CACHE_URL if set, else the local Redis when one answers, else ''."""
    if os.environ.get("CACHE_URL"):
        return os.environ["CACHE_URL"]
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/3"
    except OSError:
        pass
    return ""


class Server:
    """The app in a child process (same settings, same database): waitress (embedded mode), or
    with `workers` the recommended deployment — `manage.py serve --workers N` (gunicorn) with
    the shared Redis cache (CACHE_URL)."""

    def __init__(self, threads: int = 8, workers: int = 0, cache_url: str = ""):
        self.port = free_port()
        self.threads = threads
        self.workers = workers
        self.cache_url = cache_url
        self.proc = None

    def __enter__(self):
        # Sign-in policy (second factor, one session per account) is not what the load measures.
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="dangjian.settings",
            TWO_FACTOR_REQUIRED_ROLES="",
            ONE_SESSION_PER_STAFF_ACCOUNT="0",
        )
        if self.cache_url:
            env["CACHE_URL"] = self.cache_url
            env["CACHE_PREFIX"] = f"bench{self.port}"
        if self.workers:
            cmd = [sys.executable, str(ROOT / "manage.py"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(self.workers), "--threads", str(self.threads), "--task-workers", "0"]  # fmt: skip
            env["BACKUP_ON_SERVE"] = "0"
        else:
            cmd = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{self.port}", f"--threads={self.threads}",
                   "--connection-limit=200", "dangjian.wsgi:application"]  # fmt: skip
        # The server's output goes to a file: an unread pipe fills up and stalls the server.
        self.log = tempfile.NamedTemporaryFile(prefix="bench-waitress-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("the server did not start")

    def log_tail(self, n: int = 2000) -> str:
        try:
            return Path(self.log.name).read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def run_load(port: int, urls: list[str], *, clients: int, seconds: float, cookie: str = "") -> dict:
    """`clients` threads, each with its own keep-alive connection, requesting urls in turn."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(k: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = k
        mine, bad = [], []
        headers = {"Cookie": cookie} if cookie else {}
        while time.monotonic() < stop_at:
            url = urls[i % len(urls)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", url, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad.append(f"{resp.status} {url}")
            except OSError as exc:
                bad.append(f"{type(exc).__name__} {url}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            times.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(times),
        "per_second": len(times) / wall if wall else 0.0,
        "p50_ms": percentile(times, 50) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
    }
