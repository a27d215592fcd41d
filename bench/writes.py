"""A write beside an open transaction: one thread holds a transaction with a member edit in one
branch (uncommitted, for `hold` seconds); meanwhile a member edit in a branch of another township
(or another branch) commits. On PostgreSQL it must not wait (core.cache changes tokens only
after commit). SQLite has one writer at a time by design, so there the figure is not measured."""

from __future__ import annotations

import threading
import time

from django.db import connection, connections, transaction


def _two_members(root):
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

    townships = list(Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path")[:2])
    if len(townships) == 2:
        a = Member.objects.filter(branch__path__startswith=townships[0].path, is_current=True).order_by("pk").first()
        b = Member.objects.filter(branch__path__startswith=townships[1].path, is_current=True).order_by("pk").first()
    else:
        a = Member.objects.filter(branch__path__startswith=root.path, is_current=True).order_by("pk").first()
        b = (
            Member.objects.filter(branch__path__startswith=root.path, is_current=True)
            .exclude(branch_id=a.branch_id)
            .order_by("pk")
            .first()
        )
    return a, b


def _edit(member) -> None:
    member.job = (member.job or "")[:40] + "·"
    member.save()


def measure(root, *, repeats: int = 5, hold: float = 3.0) -> dict:
    from dangjian.core import cache as dc
    from dangjian.members.models import Member

    a, b = _two_members(root)
    where = (
        "另一镇"
        if a.branch.path[: root.steplen * (root.depth + 1)] != b.branch.path[: root.steplen * (root.depth + 1)]
        else "另一支部"
    )
    alone = []
    for _ in range(repeats):
        m = Member.objects.get(pk=b.pk)
        t0 = time.perf_counter()
        with transaction.atomic():
            _edit(m)
        alone.append(time.perf_counter() - t0)
    if connection.vendor != "postgresql":
        return {"alone_ms": min(alone) * 1000, "beside_ms": None, "note": "SQLite：一次只有一个写入者", "where": where}
    ready, release, errors = threading.Event(), threading.Event(), []

    def hold_open():
        try:
            with transaction.atomic():
                _edit(Member.objects.get(pk=a.pk))
                ready.set()
                release.wait(hold + 30)
                transaction.set_rollback(True)  # leave the data as it was
        except Exception as exc:  # noqa: BLE001 — reported
            errors.append(repr(exc))
            ready.set()
        finally:
            connections.close_all()

    t = threading.Thread(target=hold_open)
    t.start()
    ready.wait(30)
    beside = []
    v_a0 = dc.data_version(a.branch)
    try:
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = '5s'")
        deadline = time.monotonic() + hold
        while time.monotonic() < deadline or len(beside) < repeats:
            m = Member.objects.get(pk=b.pk)
            t0 = time.perf_counter()
            with transaction.atomic():
                _edit(m)
            beside.append(time.perf_counter() - t0)
            if len(beside) >= repeats and time.monotonic() >= deadline:
                break
    finally:
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = 0")
        release.set()
        t.join(60)
    scoped_ok = dc.data_version(a.branch) == v_a0  # the other township's figures stayed cached
    return {
        "alone_ms": min(alone) * 1000,
        "beside_ms": max(beside) * 1000,
        "beside_median_ms": sorted(beside)[len(beside) // 2] * 1000,
        "writes": len(beside),
        "held_s": hold,
        "other_scope_kept": scoped_ok,
        "errors": errors,
        "where": where,
    }
