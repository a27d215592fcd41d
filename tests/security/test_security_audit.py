"""Audit log: append-only, covering every model, viewable and exportable by the
township administrator within their scope, never holding a full 公民身份号码."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.accounts.roles import Role
from dangjian.core.audit_guard import AuditLogImmutable, audit_maintenance
from dangjian.orgs.models import Organization
from dangjian.rules.idcard import make_id
from dangjian.testsupport.world import make_member, make_user

ROOT = Path(__file__).resolve().parents[2]

# Models deliberately not tracked by auditlog, with the reason.
NOT_AUDITED = {
    "accounts.revealevent": "is itself an append-only log of reveals (settings.AUDITLOG_EXCLUDE_TRACKING_MODELS)",
    "accounts.passwordhistory": "holds password hashes, which the audit log must never copy",
    "accounts.activesession": "holds live session keys (a key is a login); sign-ins are in axes' access log",
    "core.exportjob": "progress of a background export, updated every half second; the export itself is logged",
}


# Modules whose bulk writes never persist or are not user data, with the reason.
BULK_EXEMPT = {
    "dangjian/integrity/evaluation_db.py": "labelled cases built inside a transaction that is rolled back",
}


def _entries(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return LogEntry.objects.filter(content_type=ct, object_pk=str(obj.pk)).order_by("pk")


def test_every_project_model_is_audited():
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("dangjian.") or model._meta.proxy:
            continue
        key = f"{model._meta.app_label}.{model._meta.model_name}"
        if key in NOT_AUDITED:
            assert not auditlog.contains(model), f"{key} is audited after all: drop it from NOT_AUDITED"
            continue
        if not auditlog.contains(model):
            missing.append(key)
    assert not missing, f"models not registered with auditlog: {missing}"


def test_bulk_writes_write_audit_entries_themselves():
    """bulk_create/bulk_update bypass auditlog's signals: a module using them on project
    data must also call core.audit.log_bulk (or write LogEntry rows itself)."""
    offenders = []
    for path in (ROOT / "dangjian").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or "/demo" in rel or rel.endswith(("demo.py", "testing.py", "core/audit.py")):
            continue
        if "testing" in path.name or "/testsupport/" in rel or rel in BULK_EXEMPT:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\.bulk_(create|update)\(", text) and not re.search(r"log_bulk|LogEntry", text):
            offenders.append(rel)
    assert not offenders, f"bulk writes without audit entries in: {offenders}"


def test_no_application_code_updates_or_deletes_audit_entries():
    pattern = re.compile(r"LogEntry\.objects[^\n]*\.(update|delete)\(")
    hits = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "dangjian").rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert not hits, hits


def test_entries_are_append_only(world):
    member = world.members_a[0]
    member.address = "新地址 1 号"
    member.save()
    entry = _entries(member).last()
    assert entry.action == LogEntry.Action.UPDATE
    entry.changes_text = "篡改"
    # (each attempt in its own savepoint: a refused delete marks the transaction for rollback)
    with pytest.raises(AuditLogImmutable), transaction.atomic():
        entry.save()
    with pytest.raises(AuditLogImmutable), transaction.atomic():
        entry.delete()
    with pytest.raises(AuditLogImmutable), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.changes_text != "篡改"
    # New entries are still written.
    before = LogEntry.objects.count()
    member.address = "再改一次"
    member.save()
    assert LogEntry.objects.count() == before + 1
    # Deliberate maintenance (retention purge) is possible, explicitly.
    with audit_maintenance():
        LogEntry.objects.filter(pk=entry.pk).delete()
    assert not LogEntry.objects.filter(pk=entry.pk).exists()


def test_member_edit_is_audited_without_full_id_or_phone(world):
    member = world.members_a[1]
    new_id = make_id("110105", date(1975, 3, 9), 123)  # another region: the mask itself changes
    assert member.id_number_mask[:6] != "110105"
    member.set_id_number(new_id)
    member.set_phone("13912345678")
    member.address = "东街 8 号"
    member.save()
    entry = _entries(member).last()
    blob = f"{entry.changes} {entry.changes_text} {entry.object_repr} {entry.serialized_data} {entry.additional_data}"
    assert "东街 8 号" in blob  # the edit is there...
    # ...each ID/phone field as "已修改": never a value, never a mask (an old and a new
    # mask side by side, or a mask beside a birth date, can complete a number).
    assert entry.changes["id_number_mask"] == ["已修改", "已修改"] and entry.changes["phone_mask"][1] == "已修改"
    assert member.id_number_mask not in blob and member.phone_mask not in blob
    assert new_id not in blob and new_id[6:14] not in blob
    assert "13912345678" not in blob
    assert "id_number_enc" not in (entry.changes or {}) and "phone_enc" not in (entry.changes or {})
    assert "id_number_hash" not in (entry.changes or {}), "the keyed hash must not be copied into the log"
    # Nowhere in the whole log table either.
    for row in LogEntry.objects.values_list("changes", "changes_text", "object_repr"):
        assert new_id not in str(row)


# --- the audit page -----------------------------------------------------------------------


@pytest.fixture
def other_township(world):
    """A second township with a member, written by a district-level account."""
    other = Organization.objects.add_child(world.district, dict(name="外镇党委", org_type="committee", category="机关"))
    other_branch = Organization.objects.add_child(other, dict(name="外镇某村党支部", org_type="branch", category="村"))
    district_admin = make_user("district_admin", Role.ADMIN, org=world.district)
    from dangjian.core.audit import acting_as

    with acting_as(district_admin):
        stranger = make_member(other_branch, name="外镇党员甲")
    return other, stranger, district_admin


def test_audit_list_admin_only_and_scoped(world, client_for, other_township):
    _, stranger, _ = other_township
    member = world.members_a[2]
    member.address = "审计测试地址"
    member.save()
    admin = client_for("admin")
    resp = admin.get(reverse("core:audit"))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "审计测试地址" in body
    assert "外镇党员甲" not in body  # another township's object, changed by someone outside scope
    for key in ("inspector", "secretary_a", "committee_a", "member_a"):
        assert client_for(key).get(reverse("core:audit")).status_code == 403
        assert client_for(key).get(reverse("core:audit_export")).status_code == 403


def test_audit_filters(world, client_for):
    admin_user = world.user("admin")
    member = world.members_a[2]
    from dangjian.core.audit import acting_as

    with acting_as(world.user("secretary_a")):
        member.address = "书记改的地址"
        member.save()
    c = client_for("admin")
    ct = ContentType.objects.get_for_model(type(member))
    url = reverse("core:audit")
    body = c.get(url, {"model": ct.pk, "actor": world.user("secretary_a").pk}).content.decode()
    assert "书记改的地址" in body
    body = c.get(url, {"actor": admin_user.pk}).content.decode()
    assert "书记改的地址" not in body
    body = c.get(url, {"q": member.name}).content.decode()
    assert "书记改的地址" in body
    tomorrow = date.today() + timedelta(days=2)
    body = c.get(url, {"start": tomorrow.isoformat()}).content.decode()
    assert "书记改的地址" not in body
    resp = c.get(url, {"start": "2026-02-30", "end": "x" * 500, "model": "abc", "actor": "-1", "page": "999"})
    assert resp.status_code == 200  # bad filter values: a form error, never a 500
    resp = c.get(url, {"start": "2026-05-01", "end": "2026-04-01"})
    assert "开始日期不能晚于结束日期" in resp.content.decode()


def test_audit_pagination(world, client_for):
    member = world.members_a[0]
    for i in range(60):
        member.address = f"地址{i}"
        member.save()
    c = client_for("admin")
    page1 = c.get(reverse("core:audit")).content.decode()
    page2 = c.get(reverse("core:audit"), {"page": 2}).content.decode()
    assert "地址59" in page1 and "地址59" not in page2
    assert "第 2 /" in page2


def test_audit_export_title_row_and_scope(world, client_for, other_township):
    member = world.members_a[2]
    member.address = "导出测试地址"
    member.save()
    resp = client_for("admin").get(reverse("core:audit_export"))
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    title = ws["A1"].value
    assert title.startswith("审计日志") and "导出人：admin" in title and "导出时间：" in title
    assert "党组织：测试镇党委" in title
    cells = " ".join(str(c.value) for row in ws.iter_rows(min_row=3) for c in row)
    assert "导出测试地址" in cells
    assert "外镇党员甲" not in cells
