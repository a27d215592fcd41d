"""The busiest pages, served in-process by the Django test client as the top administrator
(区委 admin for a county or city, 镇党委 admin otherwise): server time p50/p95 over repeated
requests and the queries per request (CaptureQueriesContext).

Warm (measure_pages): the figures are in the cache, as for every request after the first.
Cold (measure_cold), two ways before each request:
- `write`: one township's cache tokens move exactly as a committed write there moves them
  (core.cache.bump of that township: it and its ancestors), a different township each time —
  the county view after any write anywhere, the case people meet all day;
- `empty`: the whole cache emptied (a restart, or a cache that lost everything)."""

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


COLD_PAGES = ("组织生活落实热力图", "数据看板")  # issue 16 item 5: cold ≤ 250 ms, warm ≤ 50 ms


def page_urls(root, year: int) -> list[tuple[str, str]]:
    """(label, url) of the pages the issue names."""
    return [
        ("首页 /", reverse("home")),
        ("党员名册（筛选：流动党员）", reverse("members:list") + "?mobile=true&sort=name"),
        ("支部页面", reverse("orgs:detail", kwargs={"org": busiest_branch_id(root)})),
        ("组织生活落实热力图", reverse("meetings:compliance") + f"?year={year}"),
        ("数据看板", reverse("reports:dashboard") + f"?year={year}"),
    ]


def _timed(client, url: str, *, repeats: int, max_seconds: float, before=None) -> tuple[list[float], list[int], object]:
    """Request `url` up to `repeats` times (at least 3, then until `max_seconds`), calling
    `before()` ahead of each: the times, the query counts and the last response."""
    times, queries, r = [], [], None
    started = time.perf_counter()
    for i in range(repeats):
        if i >= 3 and time.perf_counter() - started > max_seconds:
            break
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            r = client.get(url)
            times.append(time.perf_counter() - t0)
        queries.append(len(ctx.captured_queries))
        if r.status_code != 200:
            raise RuntimeError(f"{url} answered {r.status_code}")
    return times, queries, r


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
        times, queries, r = _timed(client, url, repeats=repeats, max_seconds=max_seconds)
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


def _townships(root) -> list:
    """The organisations one level under root (a county's townships; a township's branches)."""
    from dangjian.orgs.models import Organization

    kids = list(Organization.objects.get_children(root).order_by("path")) if not root.is_leaf() else []
    return kids or [root]


def measure_cold(user, root, urls: list[tuple[str, str]], *, mode: str, repeats: int, say,
                 max_seconds: float = 90.0) -> list[dict]:  # fmt: skip
    """p50/p95 of `urls` each requested cold (mode 'write' or 'empty', see the module), at most
    `repeats` times or until `max_seconds` (at least 3 requests)."""
    from django.core.cache import cache

    from dangjian.core.cache import bump

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    client.get(reverse("home"))  # templates, the session
    places = _townships(root)
    turn = 0

    def make_cold():
        nonlocal turn
        if mode == "empty":
            cache.clear()
        else:
            bump({"p:" + places[turn % len(places)].path})
            turn += 1

    out = []
    for label, url in urls:
        client.get(url)  # whatever the other pages left in the cache is there, as in service
        times, queries, _ = _timed(client, url, repeats=repeats, max_seconds=max_seconds, before=make_cold)
        item = {
            "page": label,
            "url": url,
            "mode": mode,
            "p50_ms": percentile(times, 50) * 1000,
            "p95_ms": percentile(times, 95) * 1000,
            "queries": max(queries),
            "queries_min": min(queries),
            "requests": len(times),
        }
        say(f"  页面（冷，{'一个乡镇写入后' if mode == 'write' else '缓存清空'}）{label}：p50 {item['p50_ms']:.0f} ms，"
            f"p95 {item['p95_ms']:.0f} ms，{item['queries']} 次查询，{len(times)} 次")  # fmt: skip
        out.append(item)
    return out
