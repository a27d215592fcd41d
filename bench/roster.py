"""Roster import of N new members (the members app's importer: read_rows → plan_import →
apply_plan) versus the limit: python-calamine reading the same file and one executemany of
its rows into a scratch table, without validation.

The file is made from the generated members (same branches, names, dates) with fresh, valid
identity numbers, so every row is a new member. The import runs in a transaction that is
rolled back, so later steps see the generated data unchanged.
"""

from __future__ import annotations

import io
import time
from datetime import date, timedelta

from django.db import connection, transaction

from dangjian.core.crypto import lookup_hash
from dangjian.members.models import Member, Sex
from dangjian.members.roster_columns import COLUMNS, HEADERS
from dangjian.members.roster_export import member_row
from dangjian.rules.idcard import make_id

ID_AT = [f for f, _, _ in COLUMNS].index("id_number")
BIRTH_AT = [f for f, _, _ in COLUMNS].index("birth_date")


class _Rollback(Exception):
    pass


def roster_file(n: int) -> bytes:
    """An xlsx roster of n rows made from existing members with new identity numbers."""
    members = list(Member.objects.filter(is_current=True).select_related("branch", "group").order_by("id")[: max(n, 1)])
    rows = []
    used = set(Member.objects.values_list("id_number_hash", flat=True))
    seq = 0
    for i in range(n):
        m = members[i % len(members)]
        row = member_row(m, full=True)
        # each pass over the members shifts the birth date a day, so numbers never run short
        birth = (m.birth_date or date(1980, 1, 1)) - timedelta(days=i // len(members))
        parity = 1 if m.sex == Sex.MALE else 0  # GB 11643: odd 顺序码 for men
        while True:  # an area code the demo never uses, so no clash with generated IDs
            seq += 1
            number = make_id("659001", birth, (seq * 2 + parity) % 1000)
            if lookup_hash(number) not in used:
                used.add(lookup_hash(number))
                break
        row[ID_AT] = number
        row[BIRTH_AT] = birth
        rows.append(row)
    return _xlsx(rows)


def _xlsx(rows: list[list]) -> bytes:
    """Title row, header row, data: the layout of the roster export, written in openpyxl's
    streaming mode (the export's formatted workbook takes minutes for 30,000 rows)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员名册")
    ws.append(["党员名册（基准测试）"])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def app_import(content: bytes) -> tuple[float, int]:
    """Seconds for read + plan + apply (rolled back) and the number of members created."""
    from dangjian.members.roster_import import BranchIndex, apply_plan, plan_import, read_rows

    created = 0
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            plan = plan_import(read_rows(content), branches=BranchIndex.everything())
            if not plan.ok:
                first = plan.errors[0]
                raise RuntimeError(f"roster file rejected: row {first.row} {first.column} {first.message}")
            created = apply_plan(plan).created
            seconds = time.perf_counter() - t0
            raise _Rollback
    except _Rollback:
        pass
    return seconds, created


def raw_import(content: bytes) -> tuple[float, int]:
    """Seconds for calamine read + one executemany into a scratch table (rolled back)."""
    from python_calamine import CalamineWorkbook

    qn = connection.ops.quote_name
    n = 0
    t0 = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as c:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
            rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
            header_at = next(i for i, r in enumerate(rows) if r and r[0] == HEADERS[0])
            data = [[("" if v is None else str(v)) for v in r[: len(HEADERS)]] for r in rows[header_at + 1 :]]
            cols = ", ".join(f"c{i} TEXT" for i in range(len(HEADERS)))
            c.execute(f"CREATE TABLE {qn('bench_raw_roster')} ({cols})")
            marks = ", ".join(["%s"] * len(HEADERS))
            c.executemany(f"INSERT INTO {qn('bench_raw_roster')} VALUES ({marks})", data)
            n = len(data)
            seconds = time.perf_counter() - t0
            raise _Rollback
    except _Rollback:
        pass
    return seconds, n
