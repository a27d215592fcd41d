"""manage.py loadtest --clients 50 --seconds 20

Starts the application with waitress on 127.0.0.1 (a free port) against the configured
database (load the demo township first), runs N concurrent clients for a bounded time —
each logged in with its own session as a 支部书记, mixing reads (home, roster, member pages)
and writes (editing one member's 家庭住址 through the real edit form) — then checks that
no request failed and that every successful write is in the database (final values and
audit entries). Figures go to docs/PERFORMANCE.md, section "并发负载（50客户端）".
"""

from __future__ import annotations

import http.client
import random
import re
import secrets
import statistics
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

SECTION = "## 并发负载（50客户端）"


class FormParser(HTMLParser):
    """Fields of the form that carries a `version` input (the edit form), as a browser posts them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "fields": {}, "first": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            self._form["first"].setdefault(self._select, a.get("value", ""))
            if "selected" in a:
                self._form["fields"][self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self._form is not None:
            self._form["fields"].setdefault(self._select, self._form["first"].get(self._select, ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data

    def edit_form(self) -> dict | None:
        for f in self.forms:
            if f["method"] == "post" and "version" in f["fields"]:
                return f["fields"]
        return None


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latency: dict = field(default_factory=dict)  # kind -> [seconds]
    errors: list = field(default_factory=list)
    writes_ok: int = 0
    conflicts: int = 0

    def add(self, kind: str, seconds: float):
        with self.lock:
            self.latency.setdefault(kind, []).append(seconds)

    def error(self, text: str):
        with self.lock:
            self.errors.append(text)


class Browser:
    """One client: its own connection and cookies."""

    def __init__(self, port: int, stats: Stats):
        self.port = port
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, kind: str, method: str, path: str, data: dict | None = None):
        body = urlencode(data, doseq=True) if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": f"127.0.0.1:{self.port}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        t0 = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        self.stats.add(kind, time.perf_counter() - t0)
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, resp.getheader("Location") or "", text

    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")


def _ensure_accounts(n: int, password: str):
    """N 支部书记 accounts (one per client) and a distinct member each may edit."""
    from dangjian.accounts.models import User
    from dangjian.accounts.roles import Role
    from dangjian.members.models import Member
    from dangjian.orgs.models import BRANCH_TYPES, Organization

    branches = [
        b
        for b in Organization.objects.filter(org_type__in=BRANCH_TYPES, is_active=True).order_by("path")
        if Member.objects.filter(branch=b, is_current=True).exists()
    ]
    if not branches:
        raise CommandError("数据库中没有党支部和党员：请先运行 manage.py load_demo")
    per_branch = {b.pk: list(Member.objects.filter(branch=b, is_current=True).order_by("pk")) for b in branches}
    plan = []
    for i in range(n):
        b = branches[i % len(branches)]
        members = per_branch[b.pk]
        k = i // len(branches)
        if k >= len(members):
            raise CommandError("党员人数不足以让每个客户端编辑不同的党员")
        user, _ = User.objects.update_or_create(
            username=f"loadtest{i:03d}",
            defaults={"role": Role.SECRETARY, "org": b, "full_name": f"压测{i}", "is_active": True},
        )
        user.set_password(password)
        user.must_change_password = False
        user.save()
        plan.append((user.username, members[k].pk))
    return plan


def _client(i, port, username, password, member_pk, deadline, stats, finals, rng):
    b = Browser(port, stats)
    login = reverse("accounts:login")
    b.request("login", "GET", login)
    status, loc, _ = b.request(
        "login", "POST", login, {"username": username, "password": password, "csrfmiddlewaretoken": b.csrf()}
    )
    if status != 302:
        stats.error(f"client {i}: login failed ({status})")
        return
    reads = [reverse("home"), reverse("members:list"), reverse("members:detail", kwargs={"member": member_pk})]
    edit = reverse("members:edit", kwargs={"member": member_pk})
    n = 0
    last_ok = None
    while time.monotonic() < deadline:
        try:
            if rng.random() < 0.7:
                path = rng.choice(reads)
                status, _, _ = b.request("read", "GET", path)
                if status != 200:
                    stats.error(f"client {i}: GET {path} → {status}")
            else:
                status, _, page = b.request("edit-form", "GET", edit)
                form = FormParser()
                form.feed(page)
                data = form.edit_form()
                if status != 200 or data is None:
                    stats.error(f"client {i}: GET {edit} → {status} (no edit form)")
                    continue
                n += 1
                marker = f"压测地址-{i}-{n}"
                data["address"] = marker
                data["csrfmiddlewaretoken"] = b.csrf()
                status, loc, page = b.request("write", "POST", edit, data)
                if status == 302:
                    last_ok = marker
                    with stats.lock:
                        stats.writes_ok += 1
                elif status == 200 and "已被他人修改" in page:
                    with stats.lock:
                        stats.conflicts += 1
                else:
                    err = re.findall(r'class="invalid-feedback">([^<]+)<', page)[:3]
                    stats.error(f"client {i}: POST {edit} → {status} {err}")
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            stats.error(f"client {i}: {type(exc).__name__}: {exc}")
    finals[member_pk] = last_ok


def _pct(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Command(BaseCommand):
    help = "并发负载测试：在 127.0.0.1 启动服务，N 个客户端同时读写，检查无错误、写入无丢失"

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--seconds", type=float, default=20)
        parser.add_argument("--threads", type=int, default=8, help="waitress 工作线程数（与 serve 相同）")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-docs", action="store_true", help="不写入 docs/PERFORMANCE.md")

    def handle(self, *args, clients, seconds, threads, seed, no_docs, **opts):
        import logging

        from auditlog.models import LogEntry
        from django.contrib.contenttypes.models import ContentType
        from waitress.server import create_server

        from dangjian.members.models import Member
        from dangjian.wsgi import application

        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is expected under load
        password = secrets.token_urlsafe(12) + "-Aa1"
        plan = _ensure_accounts(clients, password)
        member_pks = [pk for _, pk in plan]
        ct = ContentType.objects.get_for_model(Member)
        audit_before = LogEntry.objects.filter(content_type=ct, object_pk__in=[str(p) for p in member_pks]).count()
        connection.close()

        server = create_server(application, host="127.0.0.1", port=0, threads=threads, ident="dangjian-loadtest")
        port = server.effective_port
        srv = threading.Thread(target=server.run, daemon=True)
        srv.start()
        self.stdout.write(f"服务已在 127.0.0.1:{port} 启动，{clients} 个客户端，{seconds:g} 秒……")

        stats = Stats()
        finals: dict = {}
        started = time.monotonic()
        deadline = started + seconds
        workers = [
            threading.Thread(
                target=_client,
                args=(i, port, u, password, pk, deadline, stats, finals, random.Random(seed * 1000 + i)),
            )
            for i, (u, pk) in enumerate(plan)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=seconds + 120)
        elapsed = time.monotonic() - started
        server.close()

        # Every successful write is in the database: the last marker of each client is the
        # member's address, and there is one audit entry per successful save.
        lost = []
        for pk, marker in finals.items():
            if marker is not None:
                got = Member.objects.get(pk=pk).address
                if got != marker:
                    lost.append(f"党员 {pk}: 期望“{marker}”，数据库为“{got}”")
        audit_after = LogEntry.objects.filter(content_type=ct, object_pk__in=[str(p) for p in member_pks]).count()
        audit_new = audit_after - audit_before
        if audit_new != stats.writes_ok:
            lost.append(f"审计记录 {audit_new} 条，成功保存 {stats.writes_ok} 次")
        from dangjian.accounts.models import User

        User.objects.filter(username__startswith="loadtest").update(is_active=False)

        total = sum(len(v) for v in stats.latency.values())
        lines = [
            f"- 测量时间：{timezone.localtime():%Y年%m月%d日 %H:%M}；数据库：{connection.vendor}"
            f"（{Member.objects.count():,} 名党员）；waitress {threads} 线程；机器 CPU {_cpus()} 核",
            f"- {clients} 个客户端（各自登录为支部书记）持续 {elapsed:.1f} 秒：共 {total:,} 个请求，"
            f"{total / elapsed:.1f} 请求/秒",
            f"- 成功保存 {stats.writes_ok:,} 次，乐观锁拒绝 {stats.conflicts} 次，错误 {len(stats.errors)} 个，"
            f"写入丢失 {len(lost)} 处",
            "",
            "| 请求类型 | 次数 | 中位数 | P95 | 最长 |",
            "|---|---:|---:|---:|---:|",
        ]
        for kind in ("login", "read", "edit-form", "write"):
            v = stats.latency.get(kind, [])
            if v:
                lines.append(
                    f"| {kind} | {len(v):,} | {statistics.median(v) * 1000:.0f} ms | {_pct(v, 95) * 1000:.0f} ms "
                    f"| {max(v) * 1000:.0f} ms |"
                )
        report = "\n".join(lines)
        self.stdout.write(report)
        if not no_docs:
            _write_docs(report, clients, seconds)
        problems = stats.errors[:20] + lost[:20]
        if problems or stats.writes_ok == 0:
            raise CommandError("负载测试发现问题：\n" + "\n".join(problems or ["没有任何成功的写入"]))
        self.stdout.write(self.style.SUCCESS("无错误，所有成功的写入都已在数据库中。"))


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def _write_docs(report: str, clients: int, seconds: float) -> None:
    path = Path(settings.BASE_DIR) / "docs" / "PERFORMANCE.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# 性能\n"
    body = (
        f"{SECTION}\n\n"
        f"命令：`manage.py loadtest --clients {clients} --seconds {seconds:g}`（演示乡镇数据；服务与客户端在同一台机器）。"
        "每个客户端约 70% 读（首页、党员名册、党员详情）、30% 写（打开编辑页并修改家庭住址后保存）；"
        "结束后核对每个客户端最后一次成功保存的地址和审计记录条数。\n\n"
        f"{report}\n"
    )
    pattern = re.compile(rf"{re.escape(SECTION)}\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub(body.rstrip("\n"), text) if SECTION in text else text.rstrip("\n") + "\n\n" + body
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
