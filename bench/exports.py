"""Export times: the audit log and a township roster through the export code the job runs
(core.exports), beside the floor: the same cells, already in memory, written by openpyxl's
write-only mode (no queries, no formatting)."""

from __future__ import annotations

import io
import time
from types import SimpleNamespace

from django.http import QueryDict


def _request(user, **params):
    q = QueryDict(mutable=True)
    for k, v in params.items():
        q[k] = v
    return SimpleNamespace(user=user, GET=q, META={})


def _floor(rows: list[list]) -> float:
    from openpyxl import Workbook

    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    for r in rows:
        ws.append(r)
    wb.save(io.BytesIO())
    return time.perf_counter() - t0


def _cells(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in wb.active.iter_rows(min_row=3, values_only=True)]


def measure_one(kind: str, request) -> dict:
    from dangjian.core import jobs

    build = jobs.KINDS[kind].build
    buf = io.BytesIO()
    t0 = time.perf_counter()
    build(job=None, request=request, progress=lambda n=1: None, target=buf)
    seconds = time.perf_counter() - t0
    rows = _cells(buf.getvalue())
    return {"seconds": seconds, "rows": len(rows), "bytes": len(buf.getvalue()), "floor_seconds": _floor(rows)}


def township_admin(root):
    """An administrator of the biggest township (made for the benchmark if there is none)."""
    from dangjian.accounts.models import User
    from dangjian.accounts.roles import Role
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

    townships = Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1)
    best = max(
        townships,
        key=lambda t: Member.objects.filter(branch__path__startswith=t.path, is_current=True).count(),
        default=root,
    )
    user = User.objects.filter(role=Role.ADMIN, org=best, is_active=True).first()
    if user is None:
        user, _ = User.objects.get_or_create(
            username="bench_township_admin", defaults={"role": Role.ADMIN, "org": best}
        )
    return user, best


def measure(root, admin) -> dict:
    tadmin, township = township_admin(root)
    return {
        "audit": measure_one("audit", _request(admin)),
        "roster": measure_one("roster", _request(tadmin)),
        "roster_full": measure_one("roster", _request(tadmin, full="1")),
        "township": township.name,
    }
