"""Roster import on PostgreSQL writes its rows by COPY: the members, events and audit entries
it writes (and the cache scopes it marks as changed) equal those of the executemany it
replaced, on files with awkward data (merged cells, dates as Excel serial numbers and as
text, full-width digits, GB18030 CSV, a re-imported member moved to another branch)."""

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from dangjian.core import cache, crypto
from dangjian.members import roster_apply
from dangjian.members.models import Member, MemberEvent
from dangjian.members.roster_import import BranchIndex, apply_plan, plan_import, read_rows
from dangjian.rules.idcard import make_id

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL insert path"),
]

HEADER = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "身份证号",
    "出生日期",
    "学历",
    "人员类别",
    "所在党支部",
    "党小组",
    "入党日期",
    "转正日期",
    "联系电话",
    "是否流动党员",
    "外出流向",
    "外出联系方式",
    "家庭住址",
    "备注",
]
FW = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}


def _rows(world):
    moved = world.members_a[1]
    return [
        # dates as Excel serial numbers (42186 = 2015-07-01), sex left to the number
        [1, "新甲", "", "汉族", make_id("620102", date(1990, 1, 2), 301), None, "大学本科", "正式党员",
         "东街社区党支部", "东街第一党小组", 42186, 42552, "138-0000-1111", "否", "", "", "东街1号\\2单元\t3室 \\N", "x"],
        # full-width digits, a month-only birth date as text, a 外出联系方式 to encrypt
        [2, "阿依古丽·买买提", "女", "维吾尔", " " + make_id("650102", date(1995, 6, 30), 402).translate(FW),
         "1995年6月", "大学专科", "预备党员", None, None, "2026.5.1", None, "", "是", "广东深圳",
         "微信 13911112222", "", ""],
        # a name only GB18030 (not GBK) can hold
        [3, "王䶮", "男", "回", make_id("620102", date(1962, 2, 14), 221), date(1962, 2, 14), "高中", "正式党员",
         None, None, date(1985, 7, 1), date(1986, 7, 1), "13700001234", "", "", "", "", ""],
        # an existing member, moved to the other branch with a new job: an update and an event
        [4, moved.name, moved.sex, moved.ethnicity, moved.id_number, moved.birth_date, "大学本科", moved.kind,
         "西街社区党支部", None, moved.joined_on, moved.full_on, "13600009999", "", "", "", "西街2号", ""],
    ]  # fmt: skip


def _xlsx(world) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["东街社区党员名册"])
    ws.append(HEADER)
    for r in _rows(world):
        ws.append(r)
    ws.merge_cells("A1:R1")  # the title across
    ws.merge_cells("I3:I5")  # 所在党支部 merged down over the first three members
    ws.merge_cells("J3:J5")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv_gb18030(world) -> bytes:
    rows = _rows(world)
    rows[1][8] = rows[1][9] = rows[2][8] = "东街社区党支部"  # no merges in a CSV
    rows[1][9] = "东街第一党小组"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for r in rows:
        w.writerow(["" if v is None else (v.isoformat() if isinstance(v, date) else v) for v in r])
    return buf.getvalue().encode("gb18030")


class _Undo(Exception):
    pass


def _hash_of(pk: int) -> str:
    return Member.objects.get(pk=pk).id_number_hash


def _snapshot(log_before: int) -> dict:
    """Every member, event and new audit entry as plain values, keyed by what does not depend
    on the primary keys a run drew (the ID hash), with ciphertexts decrypted (each
    encryption draws a fresh nonce) and the run's own clock left out."""
    members = {}
    for row in Member.objects.values():
        for f in ("id_number_enc", "phone_enc", "mobile_contact_enc"):
            row[f] = crypto.decrypt(row[f])
        for f in ("id", "created_at", "updated_at"):
            row.pop(f)
        members[row["id_number_hash"]] = row
    events = []
    for e in MemberEvent.objects.values():
        for f in ("id", "created_at", "updated_at"):
            e.pop(f)
        events.append((_hash_of(e.pop("member_id")), sorted(e.items())))
    events.sort()
    entries = []
    for e in LogEntry.objects.filter(pk__gt=log_before).values():
        assert e.pop("object_id") == int(e["object_pk"])
        e["object_pk"] = _hash_of(int(e["object_pk"]))
        for f in ("id", "timestamp"):
            e.pop(f)
        entries.append(sorted(e.items(), key=lambda kv: kv[0]))
    entries.sort(key=repr)
    conn = connections["default"]  # the scopes this savepoint's writes marked (not the world's)
    ours = tuple(conn.savepoint_ids)
    marked = set().union(*(v[1] for k, v in cache._state(conn).pending.items() if k[: len(ours)] == ours))
    return {"members": members, "events": events, "entries": entries, "cache": set(marked)}


def _run(world, content: bytes, *, use_copy: bool, monkeypatch) -> tuple[dict, list[str]]:
    monkeypatch.setattr(roster_apply, "USE_COPY", use_copy)
    log_before = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        with transaction.atomic():
            plan = plan_import(read_rows(content), branches=BranchIndex.everything())
            assert plan.ok, [e.text for e in plan.errors]
            assert len(plan.to_create) == 3 and len(plan.to_update) == 1
            with CaptureQueriesContext(connection) as queries:
                apply_plan(plan, user=world.user("admin"), remote_addr="10.0.0.7")
            snap = _snapshot(log_before)
            raise _Undo
    except _Undo:
        pass
    return snap, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("make", [_xlsx, _csv_gb18030], ids=["xlsx-merged-serial-dates", "csv-gb18030"])
def test_copy_writes_what_executemany_wrote(world, make, monkeypatch):
    content = make(world)
    old, old_sql = _run(world, content, use_copy=False, monkeypatch=monkeypatch)
    new, new_sql = _run(world, content, use_copy=True, monkeypatch=monkeypatch)
    copies = [s for s in new_sql if re.match(r"(\d+ times: )?COPY ", s)]  # logged as an executemany is
    assert len(copies) == 2 and not any(re.match(r"(\d+ times: )?COPY ", s) for s in old_sql)  # members, entries
    assert new == old
    # and the rows are what the file says (not two equal mistakes)
    assert len(new["entries"]) == 4 and len(new["events"]) == 1
    by_name = {m["name"]: m for m in new["members"].values()}
    a = by_name["新甲"]
    assert a["joined_on"] == date(2015, 7, 1) and a["full_on"] == date(2016, 7, 1) and a["sex"] == "男"
    assert a["phone_enc"] == "13800001111" and a["group_id"] == world.group_a.pk
    assert "\\" in a["address"] and a["address"].endswith("\\N")  # COPY's escape and NULL marks, as text
    b = by_name["阿依古丽·买买提"]
    assert b["branch_id"] == world.branch_a.pk and b["is_mobile"] and b["mobile_contact_enc"] == "微信 13911112222"
    assert by_name["王䶮"]["name_pinyin"] and by_name["王䶮"]["ethnicity"] == "回族"
    moved = new["members"][world.members_a[1].id_number_hash]
    assert moved["branch_id"] == world.branch_b.pk and moved["version"] == world.members_a[1].version + 1
    assert any(kind == MemberEvent.Kind.BRANCH_CHANGE for _h, e in new["events"] for k, kind in e if k == "kind")
    assert new["cache"] and cache.GLOBAL not in new["cache"]  # the COPY is attributed to the branches


def test_a_copy_alone_marks_the_branches_changed(world, monkeypatch):
    """New members only (no UPDATE that would mark the branch anyway): the cache's write
    watcher sees the COPY and attributes it to the imported branches."""
    header, rows = HEADER, _rows(world)[:1]
    wb = openpyxl.Workbook()
    for r in (header, *rows):
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    monkeypatch.setattr(roster_apply, "USE_COPY", True)
    conn = connections["default"]
    try:
        with transaction.atomic():
            ours = tuple(conn.savepoint_ids)
            plan = plan_import(read_rows(buf.getvalue()), branches=BranchIndex.everything())
            assert len(plan.to_create) == 1 and not plan.to_update
            apply_plan(plan, user=world.user("admin"))
            marked = set().union(*(v[1] for k, v in cache._state(conn).pending.items() if k[: len(ours)] == ours))
            raise _Undo
    except _Undo:
        pass
    assert marked == {"p:" + world.branch_a.path, "p:" + world.group_a.path}
