"""The busiest pages, served in-process by the Django test client as the top administrator
(区委 admin for a county or city, 镇党委 admin otherwise): server time p50/p95 over repeated
requests and the queries per request (CaptureQueriesContext)."""

from __future__ import annotations

import time

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.timing import percentile


def bench_user():
    """The administrator of the whole installation, allowed straight in (no forced change)."""
    from dangjian.accounts.models import User

    user = User.objects.filter(username="district_admin").first() or User.objects.get(username="admin")
    if user.must_change_password:
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.refresh_from_db()
    return user


def busiest_branch_id(root) -> int:
    from dangjian.members.models import Member

    row = (
        Member.objects.filter(branch__path__startswith=root.path, is_current=True)
        .values("branch_id")
        .annotate(n=Count("id"))
        .order_by("-n", "branch_id")
        .first()
    )
    return row["branch_id"]


def page_urls(root, year: int) -> list[tuple[str, str]]:
    """(label, url) of the pages the issue names."""
    return [
        ("首页 /", reverse("home")),
        ("党员名册（筛选：流动党员）", reverse("members:list") + "?mobile=true&sort=name"),
        ("支部页面", reverse("orgs:detail", kwargs={"org": busiest_branch_id(root)})),
        ("组织生活落实热力图", reverse("meetings:compliance") + f"?year={year}"),
        ("数据看板", reverse("reports:dashboard") + f"?year={year}"),
    ]


def measure_pages(user, urls: list[tuple[str, str]], *, repeats: int, say, max_seconds: float = 60.0) -> list[dict]:
    """`repeats` requests per page after a warm-up, or fewer (at least 3) when a page has
    used up `max_seconds`: a page that takes seconds is a finding, not worth 20 samples."""
    client = Client(SERVER_NAME="127.0.0.1")  # a host ALLOWED_HOSTS accepts (not 'testserver')
    client.force_login(user)
    out = []
    for label, url in urls:
        r = client.get(url)  # warm-up: caches, template loading
        if r.status_code != 200:
            raise RuntimeError(f"{url} answered {r.status_code}")
        times, queries = [], []
        started = time.perf_counter()
        for i in range(repeats):
            if i >= 3 and time.perf_counter() - started > max_seconds:
                break
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                r = client.get(url)
                times.append(time.perf_counter() - t0)
            queries.append(len(ctx.captured_queries))
            if r.status_code != 200:
                raise RuntimeError(f"{url} answered {r.status_code}")
        item = {
            "page": label,
            "url": url,
            "p50_ms": percentile(times, 50) * 1000,
            "p95_ms": percentile(times, 95) * 1000,
            "queries": max(queries),
            "queries_min": min(queries),
            "bytes": len(r.content),
            "requests": len(times),
        }
        say(f"  页面 {label}：p50 {item['p50_ms']:.0f} ms，p95 {item['p95_ms']:.0f} ms，{item['queries']} 次查询")
        out.append(item)
    return out
