"""Export times: the audit log and a township roster through the export code the job runs
(core.exports), beside the floor: the same cells, already in memory, written by a bare
writer (no queries, no formatting) — xlsxwriter's constant_memory mode, which the export
uses, and openpyxl's write-only mode for comparison. Both floors are timed in the same run."""

from __future__ import annotations

import io
import time
from datetime import date, datetime
from types import SimpleNamespace

from django.http import QueryDict


def _request(user, **params):
    q = QueryDict(mutable=True)
    for k, v in params.items():
        q[k] = v
    return SimpleNamespace(user=user, GET=q, META={})


def _floor(rows: list[list]) -> float:
    """openpyxl write-only, the same cells."""
    from openpyxl import Workbook

    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    for r in rows:
        ws.append(r)
    wb.save(io.BytesIO())
    return time.perf_counter() - t0


def _floor_xlsxwriter(rows: list[list]) -> float:
    """xlsxwriter constant_memory, the same cells (dates need a format to be dates)."""
    import xlsxwriter

    t0 = time.perf_counter()
    wb = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True, "strings_to_formulas": False,
                                             "strings_to_urls": False})  # fmt: skip
    ws = wb.add_worksheet("x")
    fmt = wb.add_format({"num_format": "yyyy-mm-dd h:mm:ss"})
    for kind in (datetime, date):
        ws.add_write_handler(kind, lambda w, r, c, v, f=None: w.write_datetime(r, c, v, f or fmt))
    for i, r in enumerate(rows):
        ws.write_row(i, 0, r)
    wb.close()
    return time.perf_counter() - t0


def _cells(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in wb.active.iter_rows(min_row=3, values_only=True)]


def measure_one(kind: str, request, repeats: int = 3) -> dict:
    """The export and its floors, alternated `repeats` times, best of each: on a shared
    machine a burst of someone else's work then hits both sides alike."""
    from dangjian.core import jobs

    build = jobs.KINDS[kind].build
    best = {"seconds": float("inf"), "floor_seconds": float("inf"), "openpyxl_seconds": float("inf")}
    content = b""
    for _ in range(max(1, repeats)):
        buf = io.BytesIO()
        t0 = time.perf_counter()
        build(job=None, request=request, progress=lambda n=1: None, target=buf)
        best["seconds"] = min(best["seconds"], time.perf_counter() - t0)
        content = buf.getvalue()
        rows = _cells(content)
        best["floor_seconds"] = min(best["floor_seconds"], _floor_xlsxwriter(rows))
        best["openpyxl_seconds"] = min(best["openpyxl_seconds"], _floor(rows))
    return {**best, "rows": len(rows), "bytes": len(content), "repeats": repeats}


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


def measure(root, admin, repeats: int = 3) -> dict:
    tadmin, township = township_admin(root)
    return {
        "audit": measure_one("audit", _request(admin), repeats),
        "roster": measure_one("roster", _request(tadmin), repeats),
        "roster_full": measure_one("roster", _request(tadmin, full="1"), repeats),
        "township": township.name,
    }
